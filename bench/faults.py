"""Fault suite (issues 9, 16): randomized terminal payments and refunds with faults between
the register (the core PaymentCoordinator + TerminalBridge) and the simulator, then the
exactly-once invariants after every run.

    .venv/bin/python bench/faults.py --runs 2000 --seed 1

Each run is one sale (a payment, or a payment then its refund) on one of both profiles,
with one fault kind: frames dropped / delayed / duplicated / reordered, the connection cut,
half-open (nothing forwarded, sockets open), the terminal app restarting (mid-request, or at
any step: before the request arrives, after its answer, during a status query),
「切断する」 at a random moment, the terminal losing its journal, a register "kill" (its
coordinator and link stop dead, a new one starts on the same ledger), a real register
process SIGKILLed mid-payment or mid-refund (register_sigkill: app/testing/register_process.py;
a new process settles from the same ledger file), a decline. A frame
proxy (app/testing/link_faults.py) sits between the bridge and the simulator. Refunds are
made the same day (取消) or a later one (返品; QR on day 89, 90 or 91 of its 90-day limit),
of e-money brands the terminal cannot refund (WAON etc.: paid back in cash), or first on the
terminal's own menu and then recorded 「端末で返金済みにする」 (after the register's 取消 was
refused). After the faults are healed the register settles by itself (no manual step), then
every run is checked:

- approved_once: each payment the terminal approved is recorded paid exactly once;
- nothing_unapproved: nothing recorded paid (or refunded) the terminal did not do;
- id_reused: no SaleTransactionID used twice on the terminal;
- paid_twice: no sale charged twice;
- refund_twice / phantom_refund / lost_refund: at most one refund per payment, none
  recorded that the terminal did not make, none made that the register lost; a payment
  read 返金済み was refunded on the terminal exactly once (or in cash, for WAON etc.);
- next_payment: a clean payment right after the run is approved.

"needs manager" counts requests left 要確認 on purpose (a terminal that lost its journal
is not believed): they are not violations. ``--faults reorder`` narrows the runs to some
kinds (to reproduce one), ``--log FILE`` keeps the link's log; after the table, the cases
the runs exercised are counted. Exit status 1 if any violation.
"""
from __future__ import annotations

import argparse
import logging
import os
import random
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

from _common import ROOT  # noqa: F401  (puts the repo on sys.path)

from app.core.demo import seed_demo
from app.core.errors import RegiError
from app.core.ledger.ledger import Ledger
from app.core.ledger.terminal_payments import TerminalPaymentBook
from app.core.payment_state import ASK_TERMINAL_STATES, PaymentState
from app.core.payments.coordinator import PaymentCoordinator
from app.core.payments.dispatch import ThreadDispatcher
from app.core.terminal.bridge import TerminalBridge
from app.core.terminal.config import DEMO_PAIRING_KEY, BridgeTimings, TerminalConfig
from app.simulator import outcomes as oc
from app.simulator.model import EMONEY_BRANDS, EMONEY_REFUNDABLE
from app.simulator.engine import TerminalEngine
from app.simulator.server import SimulatorServer
from app.testing.link_faults import FaultProxy
from app.testing.register_process import RegisterProcess

FAULTS = ("none", "drop", "delay", "duplicate", "reorder", "cut", "half_open", "terminal_restart", "disconnect",
          "journal_loss", "register_kill", "register_sigkill", "decline")
CHECKS = ("approved_once", "nothing_unapproved", "id_reused", "paid_twice", "refund_twice", "phantom_refund",
          "lost_refund", "next_payment")
FAST = BridgeTimings(connect_timeout=0.5, login_timeout=0.5, request_timeout=0.4, payment_timeout=0.8,
                     reversal_timeout=0.8, heartbeat_interval=0.15, heartbeat_timeout=0.6, backoff_initial=0.02,
                     backoff_max=0.15, stop_timeout=2.0)
CASH_BRANDS = tuple(b for b in EMONEY_BRANDS if b not in EMONEY_REFUNDABLE)  # refunded in cash (WAON etc.)
PAID = {PaymentState.APPROVED, PaymentState.REFUNDED, PaymentState.DISPUTED_PAID}
SETTLE_S = 6.0


