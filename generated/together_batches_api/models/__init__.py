"""Contains all the data models used in inputs/outputs.

Each model is loaded on first use (from spec/templates/): importing one lean model must not
load the attrs-based request bodies.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .batch_error_response import BatchErrorResponse
    from .batch_job import BatchJob
    from .batch_job_status import BatchJobStatus
    from .batch_job_with_warning import BatchJobWithWarning
    from .create_batch_request import CreateBatchRequest
    from .file_object import FileObject
    from .nested_error_response import NestedErrorResponse
    from .nested_error_response_error import NestedErrorResponseError

_MODULES = {
    "BatchErrorResponse": ".batch_error_response",
    "BatchJob": ".batch_job",
    "BatchJobStatus": ".batch_job_status",
    "BatchJobWithWarning": ".batch_job_with_warning",
    "CreateBatchRequest": ".create_batch_request",
    "FileObject": ".file_object",
    "NestedErrorResponse": ".nested_error_response",
    "NestedErrorResponseError": ".nested_error_response_error",
}

__all__ = (
    "BatchErrorResponse",
    "BatchJob",
    "BatchJobStatus",
    "BatchJobWithWarning",
    "CreateBatchRequest",
    "FileObject",
    "NestedErrorResponse",
    "NestedErrorResponseError",
)


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module, __name__), name)
