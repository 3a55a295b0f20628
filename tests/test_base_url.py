"""The base URL: with or without `/v1`, from the argument or `TOGETHER_BASE_URL`, in both twins;
a proxy's path prefix kept, with `/v1` after it (as Together's SDK 3.1.1 reads the variable)."""

from __future__ import annotations

import httpx
import pytest

from together_batches._config import api_base_url, resolve_base_url
from together_batches.testing import Emulator, FakeClock

from ._twins import Twin

KEY = "sk-base-url-71c0"


@pytest.mark.parametrize(
    ("given", "used"),
    [
        # The four spellings of the service's own URL are one.
        ("https://api.together.ai", "https://api.together.ai/v1"),
        ("https://api.together.ai/", "https://api.together.ai/v1"),
        ("https://api.together.ai/v1", "https://api.together.ai/v1"),
        ("https://api.together.ai/v1/", "https://api.together.ai/v1"),
        ("https://api.together.ai//", "https://api.together.ai/v1"),
        # A proxy's path prefix is kept, /v1 after it.
        ("https://proxy.example/together", "https://proxy.example/together/v1"),
        ("https://proxy.example/together/", "https://proxy.example/together/v1"),
        ("https://proxy.example/together/v1", "https://proxy.example/together/v1"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765/v1"),
        ("http://127.0.0.1:8765/v1/", "http://127.0.0.1:8765/v1"),
        # Only a last path segment that is exactly v1 counts: not a host, not a suffix.
        ("https://v1", "https://v1/v1"),
        ("https://proxy.example/av1", "https://proxy.example/av1/v1"),
        ("https://proxy.example/v1/x", "https://proxy.example/v1/x/v1"),
        ("https://proxy.example/v2", "https://proxy.example/v2/v1"),
    ],
)
def test_api_base_url(given: str, used: str) -> None:
    assert api_base_url(given) == used
    assert resolve_base_url(given, {}) == used
    assert resolve_base_url(None, {"TOGETHER_BASE_URL": given}) == used


def test_the_argument_wins_over_the_environment_and_the_default_is_the_service() -> None:
    environ = {"TOGETHER_BASE_URL": "http://127.0.0.1:1"}
    assert resolve_base_url("https://proxy.example/t", environ) == "https://proxy.example/t/v1"
    assert resolve_base_url(None, environ) == "http://127.0.0.1:1/v1"
    assert resolve_base_url("", environ) == "http://127.0.0.1:1/v1"
    assert resolve_base_url(None, {}) == "https://api.together.ai/v1"
    assert resolve_base_url(None, {"TOGETHER_BASE_URL": ""}) == "https://api.together.ai/v1"


def test_a_malformed_url_is_named_by_where_it_came_from() -> None:
    with pytest.raises(ValueError, match=r"^--base-url 'ftp://x' must start with http"):
        resolve_base_url("ftp://x", {}, option="--base-url")
    with pytest.raises(ValueError, match=r"^TOGETHER_BASE_URL 'x' must start with http"):
        resolve_base_url(None, {"TOGETHER_BASE_URL": "x"}, option="--base-url")


@pytest.mark.parametrize("suffix", ["", "/", "/v1", "/v1/"])
@pytest.mark.parametrize("source", ["argument", "environment"])
def test_each_form_reaches_the_emulator(
    twin: Twin, monkeypatch: pytest.MonkeyPatch, suffix: str, source: str
) -> None:
    emulator = Emulator(api_key=KEY, clock=FakeClock())
    job_id = emulator.add_job()
    with emulator.serve() as served:
        given = served.removesuffix("/v1") + suffix
        if source == "environment":
            monkeypatch.setenv("TOGETHER_BASE_URL", given)
            client = twin.client(None, api_key=KEY, base_url=None)
        else:
            monkeypatch.delenv("TOGETHER_BASE_URL", raising=False)
            client = twin.client(None, api_key=KEY, base_url=given)
        assert client.base_url == served
        assert client.batches.get_batch(job_id).id == job_id
        assert [job.id for job in client.batches.list_batches()] == [job_id]
    assert [r.route for r in emulator.requests] == ["get_batch", "list_batches"]


@pytest.mark.parametrize(
    "given", ["https://proxy.example/together", "https://proxy.example/together/v1/"]
)
def test_a_proxy_prefix_is_kept_with_v1_after_it(twin: Twin, given: str) -> None:
    paths: list[str] = []

    def proxy(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.raw_path.decode())
        return httpx.Response(200, json=[])

    assert twin.client(proxy, api_key=KEY, base_url=given).batches.list_batches() == []
    assert paths == ["/together/v1/batches"]