class Rig:
    """One register (ledger, coordinator, bridge), one simulator, the proxy between them."""

    def __init__(self, profile: str, folder: Path, seed: int):
        self.profile = profile
        self.rng = random.Random(seed)
        self.url = f"sqlite:///{folder / f'regi-{profile}.db'}"
        self.ledger = Ledger(self.url)
        seed_demo(self.ledger)
        if self.ledger.current_day() is None:
            self.ledger.open_day(1, total_yen=0)
        self.book = TerminalPaymentBook(self.ledger)
        self.engine = TerminalEngine(profile, journal_path=folder / f"journal-{profile}.json", seed=seed)
        self.restart_at_random = False
        self.menu_refunds = 0
        self.refund_cases: Counter = Counter()  # which refunds the runs made (later day, QR day 90, cash brands...)
        self.kill_moments: Counter = Counter()  # where the SIGKILLs landed (register_sigkill)
        self.lost: list = []  # records of journals the terminal lost (the truth, kept for the checks)
        lose = self.engine.lose_journal

        def lose_keeping_the_truth():
            self.lost.extend(self.engine.history())
            return lose()
        self.engine.lose_journal = lose_keeping_the_truth
        self.server = SimulatorServer(self.engine, pairing_key=DEMO_PAIRING_KEY).start_in_thread()
        self.proxy = FaultProxy(self.server.port, seed).start()
        self.dispatcher = ThreadDispatcher()
        self.start_register()

    def start_register(self) -> None:
        config = TerminalConfig(profile=self.profile, port=self.proxy.port, timings=FAST)
        self.bridge = TerminalBridge(config)
        self.bridge.start()
        self.coordinator = PaymentCoordinator(self.book, self.dispatcher, first_retry=0.05, max_retry=0.4)
        self.coordinator.attach(self.bridge)
        self.bridge.login().result(5)

    def kill_register(self) -> None:
        self.coordinator.halt()
        self.bridge.stop()

    def on_dispatcher(self, fn):
        """Run ``fn`` on the coordinator's thread (the ledger is written from one thread) and return its result."""
        done = threading.Event()
        box: list = []

        def run():
            try:
                box.append(fn())
            except Exception as error:  # handed back to the caller
                box.append(error)
            done.set()
        self.dispatcher.post(run)
        done.wait(10)
        if isinstance(box[0], Exception):
            raise box[0]
        return box[0]

    def truth(self) -> dict[str, object]:
        return {r.transaction_id: r for r in [*self.lost, *self.engine.history()]}

    def close(self) -> None:
        self.coordinator.halt()
        self.bridge.stop()
        self.proxy.stop()
        self.server.stop_in_thread()
        self.dispatcher.stop()
        self.ledger.dispose()


def method_for(rig: Rig, rng: random.Random, forced: str | None = None) -> tuple[str | None, str]:
    method = forced or rng.choice(["credit", "credit", "emoney", "qr"])
    return (None if rig.profile == "ct6100" else method), method


def wait_settled(rig: Rig, ids: list[int], timeout: float = SETTLE_S) -> list:
    """Until no request of ``ids`` is awaited (the coordinator re-asks by itself)."""
    deadline = time.monotonic() + timeout
    while True:
        rows = [rig.book.get(i) for i in ids]
        open_rows = [r for r in rows if PaymentState(r.state) in ASK_TERMINAL_STATES
                     and not (rig.coordinator.why(r.id) == "journal_lost" and not rig.coordinator.busy(r.id))]
        if not open_rows or time.monotonic() > deadline:
            return open_rows
        time.sleep(0.02)


