"""Calling a function every few seconds on behalf of a live widget.

In a kernel (JupyterLab, Voilà) the calls run as an asyncio task on the kernel's own
event loop, so that widget messages stay on the kernel's thread; without a running loop
(headless use, tests) they run on a daemon thread. :class:`Poller` is that one loop,
shared by the room view, the presenter and the presenter's waiting page.

Knows nothing of what is polled: the widget gives the function to call.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable


class Poller:
    """Call ``tick`` every ``interval`` seconds from :meth:`start` until :meth:`stop`,
    or until ``keep_going()`` (looked at before each wait) says False. ``tick`` must
    catch its own errors: a lost connection must not end a projected screen."""

    def __init__(self, tick: Callable[[], object], interval: float, name: str, *,
                 keep_going: Callable[[], bool] | None = None) -> None:
        self.tick = tick
        self.interval = interval
        self.name = name
        self.keep_going = keep_going or (lambda: True)
        self.task: asyncio.Task | None = None
        self.thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def running(self) -> bool:
        return (self.task is not None and not self.task.done()) or (
            self.thread is not None and self.thread.is_alive())

    def start(self) -> None:
        """Start calling (nothing happens when it already runs)."""
        if self.running:
            return
        self._stop.clear()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None:
            self.task = loop.create_task(self._loop())
        else:
            self.thread = threading.Thread(target=self._thread_loop, daemon=True,
                                           name=self.name)
            self.thread.start()

    def stop(self) -> None:
        """Stop calling; waits for a thread to end (never for the caller itself)."""
        self._stop.set()
        if self.task is not None and self.task is not _current_task():
            self.task.cancel()
        self.task = None
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(timeout=self.interval + 5)
        self.thread = None

    async def _loop(self) -> None:
        while not self._stop.is_set() and self.keep_going():
            await asyncio.sleep(self.interval)
            if self._stop.is_set():
                break
            self.tick()

    def _thread_loop(self) -> None:
        while not self._stop.wait(self.interval) and self.keep_going():
            self.tick()


def _current_task() -> asyncio.Task | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running loop in this thread
        return None
