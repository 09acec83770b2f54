"""店舗情報 (SPEC §8): the shop's name, address, phone, 登録番号 and this register's code and
name, saved with their audit record; the register row follows its code and name, so a
renamed register keeps its open day and its slips."""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from app.core.errors import RegiError
from app.core.ledger import audit
from app.core.ledger.ledger import Ledger
from app.core.ledger.models import Register
from app.core.ledger.settings import load_settings, save_settings
from app.core.shop_rules import name_problem, registration_number_problem

SHOP_FIELDS = ("shop_name", "shop_address", "shop_phone", "registration_number", "register_code", "register_name")


def shop_problem(values: dict) -> str | None:
    """The first refusal of ``values`` (SHOP_FIELDS → text), naming the field; None when fine."""
    return (name_problem(values["shop_name"], "店舗名", 40)
            or (None if len(values["shop_address"]) <= 80 else "住所は80文字以内で入力してください。")
            or (None if all(c.isdigit() or c in "-+() " for c in values["shop_phone"]) else "電話番号は数字と「-」で入力してください。")
            or registration_number_problem(values["registration_number"])
            or (None if values["register_code"].isascii() and values["register_code"].isalnum() and len(values["register_code"]) <= 20
                else "レジコードは半角英数字20文字以内で入力してください。")
            or name_problem(values["register_name"], "レジ名", 40))


def save_shop(ledger: Ledger, values: dict, staff_id: int | None, authorized_by_id: int | None = None) -> None:
    """Check and store ``values`` (SHOP_FIELDS), audited as one settings change; ``RegiError`` refuses."""
    problem = shop_problem(values)
    if problem:
        raise RegiError(problem)
    with ledger.write() as db:
        old = load_settings(db)
        if values["register_code"] != old.register_code and db.scalar(select(Register).where(Register.code == values["register_code"])):
            raise RegiError(f"レジコード「{values['register_code']}」は別のレジで使われています。")
        register = db.scalar(select(Register).where(Register.code == old.register_code))
        if register is not None:
            register.code, register.name = values["register_code"], values["register_name"]
        changed = save_settings(db, replace(old, **values))
        if changed:
            audit.record(db, ledger.clock.now(), "settings_change", staff_id, detail=changed, authorized_by_id=authorized_by_id)
    ledger.forget_register()  # its cached row has the old code and name