def customer(rig: Rig, rng: random.Random, stop: threading.Event, brand_method: str) -> None:
    """A human at the terminal: acts after random pauses (for 切断する at a random moment)."""
    engine = rig.engine
    for _ in range(200):
        if stop.is_set():
            return
        time.sleep(rng.random() * 0.05)
        try:
            stage = engine.stage.value
            if stage == "choose_method":
                engine.choose_method(brand_method)
            elif stage == "wait_card":
                engine.present_card("ICC", "VISA", f"{rng.randrange(10000):04d}")
            elif stage == "wait_pin":
                engine.enter_pin()
                return
            elif stage == "wait_emoney":
                engine.tap_emoney("iD")
                return
            elif stage == "wait_qr":
                engine.scan_qr()
                return
        except Exception:  # the stage moved on (aborted, restarted): fine
            pass


def approve(rig: Rig, rng: random.Random, method: str, brand: str | None = None) -> oc.Approve:
    """A scripted customer who approves (a different card each time; 続ける on a duplicate alert)."""
    return oc.Approve(method=method if rig.profile == "ct6100" else None, brand=brand,
                      last4=f"{rng.randrange(10000):04d}", on_duplicate="continue")


def apply_fault(rig: Rig, rng: random.Random, fault: str, target: str, method: str) -> None:
    proxy = rig.proxy
    if fault == "drop":
        proxy.drop = rng.uniform(0.1, 0.5)
    elif fault == "delay":
        proxy.delay = rng.uniform(0.05, 0.6)
    elif fault == "duplicate":
        proxy.duplicate = rng.uniform(0.3, 1.0)
    elif fault == "reorder":
        proxy.reorder = rng.uniform(0.3, 0.8)
    elif fault == "terminal_restart":
        if rng.random() < 0.5:  # mid-request, scripted: approved or not, the answer lost
            rig.engine.queue(oc.RestartApp(approved=rng.random() < 0.5, target=target))
            return
        rig.restart_at_random = True  # any step: before the request arrives, after the answer, mid-status query
        proxy.delay = rng.uniform(0.0, 0.3)
    elif fault == "journal_loss":
        rig.engine.queue(oc.RestartApp(approved=rng.random() < 0.5, target=target, forget=True))
        return
    elif fault == "decline":
        rig.engine.queue(oc.Decline(code="E1001", target=target) if target == "reversal" else
                         oc.Decline(code="E1001", method=method if rig.profile == "ct6100" else None))
        return
    if fault != "disconnect":
        rig.engine.queue(approve(rig, rng, method) if target == "payment" else oc.Approve(target="reversal"))


def during(rig: Rig, rng: random.Random, fault: str, row_id: int) -> None:
    """Faults that hit at a random moment after sending."""
    time.sleep(rng.random() * 0.15)
    if fault == "cut":
        rig.proxy.cut()
    elif fault == "half_open":
        rig.proxy.half_open = True
        time.sleep(rng.uniform(0.2, 0.8))
        rig.proxy.half_open = False
    elif fault == "disconnect":
        rig.coordinator.hang_up(row_id)
    elif fault == "register_kill":
        rig.kill_register()
        rig.start_register()
    elif fault == "terminal_restart" and rig.restart_at_random:
        rig.restart_at_random = False
        rig.engine.restart_app()


def heal(rig: Rig, relink: bool = True) -> None:
    rig.proxy.clear()
    rig.restart_at_random = False
    rig.engine.clear_queue()
    if rig.engine.stage.value != "idle":
        try:
            rig.engine.cancel()
        except Exception:
            pass
    if relink and not rig.bridge.state.linked:
        rig.bridge.login().result(5)


def send(rig: Rig, rng: random.Random, fault: str, *, refund_of=None, method=None, brand_method="credit"):
    """One request under ``fault``; returns its row id (None if the register refused to send)."""
    stop = threading.Event()
    human = None
    if fault == "disconnect" and refund_of is None:
        human = threading.Thread(target=customer, args=(rig, rng, stop, brand_method), daemon=True)
    try:
        if refund_of is not None:
            row = rig.on_dispatcher(lambda: rig.coordinator.refund(refund_of, staff_id=1))
        else:
            row = rig.on_dispatcher(lambda: rig.coordinator.pay(amount_yen=rng.randint(100, 30000), method=method,
                                                                staff_id=1))
    except RegiError:
        return None
    if human is not None:
        human.start()
    during(rig, rng, fault, row.id)
    deadline = time.monotonic() + 3
    while rig.coordinator.busy(row.id) and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    return row.id


