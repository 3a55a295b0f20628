"""Contains all the data models used in inputs/outputs.

Each model is loaded on first use (from spec/templates/): importing one lean model must not
load the attrs-based request bodies.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .batch_error_line import BatchErrorLine
    from .batch_error_response import BatchErrorResponse
    from .batch_input_line import BatchInputLine
    from .batch_input_line_body import BatchInputLineBody
    from .batch_job import BatchJob
    from .batch_job_status import BatchJobStatus
    from .batch_job_with_warning import BatchJobWithWarning
    from .batch_output_line import BatchOutputLine
    from .batch_output_response import BatchOutputResponse
    from .batch_request_error import BatchRequestError
    from .batch_result_line import BatchResultLine
    from .create_batch_request import CreateBatchRequest
    from .error_detail import ErrorDetail
    from .file_delete_response import FileDeleteResponse
    from .file_list import FileList
    from .file_object import FileObject
    from .file_processing_status import FileProcessingStatus
    from .file_upload_conflict import FileUploadConflict
    from .file_upload_request import FileUploadRequest
    from .file_validation_report import FileValidationReport
    from .nested_error_response import NestedErrorResponse
    from .problem_details import ProblemDetails

_MODULES = {
    "BatchErrorLine": ".batch_error_line",
    "BatchErrorResponse": ".batch_error_response",
    "BatchInputLine": ".batch_input_line",
    "BatchInputLineBody": ".batch_input_line_body",
    "BatchJob": ".batch_job",
    "BatchJobStatus": ".batch_job_status",
    "BatchJobWithWarning": ".batch_job_with_warning",
    "BatchOutputLine": ".batch_output_line",
    "BatchOutputResponse": ".batch_output_response",
    "BatchRequestError": ".batch_request_error",
    "BatchResultLine": ".batch_result_line",
    "CreateBatchRequest": ".create_batch_request",
    "ErrorDetail": ".error_detail",
    "FileDeleteResponse": ".file_delete_response",
    "FileList": ".file_list",
    "FileObject": ".file_object",
    "FileProcessingStatus": ".file_processing_status",
    "FileUploadConflict": ".file_upload_conflict",
    "FileUploadRequest": ".file_upload_request",
    "FileValidationReport": ".file_validation_report",
    "NestedErrorResponse": ".nested_error_response",
    "ProblemDetails": ".problem_details",
}

__all__ = (
    "BatchErrorLine",
    "BatchErrorResponse",
    "BatchInputLine",
    "BatchInputLineBody",
    "BatchJob",
    "BatchJobStatus",
    "BatchJobWithWarning",
    "BatchOutputLine",
    "BatchOutputResponse",
    "BatchRequestError",
    "BatchResultLine",
    "CreateBatchRequest",
    "ErrorDetail",
    "FileDeleteResponse",
    "FileList",
    "FileObject",
    "FileProcessingStatus",
    "FileUploadConflict",
    "FileUploadRequest",
    "FileValidationReport",
    "NestedErrorResponse",
    "ProblemDetails",
)


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module, __name__), name)
