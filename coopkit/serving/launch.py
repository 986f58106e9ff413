"""Running coopkit's servers together, and the short block of addresses they print.

``coopkit start`` runs the participant server and JupyterLab (and any other screen
added to its list of :class:`Service`); ``coopkit lab`` runs JupyterLab alone.
:func:`supervise` waits until every service answers, prints one short block
(:func:`print_addresses`: one ``label  address`` line per entry, then a few notes),
then watches: a service that stops by itself is reported with the end of its log, and
Ctrl-C or SIGTERM stops them all. The servers' own logs go to files in the data
folder, never to the terminal.

Knows nothing of what the services serve.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from coopkit.i18n import t

#: How long the services get to answer before coopkit gives up (kernels start slowly
#: on a busy laptop; a pool of 30 pages takes a while).
READY_TIMEOUT = 240.0
STOP_TIMEOUT = 40.0


@dataclass(frozen=True)
class Service:
    """A server process coopkit started, how to know it answers, and its log."""

    name: str
    proc: subprocess.Popen
    ready: Callable[[], bool]
    log: Path | None = None


def print_addresses(entries: Sequence[tuple[str, str]], notes: Sequence[str] = (),
                    out: TextIO = sys.stdout) -> None:
    """The block ``coopkit start`` and ``coopkit lab`` print once everything answers:
    a title, one ``label : address`` line per entry (labels aligned), then the notes."""
    print(file=out)
    print(t("start.ready"), file=out)
    width = max((len(label) for label, _ in entries), default=0)
    for label, url in entries:
        print(f"  {label.ljust(width)}  {url}", file=out)
    for note in notes:
        print(note, file=out)
    print(file=out, flush=True)


def log_tail(path: Path | None, lines: int = 15) -> str:
    if path is None:
        return ""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _report_death(service: Service, out: TextIO) -> None:
    print(t("start.died", name=service.name, code=service.proc.returncode,
            log=service.log or "-"), file=out)
    tail = log_tail(service.log)
    if tail:
        print(tail, file=out)
    out.flush()


def wait_all_ready(services: Sequence[Service], deadline: float,
                   interval: float = 0.25) -> Service | None:
    """Poll until every service answers; returns the first one that died or is still
    not answering at ``deadline`` (None when all answer)."""
    waiting = list(services)
    while waiting:
        for service in list(waiting):
            if service.proc.poll() is not None:
                return service
            if service.ready():
                waiting.remove(service)
        if waiting:
            if time.monotonic() > deadline:
                return waiting[0]
            time.sleep(interval)
    return None


def stop_all(services: Sequence[Service], timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM every service still running (the last started first), then wait."""
    for service in reversed(services):
        if service.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                service.proc.send_signal(signal.SIGTERM)
    for service in services:
        try:
            service.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            service.proc.kill()
            service.proc.wait()


def supervise(services: Sequence[Service], entries: Sequence[tuple[str, str]],
              notes: Sequence[str] = (), out: TextIO = sys.stdout,
              ready_timeout: float = READY_TIMEOUT) -> int:
    """Wait for the services, print the block, run until Ctrl-C/SIGTERM (exit 0) or
    until a service stops by itself (exit 1); always stops them all."""
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        print(t("start.waiting"), file=out, flush=True)
        failed = wait_all_ready(services, time.monotonic() + ready_timeout)
        if failed is not None:
            if failed.proc.poll() is None:
                print(t("start.not_ready", name=failed.name, seconds=f"{ready_timeout:g}",
                        log=failed.log or "-"), file=out, flush=True)
            else:
                _report_death(failed, out)
            return 1
        print_addresses(entries, notes, out)
        while True:
            for service in services:
                if service.proc.poll() is not None:
                    _report_death(service, out)
                    return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        print(t("start.stopping"), file=out, flush=True)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop_all(services)


def _raise_interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt
