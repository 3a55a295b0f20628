from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

from ... import errors
from ...types import Response, check_path_id

if TYPE_CHECKING:
    from ...client import AuthenticatedClient, Client

from ...models.batch_error_response import BatchErrorResponse
from ...models.batch_job import BatchJob


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
        "method": "post",
        "url": "/batches/{id}/cancel".format(
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["headers"] = {"accept": "application/json"}
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> BatchErrorResponse | BatchJob | None:
    if response.status_code == 200:
        response_200 = BatchJob.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = BatchErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = BatchErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = BatchErrorResponse.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = BatchErrorResponse.from_dict(response.json())

        return response_404

    if response.status_code == 429:
        response_429 = BatchErrorResponse.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = BatchErrorResponse.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = BatchErrorResponse.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[BatchErrorResponse | BatchJob]:
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
) -> Response[BatchErrorResponse | BatchJob]:
    """Ask for a batch job to be cancelled

     Allowed while the job is VALIDATING or IN_PROGRESS. The answer is the job as it is
    now, normally in status CANCELING; it reaches CANCELLED later. Requests finished
    before the cancel are billed and appear in the output file.

    Args:
        id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BatchErrorResponse | BatchJob]
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
) -> BatchErrorResponse | BatchJob | None:
    """Ask for a batch job to be cancelled

     Allowed while the job is VALIDATING or IN_PROGRESS. The answer is the job as it is
    now, normally in status CANCELING; it reaches CANCELLED later. Requests finished
    before the cancel are billed and appear in the output file.

    Args:
        id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BatchErrorResponse | BatchJob
    """

    return sync_detailed(
        id=id,
        client=client,
    ).parsed


async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[BatchErrorResponse | BatchJob]:
    """Ask for a batch job to be cancelled

     Allowed while the job is VALIDATING or IN_PROGRESS. The answer is the job as it is
    now, normally in status CANCELING; it reaches CANCELLED later. Requests finished
    before the cancel are billed and appear in the output file.

    Args:
        id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BatchErrorResponse | BatchJob]
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
) -> BatchErrorResponse | BatchJob | None:
    """Ask for a batch job to be cancelled

     Allowed while the job is VALIDATING or IN_PROGRESS. The answer is the job as it is
    now, normally in status CANCELING; it reaches CANCELLED later. Requests finished
    before the cancel are billed and appear in the output file.

    Args:
        id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BatchErrorResponse | BatchJob
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
        )
    ).parsed
