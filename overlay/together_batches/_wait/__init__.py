"""Waiting on jobs until they end: a pure core and two short I/O shells.

- `options`: a wait's options, checked before anything is sent, and the defaults;
- `callbacks`: what a wait calls back with (`PollFailure`), and how each twin calls back;
- `state`: one job's wait as a state machine (what follows each poll; its deadline);
- `schedule`: which job is polled next, and the deadline the jobs share;
- `listing`: when one `GET /batches` answers for a round of many due jobs instead of a get
  each (the decision, from the last list's measured size), and how its answer is read;
- `core`: `WaitCore`, the whole wait over many jobs (its state, scheduler, how it ends),
  the one place every decision is made;
- `threads` (sync client) and `tasks` (async client): the shells that send the polls
  `WaitCore` asks for, sleep as long as it says, and hand back what it yields.

Loading: `options` and `callbacks` at import (the resources' signatures use them); the rest
on the first wait, and `tasks` (with asyncio) only in async programs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import on_first_use

if TYPE_CHECKING:
    from . import core as core
    from . import listing as listing
    from . import schedule as schedule
    from . import state as state
    from . import tasks as tasks
    from . import threads as threads

AT_IMPORT = frozenset({"callbacks", "options"})
ON_FIRST_USE = frozenset({"core", "listing", "schedule", "state", "tasks", "threads"})
__getattr__ = on_first_use(__name__, ON_FIRST_USE)
