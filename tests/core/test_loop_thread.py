"""The one asyncio-loop-in-a-thread helper and its loop-only check (issue 15)."""

from __future__ import annotations

import asyncio
import socket

import pytest

from app.core.loop_thread import LoopThread, loop_only
from app.core.terminal.bridge import TerminalBridge
from app.core.terminal.config import TerminalConfig


class Owner:
    def __init__(self) -> None:
        self.thread = LoopThread("test-owner")
        self.calls: list[str] = []

    @property
    def _loop(self):
        return self.thread.loop

    @loop_only
    def poke(self, what: str) -> str:
        self.calls.append(what)
        return what

    @loop_only
    async def poke_later(self, what: str) -> str:
        await asyncio.sleep(0)
        return self.poke(what)


def test_loop_only_code_runs_on_its_loop_and_refuses_other_threads():
    owner = Owner()
    booted = []

    async def boot() -> None:
        booted.append(owner.thread.is_current())

    owner.thread.start(boot)
    try:
        assert booted == [True] and not owner.thread.is_current()
        assert owner.thread.submit(owner.poke_later("on the loop")).result(5) == "on the loop"
        with pytest.raises(RuntimeError, match="runs only on its own asyncio loop"):
            owner.poke("from the test thread")
        with pytest.raises(RuntimeError, match="runs only on its own asyncio loop"):
            asyncio.run(owner.poke_later("on another loop"))
        assert owner.calls == ["on the loop"]
    finally:
        owner.thread.stop()
    assert not owner.thread.running


def test_a_boot_error_reaches_the_caller_and_ends_the_thread():
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    thread = LoopThread("test-boot-error")

    async def boot() -> None:
        await asyncio.start_server(lambda r, w: None, "127.0.0.1", port)

    try:
        with pytest.raises(OSError):
            thread.start(boot)
        assert not thread.running
    finally:
        taken.close()


def test_the_bridge_loop_only_steps_refuse_the_callers_thread():
    bridge = TerminalBridge(TerminalConfig(profile="none"))
    bridge.start()
    try:
        with pytest.raises(RuntimeError, match="runs only on its own asyncio loop"):
            asyncio.run(bridge._do_abort("sid", "0" * 8))
        assert bridge.diagnosis().result(5).error.code == "L0004"  # the real path runs on the loop
    finally:
        bridge.stop()
