"""A child process that must not outlive its parent (the simulator started by the register). Qt-free.

``exit_with_parent(pid)``, called first thing in the child: on Linux the kernel sends
SIGTERM when the parent dies, however it dies, SIGKILL included (``PR_SET_PDEATHSIG``);
elsewhere, and as a backstop, a daemon thread notices the parent is gone within a second.
Trap: the parent may already be dead by the time the child runs — checked after arming.
"""
from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1


def exit_with_parent(parent_pid: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) != 0:
                log.warning("prctl(PR_SET_PDEATHSIG) failed: errno %d", ctypes.get_errno())
        except (OSError, AttributeError) as error:
            log.warning("prctl unavailable (%s); watching the parent instead", error)
    if os.getppid() != parent_pid:
        os._exit(0)
    threading.Thread(target=_watch, args=(parent_pid,), name="parent-watch", daemon=True).start()


def _watch(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(1.0)
    log.info("the register (pid %d) is gone; exiting", parent_pid)
    os.kill(os.getpid(), signal.SIGTERM)
