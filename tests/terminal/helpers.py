"""Test helpers: event capture, polling, a raw protocol client and a
man-in-the-middle proxy that can inspect, inject and blackhole frames."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any, Callable

from app.core.terminal.codec import FrameDecoder, encode_frame
from app.core.terminal.config import DEMO_PAIRING_KEY
from app.core.terminal.events import EventKind, TerminalEvent
from app.core.terminal.messages import Category, Envelope, build_message
from app.core.terminal.security import Signer
from app.testing.link_faults import FaultProxy


def wait_until(predicate: Callable[[], Any], timeout: float = 3.0, interval: float = 0.01) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


class EventLog:
    """Subscriber that records bridge events (called on the bridge thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.events: list[TerminalEvent] = []

    def __call__(self, event: TerminalEvent) -> None:
        with self._lock:
            self.events.append(event)

    def of(self, kind: EventKind) -> list[TerminalEvent]:
        with self._lock:
            return [e for e in self.events if e.kind is kind]

    def wait_for(self, kind: EventKind, count: int = 1, timeout: float = 3.0) -> list[TerminalEvent]:
        return wait_until(lambda: (lambda found: found if len(found) >= count else None)(self.of(kind)), timeout)


class RawClient:
    """A blocking socket speaking frames, for throwing arbitrary bytes at the server."""

    def __init__(self, port: int, key: str = DEMO_PAIRING_KEY, sale_id: str = "RAW-01") -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=2.0)
        self.signer = Signer(key)
        self.sale_id = sale_id
        self.decoder = FrameDecoder()
        self._seq = 0

    def request(self, category: Category, body: dict[str, Any], poi_id: str = "", service_id: str | None = None
                ) -> tuple[dict[str, Any], str]:
        self._seq += 1
        sid = service_id or f"raw-{time.monotonic_ns()}-{self._seq}"
        msg = build_message(Envelope.REQUEST, category, sale_id=self.sale_id, poi_id=poi_id, service_id=sid,
                            body=body)
        return self.signer.sign(msg), sid

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send_obj(self, obj: dict[str, Any]) -> None:
        self.sock.sendall(encode_frame(obj))

    def receive(self, timeout: float = 2.0) -> dict[str, Any]:
        self.sock.settimeout(timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("closed")
            for item in self.decoder.feed(data):
                if isinstance(item, dict):
                    return item
        raise TimeoutError("no frame")

    def diagnosis_roundtrip(self, poi_id: str) -> dict[str, Any]:
        obj, sid = self.request(Category.DIAGNOSIS, {}, poi_id=poi_id)
        self.send_obj(obj)
        while True:
            reply = self.receive()
            inner = reply.get("SaleToPOIResponse", {})
            if inner.get("MessageHeader", {}).get("ServiceID") == sid:
                return inner

    def close(self) -> None:
        self.sock.close()


class FrameProxy(FaultProxy):
    """The fault proxy of app.testing, recording, under the names these tests use:

    - `client_frames` / `server_frames`: every decoded frame seen each way;
    - `on_client_frame(obj)`: hook called (on the proxy loop) for frames from the bridge;
    - `inject_to_client(bytes)`: write raw bytes to the bridge side;
    - `blackhole = True`: stop forwarding simulator → bridge (a frozen terminal).
    """

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        assert upstream_host == "127.0.0.1"
        super().__init__(upstream_port, record=True)
        self.client_frames = self.to_terminal
        self.server_frames = self.to_register
        self.inject_to_client = self.inject

    on_client_frame = property(lambda self: self.on_to_terminal,
                               lambda self, hook: setattr(self, "on_to_terminal", hook))
    blackhole = property(lambda self: self.lose_answers, lambda self, on: setattr(self, "lose_answers", on))
