"""スタッフ (SPEC §8): add, rename, role, password reset, disable — each audited (who, when,
old → new) in the transaction that makes the change.

Rules: a name is not empty; a password is 4–8 digits keyed twice; the last active manager
can be neither demoted nor disabled (someone must be able to reach 設定). A disabled person
cannot log in; their slips keep their name (slips point at the row, which is never deleted).
Every refusal is a ``RegiError`` naming the field, raised before anything is written.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.errors import RegiError
from app.core.ledger import audit
from app.core.ledger.ledger import Ledger
from app.core.ledger.models import Staff
from app.core.ledger.passwords import hash_password
from app.core.shop_rules import name_problem, password_problem

ROLES = {"manager": "責任者", "cashier": "担当者"}


class StaffBook:
    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def all(self) -> list[Staff]:
        """Everyone, enabled or not, in tile order."""
        with self.ledger.session() as db:
            return list(db.scalars(select(Staff).order_by(Staff.sort_order, Staff.id)))

    def add(self, name: str, role: str, password: str, again: str, *, by: int | None) -> Staff:
        _check(name_problem(name, "名前", 40) or _role_problem(role) or password_problem(password, again))
        with self.ledger.write() as db:
            order = (db.scalar(select(func.max(Staff.sort_order))) or 0) + 1
            member = Staff(name=name.strip(), role=role, password_hash=hash_password(password), failed_attempts=0,
                           active=True, sort_order=order)
            db.add(member)
            db.flush()
            self._audit(db, "staff_add", by, member, {"name": member.name, "role": role})
            return member

    def update(self, staff_id: int, *, name: str, role: str, active: bool, by: int | None) -> Staff:
        """Rename, change role, enable / disable in one step (audited with old → new)."""
        _check(name_problem(name, "名前", 40) or _role_problem(role))
        with self.ledger.write() as db:
            member = _get(db, staff_id)
            if member.role == "manager" and member.active and (role != "manager" or not active) and _managers(db) <= 1:
                raise RegiError("最後の責任者は担当者に変更することも無効にすることもできません。先に別の責任者を追加してください。")
            changes = {key: (old, new) for key, old, new in (
                ("name", member.name, name.strip()), ("role", member.role, role), ("active", member.active, active),
            ) if old != new}
            if not changes:
                return member
            member.name, member.role, member.active = name.strip(), role, active
            self._audit(db, "staff_change", by, member, changes)
            return member

    def reset_password(self, staff_id: int, password: str, again: str, *, by: int | None) -> None:
        _check(password_problem(password, again))
        with self.ledger.write() as db:
            member = _get(db, staff_id)
            member.password_hash = hash_password(password)
            member.failed_attempts, member.locked_until = 0, None
            self._audit(db, "staff_password_reset", by, member, None)  # never the password itself

    def _audit(self, db: Session, action: str, by: int | None, member: Staff, detail: dict | None) -> None:
        audit.record(db, self.ledger.clock.now(), action, by, target=f"staff:{member.id}", detail=detail)


def _managers(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Staff).where(Staff.active, Staff.role == "manager"))


def _get(db: Session, staff_id: int) -> Staff:
    member = db.get(Staff, staff_id)
    if member is None:
        raise RegiError("担当者が見つかりません。")
    return member


def _role_problem(role: str) -> str | None:
    return None if role in ROLES else "役割（責任者 / 担当者）を選んでください。"


def _check(problem: str | None) -> None:
    if problem:
        raise RegiError(problem)
