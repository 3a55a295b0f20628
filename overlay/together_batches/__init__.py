"""together-batches: a client for Together AI's Batch API.

from together_batches import Together

client = Together()  # TOGETHER_API_KEY from the environment
job = client.batches.get_batch("batch-abc123")
print(job.status, f"{job.progress:.1%}")
"""

import importlib as _importlib
import typing as _typing

from ._batches import Batches
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
from ._models import BatchJob, BatchWarning
from ._status import (
    ACTIVE_STATUSES,
    CANCELLED_STATUSES,
    FAILURE_STATUSES,
    SUCCESS_STATUSES,
    TERMINAL_STATUSES,
    BatchStatus,
)
from ._version import __version__

if _typing.TYPE_CHECKING:
    from ._batch_workflow import DownloadedFiles
    from ._input_checks import InputProblem
    from ._inputs import (
        MAX_CUSTOM_ID_LENGTH,
        MAX_FILE_BYTES,
        MAX_REQUESTS,
        InputFileInfo,
        check_input_file,
        write_input_file,
    )
    from ._results import BatchResult, ResultsUnavailableError, failed_custom_ids, iter_results
    from ._workload_progress import WorkloadProgress

# The batch workflow's names (input files, results, downloads, a workload's progress) load
# on first use: a program that only creates and waits does not pay their imports (tempfile,
# hashing, the line models) at `import together_batches`. `from together_batches import X`
# works the same.
_ON_FIRST_USE = {
    "DownloadedFiles": "_batch_workflow", "InputProblem": "_input_checks",
    "MAX_CUSTOM_ID_LENGTH": "_inputs", "MAX_FILE_BYTES": "_inputs", "MAX_REQUESTS": "_inputs",
    "InputFileInfo": "_inputs", "check_input_file": "_inputs", "write_input_file": "_inputs",
    "BatchResult": "_results", "ResultsUnavailableError": "_results",
    "failed_custom_ids": "_results", "iter_results": "_results",
    "WorkloadProgress": "_workload_progress",
}  # fmt: skip


def __getattr__(name: str) -> _typing.Any:
    module = _ON_FIRST_USE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # once loaded, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


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
    "WorkloadProgress",
    "__version__",
    "check_input_file",
    "failed_custom_ids",
    "iter_results",
    "write_input_file",
]
