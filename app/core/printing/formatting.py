"""Printed formats of money and dates (one place, so every document agrees).

Trap: the yen sign is the full-width ￥ (U+FFE5). The half-width ¥ (U+00A5)
is not in cp932, so a Kanji-mode printer could not print it.
"""

from __future__ import annotations

from datetime import datetime

from app.core.money import format_yen

YEN = "\uffe5"  # ￥
_WEEKDAYS = "月火水木金土日"


def printed_yen(yen: int) -> str:
    """`1360` -> 「￥1,360」, `-100` -> 「-￥100」: ``money.format_yen`` with the full-width ￥."""
    return format_yen(yen, YEN)


def format_datetime_ja(when: datetime) -> str:
    """「2024年12月27日(金) 14:30」."""
    # No strftime: non-ASCII format strings depend on the C locale (Windows).
    weekday = _WEEKDAYS[when.weekday()]
    return f"{when.year:04d}年{when.month:02d}月{when.day:02d}日({weekday}) {when.hour:02d}:{when.minute:02d}"
