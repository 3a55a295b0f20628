"""Client settings from arguments and the environment: pure functions."""

from __future__ import annotations

import os
from collections.abc import Mapping

import httpx

from ._exceptions import TogetherError

__all__ = [
    "API_PREFIX",
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "Timeout",
    "api_base_url",
    "base_url_problem",
    "resolve_api_key",
    "resolve_base_url",
]

#: The service's origin, the form SDK 3.1.1 defaults to and reads from `TOGETHER_BASE_URL`.
DEFAULT_BASE_URL = "https://api.together.ai"
#: The segment every API path starts with; added to a base URL that does not end in it.
API_PREFIX = "/v1"
# 60 s for a whole request, but a server that cannot even be reached is known sooner.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
#: What every method's `timeout=` takes: seconds, an `httpx.Timeout`, or None for the default.
Timeout = float | httpx.Timeout | None


def resolve_api_key(api_key: str | None, environ: Mapping[str, str] = os.environ) -> str:
    """The key to use: the argument, else `TOGETHER_API_KEY`.

    Raises:
        TogetherError: Neither is set (or the one given is empty).
    """
    key = api_key if api_key is not None else environ.get("TOGETHER_API_KEY")
    if not key:
        raise TogetherError(
            "No API key: pass api_key=... or set the TOGETHER_API_KEY environment variable."
        )
    if not isinstance(key, str):
        raise TypeError("api_key must be a str")
    return key


def base_url_problem(url: str) -> str | None:
    """What is wrong with a base URL, if anything: the checks made before any request.

    Args:
        url: A base URL, e.g. `https://api.together.ai` or `https://api.together.ai/v1`.

    Returns:
        None if it is usable, else what is wrong, to follow the URL in a message (e.g.
        "must start with http:// or https://").
    """
    if any(char.isspace() for char in url):
        return "contains whitespace"
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        return f"is not a URL ({exc})"
    if parsed.scheme not in ("http", "https"):
        return "must start with http:// or https://"
    if not parsed.host:
        return "has no host"
    if parsed.port is not None and not 0 < parsed.port < 65536:
        return f"has a port out of range ({parsed.port})"
    if parsed.query or parsed.fragment:
        return "must not have a query or fragment (paths are appended to it)"
    return None


def api_base_url(url: str) -> str:
    """The URL the API's paths are appended to: `url` without trailing slashes, with `/v1`
    added unless its path already ends in that segment.

    One `TOGETHER_BASE_URL` serves this package and Together's SDK 3.1.1, which reads the
    same variable as an origin (`https://api.together.ai`) and puts `/v1` in every path
    itself; the form with `/v1`, which this package's docs used, works as before. A path
    before it is kept, as 3.1.1 keeps it: a proxy's `https://proxy.example/together` is
    `https://proxy.example/together/v1`.

    Args:
        url: A base URL that `base_url_problem` accepts.

    Returns:
        E.g. `https://api.together.ai/v1` for `https://api.together.ai`, `.../`, `.../v1`
        and `.../v1/` alike.
    """
    trimmed = url.rstrip("/")
    if httpx.URL(trimmed).path.endswith(API_PREFIX):  # the path's: a host may be "v1"
        return trimmed
    return trimmed + API_PREFIX


def resolve_base_url(
    base_url: str | None,
    environ: Mapping[str, str] = os.environ,
    *,
    option: str = "base_url",
) -> str:
    """The URL the API's paths are appended to: from the argument, else `TOGETHER_BASE_URL`,
    else `https://api.together.ai`; with `/v1` at its end (see `api_base_url`).

    Args:
        base_url: The URL given, if any.
        environ: Where `TOGETHER_BASE_URL` is read.
        option: How the caller names the argument in a message (the CLI's `--base-url`).

    Raises:
        ValueError: The URL is malformed (see `base_url_problem`); the message names where
            it came from.
    """
    source = option if base_url else "TOGETHER_BASE_URL"
    url = base_url or environ.get("TOGETHER_BASE_URL") or DEFAULT_BASE_URL
    problem = base_url_problem(url)
    if problem is not None:
        raise ValueError(
            f"{source} {url!r} {problem}: give the API's base URL, such as {DEFAULT_BASE_URL}"
        )
    return api_base_url(url)


def to_timeout(value: float | httpx.Timeout | None, default: httpx.Timeout) -> httpx.Timeout:
    """A per-call `timeout=` as an `httpx.Timeout` (None: the client's default)."""
    if value is None:
        return default
    if isinstance(value, httpx.Timeout):
        return value
    return httpx.Timeout(float(value), connect=min(float(value), default.connect or float(value)))
