from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

from ...types import Response, check_path_id

if TYPE_CHECKING:
    from ...client import AuthenticatedClient, Client

from ...models.file_object import FileObject
from ...models.nested_error_response import NestedErrorResponse


def build_request(
    id: str,
) -> dict[str, Any]:
    """The request of this endpoint, as keyword arguments for `httpx.Client.request`.

    The url is relative to the API's base URL. Path parameters are percent-encoded as one
    segment each.

    Raises:
        TypeError: A path parameter is not a str.
        ValueError: A path parameter is empty, `.` or `..`.
    """
    return _get_kwargs(
        id=id,
    )


def _get_kwargs(
    id: str,
) -> dict[str, Any]:

    check_path_id(id, "id")
    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/files/{id}".format(
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["headers"] = {"accept": "application/json"}
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> FileObject | NestedErrorResponse:
    if response.status_code == 200:
        response_200 = FileObject.from_dict(response.json())

        return response_200

    response_default = NestedErrorResponse.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[FileObject | NestedErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[FileObject | NestedErrorResponse]:
    """Read a file's metadata

    Args:
        id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[FileObject | NestedErrorResponse]
    """

    kwargs = _get_kwargs(
        id=id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: str,
    *,
    client: AuthenticatedClient | Client,
) -> FileObject | NestedErrorResponse | None:
    """Read a file's metadata

    Args:
        id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        FileObject | NestedErrorResponse
    """

    return sync_detailed(
        id=id,
        client=client,
    ).parsed


async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[FileObject | NestedErrorResponse]:
    """Read a file's metadata

    Args:
        id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[FileObject | NestedErrorResponse]
    """

    kwargs = _get_kwargs(
        id=id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: str,
    *,
    client: AuthenticatedClient | Client,
) -> FileObject | NestedErrorResponse | None:
    """Read a file's metadata

    Args:
        id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        FileObject | NestedErrorResponse
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
        )
    ).parsed
