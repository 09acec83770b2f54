"""TCP server of the simulated terminal: the link protocol around a TerminalEngine.

Contract:
- binds `host` (127.0.0.1 by default); port 0 picks a free port, read it from
  `.port` once started;
- runs on an asyncio loop: `await start()` / `await stop()` / `serve_forever()`
  as a main program, or `start_in_thread()` / `stop_in_thread()` for tests;
- every inbound frame is checked in this order — framing, envelope, security
  trailer (MAC, replay), schema, session — and anything that fails is logged
  with its reason, counted in `.rejections`, and dropped (or, when the header
  was authentic and readable, answered with a MessageFormat failure). No input
  stops the server or other connections.

Sessions: Login binds the connection to its SaleID (the engine allows one
SaleID at a time, R-SUBPOS). A second Login with the *same* SaleID on a new
connection takes the session over (the register reconnected after a half-open
link) and closes the old connection. When the linked connection ends the
terminal is released.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from app.core.loop_thread import LoopThread, loop_only
from app.core.terminal.codec import FrameDecoder, FrameError, encode_frame
from app.core.terminal.config import DEMO_PAIRING_KEY, ID_PATTERN
from app.core.terminal.errors import describe
from app.core.terminal.messages import (Category, Envelope, MessageError, build_message, parse_message,
                                        response_part, split_envelope)
from app.core.terminal.security import SecurityError, Signer, Verifier

from .engine import EngineEvent, TerminalEngine

log = logging.getLogger("app.simulator.server")
_READ_CHUNK = 65536
_ids = itertools.count(1)


@dataclass(eq=False)
class _Conn:
    writer: asyncio.StreamWriter
    id: int = field(default_factory=lambda: next(_ids))
    sale_id: str | None = None  # set by a successful Login

    @property
    def open(self) -> bool:
        return not self.writer.is_closing()

    def drop(self) -> None:
        """Drop the TCP connection at once, like a pulled cable or a crashed app."""
        transport = self.writer.transport
        if not transport.is_closing():
            transport.abort()


class SimulatorServer:
    def __init__(self, engine: TerminalEngine, *, pairing_key: str = DEMO_PAIRING_KEY, host: str = "127.0.0.1",
                 port: int = 0, control_host: str = "127.0.0.1", control_port: int | None = None) -> None:
        self.engine = engine
        self.host = host
        self.port = port
        self.control_host = control_host
        self.control_port = control_port
        self._signer = Signer(pairing_key)
        self._verifier = Verifier(pairing_key)
        self._server: asyncio.base_events.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._conns: set[_Conn] = set()
        self._seen_service_ids: dict[str, deque[str]] = {}
        self._unsubscribe = None
        self._control: Any = None
        self._thread: LoopThread | None = None  # set by start_in_thread
        self.rejections: deque[str] = deque(maxlen=1000)
        self.requests_handled = 0

    # -- lifecycle -----------------------------------------------------------------

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._server = await asyncio.start_server(self._on_client, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        self._unsubscribe = self.engine.subscribe(self._on_engine_event_threadsafe)
        if self.control_port is not None:
            from .control import ControlServer  # local import: control imports this module

            self._control = ControlServer(self, self.control_host, self.control_port)
            await self._control.start()
            self.control_port = self._control.port
        log.info("terminal simulator (%s, POIID %s) listening on %s:%s", self.engine.profile, self.engine.poi_id,
                 self.host, self.port)

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._control is not None:
            await self._control.stop()
            self._control = None
        if self._server is not None:
            self._server.close()
            for conn in list(self._conns):
                conn.drop()
            try:
                await asyncio.wait_for(self._server.wait_closed(), 2.0)
            except asyncio.TimeoutError:
                pass
            for _ in range(100):  # let the connection handlers finish
                if not self._conns:
                    break
                await asyncio.sleep(0.01)
            self._server = None

    async def serve_forever(self) -> None:
        if self._server is None:
            await self.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self.stop()

    def start_in_thread(self, timeout: float = 5.0) -> "SimulatorServer":
        """Run the server on its own thread and loop; returns once it is listening (or raises
        why it cannot, e.g. the port is taken)."""
        self._thread = LoopThread(f"terminal-sim-{self.engine.poi_id}")
        try:
            self._thread.start(self.start, timeout)
        except BaseException:
            self._thread = None
            raise
        return self

    def stop_in_thread(self, timeout: float = 5.0) -> None:
        if self._thread is None:
            return
        try:
            self._thread.stop(self.stop, timeout)
        finally:
            self._thread = None

    def call_soon(self, fn: Any, *args: Any) -> None:
        """Run `fn(*args)` on the server loop (thread-safe)."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(fn, *args)

    @property
    def connection_count(self) -> int:
        return len(self._conns)

    def drop_connections(self) -> None:
        """Drop every client connection (thread-safe)."""
        self.call_soon(self._drop_all)

    @loop_only
    def _drop_all(self) -> None:
        for conn in list(self._conns):
            conn.drop()

    # -- connections -----------------------------------------------------------------

    async def _on_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.engine.offline:
            writer.transport.abort()
            return
        conn = _Conn(writer)
        self._conns.add(conn)
        decoder = FrameDecoder()
        try:
            while True:
                data = await reader.read(_READ_CHUNK)
                if not data:
                    truncated = decoder.close()
                    if truncated is not None:
                        self._reject(conn, f"frame: {truncated}")
                    break
                for item in decoder.feed(data):
                    if isinstance(item, FrameError):
                        self._reject(conn, f"frame: {item}")
                        continue
                    try:
                        self._handle(conn, item)
                    except Exception:  # an engine bug must not end the connection loop
                        log.exception("conn %s: request handling failed", conn.id)
        except (ConnectionError, OSError):
            pass
        finally:
            self._conns.discard(conn)
            conn.drop()
            self._verifier.forget_prefix(f"conn{conn.id}:")
            sale_id = conn.sale_id
            if sale_id is not None and not any(c.sale_id == sale_id for c in self._conns):
                self.engine.release(sale_id)

    def _reject(self, conn: _Conn, reason: str) -> None:
        self.rejections.append(reason)
        log.warning("conn %s: rejected: %s", conn.id, reason)

    def _send(self, conn: _Conn, envelope: Envelope, category: Category, sale_id: str, service_id: str | None,
              body: dict[str, Any]) -> None:
        try:
            frame = encode_frame(self._signer.sign(build_message(
                envelope, category, sale_id=sale_id, poi_id=self.engine.poi_id, service_id=service_id, body=body)))
        except (MessageError, FrameError) as exc:
            log.error("conn %s: cannot send %s %s: %s", conn.id, category, envelope, exc)
            return
        if conn.open:
            conn.writer.write(frame)

    def _fail(self, conn: _Conn, category: Category, sale_id: str, service_id: str, code: str,
              message: str | None = None) -> None:
        entry = describe(code)
        self._send(conn, Envelope.RESPONSE, category, sale_id, service_id,
                   {"Response": response_part("Failure", entry.condition, code, message or entry.message)})

    @loop_only
    def _handle(self, conn: _Conn, obj: dict[str, Any]) -> None:
        try:
            envelope, inner = split_envelope(obj)
        except MessageError as exc:
            self._reject(conn, f"envelope: {exc.reason}")
            return
        if envelope is not Envelope.REQUEST:
            self._reject(conn, f"envelope: a register only sends SaleToPOIRequest, got {envelope.value}")
            return
        header = inner.get("MessageHeader")
        sale_id = header.get("SaleID") if isinstance(header, dict) else None
        if not isinstance(sale_id, str) or not ID_PATTERN.match(sale_id):
            self._reject(conn, "header: missing or invalid SaleID")
            return
        try:
            self._verifier.verify(obj, f"conn{conn.id}:{sale_id}")
        except SecurityError as exc:
            self._reject(conn, f"security: {exc}")
            return
        try:
            message = parse_message(obj)
        except MessageError as exc:
            self._reject(conn, f"message: {exc.reason}")
            if exc.header is not None and exc.header.service_id is not None:
                self._fail(conn, exc.header.message_category, sale_id, exc.header.service_id, "E4002",
                           f"電文の形式が正しくありません: {exc.reason}"[:200])
            return
        self.requests_handled += 1
        self._dispatch(conn, message)

    def _dispatch(self, conn: _Conn, message: Any) -> None:
        h = message.header
        category, sale_id, sid = h.message_category, h.sale_id, h.service_id
        seen = self._seen_service_ids.setdefault(sale_id, deque(maxlen=4096))
        if sid in seen:
            self._fail(conn, category, sale_id, sid, "E4002", "ServiceID が再利用されました。")
            return
        seen.append(sid)
        engine = self.engine
        if h.poi_id not in ("", engine.poi_id) or (h.poi_id == "" and category is not Category.LOGIN):
            self._fail(conn, category, sale_id, sid, "E4002", f"この決済端末の POIID は {engine.poi_id} です。")
            return

        def reply(body: dict[str, Any] | None) -> None:
            if body is not None:
                self._send(conn, Envelope.RESPONSE, category, sale_id, sid, body)

        if category is Category.LOGIN:
            body = engine.login(sale_id)
            if body["Response"]["Result"] == "Success":
                for other in list(self._conns):
                    if other is not conn and other.sale_id == sale_id:
                        other.sale_id = None  # taken over: do not release the new session
                        other.drop()
                conn.sale_id = sale_id
            reply(body)
            return
        if category is Category.DIAGNOSIS:
            reply(engine.diagnosis())
            return
        if conn.sale_id != sale_id or not engine.is_linked(sale_id):
            self._fail(conn, category, sale_id, sid, "E4001")
            return
        body = message.body
        if category is Category.LOGOUT:
            reply(engine.logout(sale_id))
            conn.sale_id = None
        elif category is Category.PAYMENT:
            reply(engine.start_payment(sale_id, sid, body))
        elif category is Category.ABORT:
            ref = body["MessageReference"]
            reply(engine.abort(sale_id, ref["ServiceID"], ref["MessageCategory"]))
        elif category is Category.TRANSACTION_STATUS:
            ref = body["MessageReference"]
            reply(engine.transaction_status(ref["MessageCategory"], ref["SaleTransactionID"]["TransactionID"]))
        elif category is Category.REVERSAL:
            reply(engine.start_reversal(sale_id, sid, body))
        elif category is Category.RECONCILIATION:
            reply(engine.reconciliation())
        elif category is Category.PRINT:
            reply(engine.print_slip(body["POITransactionID"]["TransactionID"]))
        else:  # Display / Event are notifications, never requests
            self._fail(conn, category, sale_id, sid, "E4002")

    # -- engine events -------------------------------------------------------------------

    def _on_engine_event_threadsafe(self, event: EngineEvent) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(self._on_engine_event, event)
            except RuntimeError:
                pass  # loop shutting down

    def _linked_conn(self, sale_id: str | None) -> _Conn | None:
        for conn in self._conns:
            if sale_id is not None and conn.sale_id == sale_id and conn.open:
                return conn
        return None

    @loop_only
    def _on_engine_event(self, event: EngineEvent) -> None:
        if event.kind in ("drop_link", "restart") or (event.kind == "offline" and self.engine.offline):
            log.info("dropping all connections: %s", event.text or event.kind)
            self._drop_all()
            return
        if event.kind not in ("response", "display", "notify") or event.body is None:
            return
        conn = self._linked_conn(event.sale_id)
        if conn is None:
            log.info("%s for %s not sent: no link", event.kind, event.sale_id)
            return
        category = Category(event.category)
        envelope = Envelope.RESPONSE if event.kind == "response" else Envelope.NOTIFICATION
        self._send(conn, envelope, category, event.sale_id or "", event.service_id, event.body)
