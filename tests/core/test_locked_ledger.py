"""Issue 9 (locked down), SPEC §6: history triggers, the hash chain of slips and audit
records, and ``regi verify-ledger`` on a tampered file."""
import subprocess
import sys
import uuid
from datetime import datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from app.core.cart import Cart, Payment, PaymentKind, TaxClass
from app.core.clock import FixedClock
from app.core.demo import seed_demo
from app.core.ledger import chain
from app.core.ledger.journal import SlipJournal
from app.core.ledger.ledger import Ledger
from app.core.ledger.models import AuditRecord, Slip

T0 = datetime(2026, 11, 21, 9, 0, 0)


@pytest.fixture
def ledger(tmp_path):
    ledger = Ledger(f"sqlite:///{tmp_path / 'regi.db'}", FixedClock(T0))
    seed_demo(ledger)
    ledger.login(2, "1111")                                # 佐藤: an audit record
    ledger.open_day(2, total_yen=30000)               # another, and a float movement
    yield ledger
    ledger.dispose()


def sell(ledger, price=450):
    cart = Cart()
    cart.add_product(1, "ブレンドコーヒー", price, TaxClass.FOOD)
    cart.add_payment(Payment(PaymentKind.CASH, "現金", 1000, "cash"))
    return ledger.commit_sale(cart, 2)


def run_sql(ledger, *statements):
    with ledger.session() as db, db.begin():
        for statement in statements:
            db.execute(text(statement))


def refused(ledger, statement):
    with pytest.raises(DatabaseError) as error:
        run_sql(ledger, statement)
    return str(error.value.orig)


def verify(ledger):
    with ledger.session() as db:
        return chain.verify(db)


# --- triggers -----------------------------------------------------------------

@pytest.mark.parametrize("table", ["audit_records", "drawer_movements", "float_counts"])
def test_history_is_insert_only(ledger, table):
    sell(ledger)
    with ledger.session() as db, db.begin():
        db.execute(text("INSERT INTO float_counts (session_id, denomination_yen, count) VALUES (1, 1000, 30)"))
    column = {"audit_records": "reason", "drawer_movements": "amount_yen", "float_counts": "count"}[table]
    assert "insert-only" in refused(ledger, f"UPDATE {table} SET {column} = 0")
    assert "insert-only" in refused(ledger, f"DELETE FROM {table}")


def test_a_session_may_be_closed_once_and_nothing_else(ledger):
    assert "never deleted" in refused(ledger, "DELETE FROM register_sessions")
    assert "only be closed" in refused(ledger, "UPDATE register_sessions SET float_yen = 0")
    assert "only be closed" in refused(ledger, "UPDATE register_sessions SET closed_at = '2026-11-21 20:00:00'")
    assert "only be closed" in refused(ledger, "UPDATE register_sessions SET closed_at = '2026-11-21 20:00:00', "
                                               "closed_by_id = 1, float_yen = 0")
    run_sql(ledger, "UPDATE register_sessions SET closed_at = '2026-11-21 20:00:00', closed_by_id = 1")  # 精算
    assert "only be closed" in refused(ledger, "UPDATE register_sessions SET closed_at = '2026-11-21 21:00:00'")
    assert "only be closed" in refused(ledger, "UPDATE register_sessions SET closed_at = NULL, closed_by_id = NULL")


def test_staff_are_never_deleted_but_their_passwords_and_roles_change(ledger):
    assert "never deleted" in refused(ledger, "DELETE FROM staff WHERE id = 3")
    assert "id never changes" in refused(ledger, "UPDATE staff SET id = 99 WHERE id = 3")
    run_sql(ledger, "UPDATE staff SET role = 'manager', password_hash = 'x', active = 0 WHERE id = 3")


def test_the_commit_sequence_only_grows_by_one(ledger):
    assert "only grows by one" in refused(ledger, "UPDATE register_sequences SET last_seq = last_seq - 1")
    assert "only grows by one" in refused(ledger, "UPDATE register_sequences SET last_seq = last_seq + 2")
    assert "never deleted" in refused(ledger, "DELETE FROM register_sequences")


# --- the chain ------------------------------------------------------------------