def sigkill_run(rig: Rig, rng: random.Random, kind: str, method: str | None, brand_method: str,
                payment_ids: list[int], refund_ids: list[int]) -> None:
    """A real register process, SIGKILLed at a random moment of its payment or refund; a new
    process on the same ledger settles what it left, then the bench's register takes over again."""
    first_id = max((r.id for r in rig.book.all()), default=0)
    if kind == "refund":
        rig.engine.queue(approve(rig, rng, brand_method))
        payment_ids.append(send(rig, rng, "none", method=method, brand_method=brand_method))
        wait_settled(rig, payment_ids)
        payment = rig.book.get(payment_ids[0])
        if payment.state != PaymentState.APPROVED or (payment.method == "emoney" and payment.brand not in ("iD", "QUICPay")):
            return
        first_id = payment.id
    rig.kill_register()
    doomed = RegisterProcess(rig.url, rig.profile, rig.proxy.port, timings=FAST)
    rig.proxy.delay = rng.uniform(0.0, 0.4)  # frames in flight: the kill can land between request and answer
    try:
        if kind == "refund":
            rig.engine.queue(oc.Approve(target="reversal"))
            doomed.refund(payment_ids[0])
        else:
            rig.engine.queue(approve(rig, rng, brand_method))
            doomed.pay(rng.randint(100, 30000), method)
        if rng.random() < 0.7:  # mostly once the row is committed and the request sent (a loaded child is slow)
            doomed.sent()
        time.sleep(rng.random() * 0.4)
    finally:
        doomed.kill()
    left = [PaymentState(r.state) for r in rig.book.all() if r.id > first_id]
    rig.kill_moments["before the row was committed" if not left else
                     "request open (sent, no answer recorded)" if left[0] in ASK_TERMINAL_STATES else
                     "after the answer was recorded"] += 1
    heal(rig, relink=False)
    heir = RegisterProcess(rig.url, rig.profile, rig.proxy.port, timings=FAST)
    try:
        heir.settle(SETTLE_S)
    finally:
        heir.close()
    made = [r.id for r in rig.book.all() if r.id > first_id]
    (refund_ids if kind == "refund" else payment_ids).extend(made)
    rig.start_register()


def refund_run(rig: Rig, rng: random.Random, fault: str, payment, brand_method: str) -> list[int]:
    """The refund of an approved ``payment`` under ``fault``: the same day (取消) or a later
    day (返品; QR on day 89, 90 or 91 of its 90-day limit), an e-money brand the terminal
    cannot refund (paid back in cash), or refunded on the terminal's own menu first and then
    marked 「端末で返金済みにする」. Returns the refund rows the register made."""
    days = rng.choice((0, 0, 0, 1, 7, 30))
    if payment.method == "qr" and rng.random() < 0.6:
        days = rng.choice((89, 90, 91))
    rig.engine.clock.advance(days * 86400)
    cash_brand = payment.method == "emoney" and payment.brand not in EMONEY_REFUNDABLE
    on_terminal = not cash_brand and rng.random() < 0.1
    if on_terminal:  # the clerk refunds on the terminal's menu, then (by mistake) on the register too
        on_terminal = refund_on_terminal_menu(rig, payment)  # refused (QR after day 90): not refunded at all
    refund_ids: list[int] = []
    for attempt in range(2):  # the cashier tries again: the register sends it only once the first is known failed
        apply_fault(rig, rng, fault, "reversal", brand_method)
        refund_id = send(rig, rng, fault, refund_of=rig.book.get(payment.id))
        heal(rig)
        if refund_id is None:
            if attempt and rig.book.open_refund_of(payment.id) is not None:
                rig.refund_cases["a second refund refused while the first is still open (要確認)"] += 1
            break
        refund_ids.append(refund_id)
        wait_settled(rig, [refund_id])
    if (cash_brand or on_terminal) and rig.book.get(payment.id).state == PaymentState.APPROVED:
        try:  # 「端末で返金済みにする」 / the cash refund of a brand the terminal cannot refund
            rig.on_dispatcher(lambda: rig.book.mark_refunded_elsewhere(
                payment.id, manager_id=1, reason="bench", cash_refund_yen=payment.amount_yen if cash_brand else 0))
        except RegiError:  # a refund still open (a lost journal): a manager's, later
            pass
    case = ("WAON etc., paid back in cash" if cash_brand else "on the terminal's menu, then 端末で返金済みにする"
            if on_terminal else f"QR on day {days}" if days >= 89 else "返品 (a later day)" if days else "取消 (the same day)")
    rig.refund_cases[f"{case} -> payment {PaymentState(rig.book.get(payment.id).state).value}"] += 1
    return refund_ids


