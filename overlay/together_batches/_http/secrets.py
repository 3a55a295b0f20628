"""The API key in text the client repeats: find the key a request carried, and mask it.

A server may echo the request's `Authorization` header in its error body (proxies and debug
endpoints do), and httpx may quote a header it refused to send. Whatever of that text the
client repeats (exception messages, the bodies kept on exceptions, parsed job fields, log
lines) passes through `redact` first. The key is read from the request that was sent, so the
rule holds for a custom `http_client` with its own auth too.
"""

from __future__ import annotations

import httpx

__all__ = ["MASK", "redact", "redact_bytes", "response_key", "sent_key"]

MASK = "***"
# Shorter "keys" would garble ordinary words when masked.
_MIN_LENGTH = 4


def sent_key(request: httpx.Request | None) -> str | None:
    """The credential a request carried in its `Authorization` header.

    Args:
        request: The request as sent, or None.

    Returns:
        The part after the scheme (`Bearer <key>` gives the key), or None when there is no
        header or the credential is too short to mask safely.
    """
    if request is None:
        return None
    value = request.headers.get("authorization")
    if not value:
        return None
    scheme, _, credential = value.strip().partition(" ")
    key = (credential or scheme).strip()
    return key if len(key) >= _MIN_LENGTH else None


def response_key(response: httpx.Response) -> str | None:
    """`sent_key` of the request a response answers (None for a response built by hand)."""
    try:
        request = response.request
    except RuntimeError:  # httpx raises when the response has no request
        return None
    return sent_key(request)


def redact(text: str, secret: str | None) -> str:
    """`text` with every occurrence of `secret` masked.

    Args:
        text: Text about to be repeated (a message, a log line).
        secret: The API key in use, if any.

    Returns:
        The text with the key replaced by `***`. Keys shorter than 4 characters are left
        alone, since masking them would garble ordinary words.
    """
    if not secret or len(secret) < _MIN_LENGTH:
        return text
    return text.replace(secret, MASK)


def redact_bytes(content: bytes, secret: str | None) -> bytes:
    """`redact` for a body before it is parsed: one fast search when the key is not there.

    Args:
        content: The raw body.
        secret: The API key in use, if any.

    Returns:
        The body, with the key's UTF-8 bytes replaced by `***` wherever they occur.
    """
    if not secret or len(secret) < _MIN_LENGTH:
        return content
    raw = secret.encode("utf-8", errors="replace")
    return content.replace(raw, MASK.encode()) if raw in content else content
