from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

from ...types import Response, check_path_id

if TYPE_CHECKING:
    from ...client import AuthenticatedClient, Client

from io import BytesIO

from ...models.nested_error_response import NestedErrorResponse
from ...types import File


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
        "url": "/files/{id}/content".format(
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["headers"] = {"accept": "application/octet-stream, text/plain"}
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> File | NestedErrorResponse:
    if response.status_code == 200:
        response_200 = File(payload=BytesIO(response.content))

        return response_200

    response_default = NestedErrorResponse.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[File | NestedErrorResponse]:
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
) -> Response[File | NestedErrorResponse]:
    """Download a file's bytes

     For a batch's output and error files this is JSON Lines: one `BatchOutputLine` per
    line of an output file, one `BatchErrorLine` per line of an error file, in no
    particular order. The request must not insist on `Accept: application/json`: a
    strict server answers that with 406.

    Args:
        id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[File | NestedErrorResponse]
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
) -> File | NestedErrorResponse | None:
    """Download a file's bytes

     For a batch's output and error files this is JSON Lines: one `BatchOutputLine` per
    line of an output file, one `BatchErrorLine` per line of an error file, in no
    particular order. The request must not insist on `Accept: application/json`: a
    strict server answers that with 406.

    Args:
        id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        File | NestedErrorResponse
    """

    return sync_detailed(
        id=id,
        client=client,
    ).parsed


async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[File | NestedErrorResponse]:
    """Download a file's bytes

     For a batch's output and error files this is JSON Lines: one `BatchOutputLine` per
    line of an output file, one `BatchErrorLine` per line of an error file, in no
    particular order. The request must not insist on `Accept: application/json`: a
    strict server answers that with 406.

    Args:
        id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[File | NestedErrorResponse]
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
) -> File | NestedErrorResponse | None:
    """Download a file's bytes

     For a batch's output and error files this is JSON Lines: one `BatchOutputLine` per
    line of an output file, one `BatchErrorLine` per line of an error file, in no
    particular order. The request must not insist on `Accept: application/json`: a
    strict server answers that with 406.

    Args:
        id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        File | NestedErrorResponse
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
        )
    ).parsed