def refund_on_terminal_menu(rig: Rig, payment) -> bool:
    """A refund keyed on the terminal itself (no register involved: its answer goes nowhere).
    False if the terminal refused it."""
    rig.menu_refunds += 1
    transaction_id = f"MENU{rig.menu_refunds:08d}"
    rig.engine.start_reversal("TERMINAL-MENU", f"menu{rig.menu_refunds}", {
        "SaleData": {"SaleTransactionID": {"TransactionID": transaction_id,
                                           "TimeStamp": rig.engine.clock().isoformat(timespec="seconds")}},
        "OriginalPOITransaction": {"POITransactionID": {"TransactionID": payment.poi_transaction_id}},
        "ReversedAmount": payment.amount_yen, "ReversalReason": "MerchantCancel"})
    record = rig.engine.find(transaction_id)
    return record is not None and record.approved


def one_run(rig: Rig, rng: random.Random, fault: str, kind: str) -> tuple[Counter, int]:
    """One sale under ``fault``; returns (violations by check, requests left for a manager)."""
    first_id = max((r.id for r in rig.book.all()), default=0)
    method, brand_method = method_for(rig, rng, "credit" if fault == "disconnect" else None)
    payment_ids: list[int] = []
    refund_ids: list[int] = []
    if fault == "register_sigkill":
        sigkill_run(rig, rng, kind, method, brand_method, payment_ids, refund_ids)
    elif kind == "payment":
        for _attempt in range(2):  # a cashier tries again only after a known failure
            apply_fault(rig, rng, fault, "payment", brand_method)
            row_id = send(rig, rng, fault, method=method, brand_method=brand_method)
            heal(rig)
            if row_id is None:
                break
            payment_ids.append(row_id)
            wait_settled(rig, [row_id])
            if rig.book.get(row_id).state != PaymentState.FAILED:
                break
    else:
        brand = rng.choice(CASH_BRANDS) if brand_method == "emoney" and rng.random() < 0.4 else None
        rig.engine.queue(approve(rig, rng, brand_method, brand))
        row_id = send(rig, rng, "none", method=method, brand_method=brand_method)
        payment_ids.append(row_id)
        wait_settled(rig, [row_id])
        payment = rig.book.get(row_id)
        if payment.state == PaymentState.APPROVED:
            refund_ids.extend(refund_run(rig, rng, fault, payment, brand_method))
    heal(rig)
    wait_settled(rig, payment_ids + refund_ids)
    left = [i for i in payment_ids + refund_ids if PaymentState(rig.book.get(i).state) in ASK_TERMINAL_STATES]
    return check(rig, first_id), len(left)


