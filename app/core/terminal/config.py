"""Terminal-link configuration: which terminal, where, with which key.

`TerminalConfig` is what the settings screen (R-CONN) stores; `BridgeTimings`
holds every timeout and backoff of the bridge so tests can shrink them.
Both are frozen and validated on construction: a bad setting fails loudly at
the settings screen, not later on the payment path.
"""

from __future__ import annotations

import ipaddress
import math
import re
import secrets
from dataclasses import dataclass, field

from .profiles import PROFILES as _PROFILES, PaymentMethod, TerminalProfile, terminal_profile

METHODS = tuple(PaymentMethod)
"""Payment methods on the link: card (クレジット), QR / code payment, e-money (電子マネー)."""

DEMO_PAIRING_KEY = "regi-demo-pairing-key-0001"
"""Pairing key shared by the register and the simulator out of the box.

For demos and training only: it is public, so anyone on the shop's network could sign
answers with it. It works only towards the bundled simulator on this machine (a loopback
host, `demo_key_allowed`); any other terminal needs the shop's own key, generated with
`new_pairing_key()` or keyed from the terminal at set-up (R-CONN).
"""

MIN_PAIRING_KEY_LENGTH = 8


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1) — this machine only."""
    if host.strip().lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip()).is_loopback
    except ValueError:
        return False


def demo_key_allowed(host: str, pairing_key: str) -> bool:
    """False when the public demo key would be used towards a terminal off this machine."""
    return pairing_key != DEMO_PAIRING_KEY or is_loopback(host)


def new_pairing_key() -> str:
    """A fresh shop key (128 bits from `secrets`), to key into the terminal as well."""
    return secrets.token_urlsafe(16)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 9201

ID_PATTERN = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")
"""Shape of SaleID, POIID, ServiceID and TransactionID on the link."""


def _positive(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")


@dataclass(frozen=True)
class BridgeTimings:
    """Every wait of the bridge, in seconds.

    `payment_timeout` is long because a human is at the terminal (PIN,
    signature, QR scan). When it expires the payment is *unknown* (要確認),
    never failed: the terminal may still complete it (R-RECON).
    """

    connect_timeout: float = 3.0
    login_timeout: float = 5.0
    request_timeout: float = 10.0
    payment_timeout: float = 300.0
    reversal_timeout: float = 120.0
    heartbeat_interval: float = 5.0
    heartbeat_timeout: float = 5.0
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    backoff_factor: float = 2.0
    stop_timeout: float = 5.0

    def __post_init__(self) -> None:
        for name in self.__dataclass_fields__:
            _positive(name, getattr(self, name))
        if self.backoff_factor < 1:
            raise ValueError("backoff_factor must be >= 1")
        if self.backoff_max < self.backoff_initial:
            raise ValueError("backoff_max must be >= backoff_initial")


@dataclass(frozen=True)
class TerminalConfig:
    """Link settings of one register (R-CONN).

    `sale_id` is this register's id on the link (SaleID); a terminal serves
    one SaleID at a time (R-SUBPOS). `contracted_methods` lists the methods the
    shop has contracted: the bridge refuses the others locally without sending.
    """

    profile: str  # a code of profiles.PROFILES; "none" = no terminal: every request is refused locally
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    pairing_key: str = DEMO_PAIRING_KEY
    sale_id: str = "REGI-01"
    contracted_methods: tuple[str, ...] = METHODS
    timings: BridgeTimings = field(default_factory=BridgeTimings)

    def __post_init__(self) -> None:
        if self.profile not in _PROFILES:
            raise ValueError(f"profile must be one of {tuple(_PROFILES)}, got {self.profile!r}")
        if not isinstance(self.host, str) or not self.host:
            raise ValueError("host must be a non-empty string")
        if isinstance(self.port, bool) or not isinstance(self.port, int) or not 1 <= self.port <= 65535:
            raise ValueError(f"port must be an int in 1..65535, got {self.port!r}")
        if not isinstance(self.pairing_key, str) or not self.pairing_key:
            raise ValueError("pairing_key must be a non-empty string")
        if not isinstance(self.sale_id, str) or not ID_PATTERN.match(self.sale_id):
            raise ValueError(f"sale_id must match {ID_PATTERN.pattern}, got {self.sale_id!r}")
        methods = tuple(self.contracted_methods)
        unknown = [m for m in methods if m not in METHODS]
        if unknown:
            raise ValueError(f"unknown contracted methods {unknown}; known: {METHODS}")
        # Accept a list from callers but keep the frozen object hashable.
        object.__setattr__(self, "contracted_methods", methods)
        if not isinstance(self.timings, BridgeTimings):
            raise TypeError("timings must be a BridgeTimings")

    @property
    def terminal(self) -> TerminalProfile:
        """What this profile can do (`profiles.py`)."""
        return terminal_profile(self.profile)
