"""The terminal simulator beside the register (``./scripts/run``), as its own process. Qt-free.

Contracts:
- ``spawn_simulator(settings, headless)`` starts it (main thread), None if the configured
  terminal is not a simulator on this machine; ``wait_listening(launch)`` returns the running
  process once it has said "listening on" (bounded by ``timeout``). Both raise
  ``SimulatorNotStarted`` with the message for the register's screen if it could not start
  (its port taken, it exited, it hung).
- The child runs with ``--parent-pid``: it exits when the register does, however the
  register ends (``app.parent_guard``). ``stop_simulator`` ends it on a normal quit.
"""
from __future__ import annotations

import logging
import os
import queue
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass

log = logging.getLogger("regi")

START_TIMEOUT_S = 20.0
"""Long enough for a cold start of its Qt window on a busy 2-core tablet."""


class SimulatorNotStarted(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def port_accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def port_bindable(host: str, port: int) -> bool:
    """Could a server bind it now (as the simulator does, with SO_REUSEADDR)?"""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
            return True
        except OSError:
            return False


def simulator_command(settings, headless: bool) -> list[str]:
    command = [sys.executable, "-m", "app.simulator", "--profile", settings.terminal_profile,
               "--host", settings.terminal_host, "--port", str(settings.terminal_port),
               "--pairing-key", settings.terminal_pairing_key, "--parent-pid", str(os.getpid())]
    if headless:
        command.append("--headless")
    return command


@dataclass
class SimulatorLaunch:
    """A simulator child just started (``spawn_simulator``), not yet known to listen."""

    process: subprocess.Popen
    host: str
    port: int
    lines: queue.Queue  # its stdout lines, None once it closed


def spawn_simulator(settings, headless: bool) -> SimulatorLaunch | None:
    """Start the child (at once; ``wait_listening`` then waits for it). Call it from the main
    thread: the child's parent-death signal follows the *thread* that started it."""
    from app.core.terminal.config import is_loopback
    from app.core.terminal.profiles import terminal_profile

    if not terminal_profile(settings.terminal_profile).linked or not is_loopback(settings.terminal_host):
        return None
    host, port = settings.terminal_host, settings.terminal_port
    if port_accepts(host, port):
        raise SimulatorNotStarted(_not_started(f"ポート {host}:{port} は別のプログラムが使用中です"))
    command = simulator_command(settings, headless)
    log.info("starting the terminal simulator: %s", " ".join(command[1:10]))
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, encoding="utf-8", errors="replace")
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(process.stdout, lines), name="simulator-stdout", daemon=True).start()
    return SimulatorLaunch(process, host, port, lines)


def wait_listening(launch: SimulatorLaunch, timeout: float = START_TIMEOUT_S) -> subprocess.Popen:
    """The process once it has said "listening on" (any thread); ``SimulatorNotStarted`` if it
    exited or did not listen within ``timeout`` (it is stopped then)."""
    process, where = launch.process, f"{launch.host}:{launch.port}"
    try:
        while True:
            line = launch.lines.get(timeout=timeout)
            if line is None:  # its stdout closed: it exited
                code = process.wait(5)
                reason = f"ポート {where} は使用中です" if not port_bindable(launch.host, launch.port) else f"終了コード {code}"
                raise SimulatorNotStarted(_not_started(reason))
            if line.startswith("listening on"):
                log.info("terminal simulator (pid %d) %s", process.pid, line.strip())
                return process
    except queue.Empty:
        stop_simulator(process)
        raise SimulatorNotStarted(_not_started(f"{timeout:.0f}秒以内に {where} で待ち受けを始めませんでした")) from None


def _pump(stream, lines: queue.Queue) -> None:
    """Forward the child's stdout lines (it prints a few, but must never block on a full pipe)."""
    for line in stream:
        lines.put(line)
    lines.put(None)


def _not_started(reason: str) -> str:
    return (f"決済端末シミュレーターを起動できませんでした（{reason}）。\n"
            "レジはこのまま使えます。決済端末は「設定」＞「機器接続」で確認してください。")


def stop_simulator(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
