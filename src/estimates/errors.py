"""What can stop a command, and the exit code each one gives.

One home for both, so the CLI, the runner and the sweep agree without importing each other.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2
EXIT_BUSY = 75  # another run holds the output root's lock and --no-wait was given (EX_TEMPFAIL)
# Interrupted by a signal: 128 + its number, 130 for SIGINT, 143 for SIGTERM (see estimates.run.locking).


class OneLineError(Exception):
    """An error whose message is the whole story: in a notebook it shows as that one line.

    IPython (JupyterLab's kernel, and papermill's) shows the lines ``_render_traceback_`` returns in
    place of a traceback; through the suite's own code, a traceback would bury the message an
    analyst needs under twenty lines of frames.
    """

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


class InputError(OneLineError, ValueError):
    """A run cannot start: bad input or environment. Nothing has been created on disk."""
