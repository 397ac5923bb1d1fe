"""What a run is doing, line by line on a terminal: each notebook as it starts, is reused, finishes
or fails, with the time since the run began.

Only a person watching needs this: when standard error is not a terminal (cron, CI, a pipe) nothing
is added, and the run prints its one summary line as before. The lines are the run log's own
messages (``run.log`` beside the briefing keeps them with timestamps), so the two cannot disagree.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from contextlib import contextmanager
from typing import IO, Iterator

from estimates.run.execute import run_log


class _Elapsed(logging.Formatter):
    """``  12.3 s  attrition: executed in 3.1 s``: seconds since the run began, then the message."""

    def __init__(self, start: float):
        super().__init__()
        self.start = start

    def format(self, record: logging.LogRecord) -> str:
        return f"{time.perf_counter() - self.start:6.1f} s  {record.getMessage()}"


@contextmanager
def terminal_progress(stream: IO[str] | None = None) -> Iterator[bool]:
    """Echo the run log to ``stream`` (standard error) while the block runs, if it is a terminal;
    yields whether it does."""
    stream = sys.stderr if stream is None else stream
    if not _is_terminal(stream):
        yield False
        return
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_Elapsed(time.perf_counter()))
    caller = threading.get_ident()
    handler.addFilter(lambda record: record.thread == caller)  # as run.log: this run's lines only
    run_log.addHandler(handler)
    try:
        yield True
    finally:
        run_log.removeHandler(handler)


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or file-like stream without a descriptor
        return False
