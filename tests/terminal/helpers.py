"""Test helpers: event capture, polling, a raw protocol client and a
man-in-the-middle proxy that can inspect, inject and blackhole frames."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any, Callable

from app.core.loop_thread import LoopThread
from app.core.terminal.codec import FrameDecoder, encode_frame
from app.core.terminal.config import DEMO_PAIRING_KEY
from app.core.terminal.events import EventKind, TerminalEvent
from app.core.terminal.messages import Category, Envelope, build_message
from app.core.terminal.security import Signer


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


class FrameProxy:
    """TCP proxy bridge ⇄ proxy ⇄ simulator running on its own loop thread.

    - `client_frames` / `server_frames`: every decoded frame seen each way;
    - `on_client_frame(obj)`: hook called (on the proxy loop) for frames from the bridge;
    - `inject_to_client(bytes)`: write raw bytes to the bridge side;
    - `blackhole = True`: stop forwarding simulator → bridge (a frozen terminal).
    """

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = 0
        self.client_frames: list[dict[str, Any]] = []
        self.server_frames: list[bytes] = []
        self.on_client_frame: Callable[[dict[str, Any]], None] | None = None
        self.blackhole = False
        self.connections = 0
        self._writers: list[asyncio.StreamWriter] = []
        self._thread = LoopThread("frame-proxy")
        self._server: asyncio.base_events.Server | None = None

    def start(self) -> "FrameProxy":
        async def boot() -> None:
            self._server = await asyncio.start_server(self._on_client, "127.0.0.1", 0)
            self.port = self._server.sockets[0].getsockname()[1]

        self._thread.start(boot, 3)
        return self

    def stop(self) -> None:
        async def down() -> None:
            if self._server is not None:
                self._server.close()
            for w in self._writers:
                w.transport.abort()

        if self._thread.running:
            self._thread.stop(down, 3)

    @property
    def client_writer(self) -> asyncio.StreamWriter | None:
        return self._writers[-2] if len(self._writers) >= 2 else None

    def inject_to_client(self, data: bytes) -> None:
        def write() -> None:
            writer = self.client_writer
            if writer is not None and not writer.is_closing():
                writer.write(data)

        self._thread.call_soon(write)

    async def _on_client(self, creader: asyncio.StreamReader, cwriter: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            sreader, swriter = await asyncio.open_connection(*self.upstream)
        except OSError:
            cwriter.transport.abort()
            return
        self._writers += [cwriter, swriter]

        async def client_to_server() -> None:
            decoder = FrameDecoder()
            while True:
                data = await creader.read(65536)
                if not data:
                    break
                for item in decoder.feed(data):
                    if isinstance(item, dict):
                        self.client_frames.append(item)
                        if self.on_client_frame is not None:
                            self.on_client_frame(item)
                swriter.write(data)

        async def server_to_client() -> None:
            decoder = FrameDecoder()
            while True:
                data = await sreader.read(65536)
                if not data:
                    break
                for item in decoder.feed(data):
                    if isinstance(item, dict):
                        self.server_frames.append(encode_frame(item))
                if not self.blackhole:
                    cwriter.write(data)

        tasks = [asyncio.ensure_future(client_to_server()), asyncio.ensure_future(server_to_client())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        except Exception:
            pass
        for t in tasks:
            t.cancel()
        cwriter.transport.abort()
        swriter.transport.abort()
