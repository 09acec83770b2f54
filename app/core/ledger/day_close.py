"""``DayClose``: 入金 / 出金, 点検 and 精算 of the register's open session (R-CLOSE).

Each write is one transaction that commits with its audit record or not at all, and
validates everything first (``RegiError`` with a Japanese message, nothing written):
- ``cash_move``: amount 1 … ¥9,999,999, a listed reason (その他 needs a note), a 出金 over
  ``cash_out_approval_yen`` needs a manager, a 出金 above the expected cash is refused;
- ``close``: a manager, the day still open (closing twice is refused), no 要確認 terminal
  request and no approved payment without a slip, a valid count, a reason when 過不足 ≠ 0
  and when the terminal's totals differ or could not be read. The settlement, its counts,
  the session's ``closed_at`` and the audit records commit together: a crash leaves the
  day fully open or fully closed.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.core.errors import RegiError
from app.core.ledger import audit, business_day
from app.core.ledger.day_report import DayReport, day_report
from app.core.ledger.ledger import Ledger
from app.core.ledger.models import DrawerMovement, RegisterSession, Settlement, SettlementCount, Staff, TerminalPayment
from app.core.ledger.sales_export import export_sales
from app.core.ledger.terminal_payments import TerminalPaymentBook
from app.core.ledger.terminal_totals import TerminalCheck, TerminalTransaction, ledger_transactions
from app.core.money import MAX_AMOUNT_YEN, format_yen

CASH_REASONS = ("両替", "仕入れ", "経費", "その他")
CASH_MOVE_LABELS = {"cash_in": "入金", "cash_out": "出金"}


@dataclass(frozen=True)
class CashMove:
    movement_id: int
    kind: str  # cash_in | cash_out
    amount_yen: int  # positive
    reason: str
    staff_name: str
    authorized_by: str | None
    at: datetime

    @property
    def label(self) -> str:
        return CASH_MOVE_LABELS[self.kind]


@dataclass(frozen=True)
class Blockers:
    """What stops 精算 (R-RECON): 要確認 requests and approved payments without a slip."""

    open_requests: list[TerminalPayment]
    without_slip: list[TerminalPayment]

    def __bool__(self) -> bool:
        return bool(self.open_requests or self.without_slip)

    def message(self) -> str:
        parts = []
        if self.open_requests:
            parts.append(f"要確認の決済が{len(self.open_requests)}件")
        if self.without_slip:
            parts.append(f"伝票のない決済が{len(self.without_slip)}件")
        return f"{'、'.join(parts)}あります。解決するまで精算できません。"


@dataclass(frozen=True)
class ClosedDay:
    """A stored 精算 with its report (as printed) and the terminal check made at 精算."""

    settlement: Settlement
    report: DayReport
    terminal: TerminalCheck | None
    terminal_reason: str | None
    counts: dict[int, int]
    staff_name: str


def counted_total_yen(counts: dict[int, int]) -> int:
    """The 精算 drawer count by denomination, validated (``business_day.counted_yen``)."""
    return business_day.counted_yen(counts, "現金の合計")


def _drawer_total(db: Session, session_id: int) -> int:
    """Σ drawer movements = float + cash sales − cash refunds + 入金 − 出金 (day_report's contract)."""
    return db.scalar(select(func.coalesce(func.sum(DrawerMovement.amount_yen), 0)).where(DrawerMovement.session_id == session_id))


class DayClose:
    def __init__(self, ledger: Ledger, payments: TerminalPaymentBook):
        self.ledger = ledger
        self.payments = payments

    # --- reading -------------------------------------------------------------
    def _open_day(self, db: Session) -> RegisterSession:
        session = business_day.current_day(db, self.ledger.register().id)
        if session is None:
            raise RegiError("レジが開局していません（本日の精算は済んでいます）。")
        return session

    def report(self) -> DayReport:
        """点検 (X report) of the open session; changes nothing."""
        with self.ledger.session() as db:
            return day_report(db, self._open_day(db).id, self.ledger.clock.now())

    def expected_cash_yen(self) -> int:
        """理論在高 of the open session (the report's figure, from the drawer movements alone)."""
        with self.ledger.session() as db:
            return _drawer_total(db, self._open_day(db).id)

    def terminal_transactions(self) -> list[TerminalTransaction]:
        with self.ledger.session() as db:
            return ledger_transactions(db, self._open_day(db).id)

    def blockers(self, exclude: set[str] = frozenset()) -> Blockers:
        return Blockers(self.payments.open_requests(), self.payments.without_slip(exclude))

    def cash_out_needs_manager(self, amount_yen: int) -> bool:
        return amount_yen > self.ledger.settings().cash_out_approval_yen

    # --- 入金 / 出金 -------------------------------------------------------------
    def cash_move(self, kind: str, amount_yen: int, reason: str, *, staff_id: int, note: str = "",
                  authorized_by_id: int | None = None) -> CashMove:
        """Record a 入金 (``cash_in``) or 出金 (``cash_out``) of ``amount_yen`` (positive)."""
        if kind not in CASH_MOVE_LABELS:
            raise ValueError(kind)
        label = CASH_MOVE_LABELS[kind]
        if not 0 < amount_yen <= MAX_AMOUNT_YEN:
            raise RegiError(f"{label}額は¥1〜{format_yen(MAX_AMOUNT_YEN)}で入力してください。")
        if reason not in CASH_REASONS:
            raise RegiError(f"{label}の理由を選んでください。")
        note = note.strip()
        if reason == "その他" and not note:
            raise RegiError("「その他」の内容を入力してください。")
        full_reason = f"{reason}：{note}" if note else reason
        now = self.ledger.clock.now()
        with self.ledger.write() as db:
            session = self._open_day(db)
            staff = db.get(Staff, staff_id)
            manager = db.get(Staff, authorized_by_id) if authorized_by_id is not None else None
            if kind == "cash_out":
                if amount_yen > self.ledger.settings().cash_out_approval_yen and not (staff.is_manager or (manager and manager.is_manager)):
                    raise RegiError(f"{format_yen(self.ledger.settings().cash_out_approval_yen)}を超える出金には責任者の承認が必要です。")
                expected = _drawer_total(db, session.id)
                if amount_yen > expected:
                    raise RegiError(f"出金額 {format_yen(amount_yen)} がドロアの現金（理論在高 {format_yen(expected)}）を超えています。")
            movement = DrawerMovement(session_id=session.id, kind=kind, amount_yen=amount_yen if kind == "cash_in" else -amount_yen,
                                      reason=full_reason, staff_id=staff_id, created_at=now)
            db.add(movement)
            db.flush()
            audit.record(db, now, kind, staff_id, authorized_by_id=authorized_by_id, target=f"drawer_movement:{movement.id}",
                         detail={"amount_yen": amount_yen}, reason=full_reason)
            return CashMove(movement.id, kind, amount_yen, full_reason, staff.name, manager.name if manager else None, now)

    # --- 精算 --------------------------------------------------------------------
    def close(self, *, staff_id: int, authorized_by_id: int, counts: dict[int, int] | None = None,
              total_yen: int | None = None, difference_reason: str = "", terminal: TerminalCheck | None = None,
              terminal_reason: str = "", exclude: set[str] = frozenset()) -> ClosedDay:
        """Close the open session as a 精算 (see the module contract). Give the drawer count
        either by denomination (``counts``) or as ``total_yen``."""
        if (counts is None) == (total_yen is None):
            raise ValueError("give the count either by denomination or as a total")
        if counts is not None:
            counts = {d: c for d, c in counts.items() if c}
            total_yen = counted_total_yen(counts)
        elif not 0 <= total_yen <= MAX_AMOUNT_YEN:
            raise RegiError(f"現金の合計は¥0〜{format_yen(MAX_AMOUNT_YEN)}で入力してください。")
        blockers = self.blockers(exclude)
        if blockers:
            raise RegiError(blockers.message())
        difference_reason, terminal_reason = difference_reason.strip(), terminal_reason.strip()
        register = self.ledger.register()
        now = self.ledger.clock.now()
        with self.ledger.write() as db:
            manager = db.get(Staff, authorized_by_id)
            if manager is None or not manager.active or not manager.is_manager:
                raise RegiError("精算には責任者の承認が必要です。")
            session = self._open_day(db)
            report = day_report(db, session.id, now)
            difference = total_yen - report.expected_cash_yen
            if difference and not difference_reason:
                raise RegiError(f"過不足 {format_yen(difference)} の理由を入力してください。")
            if terminal is not None and terminal.differs and not terminal_reason:
                raise RegiError("決済端末の合計とレジの合計に差異があります。確認の理由を入力してください。")
            number = (db.scalar(select(func.max(Settlement.settlement_number)).where(Settlement.register_id == register.id)) or 0) + 1
            stored = json.loads(report.to_json())
            if terminal is not None:
                stored["terminal_check"] = terminal.to_dict()
                stored["terminal_reason"] = terminal_reason or None
            settlement = Settlement(
                register_id=register.id, session_id=session.id, settlement_number=number, closed_at=now, staff_id=staff_id,
                authorized_by_id=manager.id, expected_cash_yen=report.expected_cash_yen, counted_cash_yen=total_yen,
                difference_yen=difference, difference_reason=difference_reason or None,
                net_sales_yen=report.net_sales.amount_yen, report=json.dumps(stored, ensure_ascii=False, default=str))
            db.add(settlement)
            db.flush()
            for denomination, count in (counts or {}).items():
                db.add(SettlementCount(settlement_id=settlement.id, denomination_yen=denomination, count=count))
            session.closed_at = now
            session.closed_by_id = manager.id
            if terminal is not None and terminal.differs:
                audit.record(db, now, "terminal_totals_confirm", staff_id, authorized_by_id=manager.id,
                             target=f"settlement:{settlement.id}", detail=terminal.to_dict(), reason=terminal_reason)
            audit.record(db, now, "close_session", staff_id, authorized_by_id=manager.id, target=f"session:{session.id}",
                         detail={"settlement_number": number, "expected_cash_yen": report.expected_cash_yen,
                                 "counted_cash_yen": total_yen, "difference_yen": difference, "counts": counts},
                         reason=difference_reason or None)
            db.flush()
            settlement_id = settlement.id
        return self.closed_day(settlement_id)

    # --- export -------------------------------------------------------------------
    def export_sales(self, folder: Path, session_id: int | None = None) -> Path:
        """The CSV of session ``session_id`` (default: the open one) into ``folder``."""
        register = self.ledger.register()
        with self.ledger.session() as db:
            if session_id is None:
                session_id = self._open_day(db).id
            try:
                return export_sales(db, session_id, folder, register.code)
            except OSError as error:
                raise RegiError(f"CSVを書き出せませんでした（{folder}）：{error.strerror or error}") from error

    # --- history -------------------------------------------------------------------
    def history(self, limit: int = 100) -> list[Settlement]:
        """Past 精算 of this register, newest first."""
        register = self.ledger.register()
        with self.ledger.session() as db:
            return list(db.scalars(select(Settlement).where(Settlement.register_id == register.id)
                                   .order_by(Settlement.settlement_number.desc()).limit(limit)))

    def closed_day(self, settlement_id: int) -> ClosedDay:
        with self.ledger.session() as db:
            settlement = db.scalar(select(Settlement).where(Settlement.id == settlement_id)
                                   .options(selectinload(Settlement.counts)))
            stored = json.loads(settlement.report)
            check = stored.pop("terminal_check", None)
            reason = stored.pop("terminal_reason", None)
            staff = db.get(Staff, settlement.authorized_by_id)
            return ClosedDay(settlement, DayReport.from_json(json.dumps(stored)),
                             TerminalCheck.from_dict(check) if check else None, reason,
                             {c.denomination_yen: c.count for c in settlement.counts}, staff.name if staff else "")
