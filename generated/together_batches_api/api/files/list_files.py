from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import httpx

from ...types import Response

if TYPE_CHECKING:
    from ...client import AuthenticatedClient, Client

from ...models.file_list import FileList
from ...models.nested_error_response import NestedErrorResponse


def build_request() -> dict[str, Any]:
    """The request of this endpoint, as keyword arguments for `httpx.Client.request`.

    The url is relative to the API's base URL. Path parameters are percent-encoded as one
    segment each.

    Raises:
        TypeError: A path parameter is not a str.
        ValueError: A path parameter is empty, `.` or `..`.
    """
    return _get_kwargs()


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/files",
    }

    _kwargs["headers"] = {"accept": "application/json"}
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> FileList | NestedErrorResponse:
    if response.status_code == 200:
        response_200 = FileList.from_dict(response.json())

        return response_200

    response_default = NestedErrorResponse.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[FileList | NestedErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
) -> Response[FileList | NestedErrorResponse]:
    """List the caller's files

     Every file of the account in one response (there is no pagination): uploaded input
    files, and the output and error files batches produced (purpose `batch-generated`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[FileList | NestedErrorResponse]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
) -> FileList | NestedErrorResponse | None:
    """List the caller's files

     Every file of the account in one response (there is no pagination): uploaded input
    files, and the output and error files batches produced (purpose `batch-generated`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        FileList | NestedErrorResponse
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
) -> Response[FileList | NestedErrorResponse]:
    """List the caller's files

     Every file of the account in one response (there is no pagination): uploaded input
    files, and the output and error files batches produced (purpose `batch-generated`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[FileList | NestedErrorResponse]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
) -> FileList | NestedErrorResponse | None:
    """List the caller's files

     Every file of the account in one response (there is no pagination): uploaded input
    files, and the output and error files batches produced (purpose `batch-generated`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        FileList | NestedErrorResponse
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
