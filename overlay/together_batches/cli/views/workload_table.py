"""What the workload commands print: a manifest's status, and whether `run` draws its live
view. Pure; table-tested (tests/test_cli_workload_view.py). The view itself is `_display`'s.
"""

from __future__ import annotations

from ..._display.text import progress_text
from ..._workload.progress import snapshot
from ..._workload.records import Workload
from .render import format_table

__all__ = ["live_view_wanted", "status_lines"]


def status_lines(workload: Workload) -> list[str]:
    """What `status PATH` prints of a manifest: the progress line, then a table of its parts."""
    header = ("PART", "ROUND", "STATE", "REQUESTS", "SUCCEEDED", "BATCH")
    rows = [
        (
            str(p.number),
            str(p.round),
            p.state,
            str(p.input.requests),
            "-" if p.succeeded is None else str(p.succeeded),
            p.batch_id or "-",
        )
        for p in workload.parts
    ]
    return [progress_text(snapshot(workload)), *format_table(header, rows)]


def live_view_wanted(progress_tty: bool, results_tty: bool) -> bool:
    """Whether `run` draws its live view: on a terminal, unless the results are printed to
    that terminal too (each result line would break the line being redrawn).

    Args:
        progress_tty: The progress stream (stderr) is a terminal.
        results_tty: The results go to a terminal (stdout, without `-o`).
    """
    return progress_tty and not results_tty
