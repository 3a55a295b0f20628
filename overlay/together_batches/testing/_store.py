"""Every job, file and upload of one emulator."""

from __future__ import annotations

import random
import uuid
from datetime import datetime

import attrs

from ._files import DEFAULT_FILE_TYPE, INPUT_PURPOSE, FileRecord, Upload, sha256_hex
from ._script import RequestScript
from ._state import Job


@attrs.define(eq=False)
class Store:
    """Every job, file and upload of one emulator. Not locked itself: the emulator's lock
    guards it.

    Args:
        seed: Seeds the ids, so a test run produces the same ids every time; None (the
            default): random ids, different each run.

    Attributes:
        script: The fates scripted by request, and each request's attempts so far.
    """

    seed: int | None = None
    script: RequestScript = attrs.field(factory=RequestScript)
    jobs: dict[str, Job] = attrs.field(factory=dict)
    files: dict[str, FileRecord] = attrs.field(factory=dict)
    uploads: dict[str, Upload] = attrs.field(factory=dict)
    _result_files: dict[str, str] = attrs.field(factory=dict)
    _deleted: set[str] = attrs.field(factory=set)
    _by_checksum: dict[str, str] = attrs.field(factory=dict)
    _checksum_of: dict[str, str] = attrs.field(factory=dict)
    _rng: random.Random = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def new_uuid(self) -> str:
        """Make a fresh random UUID4 string (the same series for the same seed).

        Returns:
            The UUID's canonical text.
        """
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def new_token(self) -> str:
        """Make a fresh (seeded) hex token, such as a presigned URL's signature."""
        return f"{self._rng.getrandbits(256):064x}"

    def add_input_file(
        self,
        content: bytes,
        filename: str,
        now: datetime,
        *,
        file_id: str | None = None,
        purpose: str = INPUT_PURPOSE,
        file_type: str = DEFAULT_FILE_TYPE,
        processed: bool = True,
    ) -> FileRecord:
        """Store an uploaded file (or replace the content of one PUT again).

        Args:
            content: Its bytes.
            filename: Its name.
            now: The upload instant.
            file_id: Its id, or None for a fresh one.
            purpose: Its purpose.
            file_type: Its type.
            processed: Whether `preprocess` has been done (always, for `Emulator.add_file`).

        Returns:
            The stored file.
        """
        record = FileRecord(
            file_id or f"file-{self.new_uuid()}",
            filename,
            purpose,
            now,
            content,
            file_type,
            processed,
        )
        self._forget_checksum(record.id)
        self.files[record.id] = record
        # The first file with given content is the one a later upload of it is pointed to.
        checksum = sha256_hex(content)
        if self._by_checksum.setdefault(checksum, record.id) == record.id:
            self._checksum_of[record.id] = checksum
        return record

    def by_checksum(self, checksum: str) -> FileRecord | None:
        """The uploaded file whose content has this SHA-256 (lower-case hex), if any."""
        file_id = self._by_checksum.get(checksum)
        return None if file_id is None else self.files.get(file_id)

    def add_job(self, job: Job) -> None:
        """Store a job and remember which files it will produce.

        Args:
            job: The job.
        """
        self.jobs[job.id] = job
        self._result_files[job.output_file_id] = job.id
        self._result_files[job.error_file_id] = job.id

    def file(self, file_id: str, now: datetime) -> FileRecord | None:
        """Find a file: an uploaded one, or a job's result file once the job has made it.

        Args:
            file_id: The file id.
            now: The current instant.

        Returns:
            The file, or None if there is no such file at `now` (or it was deleted).
        """
        if file_id in self._deleted:
            return None
        record = self.files.get(file_id)
        if record is not None:
            return record
        job_id = self._result_files.get(file_id)
        if job_id is None:
            return None
        record = self.jobs[job_id].result_file(file_id, now)
        if record is not None:
            # A terminal job's results never change again, so the rendering can be kept.
            self.files[file_id] = record
        return record

    def list_files(self, now: datetime) -> list[FileRecord]:
        """Every file that exists at `now`, oldest first.

        Args:
            now: The current instant.

        Returns:
            Uploaded files and the result files of the jobs that have ended.
        """
        for job in self.jobs.values():
            for file_id in job.files_at(now):
                if file_id is not None:
                    self.file(file_id, now)
        alive = [record for record in self.files.values() if record.id not in self._deleted]
        return sorted(alive, key=lambda record: record.created_at)

    def delete_file(self, file_id: str, now: datetime) -> bool:
        """Delete a file, for good: a result file does not come back either.

        Args:
            file_id: The file id.
            now: The current instant.

        Returns:
            Whether there was such a file.
        """
        if self.file(file_id, now) is None:
            return False
        self._deleted.add(file_id)
        self._forget_checksum(file_id)
        self.files.pop(file_id, None)
        self.uploads.pop(file_id, None)
        return True

    def _forget_checksum(self, file_id: str) -> None:
        checksum = self._checksum_of.pop(file_id, None)
        if checksum is not None:
            del self._by_checksum[checksum]
