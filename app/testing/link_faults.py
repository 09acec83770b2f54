"""A frame-level TCP proxy between the register's bridge and the terminal, for testers (the
``link_faults`` fixture of app/testing/plugin.py) and the fault suite (bench/faults.py).

Each direction decodes whole frames (app.core.terminal.codec) and applies the current faults
to each one: drop, delay, duplicate, reorder (hold one frame, send it after the next), cut
(close both sockets now), half-open (stop forwarding, keep the sockets) and lose_answers
(half-open from the terminal only: requests arrive, answers do not). ``inject``
writes a frame of the tester's own (late, forged, replayed) to the register. Faults are
plain attributes, changed from any thread; the proxy runs on its own loop thread.
A frame held for reordering waits for the next frame that direction: ``clear`` does not
release it (a lost frame, as on a real link).
"""
from __future__ import annotations

import asyncio
import random

from app.core.loop_thread import LoopThread
from app.core.terminal.codec import FrameDecoder, encode_frame


class FaultProxy:
    """Register ⇄ proxy ⇄ terminal on 127.0.0.1. With ``record`` on, every frame seen is kept
    (``to_terminal`` as dicts, ``to_register`` as encoded bytes); ``on_to_terminal(frame)``
    is called on the proxy's loop for each frame from the register; ``connections`` counts
    the register's connections."""

    def __init__(self, upstream_port: int, seed: int = 0, *, record: bool = False):
        self.upstream_port = upstream_port
        self.port = 0
        self.rng = random.Random(seed)
        self.record = record
        self.to_terminal: list[dict] = []
        self.to_register: list[bytes] = []
        self.on_to_terminal = None
        self.connections = 0
        self.clear()
        self._pairs: list[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = []
        self._thread = LoopThread("fault-proxy")
        self._server = None

    def clear(self) -> None:
        """No faults: every frame passes at once."""
        self.drop = 0.0        # probability a frame is dropped
        self.delay = 0.0       # seconds added to every frame (max; uniform)
        self.duplicate = 0.0   # probability a frame is sent twice
        self.reorder = 0.0     # probability a frame is held and sent after the next
        self.half_open = False  # nothing forwarded either way, sockets kept open
        self.lose_answers = False  # nothing forwarded from the terminal: its answers are lost

    # --- lifecycle -----------------------------------------------------------------
    def start(self) -> "FaultProxy":
        async def boot() -> None:
            self._server = await asyncio.start_server(self._on_client, "127.0.0.1", 0)
            self.port = self._server.sockets[0].getsockname()[1]

        self._thread.start(boot)
        return self

    def stop(self) -> None:
        async def down() -> None:
            self._server.close()
            self._abort_all()

        if self._thread.running:
            self._thread.stop(down)

    def cut(self) -> None:
        """Close every connection now (both sides see it)."""
        self._thread.call_soon(self._abort_all)

    def inject(self, frame: dict | bytes) -> None:
        """Send ``frame`` (a message dict, framed here, or raw bytes: garbage too) to the
        register now, on its latest connection."""
        data = encode_frame(frame) if isinstance(frame, dict) else frame

        def write() -> None:
            if self._pairs and not self._pairs[-1][0].is_closing():
                self._pairs[-1][0].write(data)
        self._thread.call_soon(write)

    def _abort_all(self) -> None:
        for a, b in self._pairs:
            a.transport.abort()
            b.transport.abort()
        self._pairs.clear()

    # --- forwarding ------------------------------------------------------------------
    async def _on_client(self, creader, cwriter) -> None:
        self.connections += 1
        try:
            sreader, swriter = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            cwriter.transport.abort()
            return
        pair = (cwriter, swriter)
        self._pairs.append(pair)
        tasks = [asyncio.ensure_future(self._pump(creader, swriter, False)),
                 asyncio.ensure_future(self._pump(sreader, cwriter, True))]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()
        cwriter.transport.abort()
        swriter.transport.abort()
        if pair in self._pairs:
            self._pairs.remove(pair)

    async def _pump(self, reader, writer, from_terminal: bool) -> None:
        decoder = FrameDecoder()
        held: bytes | None = None
        while True:
            data = await reader.read(65536)
            if not data:
                return
            for item in decoder.feed(data):
                if not isinstance(item, dict):
                    continue
                frame = encode_frame(item)
                if self.record:
                    if from_terminal:
                        self.to_register.append(frame)
                    else:
                        self.to_terminal.append(item)
                if not from_terminal and self.on_to_terminal is not None:
                    self.on_to_terminal(item)
                if self.half_open or (from_terminal and self.lose_answers) or self.rng.random() < self.drop:
                    continue
                if self.delay:
                    await asyncio.sleep(self.rng.random() * self.delay)
                if held is None and self.rng.random() < self.reorder:
                    held = frame
                    continue
                out = [frame] + ([held] if held is not None else [])
                held = None
                if self.rng.random() < self.duplicate:
                    out.append(frame)
                for one in out:
                    if writer.is_closing():
                        return
                    writer.write(one)
