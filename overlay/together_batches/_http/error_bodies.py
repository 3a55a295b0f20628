"""Error answers: the server's message from a body of any shape, a field the client needs
from one (an upload's 409 names its file), and the `APIStatusError` a non-2xx answer becomes.
Loaded on the first error answer (`_http`'s rule).

Error bodies are read as decoded JSON, not through the generated models: the spec lists the
shapes the service is known to send (`BatchErrorResponse`, the flat `{"error": "..."}` of
the batch endpoints; `NestedErrorResponse`, `{"error": {"message", "type", "code"}}`;
`ProblemDetails`, RFC 9457), but gateways, proxies and storage services in front of it
answer in shapes of their own, and one that fits no schema must still give its message and
the error class of its status, never `APIResponseValidationError`.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

import httpx

from .._exceptions import APIStatusError, status_error_class
from .calls import body_snippet

__all__ = ["answer_field", "error_message", "status_error"]

#: The longest message kept from a body; a longer one is cut, with "...".
MAX_MESSAGE = 500
#: How much of a body that is not JSON is searched for a message.
_TEXT_SCAN = 64 * 1024
#: Objects, inside an error body, that may hold a field the client needs (`answer_field`).
_FIELD_HOLDERS = ("error", "data", "detail", "details")

# An object storage service's XML error: `<Error><Code>...</Code><Message>...</Message>`.
_XML_FIELD = re.compile(r"<(Code|Message)>([^<]{1,500})</\1>")
# An HTML page's title, else its first heading: a proxy's "502 Bad Gateway".
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_HTML_HEADING = re.compile(r"<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def _clean(text: str) -> str:
    """`text` on one line, cut to `MAX_MESSAGE` characters."""
    line = _SPACE.sub(" ", text).strip()
    return line if len(line) <= MAX_MESSAGE else line[: MAX_MESSAGE - 3] + "..."


def _text(value: object) -> str | None:
    """`value` as a message, when it is a string with something in it."""
    return _clean(value) if isinstance(value, str) and value.strip() else None


def _object_message(error: dict[Any, Any]) -> str | None:
    """The message of an error object: its `message` (or `msg`, `detail`, `title`), else
    what its `type` and `code` name, e.g. `invalid_request_error (file_not_found)`."""
    for key in ("message", "msg", "detail", "title"):
        message = _text(error.get(key))
        if message:
            return message
    kind, code = _text(error.get("type")), error.get("code")
    code_text = _text(code) or (str(code) if isinstance(code, int) else None)
    if kind and code_text:
        return f"{kind} ({code_text})"
    return kind or code_text


def _list_message(items: list[Any]) -> str | None:
    """The messages of a list of errors (strings or objects), the first three, joined."""
    messages = [
        message
        for item in items[:3]
        if (message := _text(item) or (_object_message(item) if type(item) is dict else None))
    ]
    if not messages:
        return None
    more = "; ..." if len(items) > 3 else ""
    return _clean("; ".join(messages) + more)


def _problem_message(body: dict[Any, Any]) -> str | None:
    """`title: detail` of an RFC 9457 problem document (either alone), when it has one."""
    parts = [text for text in (_text(body.get("title")), _text(body.get("detail"))) if text]
    return ": ".join(parts) or None


def _json_message(body: dict[Any, Any]) -> str | None:
    """The message of a JSON object body, in the first shape that gives one: the flat error
    string, the nested error object, a list of errors, a problem document, a gateway's
    `message`, FastAPI's list of `detail`s."""
    error = body.get("error")
    if type(error) is dict:
        message = _object_message(error)
    elif type(error) is list:
        message = _list_message(error)
    else:
        message = _text(error)
    if message:
        return message
    message = _problem_message(body) or _text(body.get("message"))
    if message:
        return message
    for key in ("errors", "detail"):
        value = body.get(key)
        if type(value) is list:
            message = _list_message(value)
            if message:
                return message
    return None


def _text_message(text: str) -> str | None:
    """The message of a body that is text: a storage service's XML error (`Code: Message`),
    an HTML page's title or first heading, or plain text itself; None for other markup."""
    fields = dict(_XML_FIELD.findall(text))
    if fields:
        return ": ".join(html.unescape(fields[k]) for k in ("Code", "Message") if k in fields)
    found = _HTML_TITLE.search(text) or _HTML_HEADING.search(text)
    if found:
        return _text(html.unescape(_TAG.sub(" ", found.group(1))))
    if text.lstrip().startswith("<"):
        return None  # markup with nothing to show: not a message
    return _text(text)


def error_message(body: Any, status_code: int) -> str:
    """The server's message from an error body of any shape.

    Args:
        body: The body as decoded JSON, or as text when it is not JSON.
        status_code: The answer's status, for a body that carries no message.

    Returns:
        The message, on one line and at most `MAX_MESSAGE` characters: the flat error
        string, the nested error's `message` (else its `type (code)`), a list of errors'
        messages, a problem document's `title: detail`, a gateway's `message`, a storage
        service's XML `Code: Message`, an HTML page's title, or plain text; else
        `HTTP <status> error` (an empty body, markup with nothing to show, `null`).
    """
    if type(body) is dict:
        message = _json_message(body)
    elif type(body) is list:
        message = _list_message(body)
    elif isinstance(body, str):
        message = _text_message(body)
    else:
        message = None
    return message or f"HTTP {status_code} error"


def answer_field(body: Any, name: str) -> Any:
    """A field the client needs from an error answer, from whichever shape carries it: the
    body's own (`{"error": "...", "file_id": ...}`), else the error object's (`{"error":
    {"message": ..., "file_id": ...}}`) or another object one level down (`data`, `detail`,
    `details`).

    Args:
        body: The decoded JSON body.
        name: The field, e.g. `file_id`.

    Returns:
        Its value, or None when no shape carries it (the caller checks its type).
    """
    if type(body) is not dict:
        return None
    if body.get(name) is not None:
        return body[name]
    for holder in _FIELD_HOLDERS:
        inner = body.get(holder)
        if type(inner) is dict and inner.get(name) is not None:
            return inner[name]
    return None


def status_error(response: httpx.Response, content: bytes) -> APIStatusError:
    """The `APIStatusError` (the subclass for its status) that a non-2xx answer becomes.

    Args:
        response: The answer.
        content: Its body, with the API key masked (`_http.secrets`).

    Returns:
        The error; its `body` is the decoded JSON, or the start of the text when the body
        is not JSON, and its message the server's (`error_message`).
    """
    try:
        body: Any = json.loads(content)
        source: Any = body
    except (ValueError, UnicodeDecodeError):
        body = body_snippet(content)
        source = content[:_TEXT_SCAN].decode("utf-8", errors="replace")
    cls = status_error_class(response.status_code)
    return cls(error_message(source, response.status_code), response=response, body=body)
