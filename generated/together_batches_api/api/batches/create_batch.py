from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import httpx

from ... import errors
from ...types import Response

if TYPE_CHECKING:
    from ...client import AuthenticatedClient, Client

from ...models.batch_error_response import BatchErrorResponse
from ...models.batch_job_with_warning import BatchJobWithWarning
from ...models.create_batch_request import CreateBatchRequest


def build_request(
    *,
    body: CreateBatchRequest,
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
    body: CreateBatchRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/batches",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"
    headers["accept"] = "application/json"
    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> BatchErrorResponse | BatchJobWithWarning | None:
    if response.status_code == 201:
        response_201 = BatchJobWithWarning.from_dict(response.json())

        return response_201

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
) -> Response[BatchErrorResponse | BatchJobWithWarning]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateBatchRequest,
) -> Response[BatchErrorResponse | BatchJobWithWarning]:
    """Start a batch job over an uploaded input file

     Answers 201 with the new job and, sometimes, a human-readable warning (for example
    about the input file). Submitting the same request twice starts two jobs.

    Args:
        body (CreateBatchRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BatchErrorResponse | BatchJobWithWarning]
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
    body: CreateBatchRequest,
) -> BatchErrorResponse | BatchJobWithWarning | None:
    """Start a batch job over an uploaded input file

     Answers 201 with the new job and, sometimes, a human-readable warning (for example
    about the input file). Submitting the same request twice starts two jobs.

    Args:
        body (CreateBatchRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BatchErrorResponse | BatchJobWithWarning
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateBatchRequest,
) -> Response[BatchErrorResponse | BatchJobWithWarning]:
    """Start a batch job over an uploaded input file

     Answers 201 with the new job and, sometimes, a human-readable warning (for example
    about the input file). Submitting the same request twice starts two jobs.

    Args:
        body (CreateBatchRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BatchErrorResponse | BatchJobWithWarning]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: CreateBatchRequest,
) -> BatchErrorResponse | BatchJobWithWarning | None:
    """Start a batch job over an uploaded input file

     Answers 201 with the new job and, sometimes, a human-readable warning (for example
    about the input file). Submitting the same request twice starts two jobs.

    Args:
        body (CreateBatchRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BatchErrorResponse | BatchJobWithWarning
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
