"""Committing a slip: ``Ledger.commit_sale`` of a typical cart (SPEC §9: ≤ 10 ms with synchronous=FULL).

A demo ledger (``app.core.demo.seed_demo``) in a temp SQLite file (WAL,
``synchronous=FULL`` as the app opens it — checked below), a session opened with
``Ledger.open_day``, then N commits of a settled cart: 5 lines (one of them
×2, food and non-food, so both tax rates) paid in cash with change. Only the
``commit_sale`` call is timed; building the cart is not. The first commits are
warm-up and not counted.

Usage: python bench/commit_slip.py [--runs N] [--warmup N] [--dir DIR]   (exit code is always 0)
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from _common import machine, summary_ms, verdict

BUDGET_MS = 10


def typical_cart(products):
    from app.core.cart import Cart, Payment, PaymentKind, TaxClass

    cart = Cart(eat_in=False)
    for product in products[:5]:
        cart.add_product(product.id, product.name, product.price_yen, TaxClass(product.tax_class))
    cart.set_quantity(0, 2)
    deposit = (cart.total_yen // 1000 + 1) * 1000  # cash with change, as at a real till
    cart.add_payment(Payment(PaymentKind.CASH, "現金", deposit, "cash"))
    assert cart.is_settled and len(cart.lines) == 5
    return cart


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--dir", type=Path, default=None, help="where to put the temp ledger (default: the system temp dir)")
    args = parser.parse_args()

    from sqlalchemy import text

    from app.core.demo import seed_demo
    from app.core.ledger.ledger import Ledger

    print(f"# commit_slip: {machine()}")
    with tempfile.TemporaryDirectory(prefix="regi-bench-", dir=args.dir) as tmp:
        ledger = Ledger(f"sqlite:///{Path(tmp) / 'regi.db'}")
        try:
            seed_demo(ledger)
            ledger.register()
            staff = ledger.staff()[0]
            ledger.open_day(staff.id, total_yen=30000)
            with ledger.session() as db:
                sync = db.execute(text("PRAGMA synchronous")).scalar()
                journal = db.execute(text("PRAGMA journal_mode")).scalar()
            print(f"# ledger {tmp}: journal_mode={journal}, synchronous={sync} (2 = FULL)")
            products = [p for category in ledger.catalog() for p in category.products]
            # food and non-food, so the slip has both tax rates
            picked = [products[0], products[9], products[19], next(p for p in products if p.tax_class == "standard"), products[-1]]

            times = []
            for i in range(args.warmup + args.runs):
                cart = typical_cart(picked)
                start = time.perf_counter()
                ledger.commit_sale(cart, staff.id)
                elapsed = time.perf_counter() - start
                if i >= args.warmup:
                    times.append(elapsed)
            slips = len(ledger.slips())
        finally:
            ledger.dispose()
    s = summary_ms(times)
    print(f"# {slips} slips committed; cart total {cart.total_yen} yen, 5 lines, cash; min {s['min']:.2f} ms")
    print(verdict("Ledger.commit_sale, 5-line cash slip, synchronous=FULL", times, BUDGET_MS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
