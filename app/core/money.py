"""Money and consumption tax. Every amount is an ``int`` number of yen.

Prices are tax-inclusive (総額表示). Tax is computed once per slip and rate on the
tax-inclusive total of that rate (インボイス rule), never per line.
"""
from __future__ import annotations

from enum import Enum

MAX_AMOUNT_YEN = 9_999_999
"""Largest amount the tenkey accepts and a slip may total (7 digits)."""

STANDARD_RATE = 10
REDUCED_RATE = 8


class TaxRounding(str, Enum):
    """How the inclusive tax of one rate is rounded (configurable per shop)."""

    FLOOR = "floor"  # 切り捨て (default)
    HALF_UP = "half_up"  # 四捨五入
    CEIL = "ceil"  # 切り上げ

    @property
    def label(self) -> str:
        return {"floor": "切り捨て", "half_up": "四捨五入", "ceil": "切り上げ"}[self.value]


def inclusive_tax_yen(taxable_yen: int, rate_percent: int, rounding: TaxRounding = TaxRounding.FLOOR) -> int:
    """Tax contained in a tax-inclusive amount: taxable × rate / (100 + rate), rounded.

    Integer arithmetic only, so ¥1,100 at 10 % is exactly ¥100. Negative amounts
    (refund slips) are rounded symmetrically to their positive counterpart.
    """
    if taxable_yen < 0:
        return -inclusive_tax_yen(-taxable_yen, rate_percent, rounding)
    numerator = taxable_yen * rate_percent
    denominator = 100 + rate_percent
    quotient, remainder = divmod(numerator, denominator)
    if rounding is TaxRounding.CEIL and remainder:
        return quotient + 1
    if rounding is TaxRounding.HALF_UP and remainder * 2 >= denominator:
        return quotient + 1
    return quotient


def percent_of_yen(amount_yen: int, percent: int) -> int:
    """``percent`` % of an amount, rounded down (a 割引 never exceeds what it says)."""
    return amount_yen * percent // 100


SCREEN_YEN = "¥"  # U+00A5; paper uses the full-width ￥ (printing.formatting.printed_yen: cp932 has no ¥)


def format_yen(amount_yen: int, yen: str = SCREEN_YEN) -> str:
    """``1360`` → ``¥1,360``, ``-100`` → ``-¥100``. Money is int yen: a float or bool is a bug (TypeError)."""
    if not isinstance(amount_yen, int) or isinstance(amount_yen, bool):
        raise TypeError(f"yen must be int, got {type(amount_yen).__name__}")
    sign = "-" if amount_yen < 0 else ""
    return f"{sign}{yen}{abs(amount_yen):,}"
