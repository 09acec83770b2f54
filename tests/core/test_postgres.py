"""SPEC §6: the same models and migrations run on PostgreSQL. Runs when
``REGI_TEST_POSTGRES_URL`` names an empty database (e.g.
``postgresql+psycopg://regi:regi@127.0.0.1/regi`` with ``psycopg[binary]`` installed);
skipped otherwise, since CI has no PostgreSQL server."""
import os
from datetime import datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

URL = os.environ.get("REGI_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not URL, reason="REGI_TEST_POSTGRES_URL not set")


def test_migrations_sale_and_insert_only_slips_on_postgresql():
    from app.core.cart import Cart, Payment, PaymentKind, TaxClass
    from app.core.clock import FixedClock
    from app.core.demo import seed_demo
    from app.core.ledger.ledger import Ledger

    ledger = Ledger(URL, FixedClock(datetime(2026, 11, 21, 10, 0)))
    try:
        seed_demo(ledger)
        manager = ledger.login(1, "1234")
        if ledger.current_day() is None:
            ledger.open_day(manager.id, counts={1000: 10})
        cart = Cart()
        cart.add_product(1, "ブレンドコーヒー", 450, TaxClass.FOOD)
        cart.add_payment(Payment(PaymentKind.CASH, "現金", 1000, "cash"))
        slip = ledger.slip(ledger.commit_sale(cart, manager.id).slip_id)
        assert (slip.total_yen, slip.change_yen, slip.taxes[0].tax_yen) == (450, 550, 33)
        with ledger.session() as db, pytest.raises(DatabaseError, match="insert-only"):
            db.execute(text("UPDATE slips SET total_yen = 1 WHERE id = :id"), {"id": slip.id})
    finally:
        ledger.dispose()
