"""The session-wide watch for the API key in logs (tests/conftest.py) is live and can fail.

conftest's `secrets_watch` captures every record of `together_batches`, `httpx` and
`httpcore` at DEBUG for the whole run and, at its end, fails the session if any API key a
client resolved appears in them. These tests show it is not vacuous: records made during a
test reach it, keys are recorded, and a logged secret would be found by the very check the
session ends with.
"""

from __future__ import annotations

import logging

import httpx
import pytest

from together_batches import AsyncTogether, Together
from together_batches.testing import Emulator

from ._twins import Twin
from .conftest import (
    SECRET_LOGGERS,
    FakeTime,
    LogCapture,
    SecretsWatch,
    assert_no_leaks,
    find_secrets,
    holds_no_watched_key,
    package_string_constants,
)

KEY = "sk-secrets-suite-key-0123456789"
FAKE_SECRET = "sk-deliberately-logged-fake-secret-42"  # never a client's key


def test_the_capture_is_live_and_the_key_recorded(
    twin: Twin, fake_time: FakeTime, secrets_watch: SecretsWatch
) -> None:
    start = len(secrets_watch.capture.texts)
    answers = iter([503, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        status = next(answers)
        body = {"id": "b1", "status": "IN_PROGRESS"} if status == 200 else {"error": "busy"}
        return httpx.Response(status, json=body, headers={"retry-after": "0"})

    client = twin.client(handler, api_key=KEY)
    assert client.batches.get_batch("b1").id == "b1"
    assert KEY in secrets_watch.keys  # resolved through the patched resolve_api_key
    new = secrets_watch.capture.texts[start:]
    assert any(t.startswith("together_batches DEBUG retrying GET") for t in new), new
    assert any(t.startswith("httpx INFO HTTP Request: GET") for t in new), new
    assert find_secrets(new, [KEY]) == []


def test_keys_from_the_environment_are_recorded_too(
    monkeypatch: pytest.MonkeyPatch, secrets_watch: SecretsWatch
) -> None:
    monkeypatch.setenv("TOGETHER_API_KEY", "sk-from-the-environment-77")
    Together(base_url="http://127.0.0.1:9/v1").close()
    assert "sk-from-the-environment-77" in secrets_watch.keys
    AsyncTogether("sk-async-argument-key-88")  # nothing to close: no request was made
    assert "sk-async-argument-key-88" in secrets_watch.keys
    # The emulator's default key is a public constant, not watched (and refused, below).
    assert Emulator().api_key not in secrets_watch.keys


def test_a_logged_secret_reaches_the_buffer_and_is_found(secrets_watch: SecretsWatch) -> None:
    """Logged through the client's logger (a child of it), the fake secret lands in the very
    buffer the session checks, and the session's checker finds it there. It is not added to
    the session's keys, so the session itself still passes."""
    start = len(secrets_watch.capture.texts)
    logging.getLogger("together_batches.probe").debug("Authorization: Bearer %s", FAKE_SECRET)
    new = secrets_watch.capture.texts[start:]
    assert find_secrets(new, [FAKE_SECRET]) == [(FAKE_SECRET, new[0])]
    assert FAKE_SECRET not in secrets_watch.keys


def test_the_checker_sees_tracebacks_and_ignores_short_keys() -> None:
    capture = LogCapture()
    logger = logging.getLogger("tests.secrets_probe")
    logger.addHandler(capture)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False  # kept out of pytest's handlers
    try:
        logger.debug("nothing to see")
        try:
            raise RuntimeError(f"refused {FAKE_SECRET}")
        except RuntimeError:
            logger.debug("a request failed", exc_info=True)  # the key only in the traceback
    finally:
        logger.removeHandler(capture)
        logger.propagate = True
        logger.setLevel(logging.NOTSET)
    first, second = capture.texts
    assert "Traceback" in second and "RuntimeError: refused" in second
    assert find_secrets(capture.texts, [FAKE_SECRET]) == [(FAKE_SECRET, second)]
    assert find_secrets(capture.texts, ["see", "thing"]) == []  # < 6 chars: not searched
    assert find_secrets(capture.texts, ["nothing"]) == [("nothing", first)]
    assert find_secrets(capture.texts, ["sk-not-there-at-all"]) == []


def test_the_session_check_fails_on_a_leak_and_masks_the_key() -> None:
    watch = SecretsWatch()  # a separate one: not armed on the real loggers
    watch.keys.add(FAKE_SECRET)
    record = logging.LogRecord("httpx", logging.DEBUG, __file__, 1, "sent %s", (FAKE_SECRET,), None)
    watch.capture.handle(record)
    with pytest.raises(AssertionError, match="an API key was logged in 1 record") as caught:
        assert_no_leaks(watch)
    assert "httpx DEBUG sent <THE KEY>" in str(caught.value)
    assert FAKE_SECRET not in str(caught.value)
    watch.keys.discard(FAKE_SECRET)
    assert_no_leaks(watch)  # the same records, no key watched: passes


def test_arming_undoes_what_a_test_did_to_the_loggers(secrets_watch: SecretsWatch) -> None:
    logger = logging.getLogger("together_batches")
    logger.setLevel(logging.ERROR)
    logger.removeHandler(secrets_watch.capture)
    secrets_watch.arm()  # what the autouse fixture does before every test
    for name in SECRET_LOGGERS:
        assert logging.getLogger(name).level == logging.DEBUG
        assert secrets_watch.capture in logging.getLogger(name).handlers


def test_caplog_still_works_next_to_the_watch(
    caplog: pytest.LogCaptureFixture, secrets_watch: SecretsWatch
) -> None:
    start = len(secrets_watch.capture.texts)
    with caplog.at_level(logging.WARNING, logger="together_batches"):
        logging.getLogger("together_batches").debug("quiet while caplog raised the level")
        logging.getLogger("together_batches").warning("heard by both")
    assert [r.getMessage() for r in caplog.records] == ["heard by both"]
    assert secrets_watch.capture.texts[start:] == ["together_batches WARNING heard by both"]
    assert logging.getLogger("together_batches").level == logging.DEBUG  # restored


# --- the watch and the property tests cannot meet by chance -------------------------------


def test_no_watched_key_is_part_of_a_string_constant_of_the_package(
    secrets_watch: SecretsWatch,
) -> None:
    """Hypothesis draws text from these constants: a watched key among them could be drawn
    as an id, logged in a URL, and fail the session about once in ten runs."""
    constants = package_string_constants()
    assert {"test-key", "/batches", "Authorization"} <= constants  # the scan sees the source
    Together(KEY).close()  # at least one key is watched here
    drawable = {k for k in secrets_watch.keys if len(k) >= 6 and any(k in c for c in constants)}
    assert drawable == set()


@pytest.mark.parametrize("key", ["test-key", "application/json"])
def test_a_client_key_from_the_package_source_is_refused_at_once(
    secrets_watch: SecretsWatch, key: str
) -> None:
    with pytest.raises(AssertionError, match="string constant"):
        Together(key)
    assert key not in secrets_watch.keys


def test_the_id_strategies_skip_every_watched_key(secrets_watch: SecretsWatch) -> None:
    Together(KEY).close()
    assert KEY in secrets_watch.keys
    assert not holds_no_watched_key(KEY)
    assert not holds_no_watched_key(f"batch/{KEY}/x")
    assert holds_no_watched_key("batch-abc123")
    assert holds_no_watched_key("test-key")  # not watched: no client may use it
