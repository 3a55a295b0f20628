"""Files the emulator serves: input files, and the JSONL output and error files of a batch."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import attrs

from together_batches_api.models.file_object import FileObject as WireFileObject

#: The `purpose` of a file a user uploaded, and of one a batch produced.
INPUT_PURPOSE = "batch-api"
OUTPUT_PURPOSE = "batch-generated"


@attrs.frozen
class InputRequest:
    """One line of an input file.

    Args:
        custom_id: The caller's id for the request, echoed in the output and error lines.
        body: The request body that would go to the job's endpoint.
    """

    custom_id: str
    body: dict[str, Any]


@attrs.frozen
class FileRecord:
    """A file the emulator can describe (`GET /v1/files/{id}`) and serve (`.../content`).

    Args:
        id: The file id, such as `file-...`.
        filename: The name the file was uploaded or generated under.
        purpose: `batch-api` for inputs, `batch-generated` for outputs and errors.
        created_at: When the file came to be.
        content: The file's bytes.
    """

    id: str
    filename: str
    purpose: str
    created_at: datetime
    content: bytes

    def metadata(self) -> dict[str, Any]:
        """Build the file object the files endpoint answers.

        Returns:
            The JSON-ready metadata, built through the generated model, so in the spec's
            shape (including `FileType` and `Processed`, which the API spells in PascalCase).
        """
        return WireFileObject(
            id=self.id,
            object_="file",
            created_at=int(self.created_at.timestamp()),
            filename=self.filename,
            bytes_=len(self.content),
            purpose=self.purpose,
            file_type="jsonl",
            processed=True,
        ).to_dict()


def parse_input(content: bytes) -> tuple[InputRequest, ...]:
    """Read the requests of an input file, best effort.

    Lines that are not a JSON object with a string `custom_id` are skipped rather than
    rejected: the emulator is there to exercise clients, not to lint their inputs.

    Args:
        content: JSONL bytes of `{"custom_id", "body"}` lines.

    Returns:
        The requests, in file order.
    """
    requests: list[InputRequest] = []
    for line in content.decode("utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if isinstance(item, dict) and isinstance(item.get("custom_id"), str):
            body = item.get("body")
            requests.append(InputRequest(item["custom_id"], body if isinstance(body, dict) else {}))
    return tuple(requests)


def synthesize_input(count: int, model: str) -> bytes:
    """Make up an input file for a create that named a file the emulator has never seen.

    Args:
        count: How many requests the file holds.
        model: The model each request body names.

    Returns:
        JSONL bytes with `count` chat requests, custom ids `request-0`, `request-1`, ...
    """
    lines = [
        json.dumps(
            {
                "custom_id": f"request-{index}",
                "body": {
                    "model": model,
                    "messages": [{"role": "user", "content": f"Say the number {index}."}],
                    "max_tokens": 16,
                },
            },
            separators=(",", ":"),
        )
        for index in range(count)
    ]
    return "".join(line + "\n" for line in lines).encode()


def _prompt_text(body: dict[str, Any]) -> str:
    messages = body.get("messages")
    if isinstance(messages, list) and messages and isinstance(messages[-1], dict):
        content = messages[-1].get("content")
        if isinstance(content, str):
            return content
    prompt = body.get("prompt")
    return prompt if isinstance(prompt, str) else ""


def output_line(request: InputRequest, *, model: str, created: int, index: int) -> dict[str, Any]:
    """Build the output line of a request that succeeded.

    Args:
        request: The input request.
        model: The job's model, used when the request body names none.
        created: Unix seconds to put in the completion's `created`.
        index: The request's position, to give each completion a distinct id.

    Returns:
        `{"custom_id", "response": {"status_code": 200, "body": <chat completion>}}`.
    """
    body_model = request.body.get("model")
    text = f"Echo: {_prompt_text(request.body)}".strip()
    return {
        "custom_id": request.custom_id,
        "response": {
            "status_code": 200,
            "body": {
                "id": f"chatcmpl-emulated-{index}",
                "object": "chat.completion",
                "created": created,
                "model": body_model if isinstance(body_model, str) else model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 8, "completion_tokens": 4, "total_tokens": 12},
            },
        },
    }


def error_line(request: InputRequest) -> dict[str, Any]:
    """Build the error-file line of a request that failed.

    Args:
        request: The input request.

    Returns:
        `{"custom_id", "error": {"message", "code"}}`.
    """
    return {
        "custom_id": request.custom_id,
        "error": {"message": "The emulator was told to fail this request.", "code": 400},
    }


def jsonl(lines: list[dict[str, Any]]) -> bytes:
    """Serialise objects as JSON Lines.

    Args:
        lines: The objects, one per line.

    Returns:
        UTF-8 bytes, each line ending in a newline.
    """
    return "".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines).encode()
