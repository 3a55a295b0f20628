"""Shared fixtures: both twins, and a fake clock that makes waits take no real time."""

from __future__ import annotations

import ast
import asyncio
import datetime as dt
import functools
import logging
import signal
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

import together_batches
import together_batches_api
from together_batches import _client, _clock, _status

from ._twins import Twin

# Property tests draw the same examples on every run and remember none between runs: a test
# that can fail by chance, or only after an earlier run failed, is a flaky test. A property
# that fails fails every time; a case it found belongs in a table test.
settings.register_profile("deterministic", derandomize=True, database=None)
settings.load_profile("deterministic")

# A test run that a non-interactive shell started in the background ignores SIGINT, and its
# children inherit that: the CLI tests that press Ctrl-C would wait on a child that cannot
# hear it. Python's own handler is reset to the default at exec, so the children hear it.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(params=["sync", "async"])
def twin(request: pytest.FixtureRequest) -> Iterator[Twin]:
    """Runs the test once with `Together` and once with `AsyncTogether`."""
    made = Twin(request.param)
    yield made
    made.close()


class FakeTime:
    """Replaces `together_batches._clock`: sleeping advances the clock at once.

    Attributes:
        sleeps: Every delay slept, in order.
        wall: The current wall-clock time (timezone-aware).
        listeners: Called with the seconds slept, e.g. to advance an emulator's clock too.
    """

    def __init__(self, start: dt.datetime) -> None:
        self.wall = start
        self.mono = 1000.0
        self.sleeps: list[float] = []
        self.listeners: list[object] = []

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.wall += dt.timedelta(seconds=seconds)
        for listener in self.listeners:
            listener(seconds)  # type: ignore[operator]

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(max(0.0, seconds))

    async def async_sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(max(0.0, seconds))
        await asyncio.sleep(0)  # still a real suspension point, so cancellation can land

    def monotonic(self) -> float:
        return self.mono

    def now(self) -> dt.datetime:
        return self.wall


