"""The lines of batch files: reading an input file, and writing output and error lines.

The emulator reads input files itself, leniently and line by line, the way a batch service
would: it never shares code with the client's own checks, so a test of one exercises the
other. A line that is not a request (bad JSON, no `custom_id`, a `body` that is not an
object, a repeated or over-long `custom_id`) is kept as a request that will fail, and ends
up in the job's error file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import attrs

from together_batches_api.models.batch_error_line import BatchErrorLine
from together_batches_api.models.batch_input_line import BatchInputLine
from together_batches_api.models.batch_output_line import BatchOutputLine
from together_batches_api.models.batch_output_response import BatchOutputResponse
from together_batches_api.models.batch_request_error import BatchRequestError

#: The longest `custom_id` the API takes (Together's docs).
MAX_CUSTOM_ID_LENGTH = 64
#: The endpoints whose response bodies the emulator can make up.
CHAT = "/v1/chat/completions"
COMPLETIONS = "/v1/completions"
ANSWERED_ENDPOINTS = (CHAT, COMPLETIONS)
SCRIPTED_FAILURE = "The emulator was told to fail this request."

# The wire names of an input line's two fields, from the spec (through the generated model).
_CUSTOM_ID, _BODY = (field.name for field in BatchInputLine.FIELDS)


@attrs.frozen
class InputRequest:
    """One line of an input file.

    Args:
        custom_id: The caller's id for the request, echoed in the output and error lines;
            `line-N` for a line that names none.
        body: The request body that would go to the job's endpoint (`{}` when unusable).
        line: The line's number in the file, from 1.
        problem: Why the line is not a valid request, or None when it is one.
    """

    custom_id: str
    body: dict[str, Any]
    line: int = 0
    problem: str | None = None


def _read_line(text: str, number: int) -> InputRequest:
    try:
        item = json.loads(text)
    except ValueError:
        return InputRequest(f"line-{number}", {}, number, f"line {number} is not valid JSON")
    if not isinstance(item, dict):
        return InputRequest(f"line-{number}", {}, number, f"line {number} is not a JSON object")
    custom_id, body = item.get(_CUSTOM_ID), item.get(_BODY)
    if not isinstance(custom_id, str) or not custom_id:
        return InputRequest(f"line-{number}", {}, number, f"line {number} has no custom_id")
    if not isinstance(body, dict):
        return InputRequest(custom_id, {}, number, f"line {number}: body must be a JSON object")
    if len(custom_id) > MAX_CUSTOM_ID_LENGTH:
        problem = f"line {number}: custom_id is longer than {MAX_CUSTOM_ID_LENGTH} characters"
        return InputRequest(custom_id, body, number, problem)
    return InputRequest(custom_id, body, number)


def parse_input(content: bytes) -> tuple[InputRequest, ...]:
    """Read every request of an input file, including the lines that are not valid ones.

    Args:
        content: JSONL bytes of `{"custom_id", "body"}` lines.

    Returns:
        One request per non-blank line, in file order; invalid lines carry their `problem`,
        and so does the second and any later line naming an earlier line's `custom_id`.
    """
    requests: list[InputRequest] = []
    first_line: dict[str, int] = {}
    text = content.decode("utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        request = _read_line(line, number)
        if request.problem is None:
            earlier = first_line.setdefault(request.custom_id, number)
            if earlier != number:
                problem = f"line {number}: custom_id {request.custom_id!r} repeats line {earlier}"
                request = attrs.evolve(request, problem=problem)
        requests.append(request)
    return tuple(requests)


def synthesize_input(count: int, model: str) -> bytes:
    """Make up an input file for a create that named a file the emulator has never seen.

    Args:
        count: How many requests the file holds.
        model: The model each request body names.

    Returns:
        JSONL bytes with `count` chat requests, custom ids `request-0`, `request-1`, ...
    """
    return jsonl(
        {
            _CUSTOM_ID: f"request-{index}",
            _BODY: {
                "model": model,
                "messages": [{"role": "user", "content": f"Say the number {index}."}],
                "max_tokens": 16,
            },
        }
        for index in range(count)
    )


def _prompt_text(body: dict[str, Any]) -> str:
    messages = body.get("messages")
    if isinstance(messages, list) and messages and isinstance(messages[-1], dict):
        content = messages[-1].get("content")
        if isinstance(content, str):
            return content
    prompt = body.get("prompt")
    return prompt if isinstance(prompt, str) else ""


def _tokens(text: str) -> int:
    # About four characters a token, as tokenizers go; deterministic, which is what matters.
    return max(1, (len(text) + 3) // 4)


def response_body(
    endpoint: str, request: InputRequest, model: str, *, created: int, index: int
) -> dict[str, Any]:
    """Make up the response body the endpoint would answer the request with.

    Args:
        endpoint: The job's endpoint, one of `ANSWERED_ENDPOINTS`.
        request: The input request.
        model: The job's model, used when the request body names none.
        created: Unix seconds for the completion's `created`.
        index: The request's position in completion order, for a distinct id.

    Returns:
        A text completion (for `/v1/completions`) or a chat completion echoing the prompt,
        with token counts that depend on the text alone.
    """
    body_model = request.body.get("model")
    prompt = _prompt_text(request.body)
    text = f"Echo: {prompt}".strip()
    usage = {"prompt_tokens": _tokens(prompt), "completion_tokens": _tokens(text)}
    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    common = {"created": created, "model": body_model if isinstance(body_model, str) else model}
    if endpoint == COMPLETIONS:
        choice: dict[str, Any] = {
            "index": 0,
            "text": text,
            "finish_reason": "stop",
            "logprobs": None,
        }
        kind = {"id": f"cmpl-emulated-{index}", "object": "text_completion"}
    else:
        message = {"role": "assistant", "content": text}
        choice = {"index": 0, "message": message, "finish_reason": "stop"}
        kind = {"id": f"chatcmpl-emulated-{index}", "object": "chat.completion"}
    return {**kind, **common, "choices": [choice], "usage": usage}


def output_line(request: InputRequest, body: dict[str, Any]) -> dict[str, Any]:
    """Build the output line of a request that got a response.

    Args:
        request: The input request.
        body: The response body.

    Returns:
        `{"custom_id", "response": {"status_code": 200, "body": body}}`.
    """
    response = BatchOutputResponse(status_code=200, body=body)
    return BatchOutputLine(custom_id=request.custom_id, response=response).to_dict()


def error_line(request: InputRequest, message: str, code: int = 400) -> dict[str, Any]:
    """Build the error-file line of a request that failed.

    Args:
        request: The input request.
        message: Why it failed.
        code: The error's code.

    Returns:
        `{"custom_id", "error": {"message", "code"}}`.
    """
    error = BatchRequestError(message=message, code=code)
    return BatchErrorLine(custom_id=request.custom_id, error=error).to_dict()


def jsonl(lines: Iterable[dict[str, Any]]) -> bytes:
    """Serialise objects as JSON Lines.

    Args:
        lines: The objects, one per line.

    Returns:
        UTF-8 bytes, each line ending in a newline.
    """
    return "".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines).encode()
