"""`python -m together_batches ...`: the same tool as the `together-batches` command."""

from .cli import main

raise SystemExit(main())
