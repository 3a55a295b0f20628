"""`python -m together_batches ...`: the same tool as the `together-batches` command."""

from ._cli import main

raise SystemExit(main())
