"""The wait core's modules (`_wait.options`, `_wait.state`, `_wait.core`, `_wait.listing`, and
the deadline arithmetic of `_http.deadlines`) as one namespace, for the tests: `P.after_poll`,
`P.DueQueue`, `P.use_list`."""

from together_batches._http.deadlines import *  # noqa: F403
from together_batches._wait.core import *  # noqa: F403
from together_batches._wait.listing import *  # noqa: F403
from together_batches._wait.options import *  # noqa: F403
from together_batches._wait.schedule import *  # noqa: F403
from together_batches._wait.state import *  # noqa: F403
