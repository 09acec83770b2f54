"""Framing of the terminal link: 4-byte big-endian length + UTF-8 JSON object.

Contract:
- `encode_frame(obj)` returns the bytes of one frame; the payload (without
  the 4-byte prefix) is at most `MAX_FRAME_BYTES`.
- `FrameDecoder` is sans-IO: `feed(bytes)` returns decoded objects and
  `FrameError`s in arrival order; `close()` reports a truncated last frame.

Traps handled here so that nothing above has to:
- An oversized length prefix does not make us buffer it: the decoder reports
  `FrameError("oversized")` at once and then *skips* the declared payload, so
  the framing stays in sync and the link survives (the payload is never kept).
- JSON that Python would accept but peers may not: duplicate keys (an
  ambiguity that could smuggle a second value past a MAC check), NaN/Infinity,
  and nesting deep enough to hit the recursion limit are all rejected.
- A zero-length payload is a valid frame with an invalid payload ("empty").
"""

from __future__ import annotations

import json
import struct
from typing import Any, Mapping

MAX_FRAME_BYTES = 64 * 1024
_PREFIX = struct.Struct(">I")
PREFIX_BYTES = _PREFIX.size


class FrameError(ValueError):
    """A frame that cannot be used. `reason` is a short stable token.

    Reasons: oversized, truncated, empty, not_utf8, not_json, not_object,
    duplicate_key, too_deep.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise FrameError("duplicate_key", f"key {key[:40]!r} appears twice")
        obj[key] = value
    return obj


def _no_constants(name: str) -> Any:
    raise FrameError("not_json", f"{name} is not JSON")


def dumps(obj: Mapping[str, Any]) -> bytes:
    """The payload bytes for `obj` (compact, UTF-8, no NaN)."""
    try:
        text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise FrameError("not_json", str(exc)) from exc
    return text.encode("utf-8")


def encode_frame(obj: Mapping[str, Any]) -> bytes:
    """One frame for the JSON object `obj`. Raises FrameError if too big."""
    if not isinstance(obj, Mapping):
        raise FrameError("not_object", f"got {type(obj).__name__}")
    payload = dumps(obj)
    if len(payload) > MAX_FRAME_BYTES:
        raise FrameError("oversized", f"{len(payload)} bytes > {MAX_FRAME_BYTES}")
    return _PREFIX.pack(len(payload)) + payload


def decode_payload(payload: bytes) -> dict[str, Any]:
    """Parse one frame payload into a dict, or raise FrameError."""
    if len(payload) > MAX_FRAME_BYTES:
        raise FrameError("oversized", f"{len(payload)} bytes > {MAX_FRAME_BYTES}")
    if not payload:
        raise FrameError("empty", "zero-length payload")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FrameError("not_utf8", str(exc)) from exc
    try:
        obj = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except FrameError:
        raise
    except RecursionError as exc:
        raise FrameError("too_deep", "nesting exceeds the parser's limit") from exc
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        raise FrameError("not_json", str(exc)) from exc
    if not isinstance(obj, dict):
        raise FrameError("not_object", f"top level is {type(obj).__name__}")
    return obj


class FrameDecoder:
    """Incremental decoder for one byte stream (one TCP connection)."""

    def __init__(self, max_frame: int = MAX_FRAME_BYTES) -> None:
        self._max = max_frame
        self._buffer = bytearray()
        self._skip = 0  # bytes of an oversized payload still to discard

    @property
    def mid_frame(self) -> bool:
        """True when a frame has started but not finished."""
        return bool(self._buffer) or self._skip > 0

    def feed(self, data: bytes) -> list[dict[str, Any] | FrameError]:
        out: list[dict[str, Any] | FrameError] = []
        view = memoryview(data)
        while view:
            if self._skip:
                n = min(self._skip, len(view))
                self._skip -= n
                view = view[n:]
                continue
            self._buffer += view
            view = memoryview(b"")
            while True:
                if len(self._buffer) < PREFIX_BYTES:
                    break
                (length,) = _PREFIX.unpack_from(self._buffer)
                if length > self._max:
                    out.append(FrameError("oversized", f"declared {length} bytes > {self._max}"))
                    rest = bytes(self._buffer[PREFIX_BYTES:])
                    self._buffer.clear()
                    self._skip = length
                    # Whatever followed the prefix belongs to the skipped payload first.
                    view = memoryview(rest)
                    break
                if len(self._buffer) < PREFIX_BYTES + length:
                    break
                payload = bytes(self._buffer[PREFIX_BYTES : PREFIX_BYTES + length])
                del self._buffer[: PREFIX_BYTES + length]
                try:
                    out.append(decode_payload(payload))
                except FrameError as exc:
                    out.append(exc)
        return out

    def close(self) -> FrameError | None:
        """End of stream: a FrameError("truncated") if a frame was cut short."""
        error = None
        if self._buffer or self._skip:
            error = FrameError("truncated", f"stream ended inside a frame ({len(self._buffer)} bytes buffered)")
        self._buffer.clear()
        self._skip = 0
        return error
