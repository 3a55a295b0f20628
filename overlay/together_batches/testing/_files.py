"""Files the emulator serves (input files, a batch's output and error files), and uploads."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import attrs

from together_batches_api.models.file_object import FileObject as WireFileObject
from together_batches_api.models.file_processing_status import FileProcessingStatus
from together_batches_api.models.file_validation_report import FileValidationReport

#: The `purpose` of a file a user uploaded, and of one a batch produced.
INPUT_PURPOSE = "batch-api"
OUTPUT_PURPOSE = "batch-generated"
#: The purposes an upload may name (upstream's `FilePurpose`, less `batch-generated`).
UPLOAD_PURPOSES = frozenset(
    {"batch-api", "fine-tune", "eval", "eval-sample", "eval-output", "eval-summary"}
)
#: The file types an upload may name, and the one a name without a known extension gets.
FILE_TYPES = ("jsonl", "csv", "parquet")
DEFAULT_FILE_TYPE = "jsonl"


def sha256_hex(content: bytes) -> str:
    """The SHA-256 of `content`, lower-case hex: what an upload's `checksum` carries."""
    return hashlib.sha256(content).hexdigest()


def file_type_of(filename: str) -> str:
    """The file type a name's extension implies (`jsonl` when it implies none)."""
    extension = filename.rpartition(".")[2].lower() if "." in filename else ""
    return extension if extension in FILE_TYPES else DEFAULT_FILE_TYPE


def _lines(content: bytes) -> int:
    """The records of a JSON Lines file: its lines that are not blank."""
    return sum(1 for line in content.splitlines() if line.strip())


@attrs.frozen
class FileRecord:
    """A file the emulator can describe (`GET /v1/files/{id}`) and serve (`.../content`).

    Args:
        id: The file id, such as `file-...`.
        filename: The name the file was uploaded or generated under.
        purpose: `batch-api` for inputs, `batch-generated` for outputs and errors.
        created_at: When the file came to be.
        content: The file's bytes.
        file_type: `jsonl`, `csv` or `parquet`.
        processed: False for an upload whose `preprocess` has not been called yet.
    """

    id: str
    filename: str
    purpose: str
    created_at: datetime
    content: bytes
    file_type: str = DEFAULT_FILE_TYPE
    processed: bool = True

    def metadata(self) -> dict[str, Any]:
        """Build the file object the files endpoints answer.

        Returns:
            The JSON-ready metadata, built through the generated model, so in the spec's
            shape (including `FileType` and `Processed`, which the API spells in PascalCase).
        """
        return self.wire().to_dict()

    def wire(self) -> WireFileObject:
        """The file's metadata as the generated model."""
        return WireFileObject(
            id=self.id,
            object_="file",
            created_at=int(self.created_at.timestamp()),
            filename=self.filename,
            bytes_=len(self.content),
            purpose=self.purpose,
            file_type=self.file_type,
            processed=self.processed,
            # What SDK 3.1.1 reads (`Processed` is deprecated): validation is pending until
            # `preprocess`, then done, with a report counting the file's lines.
            processing_status=(
                FileProcessingStatus.COMPLETED if self.processed else FileProcessingStatus.PENDING
            ),
            validation_report=(
                FileValidationReport(valid=True, nlines=_lines(self.content))
                if self.processed
                else None
            ),
        )


@attrs.frozen
class Upload:
    """An upload that `POST /v1/files` started: where its bytes may be PUT, and what it is.

    Args:
        file_id: The id the file will have.
        signature: The token the presigned URL carries; a PUT must present it.
        filename: The uploaded file's name.
        purpose: The purpose the form named.
        file_type: The type the form named, or the one its name implies.
        checksum: The SHA-256 the form declared (lower-case hex), or None.
        created_at: When the upload was started.
    """

    file_id: str
    signature: str
    filename: str
    purpose: str
    file_type: str
    checksum: str | None
    created_at: datetime
