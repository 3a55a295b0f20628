"""Deadlines that hold against a hostile server, in both twins, on real time.

The server (tests/_loopback.py) answers at once but sends its body one byte every
`INTERVAL` seconds, so that every read succeeds and httpx's per-read timeouts never fire;
only a deadline for the whole request can end the call. The body takes `TRICKLE_SECONDS` to
arrive in full, far longer than the timeouts here: a call that reads it to its end is easy
to tell from one that keeps its deadline, however loaded the machine.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from together_batches import APITimeoutError, WaitTimeoutError
from together_batches._wait import options as _wait_options

from ._loopback import Seen, Trickle, loopback
from ._twins import Twin

INTERVAL = 0.2
# An IN_PROGRESS job, padded with a field the spec does not know to ~100 bytes: 20 s a body.
BODY = json.dumps({"id": "b1", "status": "IN_PROGRESS", "progress": 5, "note": "x" * 40}).encode()
TRICKLE_SECONDS = len(BODY) * INTERVAL
TIMEOUT = 1.0
# Generous for a loaded 2-core machine, and far below the trickle: the deadline held.
BOUND = 4.0
#: How long the server may take to notice that the client hung up (a write or two).
HANG_UP_SETTLE = 5.0


class Hostile:
    """Trickles every answer (GETs and cancels); keeps the trickles to check them after."""

    def __init__(self) -> None:
        self.trickles: list[tuple[str, Trickle]] = []

    def __call__(self, seen: Seen) -> tuple[int, dict[str, str], Trickle]:
        trickle = Trickle(BODY, INTERVAL)
        self.trickles.append((seen.method, trickle))
        return 200, {"Content-Type": "application/json"}, trickle

    def assert_all_hung_up(self) -> None:
        """Every trickle was cut short by the client, not read to its end."""
        assert self.trickles
        for _, trickle in self.trickles:
            assert trickle.stopped.wait(HANG_UP_SETTLE)
            assert trickle.sent < len(BODY) // 2, trickle.sent


@pytest.fixture
def hostile() -> Iterator[tuple[str, Hostile]]:
    server = Hostile()
    with loopback(server) as (base_url, _):
        yield base_url, server


def test_the_trickle_outlasts_every_bound() -> None:
    assert TRICKLE_SECONDS > 4 * BOUND


def test_a_trickled_answer_cannot_stretch_a_plain_call(
    twin: Twin, hostile: tuple[str, Hostile]
) -> None:
    base_url, server = hostile
    client = twin.client(None, base_url=base_url, max_retries=0)
    started = time.monotonic()
    with pytest.raises(APITimeoutError) as caught:
        client.batches.get_batch("b1", timeout=TIMEOUT)
    elapsed = time.monotonic() - started
    client.close()
    assert elapsed < BOUND, elapsed
    assert "timeout=" in str(caught.value)  # says what to do
    server.assert_all_hung_up()


def test_a_trickled_answer_cannot_stretch_a_wait(twin: Twin, hostile: tuple[str, Hostile]) -> None:
    base_url, server = hostile
    client = twin.client(None, base_url=base_url)
    started = time.monotonic()
    with pytest.raises(WaitTimeoutError) as caught:
        client.batches.wait_until_done("b1", timeout=TIMEOUT, poll_interval=0.05)
    elapsed = time.monotonic() - started
    client.close()
    assert elapsed < BOUND, elapsed
    assert caught.value.polls == 1  # the poll in flight at the deadline counts, as failed
    assert "1 failed" in str(caught.value)
    server.assert_all_hung_up()


def test_the_cancel_on_timeout_is_cut_too(
    twin: Twin, hostile: tuple[str, Hostile], monkeypatch: pytest.MonkeyPatch
) -> None:
    base_url, server = hostile
    monkeypatch.setattr(_wait_options, "CANCEL_TIMEOUT", TIMEOUT)
    client = twin.client(None, base_url=base_url)
    started = time.monotonic()
    with pytest.raises(WaitTimeoutError):
        client.batches.wait_until_done(
            "b1", timeout=TIMEOUT, poll_interval=0.05, cancel_on_timeout=True
        )
    elapsed = time.monotonic() - started
    client.close()
    assert elapsed < BOUND + TIMEOUT, elapsed
    assert [method for method, _ in server.trickles] == ["GET", "POST"]  # the cancel was sent
    server.assert_all_hung_up()


def test_many_waits_share_the_deadline(twin: Twin, hostile: tuple[str, Hostile]) -> None:
    base_url, server = hostile
    client = twin.client(None, base_url=base_url)
    started = time.monotonic()
    with pytest.raises(WaitTimeoutError) as caught:
        client.batches.wait_all(["a", "b", "c"], timeout=TIMEOUT, max_concurrency=2)
    elapsed = time.monotonic() - started
    client.close()
    assert elapsed < BOUND, elapsed
    assert sorted(caught.value.pending) == ["a", "b", "c"]
    server.assert_all_hung_up()


def test_a_download_is_bounded_per_read_not_as_a_whole(twin: Twin) -> None:
    # A file's content may rightly take longer than the timeout to arrive, if it keeps coming.
    content = b"0123456789"

    def slow_file(seen: Seen) -> tuple[int, dict[str, str], Trickle]:
        return 200, {"Content-Type": "application/octet-stream"}, Trickle(content, 0.1)

    with loopback(slow_file) as (base_url, _):
        client = twin.client(None, base_url=base_url, max_retries=0)
        assert client.files.content("file-1", timeout=0.5) == content
        client.close()


class HeaderTrickler:
    """A raw server that starts an answer and then sends its headers a byte at a time: the
    one trickle the sync send primitive cannot cut (httpcore reads headers in one loop)."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.connections: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/v1"

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:  # closed
                return
            self.connections.append(connection)
            threading.Thread(target=self._trickle, args=(connection,), daemon=True).start()

    def _trickle(self, connection: socket.socket) -> None:
        try:
            while b"\r\n\r\n" not in connection.recv(65536):
                pass
            connection.sendall(b"HTTP/1.1 200 OK\r\n")
            for byte in b"X-Slow: " + b"a" * 200:
                connection.sendall(bytes([byte]))
                time.sleep(INTERVAL)
        except OSError:
            pass

    def close(self) -> None:
        self.listener.close()
        for connection in self.connections:
            connection.close()


def test_trickled_headers_cannot_stretch_a_wait(twin: Twin) -> None:
    server = HeaderTrickler()
    client = twin.client(None, base_url=server.base_url)
    try:
        started = time.monotonic()
        with pytest.raises(WaitTimeoutError) as caught:
            client.batches.wait_until_done("b1", timeout=TIMEOUT)
        elapsed = time.monotonic() - started
        assert elapsed < BOUND, elapsed
        assert caught.value.polls == 1
    finally:
        server.close()  # also ends the sync twin's poll thread, still reading headers
        client.close()
