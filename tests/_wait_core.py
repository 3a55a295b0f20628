"""The wait core's modules (`_wait_options`, `_wait_state`, `_wait_run`, and the deadline
arithmetic of `_deadline`) as one namespace, for the tests: `P.after_poll`, `P.DueQueue`."""

from together_batches._deadline import *  # noqa: F403
from together_batches._wait_options import *  # noqa: F403
from together_batches._wait_run import *  # noqa: F403
from together_batches._wait_schedule import *  # noqa: F403
from together_batches._wait_state import *  # noqa: F403