def check(rig: Rig, first_id: int) -> Counter:
    bad: Counter = Counter()
    truth = rig.truth()
    rows = [r for r in rig.book.all() if r.id > first_id]
    history = [*rig.lost, *rig.engine.history()]
    ids = [h.transaction_id for h in history]
    if len(ids) != len(set(ids)):
        bad["id_reused"] += 1
    approved_payments = 0
    for row in rows:
        record = truth.get(row.transaction_id)
        done = bool(record is not None and record.approved)
        state = PaymentState(row.state)
        if row.kind == "payment":
            approved_payments += done
            if done and state is PaymentState.FAILED:
                bad["approved_once"] += 1
            if state in PAID and not done:
                bad["nothing_unapproved"] += 1
        else:
            if state is PaymentState.APPROVED and not done:
                bad["phantom_refund"] += 1
            if done and state is PaymentState.FAILED:
                bad["lost_refund"] += 1
    if approved_payments > 1:
        bad["paid_twice"] += 1
    current = rig.engine.history()
    for row in rows:  # a payment read 返金済み: refunded on the terminal once (or in cash, for WAON etc.)
        if row.kind == "payment" and row.state == PaymentState.REFUNDED and row.journal_id == rig.engine.journal_id:
            made = [h for h in current if h.kind == "reversal" and h.approved and h.original == row.poi_transaction_id]
            if len(made) > 1:
                bad["refund_twice"] += 1
            elif not made and not (row.method == "emoney" and row.brand not in EMONEY_REFUNDABLE):
                bad["phantom_refund"] += 1
    by_payment = defaultdict(list)
    for row in rows:
        if row.kind == "refund":
            by_payment[row.refund_of_id].append(row)
    for refunds in by_payment.values():
        made = [r for r in refunds if (truth.get(r.transaction_id) is not None and truth[r.transaction_id].approved)]
        not_failed = [r for r in refunds if PaymentState(r.state) is not PaymentState.FAILED]
        if len(made) > 1 or len(not_failed) > 1:
            bad["refund_twice"] += 1
    if not next_payment_works(rig):
        bad["next_payment"] += 1
    return bad


def next_payment_works(rig: Rig) -> bool:
    """A clean payment right after the run. Like a cashier, tried again after a failure known
    to have charged nothing: 未接続 (never sent: the link was still coming back from the fault,
    or a heartbeat missed on a loaded machine) or "not found" from the same journal (lost on
    the way: a frame the fault still delayed when its link was closed)."""
    method = None if rig.profile == "ct6100" else "credit"
    for _attempt in range(5):
        rig.engine.clear_queue()
        rig.engine.queue(approve(rig, rig.rng, "credit"))
        login = None
        if not rig.bridge.state.linked:  # 未接続 on the top screen: wait for 接続中, as a cashier would
            login = rig.bridge.login().result(5)
            deadline = time.monotonic() + 4
            while not rig.bridge.state.linked and time.monotonic() < deadline:
                time.sleep(0.05)
        try:
            row = rig.on_dispatcher(lambda: rig.coordinator.pay(amount_yen=rig.rng.randint(100, 30000), method=method,
                                                                staff_id=1))
        except RegiError as error:
            rig.last_failure = error.message
            continue
        sent = time.monotonic()
        wait_settled(rig, [row.id], 5)
        row = rig.book.get(row.id)
        if row.state == PaymentState.APPROVED:
            return True
        rig.last_failure = f"{row.state} {row.error_code}; {link_report(rig, login)}"
        if PaymentState(row.state) in ASK_TERMINAL_STATES:  # late or hung? (every wait of the link is ≤ 2.2 s)
            wait_settled(rig, [row.id], 30)
            later = rig.book.get(row.id)
            rig.last_failure += (f"; then {later.state} {later.error_code} after {time.monotonic() - sent:.1f} s"
                                 f" (load average {os.getloadavg()[0]:.1f})")
        if row.state != PaymentState.FAILED or row.error_code not in ("L0001", "L0005", None):
            return False
    return False


def link_report(rig: Rig, login) -> str:
    """What the link looked like when a clean payment failed (printed with the violation)."""
    bridge, driver = rig.bridge, rig.bridge._driver
    link = bridge._link  # the LinkSupervisor
    task, lost = getattr(link, "_task", None), getattr(link, "_link_lost", None)
    return (f"login={getattr(login, 'status', None)} linked={bridge.state.linked} "
            f"connected={driver.connected} logged_in={getattr(driver, '_logged_in', None)} "
            f"supervisor={'done' if task is None or task.done() else 'running'} "
            f"link_lost={lost is not None and lost.is_set()} engine={rig.engine.stage.value} "
            f"proxy_conns={len(rig.proxy._pairs)}")


