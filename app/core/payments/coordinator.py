"""``PaymentCoordinator``: the one owner of every open terminal request — payments and
refunds (issue 9, 16; SPEC §5, §10; R-DISC, R-RECON). No Qt.

Contract, per request:
1. ``pay`` / ``refund`` commit the row with all its ids (SaleTransactionID, ServiceID, the
   terminal journal) in ONE transaction (``TerminalPaymentBook.begin``), then send. A
   refund is refused while another refund of the same payment is open.
2. Every answer — the request's own, a lost one (``NO_ANSWER``), 「切断する」, a
   TransactionStatus — is recorded only through the book, i.e. ``payment_state.transition``.
   Nothing is ever resent: an unknown outcome is asked about, with the same ids.
3. Requests the terminal has not settled (処理中, 要確認, or decided only by a manager) are
   asked about by the coordinator itself: when the link comes up (also after a register
   restart: ``resume``), and again with a backoff from ``first_retry`` to ``max_retry``
   seconds while the link is up.
4. Each change is published to ``subscribe``d callbacks as an ``Update`` (on the
   dispatcher's thread). Screens keep no payment state: they read the row and ``busy``.

Manual resolution (「決済済み」 / 「未決済」) is offered only when the terminal answered
something other than "in progress" or the link has been down ``link_down_grace`` seconds
(``manual_resolution``); a later terminal answer that contradicts it becomes 要対応
(``disputed_*`` in the table), never dropped.

Threading: every public method may be called from any thread; the work runs on the
dispatcher thread (see dispatch.py). Rows handed out are detached snapshots.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from app.core.errors import RegiError
from app.core.ledger.models import TerminalPayment
from app.core.ledger.terminal_payments import TerminalPaymentBook
from app.core.payment_state import ASK_TERMINAL_STATES, IllegalTransition, PaymentState
from app.core.payments.dispatch import Dispatcher
from app.core.terminal.bridge import new_service_id
from app.core.terminal.events import EventKind, TerminalEvent

log = logging.getLogger(__name__)

WHY_TEXT = {
    "in_progress": "決済端末が「処理中」と答えています。お客様の操作が終わるまで待ってください。",
    "no_answer": "決済端末から応答がありません。",
    "link_down": "決済端末に接続していません。",
    "journal_lost": ("決済端末が取引の記録を失っています（端末の再起動などで履歴が消えました）。"
                     "「見つからない」は未決済の証拠になりません。決済端末の売上票・管理画面で確認してください。"),
    "terminal_unknown": "決済端末でも結果が確定していません（処理未了・要確認）。決済端末の取引履歴を確認してください。",
}

LINK_DOWN_RISK = ("決済端末と{minutes}分以上つながっていません。端末ではまだ決済が進んでいるかもしれません。"
                  "ここで決めた結果と端末の結果が違ったときは「要対応」として表示され、返金または代金の回収が必要になります。")


@dataclass(frozen=True)
class Update:
    """A change of one request: the row as recorded, whether the coordinator still waits
    on the terminal for it (``busy``), and why it is unknown (``why``: a ``WHY_TEXT`` key)."""

    row: TerminalPayment
    busy: bool
    why: str | None = None


@dataclass(frozen=True)
class ManualResolution:
    allowed: bool
    text: str  # why not, or the risk the manager takes


class PaymentCoordinator:
    def __init__(self, book: TerminalPaymentBook, dispatcher: Dispatcher, *, first_retry: float = 3.0,
                 max_retry: float = 60.0, link_down_grace: float = 120.0,
                 monotonic: Callable[[], float] = time.monotonic):
        self.book = book
        self.dispatcher = dispatcher
        self.first_retry = first_retry
        self.max_retry = max_retry
        self.link_down_grace = link_down_grace
        self._monotonic = monotonic
        self._lock = threading.Lock()  # guards the sets below (read from any thread)
        self._bridge = None
        self._unsubscribe_bridge: Callable[[], None] | None = None
        self._subscribers: list[Callable[[Update], None]] = []
        self._sending: set[int] = set()   # the request itself is out, its answer awaited
        self._asking: set[int] = set()    # a TransactionStatus about it is out
        self._hung_up: set[int] = set()   # 切断する: the cashier stopped waiting for its own answer
        self._retries: dict[int, int] = {}
        self._timers: dict[int, Callable[[], None]] = {}
        self._why: dict[int, str] = {}
        self._link_down_since: float | None = self._monotonic()
        self._halted = False

    # --- wiring ----------------------------------------------------------------
    def attach(self, bridge) -> None:
        """Use ``bridge`` (a ``TerminalBridge`` or None) from now on; asks about open
        requests at once if its link is up."""
        if self._unsubscribe_bridge:
            self._unsubscribe_bridge()
            self._unsubscribe_bridge = None
        self._bridge = bridge
        if bridge is not None:
            self._unsubscribe_bridge = bridge.subscribe(self._on_bridge_event)
            if bridge.state.linked:
                self.dispatcher.post(self._link_up)

    def halt(self) -> None:
        """Stop all work at once, recording nothing more (a register crash, for testers)."""
        self._halted = True
        self.attach(None)
        for cancel in list(self._timers.values()):
            cancel()
        self._timers.clear()

    def subscribe(self, callback: Callable[[Update], None]) -> Callable[[], None]:
        """``callback(update)`` on the dispatcher's thread after every change; returns an unsubscribe."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)
        return unsubscribe

    def resume(self) -> None:
        """After a start (or a crash): ask the terminal about every unsettled request as
        soon as the link is up."""
        self.dispatcher.post(self._link_up if self._linked() else (lambda: None))

    # --- requests ----------------------------------------------------------------
    def pay(self, *, amount_yen: int, method: str | None, staff_id: int,
            checkout_key: str | None = None) -> TerminalPayment:
        """Commit, then send a payment. Raises ``RegiError`` (nothing sent) if it cannot be recorded."""
        return self._send(amount_yen=amount_yen, method=method, staff_id=staff_id, checkout_key=checkout_key)

    def refund(self, payment: TerminalPayment, *, staff_id: int, authorized_by_id: int | None = None,
               checkout_key: str | None = None) -> TerminalPayment:
        """Commit, then send the refund (Reversal, with its own SaleTransactionID) of ``payment``."""
        return self._send(amount_yen=payment.amount_yen, method=payment.method, staff_id=staff_id, refund_of=payment,
                          authorized_by_id=authorized_by_id, checkout_key=checkout_key)

    def _send(self, *, amount_yen: int, method: str | None, staff_id: int, refund_of: TerminalPayment | None = None,
              authorized_by_id: int | None = None, checkout_key: str | None = None) -> TerminalPayment:
        bridge = self._bridge
        if bridge is None or self._halted:
            raise RegiError("決済端末が設定されていません。")
        journal_now = bridge.state.journal_id
        if refund_of is not None and refund_of.journal_id and journal_now and refund_of.journal_id != journal_now:
            # Its 受注コード may now name another payment of the new journal: never send it.
            raise RegiError("決済端末の取引記録が変わったため（端末の再設定など）、この決済は決済端末で取消できません。"
                            "決済端末の管理画面で取消し、「端末で返金済みにする」で記録してください。")
        service_id = new_service_id()
        row = self.book.begin(amount_yen=amount_yen, method=method, profile=bridge.config.profile, staff_id=staff_id,
                              refund_of=refund_of, authorized_by_id=authorized_by_id, service_id=service_id,
                              journal_id=journal_now, checkout_key=checkout_key)
        with self._lock:
            self._sending.add(row.id)
        try:
            if refund_of is not None:
                future = bridge.reversal(row.transaction_id, refund_of.poi_transaction_id, amount_yen,
                                         service_id=service_id)
            else:
                future = bridge.pay(row.transaction_id, amount_yen, method, service_id=service_id)
        except (ValueError, TypeError) as error:  # a programming error: nothing was sent
            log.exception("terminal request %s not sent", row.transaction_id)
            future = None
            failure = error
        if future is None:
            self.dispatcher.post(lambda: self._on_answer(row.id, failure))
        else:
            future.add_done_callback(lambda f: self.dispatcher.post(lambda: self._on_answer(row.id, _result(f))))
        return row

    def hang_up(self, row_id: int) -> None:
        """「切断する」: ask the terminal to abort (best effort), record 要確認 and ask what happened."""
        with self._lock:
            self._hung_up.add(row_id)

        def run() -> None:
            row = self.book.get(row_id)
            bridge = self._bridge
            if bridge is not None and row.state in (PaymentState.PENDING, PaymentState.UNKNOWN):
                bridge.abort(row.transaction_id)
            row = self._record(row_id, lambda: self.book.record_no_answer(row_id, "切断する"), why="no_answer")
            self._ask(row_id)
            self._publish(row)
        self.dispatcher.post(run)

    def recheck(self, row_id: int | None = None) -> bool:
        """「再確認」: ask the terminal now about one request (or every unsettled one).
        False if the link is down (the coordinator asks by itself once it is up)."""
        if not self._linked():
            return False

        def run() -> None:
            ids = [row_id] if row_id is not None else [r.id for r in self.book.to_ask()]
            for one in ids:
                self._retries.pop(one, None)
                self._ask(one)
                self._publish(self.book.get(one))
        self.dispatcher.post(run)
        return True

    # --- reading -----------------------------------------------------------------
    def busy(self, row_id: int) -> bool:
        """The cashier is waiting on the terminal for this request: its answer (unless
        切断する gave up on it) or a status query."""
        with self._lock:
            return row_id in self._asking or (row_id in self._sending and row_id not in self._hung_up)

    def why(self, row_id: int) -> str | None:
        with self._lock:
            return self._why.get(row_id)

    def manual_resolution(self, row: TerminalPayment) -> ManualResolution:
        """May a manager decide this 要確認 by hand now? (issue 9)"""
        if PaymentState(row.state) is not PaymentState.UNKNOWN:
            return ManualResolution(False, "この取引は要確認ではありません。")
        if self.busy(row.id):
            return ManualResolution(False, "決済端末に確認中です。答えを待ってください。")
        why = self.why(row.id)
        if self._linked():
            if why in ("journal_lost", "terminal_unknown"):
                return ManualResolution(True, WHY_TEXT[why])
            return ManualResolution(False, WHY_TEXT.get(why or "", "決済端末に確認します。") + " 確認が済むまで手動では決められません。")
        down = self._link_down_since
        if down is not None and self._monotonic() - down >= self.link_down_grace:
            return ManualResolution(True, LINK_DOWN_RISK.format(minutes=max(1, round(self.link_down_grace / 60))))
        return ManualResolution(False, "決済端末に接続していません。接続が戻ると自動で確認します。"
                                       "しばらく接続できないときは、時間をおいてから手動で決められます。")

    def resolve_manually(self, row_id: int, *, done: bool, manager_id: int, reason: str) -> TerminalPayment:
        """A manager's 「決済済み」 / 「未決済」 (only when ``manual_resolution`` allows it);
        the terminal is still asked afterwards and may contradict it (要対応)."""
        row = self.book.get(row_id)
        verdict = self.manual_resolution(row)
        if not verdict.allowed:
            raise RegiError(verdict.text)
        row = self.book.resolve_manually(row_id, done=done, manager_id=manager_id, reason=reason)
        self.dispatcher.post(lambda: self._after(row, None))
        return row

    # --- the work (dispatcher thread) ----------------------------------------------
    def _linked(self) -> bool:
        bridge = self._bridge
        return bool(bridge is not None and bridge.state.linked)

    def _on_bridge_event(self, event: TerminalEvent) -> None:  # bridge thread
        if event.kind is EventKind.LINK_UP:
            self._link_down_since = None
            self.dispatcher.post(self._link_up)
        elif event.kind is EventKind.LINK_DOWN:
            if self._link_down_since is None:
                self._link_down_since = self._monotonic()

    def _link_up(self) -> None:
        if self._halted:
            return
        self._link_down_since = None
        for row in self.book.to_ask():
            with self._lock:
                sending = row.id in self._sending
            if not sending:
                self._retries.pop(row.id, None)
                self._ask(row.id)
                self._publish(self.book.get(row.id))

    def _on_answer(self, row_id: int, result: Any) -> None:
        if self._halted:
            return
        with self._lock:
            self._sending.discard(row_id)
            self._hung_up.discard(row_id)
        if isinstance(result, Exception):
            row = self._record(row_id, lambda: self.book.record_no_answer(row_id, f"bridge error: {result}"),
                               why="no_answer")
        else:
            row = self._record(row_id, lambda: self.book.record_result(row_id, result), why="no_answer")
        if PaymentState(row.state) in ASK_TERMINAL_STATES:
            self._ask(row_id)  # no trustworthy answer: never resend, ask what happened
        self._publish(row)

    def _ask(self, row_id: int) -> None:
        bridge = self._bridge
        with self._lock:
            if row_id in self._asking:
                return
        row = self.book.get(row_id)
        if PaymentState(row.state) not in ASK_TERMINAL_STATES:
            return
        journal_now = bridge.state.journal_id if bridge is not None else None
        if row.journal_id and journal_now and row.journal_id != journal_now and self._why.get(row_id) == "journal_lost":
            return  # the terminal has lost that journal: asking again cannot tell anything new
        if bridge is None or not bridge.state.linked:
            self._why[row_id] = "link_down"
            log.info("request %s: link down, asked once it is up", row.transaction_id)
            return  # asked again on LINK_UP
        log.info("request %s: asking TransactionStatus", row.transaction_id)
        with self._lock:
            self._asking.add(row_id)
        category = "Reversal" if row.kind == "refund" else "Payment"
        future = bridge.transaction_status(row.transaction_id, category)
        future.add_done_callback(lambda f: self.dispatcher.post(lambda: self._on_status(row_id, _result(f))))

    def _on_status(self, row_id: int, status: Any) -> None:
        if self._halted:
            return
        with self._lock:
            self._asking.discard(row_id)
        if isinstance(status, Exception):
            row, why = self.book.get(row_id), "no_answer"
        else:
            from app.core.ledger.terminal_payments import status_event
            _event, why = status_event(self.book.get(row_id), status)
            row = self._record(row_id, lambda: self.book.record_status(row_id, status), why=why)
        log.info("request %s: status answer -> %s (%s)", row.transaction_id, row.state, why)
        if PaymentState(row.state) in ASK_TERMINAL_STATES:
            self._why[row_id] = why
            if why != "journal_lost":  # a lost journal never answers: a manager decides
                self._schedule(row_id)
        self._publish(row)

    def _schedule(self, row_id: int) -> None:
        """Ask again later: first_retry, doubling up to max_retry (while the link is up)."""
        tries = self._retries.get(row_id, 0)
        self._retries[row_id] = tries + 1
        delay = min(self.first_retry * (2 ** tries), self.max_retry)
        cancel = self._timers.pop(row_id, None)
        if cancel:
            cancel()

        def fire() -> None:
            self._timers.pop(row_id, None)
            if self._linked():
                self._ask(row_id)
        self._timers[row_id] = self.dispatcher.call_later(delay, fire)

    def _record(self, row_id: int, apply: Callable[[], TerminalPayment], *, why: str | None) -> TerminalPayment:
        """Apply one answer through the book (the transition table); the caller publishes."""
        try:
            row = apply()
        except IllegalTransition:
            # Kept for the log and a manager: the ledger keeps what it knew (e.g. approved).
            log.error("terminal answer for request %s contradicts the ledger; left as it was", row_id)
            row = self.book.get(row_id)
        if PaymentState(row.state) in ASK_TERMINAL_STATES:
            if why is not None:
                self._why[row_id] = why
        else:
            self._why.pop(row_id, None)
            self._retries.pop(row_id, None)
            cancel = self._timers.pop(row_id, None)
            if cancel:
                cancel()
        return row

    def _after(self, row: TerminalPayment, why: str | None) -> None:
        self._publish(row)
        if PaymentState(row.state) in ASK_TERMINAL_STATES:
            self._schedule(row.id)

    def _publish(self, row: TerminalPayment) -> None:
        update = Update(row, self.busy(row.id), self._why.get(row.id))
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(update)
            except Exception:
                log.exception("payment subscriber failed")


def _result(future) -> Any:
    try:
        return future.result()
    except Exception as error:  # bridge futures never raise; a bug still answers
        log.exception("terminal call failed")
        return error
