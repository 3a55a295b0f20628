from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any, cast

import httpx

from ...types import Response

if TYPE_CHECKING:
    from ...client import AuthenticatedClient, Client

from ...models.file_upload_conflict import FileUploadConflict
from ...models.file_upload_request import FileUploadRequest
from ...models.nested_error_response import NestedErrorResponse


def build_request(
    *,
    body: FileUploadRequest,
) -> dict[str, Any]:
    """The request of this endpoint, as keyword arguments for `httpx.Client.request`.

    The url is relative to the API's base URL. Path parameters are percent-encoded as one
    segment each.

    Raises:
        TypeError: A path parameter is not a str.
        ValueError: A path parameter is empty, `.` or `..`.
    """
    return _get_kwargs(
        body=body,
    )


def _get_kwargs(
    *,
    body: FileUploadRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/files",
    }

    _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | FileUploadConflict | NestedErrorResponse:
    if response.status_code == 302:
        response_302 = cast(Any, None)
        return response_302

    if response.status_code == 409:
        response_409 = FileUploadConflict.from_dict(response.json())

        return response_409

    response_default = NestedErrorResponse.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | FileUploadConflict | NestedErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: FileUploadRequest,
) -> Response[Any | FileUploadConflict | NestedErrorResponse]:
    """Start an upload, learning where to PUT the file's bytes

     The first of the three steps both official SDKs upload with (the service's own
    way; spec/README.md says why it is not upstream's `/files/upload`):

    1. this form, sent **without following redirects**, answers 302 with a presigned
       storage URL in `Location` and the new file's id in `X-Together-File-Id`;
    2. `PUT <Location>` with the raw bytes and a `Content-Length`, and **no
       Authorization header** (the URL is presigned, on another host), expecting 200;
    3. `POST /files/{id}/preprocess` answers the file's metadata.

    When `checksum` names content the account uploaded before, the answer is 409 with
    that file's id instead, and there is nothing to upload.

    Args:
        body (FileUploadRequest): The form that starts an upload.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | FileUploadConflict | NestedErrorResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: FileUploadRequest,
) -> Any | FileUploadConflict | NestedErrorResponse | None:
    """Start an upload, learning where to PUT the file's bytes

     The first of the three steps both official SDKs upload with (the service's own
    way; spec/README.md says why it is not upstream's `/files/upload`):

    1. this form, sent **without following redirects**, answers 302 with a presigned
       storage URL in `Location` and the new file's id in `X-Together-File-Id`;
    2. `PUT <Location>` with the raw bytes and a `Content-Length`, and **no
       Authorization header** (the URL is presigned, on another host), expecting 200;
    3. `POST /files/{id}/preprocess` answers the file's metadata.

    When `checksum` names content the account uploaded before, the answer is 409 with
    that file's id instead, and there is nothing to upload.

    Args:
        body (FileUploadRequest): The form that starts an upload.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | FileUploadConflict | NestedErrorResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: FileUploadRequest,
) -> Response[Any | FileUploadConflict | NestedErrorResponse]:
    """Start an upload, learning where to PUT the file's bytes

     The first of the three steps both official SDKs upload with (the service's own
    way; spec/README.md says why it is not upstream's `/files/upload`):

    1. this form, sent **without following redirects**, answers 302 with a presigned
       storage URL in `Location` and the new file's id in `X-Together-File-Id`;
    2. `PUT <Location>` with the raw bytes and a `Content-Length`, and **no
       Authorization header** (the URL is presigned, on another host), expecting 200;
    3. `POST /files/{id}/preprocess` answers the file's metadata.

    When `checksum` names content the account uploaded before, the answer is 409 with
    that file's id instead, and there is nothing to upload.

    Args:
        body (FileUploadRequest): The form that starts an upload.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | FileUploadConflict | NestedErrorResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: FileUploadRequest,
) -> Any | FileUploadConflict | NestedErrorResponse | None:
    """Start an upload, learning where to PUT the file's bytes

     The first of the three steps both official SDKs upload with (the service's own
    way; spec/README.md says why it is not upstream's `/files/upload`):

    1. this form, sent **without following redirects**, answers 302 with a presigned
       storage URL in `Location` and the new file's id in `X-Together-File-Id`;
    2. `PUT <Location>` with the raw bytes and a `Content-Length`, and **no
       Authorization header** (the URL is presigned, on another host), expecting 200;
    3. `POST /files/{id}/preprocess` answers the file's metadata.

    When `checksum` names content the account uploaded before, the answer is 409 with
    that file's id instead, and there is nothing to upload.

    Args:
        body (FileUploadRequest): The form that starts an upload.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | FileUploadConflict | NestedErrorResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
