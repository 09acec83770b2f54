"""Staff login with lockout (R-LOGIN): 5 wrong passwords in a row lock that person for 60 s."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import RegiError
from app.core.ledger.models import Staff
from app.core.ledger.passwords import verify_password

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(seconds=60)


def active_staff(db: Session) -> list[Staff]:
    return list(db.scalars(select(Staff).where(Staff.active).order_by(Staff.sort_order, Staff.id)))


def authenticate(db: Session, staff_id: int, password: str, now: datetime) -> Staff:
    """Return the staff member if ``password`` is theirs; else raise ``RegiError``.

    Counts failures on the row (the caller commits either way, so a lockout survives a
    restart). A locked account refuses even the right password until the lock expires.
    """
    staff = db.get(Staff, staff_id)
    if staff is None or not staff.active:
        raise RegiError("担当者が見つかりません。")
    if staff.locked_until and now < staff.locked_until:
        seconds = int((staff.locked_until - now).total_seconds()) + 1
        raise RegiError(f"{staff.name}さんはロック中です。{seconds}秒後にもう一度お試しください。")
    if not password or not verify_password(password, staff.password_hash):
        staff.failed_attempts += 1
        if staff.failed_attempts >= MAX_FAILED_ATTEMPTS:
            staff.failed_attempts = 0
            staff.locked_until = now + LOCKOUT
            raise RegiError(f"パスワードを{MAX_FAILED_ATTEMPTS}回間違えたため、60秒間ロックされました。")
        left = MAX_FAILED_ATTEMPTS - staff.failed_attempts
        raise RegiError(f"パスワードが違います。（あと{left}回でロックされます）")
    staff.failed_attempts = 0
    staff.locked_until = None
    return staff
