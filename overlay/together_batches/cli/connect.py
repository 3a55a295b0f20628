"""How the CLI makes its client: the API key and base URL from the options or the
environment, checked before any request."""

from __future__ import annotations

import argparse
import os
from typing import Any

from .._client import Together
from .._config import resolve_base_url
from .args import UsageError

__all__ = ["client_for", "used_base_url"]


def _key(args: argparse.Namespace) -> str:
    key = args.api_key or os.environ.get("TOGETHER_API_KEY")
    if not key:
        raise UsageError("no API key: set TOGETHER_API_KEY or pass --api-key")
    return str(key)


def _base_url(args: argparse.Namespace) -> str:
    """The base URL to use, as the client resolves it (`/v1` added where it is missing);
    a malformed one is a usage error, before any request."""
    try:
        return resolve_base_url(args.base_url, option="--base-url")
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def client_for(args: argparse.Namespace, **options: Any) -> Together:
    """A client with the key and base URL the options (or the environment) give.

    Raises:
        UsageError: No key, or a malformed base URL.
    """
    return Together(api_key=_key(args), base_url=_base_url(args), **options)


def used_base_url(args: argparse.Namespace | None) -> str:
    """The base URL a command used (or would have), for error hints; never raises."""
    given = args.base_url if args else None
    try:
        return resolve_base_url(given)
    except ValueError:
        return str(given or os.environ.get("TOGETHER_BASE_URL"))
