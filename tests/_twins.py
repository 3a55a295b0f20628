"""Run one behaviour test over both twins: `Together` directly, `AsyncTogether` through a
private event loop, behind the same synchronous face."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

import httpx

from together_batches import AsyncTogether, Together

Handler = Callable[[httpx.Request], httpx.Response]


async def _await(awaitable: Any) -> Any:
    return await awaitable


class SyncedIterator:
    """An async iterator of the async twin, iterated synchronously: one item per run of the
    event loop (so that a test can stop between any two)."""

    def __init__(self, runner: asyncio.Runner, iterator: AsyncIterator[Any]) -> None:
        self._runner, self._iterator = runner, iterator
        self._closed = False

    def __iter__(self) -> SyncedIterator:
        return self

    def __next__(self) -> Any:
        try:
            return self._runner.run(_await(self._iterator.__anext__()))
        except StopAsyncIteration:
            raise StopIteration from None

    def close(self) -> None:
        """`await aclose()` of the async iterator, as a program that stops iterating early
        should (`contextlib.aclosing`): a dropped async generator is otherwise closed only
        at the event loop's next run, and a workload's run holds its manifest until then."""
        aclose = getattr(self._iterator, "aclose", None)
        if aclose is not None and not self._closed:
            self._closed = True
            with contextlib.suppress(RuntimeError):  # the runner is closed already
                self._runner.run(aclose())

    def __del__(self) -> None:
        self.close()

    def drain(self) -> list[Any]:
        """The items left, in one run of the event loop: a run per item costs ~0.1 ms, which
        over 100,000s of items would be most of a test's time."""

        async def rest() -> list[Any]:
            return [item async for item in self._iterator]

        items: list[Any] = self._runner.run(rest())
        return items


def drain(items: Iterable[Any]) -> list[Any]:
    """Every item of what a twin's call returned (`list`, but for the async twin in one run
    of its event loop)."""
    return items.drain() if isinstance(items, SyncedIterator) else list(items)


class Synced:
    """A synchronous view of an object of the async twin: coroutines are run to completion,
    async iterators become iterators, sub-resources (`client.batches`) are wrapped too."""

    def __init__(self, target: Any, runner: asyncio.Runner | None) -> None:
        self._target = target
        self._runner = runner

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if self._runner is None:
            return value
        if callable(value):
            return self._wrap(value)
        if type(value).__module__.startswith(("together_batches._", "together_batches.resources.")):
            return Synced(value, self._runner)
        return value

    def _wrap(self, function: Callable[..., Any]) -> Callable[..., Any]:
        runner = self._runner
        assert runner is not None

        def call(*args: Any, **kwargs: Any) -> Any:
            result = function(*args, **kwargs)
            if inspect.isawaitable(result):
                return runner.run(_await(result))
            if hasattr(result, "__anext__"):
                return SyncedIterator(runner, result)
            return result

        return call


class Twin:
    """Makes clients of one flavour ("sync" or "async") over a transport."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.runner = asyncio.Runner() if kind == "async" else None
        self._clients: list[Any] = []

    @property
    def is_async(self) -> bool:
        return self.runner is not None

    def client(
        self,
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport | Handler | None = None,
        *,
        api_key: str = "sk-test-key",
        base_url: str | None = "https://api.example.test/v1",
        **kwargs: Any,
    ) -> Any:
        """A client (sync face) sending through `transport` (a handler means MockTransport);
        None means a real connection to `base_url`."""
        if callable(transport) and not isinstance(
            transport, httpx.BaseTransport | httpx.AsyncBaseTransport
        ):
            transport = httpx.MockTransport(transport)
        if self.runner is None:
            http = httpx.Client(transport=transport) if transport is not None else None  # type: ignore[arg-type]
            client: Any = Together(api_key, base_url=base_url, http_client=http, **kwargs)
        else:
            ahttp = httpx.AsyncClient(transport=transport) if transport is not None else None  # type: ignore[arg-type]
            client = AsyncTogether(api_key, base_url=base_url, http_client=ahttp, **kwargs)
        self._clients.append(client)
        return Synced(client, self.runner)

    def close(self) -> None:
        for client in self._clients:
            if self.runner is None:
                client.close()
                client._http.close()
            else:
                self.runner.run(client._http.aclose())
        if self.runner is not None:
            self.runner.close()