def test_facts_carry_ids_and_one_gap_free_sequence_per_register(ledger):
    sale = sell(ledger)
    SlipJournal(ledger).void(sale.slip_id, staff_id=2, authorized_by_id=1, reason="打ち間違い")
    with ledger.session() as db:
        facts = [*db.scalars(select(Slip)), *db.scalars(select(AuditRecord))]
    facts.sort(key=lambda r: r.seq)
    assert [r.seq for r in facts] == list(range(1, len(facts) + 1))
    assert {type(r).__name__ for r in facts} == {"Slip", "AuditRecord"}
    assert {r.register_id for r in facts} == {ledger.register().id}
    assert len({r.shop_id for r in facts}) == 1 and facts[0].shop_id
    assert all(uuid.UUID(r.uid).version == 7 for r in facts)
    assert facts[0].prev_hash == chain.GENESIS
    assert all(b.prev_hash == a.row_hash for a, b in zip(facts, facts[1:]))
    report = verify(ledger)
    assert report.ok and report.checked == len(facts) and report.not_covered == 0


def tampered(ledger, *statements):
    """Raw SQL behind the triggers' back: drop them, change rows."""
    drops = [f"DROP TRIGGER {name}" for name in (
        "slips_no_update", "slips_no_delete", "slip_lines_no_update",
        "audit_records_guard_update", "audit_records_guard_delete")]
    run_sql(ledger, *drops, *statements)
    return verify(ledger).problem


def test_an_altered_slip_total_is_named(ledger):
    sell(ledger)
    second = sell(ledger, 500)
    sell(ledger)
    problem = tampered(ledger, f"UPDATE slips SET total_yen = 50 WHERE id = {second.slip_id}")
    assert (problem.table, problem.row_id) == ("slips", second.slip_id)
    assert "content altered" in problem.what


def test_an_altered_slip_line_is_named_by_its_slip(ledger):
    first = sell(ledger)
    sell(ledger)
    problem = tampered(ledger, f"UPDATE slip_lines SET quantity = 9 WHERE slip_id = {first.slip_id}")
    assert (problem.table, problem.row_id) == ("slips", first.slip_id)


def test_a_deleted_audit_record_is_found(ledger):
    sell(ledger)
    with ledger.session() as db:
        login = db.scalars(select(AuditRecord).where(AuditRecord.action == "login")).one()
    problem = tampered(ledger, f"DELETE FROM audit_records WHERE id = {login.id}")
    assert problem.seq == login.seq + 1 and f"record {login.seq} was deleted" in problem.what


def test_deleting_the_newest_records_is_found(ledger):
    sell(ledger)
    ledger.record_audit("drawer_open", 1, reason="両替")
    with ledger.session() as db:
        newest = db.scalars(select(AuditRecord).order_by(AuditRecord.id.desc())).first()
    problem = tampered(ledger, f"DELETE FROM audit_records WHERE id = {newest.id}")
    assert problem.table == "register_sequences" and "deleted" in problem.what


def test_a_record_taken_out_of_the_chain_is_found(ledger):
    sell(ledger)
    with ledger.session() as db:
        first = db.scalars(select(AuditRecord).order_by(AuditRecord.id)).first()
    problem = tampered(ledger, f"UPDATE audit_records SET seq = NULL, prev_hash = NULL, row_hash = NULL "
                               f"WHERE id = {first.id + 1}")
    assert problem is not None


def test_verify_ledger_command_on_a_tampered_file(ledger, tmp_path):
    sale = sell(ledger)
    sell(ledger)
    command = [sys.executable, "-m", "app", "verify-ledger", "--data-dir", str(tmp_path)]
    ok = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "正常です" in ok.stdout
    tampered(ledger, f"UPDATE slips SET total_yen = 1 WHERE id = {sale.slip_id}")
    ledger.dispose()
    altered = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert altered.returncode == 1, altered.stderr
    assert "改ざんがあります" in altered.stdout and f"slips id {sale.slip_id}" in altered.stdout


def test_verify_ledger_without_a_ledger(tmp_path):
    missing = subprocess.run([sys.executable, "-m", "app", "verify-ledger", "--data-dir", str(tmp_path / "none")],
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "台帳がありません" in missing.stderr
    assert not (tmp_path / "none").exists()
