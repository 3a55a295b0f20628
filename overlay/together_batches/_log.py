"""The package's one logger, `together_batches`: retries and polls at DEBUG, a wait's long
streak of failed polls and an unknown status at WARNING. Never a header, never the key."""

from __future__ import annotations

import logging

__all__ = ["logger"]

logger = logging.getLogger("together_batches")
