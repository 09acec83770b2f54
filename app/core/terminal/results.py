"""What the register gets back from the terminal: protocol-independent results.

Every bridge future resolves to one of these (never raises). The one rule the
payment state machine relies on is `Outcome`:

- SUCCESS: the terminal answered and the operation was done;
- FAILURE: definitely not done — the terminal refused, or the request was
  never sent (so nothing can have been charged);
- UNKNOWN: the request may have reached the terminal but no trustworthy answer
  came (timeout, link lost, terminal restarted). Treat as 要確認: ask
  `transaction_status` later; never resend the payment (SPEC §5, R-RECON).

Money is int yen. Card numbers are masked ("****1012").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Mapping, Protocol, TypeVar

from .errors import ErrorCondition, describe
from .statuses import PosStatus, pos_status


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    UNKNOWN = "unknown"


class LoginStatus(StrEnum):
    CONNECTED = "connected"
    UNREACHABLE = "unreachable"          # no TCP connection or no (valid) answer
    BUSY = "busy"                        # R-BUSY at 開局
    BATTERY_LOW = "battery_low"          # battery ≤ 10 %
    OTHER_REGISTER = "other_register"    # R-SUBPOS
    REFUSED = "refused"                  # any other refusal (see error)
    NOT_CONFIGURED = "not_configured"    # profile "none"


def _frozen(mapping: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    return None if mapping is None else MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class TerminalError:
    """Why an operation failed: link condition, terminal code, plain Japanese."""

    condition: str
    code: str | None = None
    message: str = ""

    @classmethod
    def of(cls, condition: str | ErrorCondition, code: str | None = None, message: str | None = None) -> "TerminalError":
        entry = describe(code, str(condition))
        return cls(str(condition), code, message or entry.message)

    @property
    def action(self) -> str:
        return describe(self.code, self.condition).action


# The register's own codes (L…): why a request got no answer from the terminal.
NOT_CONNECTED = TerminalError.of(ErrorCondition.UNREACHABLE_HOST, "L0001")   # not sent: no link
NO_ANSWER = TerminalError.of(ErrorCondition.UNREACHABLE_HOST, "L0002")       # may have arrived
NOT_CONTRACTED = TerminalError.of(ErrorCondition.NOT_ALLOWED, "L0003")
NOT_CONFIGURED = TerminalError.of(ErrorCondition.UNAVAILABLE_SERVICE, "L0004")
STOPPED = TerminalError.of(ErrorCondition.UNREACHABLE_HOST, "L0005")
DEMO_KEY_OFF_LOOPBACK = TerminalError.of(ErrorCondition.NOT_ALLOWED, "L0006")

R = TypeVar("R", covariant=True)


class Settle(Protocol[R]):
    """An operation's result when the terminal gave none, called with keywords only:
    `outcome=FAILURE` when the request was never sent (nothing can have happened),
    `outcome=UNKNOWN` when it may have arrived (ask TransactionStatus, never resend).
    A result class with its identifying fields bound (`functools.partial`) is one."""

    def __call__(self, *, outcome: Outcome, error: TerminalError) -> R: ...


@dataclass(frozen=True)
class LoginResult:
    status: LoginStatus
    poi_id: str | None = None
    profile: str | None = None
    battery: int | None = None
    supported_methods: tuple[str, ...] = ()
    error: TerminalError | None = None
    journal_id: str | None = None  # the terminal's journal (changes when it loses its history)

    @property
    def connected(self) -> bool:
        return self.status is LoginStatus.CONNECTED


def unreachable_login(*, outcome: Outcome, error: TerminalError) -> LoginResult:
    """The `Settle` of a Login: without an answer the terminal is unreachable, whatever the outcome."""
    return LoginResult(LoginStatus.UNREACHABLE, error=error)


@dataclass(frozen=True)
class PaymentResult:
    outcome: Outcome
    service_id: str
    transaction_id: str
    amount_yen: int
    error: TerminalError | None = None
    poi_transaction_id: str | None = None  # 受注コード (usenpay) / 伝票番号・注文番号 (ct6100)
    method: str | None = None
    brand: str | None = None
    masked_pan: str | None = None
    entry_mode: str | None = None          # ICC / MagStripe / Contactless
    approval_number: str | None = None
    signature_captured: bool | None = None
    terminal_status: str | None = None
    slip: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "slip", _frozen(self.slip))

    @property
    def approved(self) -> bool:
        return self.outcome is Outcome.SUCCESS

    @property
    def cancelled(self) -> bool:
        """Cancelled on the terminal (キャンセル / リセット) or aborted from the register."""
        return self.error is not None and self.error.condition in (ErrorCondition.CANCEL, ErrorCondition.ABORTED)

    @property
    def busy(self) -> bool:
        return self.error is not None and self.error.condition == ErrorCondition.BUSY


@dataclass(frozen=True)
class ReversalResult:
    outcome: Outcome
    service_id: str
    transaction_id: str
    original_poi_transaction_id: str
    amount_yen: int
    error: TerminalError | None = None
    poi_transaction_id: str | None = None
    kind: str | None = None                # 取消 / 返品 / 返金
    method: str | None = None
    brand: str | None = None
    terminal_status: str | None = None     # status of the original after the reversal
    slip: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "slip", _frozen(self.slip))


@dataclass(frozen=True)
class AbortResult:
    """SUCCESS: the terminal stopped the transaction (its own answer follows).

    FAILURE: too late (card already read) or nothing to abort. Either way the
    original request still gets its own answer.
    """

    outcome: Outcome
    service_id: str | None
    error: TerminalError | None = None


@dataclass(frozen=True)
class TransactionStatusResult:
    """Answer to "what happened to transaction X?" (R-RECON).

    `outcome` is about the *query*. When it is SUCCESS, `payment` (or
    `reversal`) is the terminal's stored answer to the original request and
    `pos_status` is what the register should record. A Reversal query answers
    for that reversal: `reversal.outcome` says whether the refund went through
    (the register never reads a refund's fate from the payment's status word).
    """

    outcome: Outcome
    transaction_id: str
    category: str
    found: bool = False
    in_progress: bool = False
    terminal_status: str | None = None
    payment: PaymentResult | None = None
    reversal: ReversalResult | None = None
    error: TerminalError | None = None
    journal_id: str | None = None  # the journal that answered ("not found" means nothing from another one)

    @property
    def pos_status(self) -> PosStatus:
        if self.outcome is not Outcome.SUCCESS or self.in_progress:
            return PosStatus.UNKNOWN
        if not self.found:
            return PosStatus.FAILED  # never reached the terminal: safe to pay again
        if self.payment is None and self.reversal is not None:  # about that reversal only
            return {Outcome.SUCCESS: PosStatus.REFUNDED, Outcome.FAILURE: PosStatus.FAILED}.get(
                self.reversal.outcome, PosStatus.UNKNOWN)
        inner = self.payment if self.payment is not None else self.reversal
        if self.terminal_status is not None:
            # The terminal's current word wins: it knows about later refunds
            # and about results it could not confirm (処理未了 / 要確認).
            return pos_status(inner.method if inner is not None else None, self.terminal_status)
        if inner is None:
            return PosStatus.UNKNOWN
        return {Outcome.SUCCESS: PosStatus.PAID, Outcome.FAILURE: PosStatus.FAILED}.get(inner.outcome,
                                                                                        PosStatus.UNKNOWN)


@dataclass(frozen=True)
class TerminalInfo:
    poi_id: str
    profile: str
    battery: int
    state: str
    supported_methods: tuple[str, ...] = ()
    linked_sale_id: str | None = None
    printer_available: bool = True
    os_update_deadline: str | None = None
    os_update_blocking: bool = False


@dataclass(frozen=True)
class DiagnosisResult:
    outcome: Outcome
    info: TerminalInfo | None = None
    login: LoginResult | None = None  # set when the check had to open the link first
    error: TerminalError | None = None


@dataclass(frozen=True)
class MethodTotals:
    method: str
    sale_count: int
    sale_amount: int
    refund_count: int
    refund_amount: int


@dataclass(frozen=True)
class ReconciledTransaction:
    """One approved transaction of a Reconciliation period (``kind`` payment | refund)."""

    poi_transaction_id: str
    method: str
    kind: str
    amount: int


@dataclass(frozen=True)
class ReconciliationResult:
    outcome: Outcome
    reconciliation_id: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    totals: tuple[MethodTotals, ...] = ()
    error: TerminalError | None = None
    transactions: tuple[ReconciledTransaction, ...] = ()


@dataclass(frozen=True)
class PrintResult:
    outcome: Outcome
    poi_transaction_id: str
    slip: Mapping[str, Any] | None = None
    error: TerminalError | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "slip", _frozen(self.slip))


@dataclass(frozen=True)
class SimpleResult:
    """Result of Logout and other acknowledgements."""

    outcome: Outcome
    error: TerminalError | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
