from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any, cast

import httpx

from ... import errors
from ...types import Response

if TYPE_CHECKING:
    from ...client import AuthenticatedClient, Client

from ...models.batch_error_response import BatchErrorResponse
from ...models.batch_job import BatchJob


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
        "url": "/batches",
    }

    _kwargs["headers"] = {"accept": "application/json"}
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> BatchErrorResponse | list[BatchJob] | None:
    if response.status_code == 200:

        def _parse_response_200(data: object) -> list[BatchJob] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_batch_job_list_type_0 = []
                _componentsschemas_batch_job_list_type_0 = data
                for (
                    componentsschemas_batch_job_list_type_0_item_data
                ) in _componentsschemas_batch_job_list_type_0:
                    componentsschemas_batch_job_list_type_0_item = BatchJob.from_dict(
                        componentsschemas_batch_job_list_type_0_item_data
                    )

                    componentsschemas_batch_job_list_type_0.append(
                        componentsschemas_batch_job_list_type_0_item
                    )

                return componentsschemas_batch_job_list_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[BatchJob] | None, data)

        response_200 = _parse_response_200(response.json())

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
) -> Response[BatchErrorResponse | list[BatchJob] | None]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
) -> Response[BatchErrorResponse | list[BatchJob] | None]:
    """List the caller's batch jobs

     Every batch job of the authenticated account, in one response: there is no
    pagination. The live API answers `null` rather than `[]` when there are none.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BatchErrorResponse | list[BatchJob] | None]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
) -> BatchErrorResponse | list[BatchJob] | None:
    """List the caller's batch jobs

     Every batch job of the authenticated account, in one response: there is no
    pagination. The live API answers `null` rather than `[]` when there are none.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BatchErrorResponse | list[BatchJob] | None
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
) -> Response[BatchErrorResponse | list[BatchJob] | None]:
    """List the caller's batch jobs

     Every batch job of the authenticated account, in one response: there is no
    pagination. The live API answers `null` rather than `[]` when there are none.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BatchErrorResponse | list[BatchJob] | None]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
) -> BatchErrorResponse | list[BatchJob] | None:
    """List the caller's batch jobs

     Every batch job of the authenticated account, in one response: there is no
    pagination. The live API answers `null` rather than `[]` when there are none.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BatchErrorResponse | list[BatchJob] | None
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
