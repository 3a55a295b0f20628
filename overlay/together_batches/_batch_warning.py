"""`BatchWarning`: the server's warning on a create, issued as a Python warning."""

from __future__ import annotations

import warnings

from ._models import BatchJob

__all__ = ["BatchWarning", "warn_of"]


class BatchWarning(UserWarning):
    """The server's warning on a create (also kept as `job.warning`)."""


def warn_of(job: BatchJob) -> BatchJob:
    """Issue the server's warning on a create as a `BatchWarning`; return the job."""
    if job.warning:
        warnings.warn(job.warning, BatchWarning, stacklevel=3)
    return job
