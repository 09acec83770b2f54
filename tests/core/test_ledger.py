"""The ledger on a real SQLite file (SPEC §6): migrations, pragmas, invariants."""
from datetime import datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError, IntegrityError

from app.core.cart import Cart, Payment, PaymentKind, TaxClass
from app.core.clock import FixedClock
from app.core.demo import seed_demo
from app.core.errors import RegiError
from app.core.ledger.db import HEAD_REVISION
from app.core.ledger.ledger import Ledger
from app.core.ledger.models import DrawerMovement, FloatCount, Slip

T0 = datetime(2026, 11, 21, 9, 0, 0)


@pytest.fixture
def ledger(tmp_path):
    ledger = Ledger(f"sqlite:///{tmp_path / 'regi.db'}", FixedClock(T0))
    seed_demo(ledger)
    yield ledger
    ledger.dispose()


def staff_id(ledger, name):
    return next(s.id for s in ledger.staff() if s.name == name)


def sold_cart(ledger, tendered=2000):
    cart = Cart()
    cart.add_product(1, "ブレンドコーヒー", 450, TaxClass.FOOD)
    cart.add_product(2, "タンブラー", 2200, TaxClass.STANDARD)
    cart.add_payment(Payment(PaymentKind.OTHER, "商品券", 1000, "gift_voucher"))
    cart.add_payment(Payment(PaymentKind.CASH, "現金", tendered, "cash"))
    return cart


def test_pragmas_on_every_connection(ledger):
    with ledger.session() as db:
        conn = db.connection()
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_migrations_are_idempotent_and_keep_data(tmp_path):
    url = f"sqlite:///{tmp_path / 'regi.db'}"
    first = Ledger(url)
    seed_demo(first)
    first.dispose()
    again = Ledger(url)
    assert not seed_demo(again)
    assert len(again.staff()) == 3
    with again.session() as db:
        assert db.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD_REVISION
    again.dispose()


def test_head_revision_constant_matches_the_migration_scripts():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from app.core.assets import migrations_dir
    from app.core.ledger.db import HEAD_REVISION

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    assert ScriptDirectory.from_config(config).get_heads() == [HEAD_REVISION]


def test_demo_shop(ledger):
    catalog = ledger.catalog()
    assert len(catalog) == 4
    products = [p for c in catalog for p in c.products]
    assert len(products) == 30
    assert {p.tax_class for p in products} == {"food", "standard"}
    assert [s.role for s in ledger.staff()].count("manager") == 1


def test_passwords_are_hashed_and_lockout_after_five(ledger):
    sato = staff_id(ledger, "佐藤")
    with ledger.session() as db:
        stored = db.execute(text("SELECT password_hash FROM staff WHERE id = :id"), {"id": sato}).scalar()
    assert stored.startswith("scrypt$") and "1111" not in stored
    for attempt in range(4):
        with pytest.raises(RegiError, match="パスワードが違います"):
            ledger.login(sato, "0000")
    with pytest.raises(RegiError, match="ロックされました"):
        ledger.login(sato, "0000")
    with pytest.raises(RegiError, match="ロック中"):
        ledger.login(sato, "1111")
    ledger.clock.advance(seconds=61)
    assert ledger.login(sato, "1111").name == "佐藤"


def test_open_session_by_denomination_and_only_once(ledger):
    manager = staff_id(ledger, "山田 店長")
    session = ledger.open_day(manager, counts={10000: 1, 1000: 5, 100: 20})
    assert session.float_yen == 17000
    with ledger.session() as db:
        assert {f.denomination_yen: f.count for f in db.query(FloatCount)} == {10000: 1, 1000: 5, 100: 20}
        assert [(m.kind, m.amount_yen) for m in db.query(DrawerMovement)] == [("float", 17000)]
    with pytest.raises(RegiError, match="すでに開局"):
        ledger.open_day(manager, total_yen=100)


def test_negative_float_count_writes_nothing(ledger):
    with pytest.raises(RegiError, match="マイナス"):
        ledger.open_day(staff_id(ledger, "佐藤"), counts={1000: -1})
    assert ledger.current_day() is None