@pytest.fixture
def fake_time(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    """Time stands still unless something sleeps; sleeps return at once."""
    fake = FakeTime(dt.datetime(2024, 1, 15, 14, 30, tzinfo=dt.UTC))
    monkeypatch.setattr(_clock, "sleep", fake.sleep)
    monkeypatch.setattr(_clock, "async_sleep", fake.async_sleep)
    monkeypatch.setattr(_clock, "monotonic", fake.monotonic)
    monkeypatch.setattr(_clock, "now", fake.now)
    return fake


# --- the API key in logs: a watch over the whole session --------------------------------
#
# Every record of the client's loggers (and httpx's, httpcore's) is captured at DEBUG for the
# whole session, tracebacks included, and every API key a client resolved is remembered; at
# the end of the session none of those keys may appear in the captured text. A leak fails
# the session (an error in the last test's teardown) and names the record.

SECRET_LOGGERS = ("together_batches", "httpx", "httpcore")
#: Keys shorter than this are too likely to occur by chance to be searched for.
MIN_SECRET_LENGTH = 6
#: Every key watched this session (the session watch's own set), for strategies to avoid.
SESSION_KEYS: set[str] = set()

# The watch and the property tests must not meet by chance. Hypothesis draws text from the
# string constants of every local module it sees (the package's source, not the tests'), so
# an id test can send, and httpx log in a URL, any such constant: a test key that is part of
# one would be "found" in the logs about once in ten runs. So no test may give a client such
# a key (it fails at once, every run), and the id strategies skip watched keys too.


@functools.cache
def package_string_constants() -> frozenset[str]:
    """Every string constant in the source of together_batches and together_batches_api."""
    constants: set[str] = set()
    for package in (together_batches, together_batches_api):
        for path in Path(package.__file__ or "").parent.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    constants.add(node.value)
    return frozenset(constants)


@functools.cache
def check_test_key(key: str) -> None:
    """Refuse a client key that a strategy could draw, and so meet in a logged URL.

    Raises:
        AssertionError: `key` is part of a string constant of the package.
    """
    if len(key) < MIN_SECRET_LENGTH:
        return  # never searched for
    holders = sorted(c for c in package_string_constants() if key in c)
    if holders:
        raise AssertionError(
            f"a test gave a client the key {key!r}, part of the package's string constant "
            f"{holders[0]!r}: hypothesis may draw that as an id and the leak check would see "
            "it logged. Use a key of the test's own, e.g. 'sk-<test name>-<random hex>'."
        )


def holds_no_watched_key(text: str) -> bool:
    """A filter for text strategies whose values may be logged (ids go into URLs)."""
    return not any(key in text for key in SESSION_KEYS if len(key) >= MIN_SECRET_LENGTH)


class LogCapture(logging.Handler):
    """Keeps every record, formatted with its traceback and stack, in memory."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:  # a record that cannot be formatted is kept as its parts
            text = f"{record.name} {record.levelname} {record.msg!r} % {record.args!r}"
        self.texts.append(text)


def find_secrets(texts: Iterable[str], keys: Iterable[str]) -> list[tuple[str, str]]:
    """The (key, text) pairs where a key of at least `MIN_SECRET_LENGTH` chars is in a text."""
    wanted = sorted({k for k in keys if isinstance(k, str) and len(k) >= MIN_SECRET_LENGTH})
    return [(key, text) for text in texts for key in wanted if key in text]


class SecretsWatch:
    """The session's log capture and the API keys seen.

    Attributes:
        capture: The handler holding every formatted record.
        keys: Every key a client resolved. (The emulator's default key is a constant of the
            package, public, and no test may give it to a client: see `check_test_key`.)
    """

    def __init__(self, keys: set[str] | None = None) -> None:
        self.capture = LogCapture()
        self.keys: set[str] = set() if keys is None else keys

    def arm(self) -> None:
        """(Re)apply DEBUG to the watched loggers and make sure the handler is attached, in
        case a test changed a level or removed handlers."""
        for name in SECRET_LOGGERS:
            logger = logging.getLogger(name)
            logger.setLevel(logging.DEBUG)
            logger.disabled = False
            if self.capture not in logger.handlers:
                logger.addHandler(self.capture)

    def leaks(self) -> list[tuple[str, str]]:
        return find_secrets(self.capture.texts, self.keys)


def assert_no_leaks(watch: SecretsWatch) -> None:
    """Raise if a watched key is in a captured record, showing the first (key masked)."""
    leaks = watch.leaks()
    if leaks:
        key, text = leaks[0]
        shown = text.replace(key, "<THE KEY>")
        raise AssertionError(
            f"an API key was logged in {len(leaks)} record(s); the first (key masked):\n{shown}"
        )


@pytest.fixture(scope="session", autouse=True)
def secrets_watch() -> Iterator[SecretsWatch]:
    """Captures DEBUG logs for the session; fails it if a resolved API key was logged."""
    watch = SecretsWatch(SESSION_KEYS)
    original: Callable[..., str] = vars(_client)["resolve_api_key"]

    def recording(*args: Any, **kwargs: Any) -> str:
        key = original(*args, **kwargs)
        check_test_key(key)
        watch.keys.add(key)
        return key

    levels = {name: logging.getLogger(name).level for name in SECRET_LOGGERS}
    with pytest.MonkeyPatch.context() as patch:
        # _client imports the function by name, so that is where it is looked up.
        patch.setattr(_client, "resolve_api_key", recording)
        watch.arm()
        try:
            yield watch
        finally:
            for name, level in levels.items():
                logging.getLogger(name).removeHandler(watch.capture)
                logging.getLogger(name).setLevel(level)
    assert_no_leaks(watch)


@pytest.fixture(autouse=True)
def _secrets_watch_armed(secrets_watch: SecretsWatch) -> None:
    """Before each test: DEBUG on the watched loggers again, whatever an earlier test set."""
    secrets_watch.arm()


# --- caches that outlive a test ---------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with empty process-wide caches: the unknown statuses seen. A test
    then checks what the code does, not what an earlier test (or an earlier run in the same
    process, as under mutation testing) left behind."""
    monkeypatch.setattr(_status, "_unknown", {})
