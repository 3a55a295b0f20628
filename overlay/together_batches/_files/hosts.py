"""Which hosts an upload may be sent to: pure checks on the URLs it is sent to, no I/O.

An upload's bytes go to the `Location` of the API's answer to `POST /files` (a presigned
storage URL), and from there wherever storage redirects them. The two are held to different
rules, as Together's SDK 3.1.1 holds them:

- The API's `Location` is trusted, http and private hosts included: it comes over the
  connection the client already trusts with its key and with the file itself, so anything
  able to forge it could read both anyway; and a deployment may keep its storage on a
  private network (MinIO, an internal S3 endpoint). It must only be an http(s) URL with a
  host (`location_problem`).
- A redirect from storage comes from a party the client never authenticated. Each hop must
  be https, and its host no name for this machine (`localhost`, `*.localhost`), no cloud
  metadata name (`metadata.google.internal`), and no literal address that is private,
  loopback, link-local or otherwise not global, in any spelling the system's resolver reads
  as one (`127.1`, `0x7f000001`, `2130706433`, `::ffff:127.0.0.1`, `[::1]`, ...): a
  redirect could otherwise point the file at the caller's own network (a metadata service
  at 169.254.169.254, an admin port on 127.0.0.1). A client whose own base URL is plain
  http (a local emulator, a test server) is exempt (`redirect_problem`).

Names are not resolved: a name that resolves to a private address cannot be told from here
without a lookup, and a lookup could answer differently at connect time anyway.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import unquote

import httpx

__all__ = ["literal_address", "location_problem", "redirect_problem"]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAMES_FOR_HERE = ("localhost", "localhost.localdomain")
#: Names of cloud metadata services that are no literal address (169.254.169.254 is one).
_METADATA_NAMES = ("metadata.google.internal",)


def _number(part: str) -> int | None:
    """One part of an inet_aton address: decimal, octal (leading 0) or hex (0x)."""
    if part[:2].lower() == "0x":
        digits, base = part[2:], 16
    elif len(part) > 1 and part.startswith("0"):
        digits, base = part[1:], 8
    else:
        digits, base = part, 10
    if not digits and base == 16:
        return 0  # "0x" alone is 0 to inet_aton
    if not digits or not digits.isascii() or not digits.isalnum():
        return None
    try:
        return int(digits, base)
    except ValueError:
        return None


def _inet_aton(host: str) -> ipaddress.IPv4Address | None:
    """`host` as the C library's `inet_aton` reads it (what the resolver does with a
    numeric name): 1 to 4 parts, the last filling the bytes left (`127.1`, `2130706433`)."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers = [_number(part) for part in parts]
    if any(n is None for n in numbers):
        return None
    *leading, last = [n for n in numbers if n is not None]
    if any(n > 0xFF for n in leading) or last >= 1 << (8 * (4 - len(leading))):
        return None
    value = last
    for index, byte in enumerate(leading):
        value |= byte << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def literal_address(host: str) -> Address | None:
    """The address a host names literally, in any spelling a resolver accepts.

    Args:
        host: A URL's host as httpx gives it (IPv6 without brackets, maybe with a zone).

    Returns:
        The address, or None when the host is a name (which is not resolved here).
    """
    text = unquote(host).strip().rstrip(".").lower()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if ":" in text:
        try:
            return ipaddress.IPv6Address(text.partition("%")[0])
        except ValueError:
            return None
    return _inet_aton(text)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries: mapped, compatible, 6to4, or Teredo."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if int(address) >> 32 == 0 and int(address) > 1:  # ::a.b.c.d, the deprecated form
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _is_internal(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None and _is_internal(inner):
            return True
    return not address.is_global or address.is_multicast


def location_problem(url: str) -> str | None:
    """What makes the `Location` the API handed out for an upload unusable, if anything: it
    is trusted (see the module's note), but must be an http(s) URL with a host.

    Args:
        url: The `Location` of the answer to `POST /files`.

    Returns:
        None when the file may be sent there; else what is wrong, to follow "the upload
        URL ... " in a message.
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return "is not a URL"
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return "is not an http(s) URL with a host"
    return None


def redirect_problem(url: str, *, base_url: str) -> str | None:
    """What makes a URL that storage redirected an upload to unsafe to send the file to.

    Args:
        url: The absolute URL of the redirect's `Location`.
        base_url: The client's own base URL: when it is plain http, any http(s) URL is
            accepted (a local emulator or test server redirects to loopback URLs).

    Returns:
        None when the file may be sent there; else what is wrong, to follow "storage
        redirected the upload to ... " in a message.
    """
    problem = location_problem(url)
    if problem is not None or httpx.URL(base_url).scheme == "http":
        return problem
    parsed = httpx.URL(url)
    if parsed.scheme != "https":
        return "is not https (only a client whose own base URL is http may upload over http)"
    host = parsed.host.lower().rstrip(".")
    if host in _NAMES_FOR_HERE or host.endswith(".localhost"):
        return f"names this machine ({parsed.host})"
    if host in _METADATA_NAMES:
        return f"names a cloud metadata service ({parsed.host})"
    address = literal_address(parsed.host)
    if address is not None and _is_internal(address):
        return f"names a private, loopback or link-local address ({parsed.host} is {address})"
    return None
