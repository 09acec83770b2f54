"""The business day (営業日): 開局 with the change float (R-OPEN) and the day now open.

Vocabulary: a day is stored as a ``RegisterSession`` row (table ``register_sessions``,
``session_id`` on slips); "session" alone means the ORM session (``Ledger.session()``,
``db``). Functions here say "day"."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import RegiError
from app.core.ledger.models import DrawerMovement, FloatCount, Register, RegisterSession
from app.core.money import MAX_AMOUNT_YEN, format_yen

DENOMINATIONS_YEN = (10000, 5000, 2000, 1000, 500, 100, 50, 10, 5, 1)
MAX_COUNT = 9999


def counted_yen(counts: dict[int, int], what: str) -> int:
    """Validate cash counted by denomination and return its total; ``RegiError`` if bad
    (a total over the limit is refused as 「{what}は ¥9,999,999 までです。」)."""
    for denomination, count in counts.items():
        if denomination not in DENOMINATIONS_YEN:
            raise RegiError(f"{denomination}円は金種にありません。")
        if count < 0:
            raise RegiError(f"{denomination:,}円の枚数はマイナスにできません。")
        if count > MAX_COUNT:
            raise RegiError(f"{denomination:,}円の枚数は{MAX_COUNT}枚までです。")
    total = sum(d * c for d, c in counts.items())
    if total > MAX_AMOUNT_YEN:
        raise RegiError(f"{what}は {format_yen(MAX_AMOUNT_YEN)} までです。")
    return total


def float_total_yen(counts: dict[int, int]) -> int:
    """The 開局 float by denomination, validated (``counted_yen``)."""
    return counted_yen(counts, "釣銭準備金")


def current_day(db: Session, register_id: int) -> RegisterSession | None:
    """The register's open day, or None before 開局 / after 精算."""
    return db.scalar(
        select(RegisterSession).where(RegisterSession.register_id == register_id, RegisterSession.closed_at.is_(None))
    )


def open_day(
    db: Session,
    register: Register,
    staff_id: int,
    now: datetime,
    *,
    counts: dict[int, int] | None = None,
    total_yen: int | None = None,
) -> RegisterSession:
    """Open the register with a float given by denomination (``counts``) or as ``total_yen``.

    Exactly one of them. Adds the session, its float counts and the float drawer movement
    to ``db``'s transaction. Refuses a second open session (also enforced by a unique index).
    """
    if (counts is None) == (total_yen is None):
        raise ValueError("give the float either by denomination or as a total")
    if counts is not None:
        total_yen = float_total_yen(counts)
    elif total_yen < 0 or total_yen > MAX_AMOUNT_YEN:
        raise RegiError(f"釣銭準備金は0〜{format_yen(MAX_AMOUNT_YEN)}で入力してください。")
    if current_day(db, register.id) is not None:
        raise RegiError("このレジはすでに開局しています。")
    session = RegisterSession(register_id=register.id, opened_at=now, opened_by_id=staff_id, float_yen=total_yen)
    db.add(session)
    db.flush()
    for denomination, count in (counts or {}).items():
        db.add(FloatCount(session_id=session.id, denomination_yen=denomination, count=count))
    db.add(DrawerMovement(session_id=session.id, kind="float", amount_yen=total_yen, staff_id=staff_id, created_at=now))
    return session
