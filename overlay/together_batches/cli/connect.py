"""How the CLI makes its client: the API key and base URL from the options or the
environment, checked before any request."""

from __future__ import annotations

import argparse
import os
from typing import Any

from .._client import Together
from .._config import DEFAULT_BASE_URL, base_url_problem
from .args import UsageError

__all__ = ["client_for", "used_base_url"]


def _key(args: argparse.Namespace) -> str:
    key = args.api_key or os.environ.get("TOGETHER_API_KEY")
    if not key:
        raise UsageError("no API key: set TOGETHER_API_KEY or pass --api-key")
    return str(key)


def _base_url(args: argparse.Namespace) -> str:
    """The base URL to use, checked before any request; a malformed one is a usage error."""
    if args.base_url:
        source, url = "--base-url", args.base_url
    elif os.environ.get("TOGETHER_BASE_URL"):
        source, url = "TOGETHER_BASE_URL", os.environ["TOGETHER_BASE_URL"]
    else:
        return DEFAULT_BASE_URL
    problem = base_url_problem(url)
    if problem is not None:
        raise UsageError(f"{source} {url!r} {problem}: give one such as {DEFAULT_BASE_URL}")
    return str(url).rstrip("/")


def client_for(args: argparse.Namespace, **options: Any) -> Together:
    """A client with the key and base URL the options (or the environment) give.

    Raises:
        UsageError: No key, or a malformed base URL.
    """
    return Together(api_key=_key(args), base_url=_base_url(args), **options)


def used_base_url(args: argparse.Namespace | None) -> str:
    """The base URL a command used (or would have), for error hints; never raises."""
    url = (args.base_url if args else None) or os.environ.get("TOGETHER_BASE_URL")
    return str(url or DEFAULT_BASE_URL).rstrip("/")
