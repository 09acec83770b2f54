"""The terminal's own day totals beside the ledger's (R-CLOSE, nexo Reconciliation).

``compare`` puts the terminal's answer (per method totals and its transaction list) next
to the ledger's (``day_report.terminal_totals`` and ``ledger_transactions``) and lists
every transaction that only one side knows, by 受注コード / 伝票番号 (POITransactionID)
with the slip that records it. A check that could not be made (no terminal, no answer)
has ``error`` set: like a difference, it needs a manager's reason at 精算.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from app.core.ledger.day_report import COUNTED_PAYMENT_STATES, REPORT_METHOD_ORDER, MethodTotals
from app.core.ledger.models import Slip, Tender, TerminalPayment
from app.core.payment_state import PaymentState
from app.core.terminal.profiles import method_label


@dataclass(frozen=True)
class TerminalTransaction:
    """One transaction of a day's journal: ``kind`` payment | refund, amount positive."""

    poi_transaction_id: str
    method: str
    kind: str
    amount_yen: int
    slip_number: int | None = None  # the ledger's slip that records it (ledger side only)


def describe(totals: MethodTotals) -> str:
    """「2件 ¥2,460」, with 「 / 返金 1件 ¥1,000」 when there were refunds."""
    text = f"{totals.payment_count}件 ¥{totals.payment_yen:,}"
    if totals.refund_count:
        text += f" / 返金 {totals.refund_count}件 ¥{totals.refund_yen:,}"
    return text


@dataclass(frozen=True)
class MethodComparison:
    method: str
    terminal: MethodTotals
    ledger: MethodTotals

    @property
    def label(self) -> str:
        return method_label(self.method, self.method)

    @property
    def differs(self) -> bool:
        t, l = self.terminal, self.ledger
        return (t.payment_count, t.payment_yen, t.refund_count, t.refund_yen) != (
            l.payment_count, l.payment_yen, l.refund_count, l.refund_yen)


@dataclass(frozen=True)
class Discrepancy:
    """A transaction only one side has: ``side`` 'terminal' (the ledger lacks it) or 'ledger'."""

    side: str
    transaction: TerminalTransaction

    @property
    def description(self) -> str:
        t = self.transaction
        kind = "返金" if t.kind == "refund" else "売上"
        where = "決済端末のみ" if self.side == "terminal" else "レジのみ"
        slip = f" 伝票番号 {t.slip_number:06d}" if t.slip_number else ""
        return f"{where}: {method_label(t.method, t.method)} {kind} ¥{t.amount_yen:,} ({t.poi_transaction_id}){slip}"


@dataclass(frozen=True)
class TerminalCheck:
    rows: list[MethodComparison] = field(default_factory=list)
    discrepancies: list[Discrepancy] = field(default_factory=list)
    error: str | None = None  # why the terminal's totals could not be read

    @property
    def differs(self) -> bool:
        return bool(self.error) or any(row.differs for row in self.rows) or bool(self.discrepancies)

    def to_dict(self) -> dict:
        return {"rows": [{"method": r.method, "terminal": asdict(r.terminal), "ledger": asdict(r.ledger)} for r in self.rows],
                "discrepancies": [{"side": d.side, "transaction": asdict(d.transaction)} for d in self.discrepancies],
                "error": self.error}

    @classmethod
    def from_dict(cls, data: dict) -> TerminalCheck:
        return cls([MethodComparison(r["method"], MethodTotals(**r["terminal"]), MethodTotals(**r["ledger"])) for r in data["rows"]],
                   [Discrepancy(d["side"], TerminalTransaction(**d["transaction"])) for d in data["discrepancies"]],
                   data.get("error"))


def ledger_transactions(db: Session, session_id: int) -> list[TerminalTransaction]:
    """The session's terminal transactions as the terminal should know them, with slips."""
    original = aliased(TerminalPayment)
    rows = db.execute(
        select(TerminalPayment.poi_transaction_id, func.coalesce(TerminalPayment.method, TerminalPayment.requested_method),
               func.coalesce(original.method, original.requested_method), TerminalPayment.kind,
               TerminalPayment.amount_yen, TerminalPayment.transaction_id, TerminalPayment.state)
        .outerjoin(original, original.id == TerminalPayment.refund_of_id)
        .where(TerminalPayment.session_id == session_id)).all()
    counted = []
    for poi, method, original_method, kind, amount, transaction_id, state in rows:
        if (kind == "payment" and state in COUNTED_PAYMENT_STATES) or (kind == "refund" and state == PaymentState.APPROVED.value):
            counted.append((poi or "", original_method or method or "", kind, amount, transaction_id))
    references = [row[4] for row in counted if row[2] == "payment"]
    slips = dict(db.execute(select(Tender.reference, Slip.slip_number).join(Slip, Slip.id == Tender.slip_id)
                            .where(Tender.reference.in_(references), Slip.kind == "sale")).tuples().all()) if references else {}
    return [TerminalTransaction(poi, method, kind, amount, slips.get(transaction_id))
            for poi, method, kind, amount, transaction_id in counted]


def compare(ledger_totals: list[MethodTotals], ledger_list: list[TerminalTransaction],
            terminal_totals: list[MethodTotals], terminal_list: list[TerminalTransaction]) -> TerminalCheck:
    """Per method both sides (a method missing on one side counts as zero), and every
    transaction only one side has, matched by (POITransactionID, kind)."""
    ours = {t.method: t for t in ledger_totals}
    theirs = {t.method: t for t in terminal_totals}
    methods = [m.value for m in REPORT_METHOD_ORDER if m in ours or m in theirs]
    methods += sorted(m for m in {*ours, *theirs} if m not in methods)
    zero = lambda m: MethodTotals(m, 0, 0, 0, 0)  # noqa: E731
    rows = [MethodComparison(m, theirs.get(m, zero(m)), ours.get(m, zero(m))) for m in methods]
    ledger_keys = {(t.poi_transaction_id, t.kind): t for t in ledger_list}
    terminal_keys = {(t.poi_transaction_id, t.kind): t for t in terminal_list}
    discrepancies = [Discrepancy("terminal", t) for key, t in terminal_keys.items() if key not in ledger_keys]
    discrepancies += [Discrepancy("ledger", t) for key, t in ledger_keys.items() if key not in terminal_keys]
    return TerminalCheck(rows, discrepancies)


def check_from_answers(answers: list, ledger_totals: list[MethodTotals], ledger_list: list[TerminalTransaction]) -> TerminalCheck:
    """The check from every Reconciliation answer received since 開局 (``ReconciliationResult``s,
    oldest first): each closes the terminal's period, so together they cover the day. The
    last answer not being a success makes ``error`` say so (the rows still show what came)."""
    totals: dict[str, list[int]] = {}
    listed: list[TerminalTransaction] = []
    error = None
    for answer in answers:
        if answer.outcome.value != "success":
            error = answer.error.message if answer.error is not None else "決済端末から合計を取得できませんでした。"
            continue
        error = None
        for t in answer.totals:
            sums = totals.setdefault(t.method, [0, 0, 0, 0])
            for i, value in enumerate((t.sale_count, t.sale_amount, t.refund_count, t.refund_amount)):
                sums[i] += value
        listed += [TerminalTransaction(t.poi_transaction_id, t.method, t.kind, t.amount) for t in answer.transactions]
    terminal_totals = [MethodTotals(m, *sums) for m, sums in totals.items() if any(sums)]
    check = compare([t for t in ledger_totals if t.payment_count or t.refund_count], ledger_list, terminal_totals, listed)
    return TerminalCheck(check.rows, check.discrepancies, error)
