"""together-batches: a client for Together AI's Batch API.

from together_batches import Together

client = Together()  # TOGETHER_API_KEY from the environment
job = client.batches.get_batch("batch-abc123")
print(job.status, f"{job.progress:.1%}")
"""

import importlib as _importlib
import typing as _typing

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
    BatchNotCreatedError,
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
from ._file_models import FileDeleted, FileObject
from ._jsonl.limits import MAX_CUSTOM_ID_LENGTH, MAX_FILE_BYTES, MAX_REQUESTS
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
from ._wait.callbacks import PollFailure
from .resources.batches import Batches
from .resources.files import Files

if _typing.TYPE_CHECKING:
    from ._jsonl.checks import InputProblem
    from ._jsonl.inputs import (
        InputFileInfo,
        check_input_file,
        write_input_file,
    )
    from ._jsonl.results import (
        BatchResult,
        ResultsIncompleteError,
        ResultsUnavailableError,
        failed_custom_ids,
        iter_results,
    )
    from ._jsonl.summary import ResultsSummary, summarize
    from ._workload.progress import WorkloadProgress
    from .resources.batches_async import AsyncBatches
    from .resources.files_async import AsyncFiles
    from .resources.workflow import DownloadedFiles

# The async twins' and the batch workflow's names (input files, results, downloads, a
# workload's progress) load on first use: a program that only creates and waits does not pay
# their imports (asyncio, the line models) at `import together_batches`; each folder's
# `__init__` says the same of its modules. `from together_batches import X` works the same.
_ON_FIRST_USE = {
    "AsyncBatches": "resources.batches_async",
    "AsyncFiles": "resources.files_async",
    "DownloadedFiles": "resources.workflow",
    "InputProblem": "_jsonl.checks",
    "InputFileInfo": "_jsonl.inputs",
    "check_input_file": "_jsonl.inputs",
    "write_input_file": "_jsonl.inputs",
    "BatchResult": "_jsonl.results",
    "ResultsIncompleteError": "_jsonl.results",
    "ResultsUnavailableError": "_jsonl.results",
    "ResultsSummary": "_jsonl.summary",
    "summarize": "_jsonl.summary",
    "failed_custom_ids": "_jsonl.results",
    "iter_results": "_jsonl.results",
    "WorkloadProgress": "_workload.progress",
}


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
    "BatchNotCreatedError",
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
    "ResultsIncompleteError",
    "ResultsSummary",
    "ResultsUnavailableError",
    "Together",
    "TogetherError",
    "WaitTimeoutError",
    "WorkloadProgress",
    "__version__",
    "check_input_file",
    "failed_custom_ids",
    "iter_results",
    "summarize",
    "write_input_file",
]
