"""Contains all the data models used in inputs/outputs"""

from .batch_error_response import BatchErrorResponse
from .batch_job import BatchJob
from .batch_job_status import BatchJobStatus
from .batch_job_with_warning import BatchJobWithWarning
from .create_batch_request import CreateBatchRequest
from .file_object import FileObject
from .nested_error_response import NestedErrorResponse
from .nested_error_response_error import NestedErrorResponseError

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
