"""together-batches: a client for Together AI's Batch API.

from together_batches import Together

client = Together()  # TOGETHER_API_KEY from the environment
job = client.batches.get_batch("batch-abc123")
print(job.status, f"{job.progress:.1%}")
"""

from ._batches import AsyncBatches, Batches, BatchWarning
from ._callbacks import PollFailure
from ._client import AsyncTogether, Together
from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BatchCancelledError,
    BatchErrorGroup,
    BatchFailedError,
    InternalServerError,
    InvalidFieldError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    TogetherError,
    WaitTimeoutError,
)
from ._files import FileObject
from ._files_resource import AsyncFiles, Files
from ._models import BatchJob
from ._status import (
    ACTIVE_STATUSES,
    CANCELLED_STATUSES,
    FAILURE_STATUSES,
    SUCCESS_STATUSES,
    TERMINAL_STATUSES,
    BatchStatus,
)
from ._version import __version__

__all__ = [
    "ACTIVE_STATUSES",
    "CANCELLED_STATUSES",
    "FAILURE_STATUSES",
    "SUCCESS_STATUSES",
    "TERMINAL_STATUSES",
    "APIConnectionError",
    "APIResponseValidationError",
    "InvalidFieldError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncBatches",
    "AsyncFiles",
    "AsyncTogether",
    "AuthenticationError",
    "BadRequestError",
    "BatchCancelledError",
    "BatchErrorGroup",
    "BatchFailedError",
    "BatchJob",
    "BatchStatus",
    "BatchWarning",
    "Batches",
    "FileObject",
    "Files",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "PollFailure",
    "RateLimitError",
    "Together",
    "TogetherError",
    "WaitTimeoutError",
    "__version__",
]
