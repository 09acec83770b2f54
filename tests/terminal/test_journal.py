"""The simulator's journal (issue 9, 16): kept in a file across a process restart, lost on
demand with a new JournalID, sent in the Login answer and every status answer."""
from app.simulator.engine import TerminalEngine


def _pay(engine, txn):
    body = {"SaleData": {"SaleTransactionID": {"TransactionID": txn, "TimeStamp": "2026-11-25T10:00:00+09:00"}},
            "PaymentTransaction": {"AmountsReq": {"Currency": "JPY", "RequestedAmount": 500}},
            "PaymentData": {"PaymentMethod": "credit"}}
    engine.login("REGI-01")
    engine.start_payment("REGI-01", "svc-" + txn, body)
    engine.present_card("ICC", "VISA", "1012")
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


def test_an_unreadable_journal_is_moved_aside_and_a_new_one_started(tmp_path):
    """Two simulators once wrote one file at the same time and left it unreadable: the simulator
    then refused to start. Now writes never interleave, and a bad file is kept aside (a terminal
    that lost its journal: the register asks and gets a new JournalID)."""
    path = tmp_path / "journal.json"
    first = TerminalEngine("usenpay", journal_path=path)
    _pay(first, "T-1")
    path.write_text(path.read_text("utf-8") + "}{", "utf-8")
    again = TerminalEngine("usenpay", journal_path=path)
    assert again.journal_id != first.journal_id and again.history() == []
    [aside] = tmp_path.glob("journal.json.unreadable-*")
    assert aside.read_text("utf-8").endswith("}{")
    assert TerminalEngine("usenpay", journal_path=path).journal_id == again.journal_id  # the new one is saved
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".tmp") == []
