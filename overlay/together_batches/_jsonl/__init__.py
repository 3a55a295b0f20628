"""Batch files, a line at a time: input files built and checked, and result files read.

- `limits`: the Batch API's limits on an input file (requests, bytes, custom_id length);
- `checks`: the rules of an input's lines, one line (or request) at a time (pure);
- `writer`: `InputFileWriter`, an input written one checked line at a time, within limits;
- `inputs`: `write_input_file` and `check_input_file`, the public entry points;
- `results`: `BatchResult`, one typed record per line of an output or error file;
- `ids`: `IdIndex`, custom_ids kept exactly in compact memory (pure but for its scratch file);
- `accounting`: `Tally`, every request of a batch accounted for, the unrun ones included;
- `summary`: `ResultsSummary` and `summarize`, the counts and tokens of results.

Loading: `limits` at import (the resources' defaults use them); the rest on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import on_first_use

if TYPE_CHECKING:
    from . import accounting as accounting
    from . import checks as checks
    from . import ids as ids
    from . import inputs as inputs
    from . import results as results
    from . import summary as summary
    from . import writer as writer

AT_IMPORT = frozenset({"limits"})
ON_FIRST_USE = frozenset({"accounting", "checks", "ids", "inputs", "results", "summary", "writer"})
__getattr__ = on_first_use(__name__, ON_FIRST_USE)