def run_suite(runs: int, seed: int, folder: Path | None = None, out=sys.stdout,
              minutes: float | None = None, faults: tuple[str, ...] = FAULTS,
              cases: Counter | None = None) -> dict[str, Counter]:
    """``runs`` seeded runs split over both profiles (fewer if ``minutes`` run out first) and
    over ``faults`` (all kinds unless narrowed to reproduce one); returns counters by fault kind.
    ``cases`` gets what the runs exercised: the refund cases and where the SIGKILLs landed."""
    stop_at = time.monotonic() + minutes * 60 if minutes else None
    rng = random.Random(seed)
    table: dict[str, Counter] = defaultdict(Counter)
    with tempfile.TemporaryDirectory() as tmp:
        folder = folder or Path(tmp)
        rigs = {profile: Rig(profile, folder, seed) for profile in ("usenpay", "ct6100")}
        try:
            for number in range(runs):
                if stop_at is not None and time.monotonic() > stop_at:
                    break
                fault = faults[number % len(faults)] if number < len(faults) * 2 else rng.choice(faults)
                profile = rng.choice(("usenpay", "ct6100"))
                kind = rng.choice(("payment", "refund"))
                logging.getLogger("faults").info("run %s: %s, %s, %s", number, fault, profile, kind)
                bad, left = one_run(rigs[profile], rng, fault, kind)
                row = table[fault]
                row["runs"] += 1
                row[f"{kind}s"] += 1
                row["needs manager"] += left
                row.update(bad)
                if bad and out is not None:
                    print(f"run {number} ({fault}, {profile}, {kind}): {dict(bad)} "
                          f"{getattr(rigs[profile], 'last_failure', '')}", file=out, flush=True)
        finally:
            for rig in rigs.values():
                rig.close()
                if cases is not None:
                    cases.update({f"refund, {k}": n for k, n in rig.refund_cases.items()})
                    cases.update({f"register SIGKILLed {k}": n for k, n in rig.kill_moments.items()})
    return table


def print_table(table: dict[str, Counter], out=sys.stdout) -> int:
    columns = ("runs", "payments", "refunds", *CHECKS, "needs manager")
    print("| fault | " + " | ".join(columns) + " |", file=out)
    print("|" + " --- |" * (len(columns) + 1), file=out)
    total: Counter = Counter()
    for fault in FAULTS:
        row = table.get(fault, Counter())
        total.update(row)
        print(f"| {fault} | " + " | ".join(str(row[c]) for c in columns) + " |", file=out)
    print("| **all** | " + " | ".join(str(total[c]) for c in columns) + " |", file=out)
    return sum(total[c] for c in CHECKS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--minutes", type=float, default=None, help="stop after this long (the table covers the runs done)")
    parser.add_argument("--faults", default=",".join(FAULTS), help="comma-separated fault kinds (default: all)")
    parser.add_argument("--log", type=Path, help="write the link's and the simulator's log here (to explain a violation)")
    args = parser.parse_args()
    if args.log:
        logging.basicConfig(level=logging.INFO, filename=args.log,
                            format="%(asctime)s.%(msecs)03d %(threadName)s %(name)s %(levelname)s %(message)s",
                            datefmt="%H:%M:%S")
    else:
        logging.basicConfig(level=logging.CRITICAL)  # the link logs every injected fault; the table says what counts
    faults = tuple(args.faults.split(","))
    if unknown := set(faults) - set(FAULTS):
        parser.error(f"unknown fault kinds: {', '.join(sorted(unknown))}")
    started = time.monotonic()
    cases: Counter = Counter()
    table = run_suite(args.runs, args.seed, minutes=args.minutes, faults=faults, cases=cases)
    violations = print_table(table)
    done = sum(row["runs"] for row in table.values())
    print("\nExercised:")
    for case, count in sorted(cases.items()):
        print(f"- {case}: {count}")
    print(f"\n{done} runs, seed {args.seed}, {time.monotonic() - started:.0f} s, {violations} violations")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
