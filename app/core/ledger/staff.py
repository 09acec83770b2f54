"""Staff login with lockout (R-LOGIN): 5 wrong passwords in a row lock that person for 60 s.

Manager authorisation (ManagerAuthDialog) follows the same rule: 5 wrong passwords in a row
lock it for 60 s for everyone, since the dialog does not say whose password is tried. Its
state is read from the audit records it writes (one per attempt), so a restart does not
reset it and every failure is on record.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import RegiError
from app.core.ledger import audit
from app.core.ledger.models import AuditRecord, Staff
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


MANAGER_AUTH_OK = "manager_auth"
MANAGER_AUTH_FAILED = "manager_auth_failed"
MANAGER_AUTH_LOCKED = "manager_auth_locked"


def _manager_auth_lock(db: Session, now: datetime) -> tuple[datetime | None, int]:
    """(locked until, failures in a row since the last success or lock) from the audit records."""
    recent = db.scalars(
        select(AuditRecord)
        .where(AuditRecord.action.in_((MANAGER_AUTH_OK, MANAGER_AUTH_FAILED, MANAGER_AUTH_LOCKED)))
        .order_by(AuditRecord.id.desc())
        .limit(MAX_FAILED_ATTEMPTS)
    ).all()
    if recent and recent[0].action == MANAGER_AUTH_LOCKED and now < recent[0].at + LOCKOUT:
        return recent[0].at + LOCKOUT, 0
    failures = 0
    for row in recent:
        if row.action != MANAGER_AUTH_FAILED:
            break
        failures += 1
    return None, failures


def authorize_manager(db: Session, password: str, now: datetime, *, staff_id: int | None = None) -> Staff:
    """The active manager whose password this is; else raise ``RegiError``.

    Every attempt is audited in ``db`` (the caller commits either way). Refused: a wrong
    password (the 5th in a row locks manager authorisation for 60 s), any password while
    locked, and a manager whose own login is locked (R-LOGIN). ``staff_id`` is who asked.
    """
    locked_until, failures = _manager_auth_lock(db, now)
    if locked_until is not None:
        audit.record(db, now, MANAGER_AUTH_FAILED, staff_id, reason="locked")
        seconds = int((locked_until - now).total_seconds()) + 1
        raise RegiError(f"責任者確認はロック中です。{seconds}秒後にもう一度お試しください。")
    managers = db.scalars(select(Staff).where(Staff.active, Staff.role == "manager").order_by(Staff.id)).all()
    manager = next((m for m in managers if password and verify_password(password, m.password_hash)), None)
    if manager is not None and manager.locked_until and now < manager.locked_until:
        audit.record(db, now, MANAGER_AUTH_FAILED, staff_id, target=f"staff:{manager.id}", reason="login locked")
        seconds = int((manager.locked_until - now).total_seconds()) + 1
        raise RegiError(f"{manager.name}さんはロック中です。{seconds}秒後にもう一度お試しください。")
    if manager is None:
        audit.record(db, now, MANAGER_AUTH_FAILED, staff_id, reason="wrong password")
        if failures + 1 >= MAX_FAILED_ATTEMPTS:
            audit.record(db, now, MANAGER_AUTH_LOCKED, staff_id)
            raise RegiError(f"責任者のパスワードを{MAX_FAILED_ATTEMPTS}回間違えたため、60秒間ロックされました。")
        left = MAX_FAILED_ATTEMPTS - failures - 1
        raise RegiError(f"責任者のパスワードが違います。（あと{left}回でロックされます）")
    audit.record(db, now, MANAGER_AUTH_OK, staff_id, authorized_by_id=manager.id)
    return manager
