"""SecurityTrailer: HMAC-SHA256 integrity plus replay protection.

Every message carries, inside its envelope object,

    "SecurityTrailer": {"MACAlgorithm": "HMAC-SHA256", "Counter": <int>,
                        "Nonce": "<32 lowercase hex>", "MAC": "<hex or base64>"}

MAC = HMAC-SHA256(key = UTF-8 bytes of the pairing key,
                  msg = canonical(message with SecurityTrailer.MAC removed))

where canonical(x) = UTF-8 of json.dumps(x, sort_keys=True,
separators=(",", ":"), ensure_ascii=False, allow_nan=False). The MAC covers the
envelope name, the header, the body and the rest of the trailer, so a request
cannot be replayed as a response and no field can be altered.

Replay rules (receiver): within one peer — the register names its peer after
the connection *and* the Login session on it — the Counter must be greater
than the last counter accepted from that peer, and the Nonce must not be among
the recently seen nonces of *any* peer. Only a message whose MAC verifies
updates that state, so forged frames cannot poison it; and a receiver that
checks more than the trailer (`check`, then its own protocol checks, then
`accept`) records a frame only once it is accepted as part of the session, so
a stray frame signed by a second sender (another terminal or simulator with
the same key, higher counter) is dropped without blocking the real terminal's
frames. Senders start their counter at the current time in microseconds and
add one per message.

Why counters are per connection: a sender restarted after its clock was
corrected backwards (NTP) must still be able to reconnect; a counter floor
kept across connections would lock it out. Replays across connections are
caught by the shared nonce window, and beyond it by the protocol's own rules
(a response only matches a pending ServiceID; a TransactionID never runs
twice).

Traps: compare MACs with `hmac.compare_digest` only; never verify after
parsing the body (unauthenticated input must not reach the message parser);
call `forget(peer)` when a connection ends so per-connection state stays small.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Mapping

MAC_ALGORITHM = "HMAC-SHA256"
TRAILER = "SecurityTrailer"
_NONCE = re.compile(r"[0-9a-f]{32}")
_HEX_MAC = re.compile(r"[0-9a-fA-F]{64}")
_MAX_COUNTER = 2**63 - 1

_counter_lock = threading.Lock()
_counter_floor = 0


def _next_counter_base() -> int:
    """A start value above every counter already used in this process."""
    global _counter_floor
    with _counter_lock:
        base = max(time.time_ns() // 1000, _counter_floor + 1)
        _counter_floor = base
        return base


class SecurityError(ValueError):
    """A message rejected by the trailer check; `reason` is a short token."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def canonical_bytes(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def _inner(message: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(message, dict) or len(message) != 1:
        raise SecurityError("format", "not a single-envelope object")
    (inner,) = message.values()
    if not isinstance(inner, dict):
        raise SecurityError("format", "envelope is not an object")
    return inner


def mac_input(message: Mapping[str, Any]) -> bytes:
    """The exact bytes the MAC is computed over."""
    stripped = copy.deepcopy(dict(message))
    trailer = _inner(stripped).get(TRAILER)
    if isinstance(trailer, dict):
        trailer.pop("MAC", None)
    return canonical_bytes(stripped)


def compute_mac(key: bytes, message: Mapping[str, Any]) -> bytes:
    return hmac.new(key, mac_input(message), hashlib.sha256).digest()


def _key_bytes(key: str | bytes) -> bytes:
    raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if not raw:
        raise ValueError("pairing key must not be empty")
    return raw


