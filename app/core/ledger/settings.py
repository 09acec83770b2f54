"""Typed shop settings stored as JSON values in the ``settings`` table (SPEC §8).

``ShopSettings`` is the one place that knows every key and its default; unknown keys
in the table are ignored, missing ones take the default.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.clock import DEFAULT_ZONE
from app.core.ledger.models import Setting
from app.core.terminal.config import DEFAULT_HOST, DEFAULT_PORT, DEMO_PAIRING_KEY, METHODS, BridgeTimings, TerminalConfig


@dataclass(frozen=True)
class OtherTender:
    """An その他支払 tender such as 商品券."""

    code: str
    label: str
    retired: bool = False  # no longer offered at checkout; old slips keep their label


DEFAULT_OTHER_TENDERS = (
    OtherTender("gift_voucher", "商品券"),
    OtherTender("manual_credit", "クレジット(手入力)"),
)


@dataclass
class ShopSettings:
    shop_name: str = "Regi"
    shop_address: str = ""
    shop_phone: str = ""
    registration_number: str = ""  # 適格請求書発行事業者登録番号, T + 13 digits
    register_code: str = "R01"
    register_name: str = "レジ1"
    shop_timezone: str = DEFAULT_ZONE  # IANA zone of slips, business days, refund windows (app.core.clock)
    sells_food: bool = True  # shows 店内 / 持ち帰り
    default_eat_in: bool = False
    tax_rounding: str = "floor"  # app.core.money.TaxRounding
    discount_permission: str = "manager"  # manager | all: who may give 値引 / 割引
    other_tenders: list[dict] = field(default_factory=lambda: [asdict(t) for t in DEFAULT_OTHER_TENDERS])
    printer_kind: str = "none"  # app.core.printing.printers.PrinterConfig.kind, or "preview" (on screen)
    printer_target: str = ""
    printer_paper_mm: int = 80
    printer_mode: str = "image"  # image | kanji
    printer_model: str = ""  # app.core.printing.models.printer_models() key; "" = generic for printer_paper_mm
    printer_drawer: bool = True  # a cash drawer hangs on the printer: open it on cash sales and refunds
    customer_slip_auto: bool = False  # お客様控え 自動 / 手動
    terminal_profile: str = "usenpay"  # usenpay | ct6100 | none
    terminal_host: str = DEFAULT_HOST
    terminal_port: int = DEFAULT_PORT
    terminal_pairing_key: str = DEMO_PAIRING_KEY
    terminal_methods: list[str] = field(default_factory=lambda: list(METHODS))  # contracted methods
    backup_dir: str = ""  # backups folder (a USB stick, a share); "" = backups/ beside the ledger
    backup_keep: int = 14  # how many backups to keep there
    cash_out_approval_yen: int = 10000  # 出金 above this needs a manager (R-CLOSE)
    export_dir: str = ""  # where the day's sales CSV goes; "" = the data dir's exports/ (R-CLOSE)

    @property
    def tenders(self) -> list[OtherTender]:
        return [OtherTender(**t) for t in self.other_tenders]

    @property
    def active_tenders(self) -> list[OtherTender]:
        """The その他支払 tenders offered at checkout (not retired)."""
        return [t for t in self.tenders if not t.retired]

    def terminal_config(self, timings: BridgeTimings | None = None) -> TerminalConfig:
        """The link settings (R-CONN); this register's SaleID is its register code.
        Raises ``ValueError`` when a setting is malformed."""
        return TerminalConfig(
            profile=self.terminal_profile,
            host=self.terminal_host,
            port=self.terminal_port,
            pairing_key=self.terminal_pairing_key,
            sale_id=self.register_code,
            contracted_methods=tuple(self.terminal_methods),
            timings=timings or BridgeTimings(),
        )


def load_settings(db: Session) -> ShopSettings:
    stored = {row.key: json.loads(row.value) for row in db.scalars(select(Setting))}
    known = {f.name for f in fields(ShopSettings)}
    return ShopSettings(**{k: v for k, v in stored.items() if k in known})


def save_settings(db: Session, settings: ShopSettings) -> dict[str, tuple]:
    """Write every key; returns ``{key: (old, new)}`` of what changed (for the audit record)."""
    old = asdict(load_settings(db))
    changed = {}
    for key, value in asdict(settings).items():
        if old.get(key) != value:
            changed[key] = (old.get(key), value)
        db.merge(Setting(key=key, value=json.dumps(value, ensure_ascii=False)))
    return changed