def test_commit_sale_writes_everything_in_one_slip(ledger):
    cashier = staff_id(ledger, "佐藤")
    ledger.open_day(cashier, total_yen=30000)
    committed = ledger.commit_sale(sold_cart(ledger), cashier)
    slip = ledger.slip(committed.slip_id)
    assert slip.slip_number == 1 and slip.total_yen == 2650 and slip.change_yen == 350
    assert [(l.name, l.tax_rate_percent) for l in slip.lines] == [("ブレンドコーヒー", 8), ("タンブラー", 10)]
    assert [(t.rate_percent, t.taxable_yen, t.tax_yen) for t in slip.taxes] == [(10, 2200, 200), (8, 450, 33)]
    assert [(t.label, t.amount_yen) for t in slip.tenders] == [("商品券", 1000), ("現金", 2000)]
    with ledger.session() as db:
        assert [(m.kind, m.amount_yen) for m in db.query(DrawerMovement).order_by(DrawerMovement.id)] == [("float", 30000), ("sale", 1650)]
    assert ledger.commit_sale(sold_cart(ledger), cashier).slip_number == 2


def test_committed_slips_cannot_be_updated_or_deleted(ledger):
    cashier = staff_id(ledger, "佐藤")
    ledger.open_day(cashier, total_yen=0)
    slip_id = ledger.commit_sale(sold_cart(ledger), cashier).slip_id
    for statement in ("UPDATE slips SET total_yen = 1 WHERE id = :id", "DELETE FROM slips WHERE id = :id",
                      "UPDATE tenders SET amount_yen = 1 WHERE slip_id = :id", "DELETE FROM slip_lines WHERE slip_id = :id"):
        with ledger.session() as db, pytest.raises(DatabaseError, match="insert-only"):
            db.execute(text(statement), {"id": slip_id})
    assert ledger.slip(slip_id).total_yen == 2650


def test_a_failing_commit_leaves_no_partial_slip(ledger, monkeypatch):
    cashier = staff_id(ledger, "佐藤")
    ledger.open_day(cashier, total_yen=0)
    from app.core.ledger import slips

    def broken_next_number(db, register_id):
        return 1

    ledger.commit_sale(sold_cart(ledger), cashier)
    monkeypatch.setattr(slips, "next_slip_number", broken_next_number)  # a duplicate number: the insert fails
    with pytest.raises(IntegrityError):
        ledger.commit_sale(sold_cart(ledger), cashier)
    with ledger.session() as db:
        assert db.query(Slip).count() == 1
        assert db.execute(text("SELECT count(*) FROM tenders")).scalar() == 2
        assert db.query(DrawerMovement).filter_by(kind="sale").count() == 1


def test_sale_needs_an_open_register(ledger):
    with pytest.raises(RegiError, match="開局していません"):
        ledger.commit_sale(sold_cart(ledger), staff_id(ledger, "佐藤"))
    assert ledger.slips() == []


@pytest.mark.parametrize("check", ["login", "authorize_manager"])
def test_a_password_check_is_not_refused_by_a_commit_during_its_hash(ledger, monkeypatch, check):
    """A login or a manager's password reads the staff row, hashes (scrypt: long on a loaded
    tablet), then writes. Another thread committing meanwhile (the backup's audit record after a
    login) made that write fail at once with "database is locked"; the check now holds the
    write lock from its start, and the other commit waits for it."""
    import threading

    from app.core.ledger import staff as staff_rules

    other: list[BaseException | None] = []

    def commit_elsewhere():
        try:
            ledger.record_audit("backup", None, detail={"test": True})
            other.append(None)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            other.append(error)

    def during_hash(real):
        def checked(db, *args, **kwargs):
            result = real(db, *args, **kwargs)  # the staff row has been read
            writer = threading.Thread(target=commit_elsewhere)
            writer.start()
            writer.join(0.5)  # it commits now unless the check holds the lock
            return result
        return checked

    monkeypatch.setattr(staff_rules, "authenticate", during_hash(staff_rules.authenticate))
    monkeypatch.setattr(staff_rules, "authorize_manager", during_hash(staff_rules.authorize_manager))
    manager = staff_id(ledger, "山田 店長")
    who = ledger.login(manager, "1234") if check == "login" else ledger.authorize_manager("1234")
    assert who.id == manager
    for _ in range(100):
        if other:
            break
        threading.Event().wait(0.05)
    assert other == [None]  # the other commit waited, then went through