class Signer:
    """Adds trailers to outgoing messages of one sender (thread-safe)."""

    def __init__(self, key: str | bytes, *, encoding: str = "hex") -> None:
        if encoding not in ("hex", "base64"):
            raise ValueError("encoding must be 'hex' or 'base64'")
        self._key = _key_bytes(key)
        self._encoding = encoding
        self._lock = threading.Lock()
        self._counter = _next_counter_base()

    def sign(self, message: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of `message` with a fresh SecurityTrailer."""
        signed = copy.deepcopy(dict(message))
        with self._lock:
            self._counter += 1
            counter = self._counter
        trailer = {"MACAlgorithm": MAC_ALGORITHM, "Counter": counter, "Nonce": secrets.token_hex(16)}
        _inner(signed)[TRAILER] = trailer
        digest = compute_mac(self._key, signed)
        trailer["MAC"] = digest.hex() if self._encoding == "hex" else base64.b64encode(digest).decode("ascii")
        return signed


def _decode_mac(text: Any) -> bytes:
    if not isinstance(text, str):
        raise SecurityError("format", "MAC must be a string")
    if _HEX_MAC.fullmatch(text):
        return bytes.fromhex(text)
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise SecurityError("format", "MAC is neither 64 hex digits nor base64") from None
    if len(raw) != 32:
        raise SecurityError("format", "MAC is not 32 bytes")
    return raw


@dataclass(frozen=True)
class Checked:
    """A frame whose trailer verified, not yet recorded (see `Verifier.accept`)."""

    peer: str
    counter: int
    nonce: str


class Verifier:
    """Checks incoming trailers; remembers counters per peer and nonces for all.

    `peer` names one connection (e.g. "conn7:REGI-01"). Thread-safe; one
    instance should live as long as the receiving endpoint (across
    reconnects), so recent frames replayed on a new connection are caught.
    """

    def __init__(self, key: str | bytes, *, max_nonces: int = 8192) -> None:
        self._key = _key_bytes(key)
        self._lock = threading.Lock()
        self._last: dict[str, int] = {}
        self._nonces: OrderedDict[str, None] = OrderedDict()
        self._max_nonces = max_nonces

    def verify(self, message: Mapping[str, Any], peer: str) -> None:
        """Accept (and record) the message, or raise SecurityError."""
        self.accept(self.check(message, peer))

    def check(self, message: Mapping[str, Any], peer: str) -> Checked:
        """Verify the trailer and the replay rules without recording anything."""
        inner = _inner(message)
        trailer = inner.get(TRAILER)
        if not isinstance(trailer, dict):
            raise SecurityError("missing_trailer", "no SecurityTrailer")
        if set(trailer) != {"MACAlgorithm", "Counter", "Nonce", "MAC"}:
            raise SecurityError("format", f"trailer fields {sorted(map(str, trailer))[:6]}")
        if trailer["MACAlgorithm"] != MAC_ALGORITHM:
            raise SecurityError("format", "unsupported MACAlgorithm")
        counter = trailer["Counter"]
        if isinstance(counter, bool) or not isinstance(counter, int) or not 0 <= counter <= _MAX_COUNTER:
            raise SecurityError("format", "Counter must be a non-negative 63-bit int")
        nonce = trailer["Nonce"]
        if not isinstance(nonce, str) or not _NONCE.fullmatch(nonce):
            raise SecurityError("format", "Nonce must be 32 lowercase hex digits")
        given = _decode_mac(trailer["MAC"])
        try:
            expected = compute_mac(self._key, message)
        except (TypeError, ValueError, RecursionError):
            raise SecurityError("format", "message cannot be canonicalised") from None
        if not hmac.compare_digest(given, expected):
            raise SecurityError("bad_mac", "MAC does not verify under the pairing key")
        checked = Checked(peer, counter, nonce)
        with self._lock:
            self._check_replay(checked)
        return checked

    def _check_replay(self, checked: Checked) -> None:
        last = self._last.get(checked.peer)
        if last is not None and checked.counter <= last:
            raise SecurityError("replay", f"counter {checked.counter} not greater than last accepted {last}")
        if checked.nonce in self._nonces:
            raise SecurityError("replay", "nonce already seen")

    def accept(self, checked: Checked) -> None:
        """Record a checked frame (counter and nonce); raises SecurityError if one
        accepted since the check makes it a replay."""
        with self._lock:
            self._check_replay(checked)
            self._last[checked.peer] = checked.counter
            self._nonces[checked.nonce] = None
            while len(self._nonces) > self._max_nonces:
                self._nonces.popitem(last=False)

    def forget(self, peer: str) -> None:
        """Drop the counter state of a connection that has ended (nonces are kept)."""
        with self._lock:
            self._last.pop(peer, None)

    def forget_prefix(self, prefix: str) -> None:
        """`forget` every peer whose name starts with `prefix`."""
        with self._lock:
            for peer in [p for p in self._last if p.startswith(prefix)]:
                del self._last[peer]
