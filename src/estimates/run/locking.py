"""What makes a run safe to leave on a timer: the output root's lock, and signals as exceptions.

Two runs on the same output root never interleave: each holds an exclusive ``flock`` on
``ROOT/.lock`` from before its run directory is created until its retention pass is done. The kernel
drops the lock when the holder exits, however it exits, so a crashed run never leaves a stale lock.
A second run waits for the first, or with ``wait=False`` raises :class:`LockBusy` at once (the CLI
exits 75, ``EX_TEMPFAIL`` in ``sysexits.h``: try again later).

SIGINT and SIGTERM become :class:`Interrupted` (a ``KeyboardInterrupt``) in the main thread while
:func:`signals_raise` is in force, so the runner's ``finally`` blocks and exception handlers run:
kernels are killed, the run is marked interrupted in its manifest, and ``latest`` stays where it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
from pathlib import Path

LOCK_NAME = ".lock"


class LockBusy(RuntimeError):
    """Another run holds the output root's lock and the caller chose not to wait."""


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal; ``signum`` says which (exit status 128 + signum)."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signal.Signals(signum).name)
        self.signum = int(signum)


def signal_of(error: BaseException) -> int:
    """The signal behind a ``KeyboardInterrupt``: SIGINT unless it is an :class:`Interrupted`."""
    return getattr(error, "signum", signal.SIGINT)


class RootLock:
    """An exclusive lock on an output root, held for the life of the ``with`` block.

    ``wait=True`` blocks until the holder finishes (a signal still interrupts the wait);
    ``wait=False`` raises :class:`LockBusy` naming the holder's pid. ``on_wait`` is called once,
    with the holder's pid (or None), before blocking, so the CLI can say why it is waiting.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> with RootLock(root):
    ...     try:
    ...         RootLock(root, wait=False).acquire()
    ...     except LockBusy:
    ...         print("busy")
    busy
    """

    def __init__(self, root: Path, *, wait: bool = True, on_wait=None):
        self.path = Path(root) / LOCK_NAME
        self.wait = wait
        self.on_wait = on_wait
        self._fd: int | None = None

    def holder(self) -> int | None:
        """The pid written by the current holder, if it can be read."""
        try:
            return int(self.path.read_text().strip() or "x")
        except (OSError, ValueError):
            return None

    def acquire(self) -> RootLock:
        # The lock file is never deleted: removing it would let a waiter and a newcomer lock
        # different inodes. O_CLOEXEC keeps kernels and other children from inheriting it.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = self.holder()
                if not self.wait:
                    who = f" (pid {holder})" if holder else ""
                    raise LockBusy(f"another run holds the lock on {self.path.parent}{who}") from None
                if self.on_wait is not None:
                    self.on_wait(holder)
                fcntl.flock(fd, fcntl.LOCK_EX)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing the only descriptor drops the flock
            self._fd = None

    def __enter__(self) -> RootLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _raise_interrupted(signum, frame) -> None:
    raise Interrupted(signum)


@contextlib.contextmanager
def signals_raise(signums=(signal.SIGINT, signal.SIGTERM)):
    """Turn ``signums`` into :class:`Interrupted` in the main thread for the ``with`` block.

    Outside the main thread (where Python cannot install handlers) this does nothing.
    """
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _raise_interrupted) for signum in signums}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def exit_status(error: BaseException) -> int:
    """The shell's convention for a process ended by a signal: 128 + signal number (130, 143)."""
    return 128 + signal_of(error)


def describe(error: BaseException) -> str:
    """``"SIGINT"`` or ``"SIGTERM"``: the signal behind an interruption, by name."""
    return signal.Signals(signal_of(error)).name
