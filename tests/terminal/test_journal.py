"""The simulator's journal (issue 9, 16): kept in a file across a process restart, lost on
demand with a new JournalID, sent in the Login answer and every status answer."""
from app.simulator.engine import TerminalEngine


def _pay(engine, txn, last4="1012"):
    body = {"SaleData": {"SaleTransactionID": {"TransactionID": txn, "TimeStamp": "2026-11-25T10:00:00+09:00"}},
            "PaymentTransaction": {"AmountsReq": {"Currency": "JPY", "RequestedAmount": 500}},
            "PaymentData": {"PaymentMethod": "credit"}}
    engine.login("REGI-01")
    engine.start_payment("REGI-01", "svc-" + txn, body)
    engine.present_card("ICC", "VISA", last4)
    engine.enter_pin()


def test_a_restarted_simulator_keeps_its_history_and_journal_id(tmp_path):
    path = tmp_path / "journal.json"
    first = TerminalEngine("usenpay", journal_path=path)
    _pay(first, "T-1")
    journal_id = first.journal_id
    order = first.find("T-1").poi_transaction_id
    again = TerminalEngine("usenpay", journal_path=path)  # a new process on the same file
    assert again.journal_id == journal_id and again.find("T-1").poi_transaction_id == order
    status = again.transaction_status("Payment", "T-1")
    assert status["JournalID"] == journal_id and status["TerminalStatus"] == "売上予定"
    assert again.login("REGI-01")["POISystemData"]["JournalID"] == journal_id


def test_a_lost_journal_has_a_new_id_and_numbers_from_the_start(tmp_path):
    engine = TerminalEngine("usenpay", journal_path=tmp_path / "journal.json")
    _pay(engine, "T-1")
    first_order = engine.find("T-1").poi_transaction_id
    old = engine.journal_id
    new = engine.lose_journal()
    assert new != old and engine.history() == []
    status = engine.transaction_status("Payment", "T-1")
    assert status["Response"]["ErrorCondition"] == "NotFound" and status["JournalID"] == new
    _pay(engine, "T-2")
    assert engine.find("T-2").poi_transaction_id == first_order  # unique per journal only


def _refund(engine, txn, original):
    body = {"SaleData": {"SaleTransactionID": {"TransactionID": txn, "TimeStamp": "2026-11-25T10:05:00+09:00"}},
            "OriginalPOITransaction": {"POITransactionID": {"TransactionID": original}},
            "ReversedAmount": 500, "ReversalReason": "MerchantCancel"}
    engine.start_reversal("REGI-01", "svc-" + txn, body)


def test_the_journal_is_appended_to_not_rewritten_and_a_login_writes_nothing(tmp_path):
    """Regression (the fault suite's "next payment" failures): the whole file was rewritten
    after every operation, a Login included, under the engine's lock — with a few hundred
    records a Login outlasted the register's login timeout. Now only changes are appended."""
    path = tmp_path / "journal.json"
    engine = TerminalEngine("usenpay", journal_path=path)
    for n in range(30):
        _pay(engine, f"T-{n}", f"{n:04d}")  # other cards: no duplicate alert
    before, written = path.read_bytes(), path.stat()
    engine.login("REGI-01")
    engine.diagnosis()
    assert path.read_bytes() == before  # nothing of the journal changed: nothing written
    assert (path.stat().st_ino, path.stat().st_mtime_ns) == (written.st_ino, written.st_mtime_ns)
    _refund(engine, "R-1", engine.find("T-3").poi_transaction_id)
    after = path.read_bytes()
    assert after.startswith(before)  # appended: the payment's new status and the refund
    assert len(after.splitlines()) - len(before.splitlines()) <= 4
    again = TerminalEngine("usenpay", journal_path=path)
    assert again.find("T-3").reversed_by == "R-1" and again.find("T-3").status == engine.find("T-3").status
    assert [r.transaction_id for r in again.history()] == [r.transaction_id for r in engine.history()]


def test_a_torn_last_line_loses_only_that_change(tmp_path):
    """A process killed mid-append leaves half a line: the rest of the journal loads."""
    path = tmp_path / "journal.json"
    engine = TerminalEngine("usenpay", journal_path=path)
    _pay(engine, "T-1")
    _pay(engine, "T-2", "2222")
    with open(path, "a", encoding="utf-8") as out:
        out.write('{"record": {"kind": "payment", "transaction_id": "T-3", "sal')
    again = TerminalEngine("usenpay", journal_path=path)
    assert [r.transaction_id for r in again.history()] == ["T-1", "T-2"]
    assert again.journal_id == engine.journal_id


def test_a_journal_of_the_older_format_still_loads(tmp_path):
    import json

    from app.simulator import journal

    path = tmp_path / "journal.json"
    engine = TerminalEngine("usenpay", journal_path=path)
    _pay(engine, "T-1")
    path.write_text(json.dumps(journal.dump(engine), ensure_ascii=False), "utf-8")  # one object, as before
    again = TerminalEngine("usenpay", journal_path=path)
    assert journal.dump(again) == journal.dump(engine)
    _pay(again, "T-2", "2222")
    assert [r.transaction_id for r in TerminalEngine("usenpay", journal_path=path).history()] == ["T-1", "T-2"]


def test_an_unreadable_journal_is_moved_aside_and_a_new_one_started(tmp_path):
    """Two simulators once wrote one file at the same time and left it unreadable: the simulator
    then refused to start. Now writes never interleave, and a bad file is kept aside (a terminal
    that lost its journal: the register asks and gets a new JournalID)."""
    path = tmp_path / "journal.json"
    first = TerminalEngine("usenpay", journal_path=path)
    _pay(first, "T-1")
    path.write_text("}{" + path.read_text("utf-8"), "utf-8")  # its head line is garbage
    again = TerminalEngine("usenpay", journal_path=path)
    assert again.journal_id != first.journal_id and again.history() == []
    [aside] = tmp_path.glob("journal.json.unreadable-*")
    assert aside.read_text("utf-8").startswith("}{")
    assert TerminalEngine("usenpay", journal_path=path).journal_id == again.journal_id  # the new one is saved
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".tmp") == []
