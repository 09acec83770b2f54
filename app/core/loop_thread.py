"""An asyncio loop on a thread of its own, and the check that loop-only code runs there.

The terminal bridge and the simulator's server each own one (issue 15): everything that
touches their sockets runs on that loop, and other threads reach it only through
`run` / `submit` / `call_soon`. Methods marked `@loop_only` raise at once when called
anywhere else — a wrong thread is a bug to see, not a race to debug later. No Qt here.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import inspect
import threading
from typing import Any, Awaitable, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class LoopThread:
    """One daemon thread running one asyncio loop, from `start()` to `stop()`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def is_current(self) -> bool:
        """True on the loop's own thread."""
        return self._thread is not None and threading.current_thread() is self._thread

    def start(self, boot: Callable[[], Awaitable[Any]] | None = None, timeout: float = 5.0) -> None:
        """Start the thread and its loop; `boot()` runs on the loop first. Returns once it has
        run; its exception is raised here (the thread then ends). RuntimeError on a timeout."""
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self.loop = loop
            try:
                if boot is not None:
                    loop.run_until_complete(boot())
            except BaseException as exc:  # e.g. a port taken: the caller hears it
                errors.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        self._thread = threading.Thread(target=run, name=self.name, daemon=True)
        self._thread.start()
        if not ready.wait(timeout):
            raise RuntimeError(f"{self.name}: the loop thread did not start")
        if errors:
            self._thread.join(timeout)
            self._thread = None
            raise errors[0]

    def submit(self, coroutine: Awaitable[Any]) -> concurrent.futures.Future:
        """Schedule `coroutine` on the loop from any thread."""
        if self.loop is None:
            raise RuntimeError(f"{self.name} is not running")
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)  # type: ignore[arg-type]

    def call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run `fn(*args)` on the loop (thread-safe); nothing when it is not running or closed."""
        loop = self.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(fn, *args)

    def stop(self, shutdown: Callable[[], Awaitable[Any]] | None = None, timeout: float = 5.0) -> None:
        """Run `shutdown()` on the loop (bounded by `timeout`; its error propagates after the
        thread ended), stop the loop and join the thread. Never from the loop's own thread."""
        loop, thread = self.loop, self._thread
        if loop is None or thread is None:
            return
        if self.is_current():
            raise RuntimeError(f"{self.name} cannot be stopped from its own thread")
        try:
            if shutdown is not None:
                self.submit(shutdown()).result(timeout)
        finally:
            self.call_soon(loop.stop)
            thread.join(timeout)
            self._thread = None


def require_loop(loop: asyncio.AbstractEventLoop | None, what: str) -> None:
    """Raise RuntimeError unless the calling thread is running `loop`."""
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if loop is None or running is not loop:
        raise RuntimeError(f"{what} runs only on its own asyncio loop "
                           f"(called from thread {threading.current_thread().name!r})")


def loop_only(method: F) -> F:
    """Mark a method (plain or async) that must run on its owner's loop, kept in `self._loop`."""
    what = method.__qualname__
    if inspect.iscoroutinefunction(method):
        @functools.wraps(method)
        async def checked_coroutine(self: Any, *args: Any, **kwargs: Any) -> Any:
            require_loop(self._loop, what)
            return await method(self, *args, **kwargs)
        return checked_coroutine  # type: ignore[return-value]

    @functools.wraps(method)
    def checked(self: Any, *args: Any, **kwargs: Any) -> Any:
        require_loop(self._loop, what)
        return method(self, *args, **kwargs)
    return checked  # type: ignore[return-value]
