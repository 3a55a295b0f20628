"""The file endpoints' calls (list, retrieve, content, delete) as `Call`s: pure, shared by
both twins. The upload's calls are in `upload`.
"""

from __future__ import annotations

from together_batches_api.api.files import delete_file as _delete_file
from together_batches_api.api.files import get_file as _get_file
from together_batches_api.api.files import get_file_content as _get_file_content
from together_batches_api.api.files import list_files as _list_files

from .._file_models import FileDeleted, FileObject, parse_deleted, parse_file, parse_file_list
from .._http.calls import Call
from .._http.ids import check_id

__all__ = ["delete_file", "file_content", "list_files", "retrieve_file"]


def retrieve_file(file_id: str) -> Call[FileObject]:
    """GET /files/{id}."""
    return Call(
        _get_file.build_request(check_id(file_id, name="file_id")),
        idempotent=True,
        parse=parse_file,
    )


def file_content(file_id: str) -> Call[bytes]:
    """GET /files/{id}/content, as bytes. An output file can be large: its timeout bounds each
    phase (connect, each read), so a slow but steady download is not cut."""
    kwargs = _get_file_content.build_request(check_id(file_id, name="file_id"))
    return Call(kwargs, idempotent=True, parse=bytes, raw=True, whole_timeout=False)


def list_files() -> Call[list[FileObject]]:
    """GET /files."""
    return Call(_list_files.build_request(), idempotent=True, parse=parse_file_list)


def delete_file(file_id: str) -> Call[FileDeleted]:
    """DELETE /files/{id}. Deleting twice only answers 404 the second time: retried."""
    request = _delete_file.build_request(check_id(file_id, name="file_id"))
    return Call(request, idempotent=True, parse=parse_deleted)
