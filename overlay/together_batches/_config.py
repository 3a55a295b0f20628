"""Client settings from arguments and the environment: pure functions."""

from __future__ import annotations

import os
from collections.abc import Mapping

import httpx

from ._exceptions import TogetherError

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "resolve_api_key", "resolve_base_url"]

DEFAULT_BASE_URL = "https://api.together.ai/v1"
# 60 s for a whole request, but a server that cannot even be reached is known sooner.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


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


def resolve_base_url(base_url: str | None, environ: Mapping[str, str] = os.environ) -> str:
    """The base URL: the argument, else `TOGETHER_BASE_URL`, else the public API; no trailing /."""
    url = base_url or environ.get("TOGETHER_BASE_URL") or DEFAULT_BASE_URL
    return url.rstrip("/")


def to_timeout(value: float | httpx.Timeout | None, default: httpx.Timeout) -> httpx.Timeout:
    """A per-call `timeout=` as an `httpx.Timeout` (None: the client's default)."""
    if value is None:
        return default
    if isinstance(value, httpx.Timeout):
        return value
    return httpx.Timeout(float(value), connect=min(float(value), default.connect or float(value)))
