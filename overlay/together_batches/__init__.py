"""together-batches: a client for Together AI's Batch API.

from together_batches import Together

client = Together()  # TOGETHER_API_KEY from the environment
job = client.batches.get_batch("batch-abc123")
print(job.status, f"{job.progress:.1%}")
"""

from ._batch_workflow import DownloadedFiles
from ._batches import Batches, BatchWarning
from ._batches_async import AsyncBatches
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
    InputFileError,
    InternalServerError,
    InvalidFieldError,
    ManifestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    TogetherError,
    WaitTimeoutError,
)
from ._files import FileDeleted, FileObject
from ._files_resource import AsyncFiles, Files
from ._input_checks import InputProblem
from ._inputs import (
    MAX_CUSTOM_ID_LENGTH,
    MAX_FILE_BYTES,
    MAX_REQUESTS,
    InputFileInfo,
    check_input_file,
    write_input_file,
)
from ._models import BatchJob
from ._results import BatchResult, ResultsUnavailableError, failed_custom_ids, iter_results
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
    "MAX_CUSTOM_ID_LENGTH",
    "MAX_FILE_BYTES",
    "MAX_REQUESTS",
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
    "BatchResult",
    "BatchStatus",
    "BatchWarning",
    "Batches",
    "DownloadedFiles",
    "FileDeleted",
    "FileObject",
    "Files",
    "InputFileError",
    "InputFileInfo",
    "InputProblem",
    "InternalServerError",
    "ManifestError",
    "NotFoundError",
    "PermissionDeniedError",
    "PollFailure",
    "RateLimitError",
    "ResultsUnavailableError",
    "Together",
    "TogetherError",
    "WaitTimeoutError",
    "__version__",
    "check_input_file",
    "failed_custom_ids",
    "iter_results",
    "write_input_file",
]
