"""The emulator's files endpoints, and the presigned storage URL uploads PUT to.

An upload goes the way both official SDKs take it on the live service:

1. `POST /v1/files` (a form: `purpose`, `file_name`, `file_type`, `checksum`) answers 302
   with `Location`, a presigned URL on the emulator itself (`/_storage/{file_id}?...`), and
   `X-Together-File-Id`; or 409 with the existing `file_id` when `checksum` names content
   uploaded before.
2. `PUT <Location>` stores the bytes. Like a storage service, it refuses a request that
   carries an `Authorization` header (the URL is its own credential), one without a
   `Content-Length`, and content whose SHA-256 is not the declared `checksum`.
3. `POST /v1/files/{id}/preprocess` marks the file processed and answers its metadata.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qsl, quote

import attrs

from together_batches_api.models.file_delete_response import FileDeleteResponse
from together_batches_api.models.file_list import FileList
from together_batches_api.models.file_upload_conflict import FileUploadConflict
from together_batches_api.models.file_upload_request import FileUploadRequest

from ._files import FILE_TYPES, UPLOAD_PURPOSES, Upload, file_type_of, sha256_hex
from ._http import Response, error_detail, error_response, json_response, problem_response
from ._http import storage_error as _storage_error
from ._store import Store

#: The query parameter of a presigned URL that carries its signature.
SIGNATURE_PARAM = "X-Amz-Signature"
_HEX = frozenset("0123456789abcdef")


def parse_form(content_type: str, body: bytes, raw_path: str) -> dict[str, str]:
    """Read the fields of an upload form: urlencoded, multipart, or in the query string.

    Args:
        content_type: The request's Content-Type.
        body: The request body.
        raw_path: The request target (the 1.x SDK has sent the fields as query parameters).

    Returns:
        The text fields by name; file parts are ignored.
    """
    fields = dict(parse_qsl(raw_path.partition("?")[2], keep_blank_values=True))
    media = content_type.split(";", maxsplit=1)[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        fields.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    elif media == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
        message = BytesParser(policy=HTTP).parsebytes(head + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and part.get_filename() is None and isinstance(payload, bytes):
                fields[name] = payload.decode("utf-8", "replace")
    return fields


def _form_problem(form: FileUploadRequest) -> str | None:
    if form.purpose not in UPLOAD_PURPOSES:
        return f"purpose must be one of {', '.join(sorted(UPLOAD_PURPOSES))}"
    if not form.file_name or "/" in form.file_name:
        return "file_name must be a non-empty name without '/'"
    if isinstance(form.file_type, str) and form.file_type not in FILE_TYPES:
        return f"file_type must be one of {', '.join(FILE_TYPES)}"
    checksum = form.checksum
    if isinstance(checksum, str) and (len(checksum) != 64 or not set(checksum) <= _HEX):
        return "checksum must be the SHA-256 of the content, as 64 lower-case hex digits"
    return None


def _accepts_only_json(accept: str | None) -> bool:
    """Whether an Accept header rules out everything but JSON (a file's bytes included)."""
    if not accept:
        return False
    media = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    return all(m == "application/json" or m.endswith("+json") for m in media if m)


@attrs.define(eq=False)
class FileRoutes:
    """Answers the files endpoints and the storage PUT; callers hold the emulator's lock.

    Args:
        store: The emulator's jobs and files.
        storage_url: The origin presigned URLs point to, or None for the request's own.
    """

    store: Store
    storage_url: str | None = None

    def list(self, now: datetime) -> Response:
        """`GET /v1/files`: every file, oldest first."""
        records = self.store.list_files(now)
        return json_response(200, FileList(data=[r.wire() for r in records]).to_dict())

    def get(self, file_id: str, now: datetime) -> Response:
        """`GET /v1/files/{id}`: a file's metadata."""
        record = self.store.file(file_id, now)
        return _not_found(file_id) if record is None else json_response(200, record.metadata())

    def content(self, file_id: str, now: datetime, accept: str | None) -> Response:
        """`GET /v1/files/{id}/content`: a file's bytes; 406 to a request accepting only JSON.

        Args:
            file_id: The file id.
            now: The current instant.
            accept: The request's Accept header.
        """
        record = self.store.file(file_id, now)
        if record is None:
            return _not_found(file_id)
        if _accepts_only_json(accept):
            # As a strict server does: a file's content is never JSON.
            detail = f"file content is application/octet-stream, not {accept}"
            instance = f"/v1/files/{quote(file_id, safe='')}/content"
            return problem_response(406, "Not Acceptable", detail, instance)
        return Response(200, (("content-type", "application/octet-stream"),), record.content)

    def delete(self, file_id: str, now: datetime) -> Response:
        """`DELETE /v1/files/{id}`."""
        if not self.store.delete_file(file_id, now):
            return _not_found(file_id)
        return json_response(200, FileDeleteResponse(id=file_id, deleted=True).to_dict())

    def initiate(self, fields: Mapping[str, str], now: datetime, origin: str) -> Response:
        """`POST /v1/files`: 302 to a presigned URL, or 409 for content uploaded before.

        Args:
            fields: The form's fields (see `parse_form`).
            now: The current instant.
            origin: `scheme://host` the request reached, for the presigned URL.
        """
        try:
            form = FileUploadRequest.from_dict(fields)
        except KeyError as missing:
            return error_response(400, f"{missing.args[0]} is required", nested=True)
        problem = _form_problem(form)
        if problem is not None:
            return error_response(400, problem, nested=True)
        checksum = form.checksum if isinstance(form.checksum, str) else None
        existing = None if checksum is None else self.store.by_checksum(checksum)
        if existing is not None:
            message = f"File with checksum {checksum} already exists as {existing.id}"
            conflict = FileUploadConflict(
                file_id=existing.id, error=error_detail(409, message, "file_already_exists")
            )
            return json_response(409, conflict.to_dict())
        file_type = form.file_type if isinstance(form.file_type, str) else None
        upload = Upload(
            file_id=f"file-{self.store.new_uuid()}",
            signature=self.store.new_token(),
            filename=form.file_name,
            purpose=form.purpose,
            file_type=file_type or file_type_of(form.file_name),
            checksum=checksum,
            created_at=now,
        )
        self.store.uploads[upload.file_id] = upload
        location = (
            f"{self.storage_url or origin}/_storage/{quote(upload.file_id, safe='')}"
            f"?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600&{SIGNATURE_PARAM}={upload.signature}"
        )
        headers = (("location", location), ("x-together-file-id", upload.file_id))
        return Response(302, headers, b"")

    def put(self, file_id: str, raw_path: str, headers: Mapping[str, str], body: bytes) -> Response:
        """`PUT /_storage/{file_id}?...`: store an upload's bytes, as a storage service would.

        Args:
            file_id: The file id in the path.
            raw_path: The request target, with the signature in its query.
            headers: The request headers, names lower-cased.
            body: The bytes.
        """
        upload = self.store.uploads.get(file_id)
        query = dict(parse_qsl(raw_path.partition("?")[2]))
        signature = query.get(SIGNATURE_PARAM, "")
        if upload is None or not hmac.compare_digest(signature, upload.signature):
            return _storage_error(403, "SignatureDoesNotMatch", "The request signature is invalid.")
        if "authorization" in headers:
            return _storage_error(
                400,
                "InvalidArgument",
                "Only one auth mechanism allowed: the presigned URL's signature or the "
                "Authorization header, not both.",
            )
        if "content-length" not in headers:
            return _storage_error(411, "MissingContentLength", "Send a Content-Length header.")
        if upload.checksum is not None and sha256_hex(body) != upload.checksum:
            return _storage_error(
                400, "BadDigest", "The SHA-256 of the content is not the declared checksum."
            )
        self.store.add_input_file(
            body,
            upload.filename,
            upload.created_at,
            file_id=upload.file_id,
            purpose=upload.purpose,
            file_type=upload.file_type,
            processed=False,
        )
        etag = hashlib.md5(body, usedforsecurity=False).hexdigest()
        return Response(200, (("etag", f'"{etag}"'),), b"")

    def preprocess(self, file_id: str, now: datetime) -> Response:
        """`POST /v1/files/{id}/preprocess`: finish an upload whose bytes are stored."""
        record = self.store.file(file_id, now)
        if record is None and file_id in self.store.uploads:
            message = f"File {file_id} has no content yet: PUT it to its upload URL first"
            return error_response(400, message, nested=True)
        if record is None:
            return _not_found(file_id)
        if not record.processed:
            record = attrs.evolve(record, processed=True)
            self.store.files[file_id] = record
        return json_response(200, record.metadata())


def _not_found(file_id: str) -> Response:
    return error_response(404, f"File {file_id} not found", nested=True)
