"""Scripted outcomes: what the next payment (or reversal) on the simulator does.

Tests queue these instead of a human pressing buttons. Each outcome drives
the same steps a human would (present card, PIN, signature, ...), so scripted
and manual runs follow one code path in the engine. `target` says whether the
outcome is consumed by the next "payment" or the next "reversal".

JSON form (control port): {"type": "approve", "brand": "JCB", ...}; see
`outcome_from_json` / `outcome_to_json`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Union

TARGETS = ("payment", "reversal")


@dataclass(frozen=True)
class Approve:
    """Customer completes the payment.

    For usenpay the method is the register's; `method` here only matters for
    ct6100, where the clerk picks it on the terminal (default credit).
    `on_duplicate` answers a duplicate alert if the R-DUP rule fires:
    "abort" (取引中止), "continue" (続ける) or None (wait for a human).
    """

    method: str | None = None
    brand: str | None = None
    last4: str | None = None
    entry_mode: str | None = None     # ICC / MagStripe / Contactless (card only)
    has_chip: bool = True             # an IC card swiped (MagStripe) is refused
    pin_ok: bool = True
    on_duplicate: str | None = None
    target: str = "payment"


@dataclass(frozen=True)
class Decline:
    """The card company / QR / e-money centre refuses, with a terminal code."""

    code: str = "E1001"
    method: str | None = None
    target: str = "payment"


@dataclass(frozen=True)
class CancelOnTerminal:
    """キャンセル (usenpay) / リセット (ct6100) pressed on the terminal."""

    target: str = "payment"


@dataclass(frozen=True)
class DuplicateAlert:
    """Force the duplicate-payment alert (card), then 取引中止 or 続ける."""

    choice: str = "abort"  # "abort" (取引中止) | "continue" (続ける)
    brand: str | None = None
    last4: str | None = None
    target: str = "payment"


@dataclass(frozen=True)
class Busy:
    """The terminal answers 処理中エラー (busy with another transaction)."""

    target: str = "payment"


@dataclass(frozen=True)
class DropLink:
    """The link drops before or after the card is read; no answer is sent.

    Before: the terminal stops the transaction (recorded as failed).
    After: the transaction completes (`approve`) but the answer is lost.
    """

    after_card_read: bool = True
    approve: bool = True
    target: str = "payment"


@dataclass(frozen=True)
class RestartApp:
    """The terminal app restarts mid-transaction; its fate is decided, the answer lost.

    `status` overrides the terminal status recorded when not approved
    (e.g. "処理未了" or "要確認" to exercise R-STATUS).
    """

    approved: bool = True
    status: str | None = None
    target: str = "payment"
    forget: bool = False  # the restart also loses the journal (new JournalID, numbering restarts)


@dataclass(frozen=True)
class Hold:
    """The refund waits at the terminal (the clerk or the customer has a step to do) until the
    control's ``release_refund`` — the register stays on its 払戻中 screen meanwhile."""

    target: str = "reversal"


Outcome = Union[Approve, Decline, CancelOnTerminal, DuplicateAlert, Busy, DropLink, RestartApp, Hold]

_TYPES: dict[str, type] = {
    "approve": Approve,
    "decline": Decline,
    "cancel": CancelOnTerminal,
    "duplicate": DuplicateAlert,
    "busy": Busy,
    "drop_link": DropLink,
    "restart_app": RestartApp,
    "hold": Hold,
}
_NAMES = {cls: name for name, cls in _TYPES.items()}


def outcome_from_json(data: Any) -> Outcome:
    """Build an outcome from its JSON form; ValueError with a reason if invalid."""
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise ValueError('outcome must be an object with a "type"')
    cls = _TYPES.get(data["type"])
    if cls is None:
        raise ValueError(f"unknown outcome type {data['type']!r}; known: {sorted(_TYPES)}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs = {}
    for key, value in data.items():
        if key == "type":
            continue
        if key not in fields:
            raise ValueError(f"{data['type']}: unknown field {key!r}")
        kwargs[key] = value
    outcome = cls(**kwargs)
    validate(outcome)
    return outcome


def outcome_to_json(outcome: Outcome) -> dict[str, Any]:
    return {"type": _NAMES[type(outcome)], **dataclasses.asdict(outcome)}


def validate(outcome: Outcome) -> None:
    if type(outcome) not in _NAMES:
        raise ValueError(f"not an outcome: {outcome!r}")
    if outcome.target not in TARGETS:
        raise ValueError(f"target must be one of {TARGETS}")
    if isinstance(outcome, Approve):
        if outcome.on_duplicate not in (None, "abort", "continue"):
            raise ValueError("on_duplicate must be None, 'abort' or 'continue'")
        if outcome.entry_mode not in (None, "ICC", "MagStripe", "Contactless"):
            raise ValueError("entry_mode must be ICC, MagStripe or Contactless")
        if outcome.last4 is not None and not (isinstance(outcome.last4, str) and len(outcome.last4) == 4
                                              and outcome.last4.isdigit()):
            raise ValueError("last4 must be 4 digits")
    if isinstance(outcome, Hold) and outcome.target != "reversal":
        raise ValueError("hold applies to a reversal (a payment already waits for the customer)")
    if isinstance(outcome, DuplicateAlert) and outcome.choice not in ("abort", "continue"):
        raise ValueError("choice must be 'abort' or 'continue'")
