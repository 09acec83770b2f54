"""A frame-level TCP proxy between the register's bridge and the simulator, for the fault
suite (bench/faults.py). Each direction decodes whole frames and applies the current
faults to each one: drop, delay, duplicate, reorder (hold one frame, send it after the
next), cut (close both sockets now) and half-open (stop forwarding, keep the sockets).
Faults are plain attributes, changed from any thread; the proxy runs on its own loop thread.
"""
from __future__ import annotations

import asyncio
import random

from app.core.loop_thread import LoopThread
from app.core.terminal.codec import FrameDecoder, encode_frame


class FaultProxy:
    def __init__(self, upstream_port: int, seed: int = 0):
        self.upstream_port = upstream_port
        self.port = 0
        self.rng = random.Random(seed)
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
        self.half_open = False

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

    def _abort_all(self) -> None:
        for a, b in self._pairs:
            a.transport.abort()
            b.transport.abort()
        self._pairs.clear()

    # --- forwarding ------------------------------------------------------------------
    async def _on_client(self, creader, cwriter) -> None:
        try:
            sreader, swriter = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            cwriter.transport.abort()
            return
        self._pairs.append((cwriter, swriter))
        tasks = [asyncio.ensure_future(self._pump(creader, swriter)), asyncio.ensure_future(self._pump(sreader, cwriter))]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()
        cwriter.transport.abort()
        swriter.transport.abort()

    async def _pump(self, reader, writer) -> None:
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
                if self.half_open or self.rng.random() < self.drop:
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
