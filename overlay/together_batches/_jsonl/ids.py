"""custom_ids seen so far, exactly, in a few bytes each: what a workload of millions of
requests checks its custom_ids against, and what `results` counts a batch's requests with.

`IdIndex` keeps 64-bit hashes in buckets (chosen by a hash's top bits), each two `array`s in
the hashes' order, found by `bisect` and grown by `array.insert` (both in C, no Python
object per id): the hashes, and where each id's bytes are kept (a 4-byte offset, 8 bytes
past 4 GiB of them). There are 256 buckets at first, four times as many each time they hold
256 ids on average (each bucket's arrays are cut in four by slicing: they are sorted), up to
2**20. The bytes go into a buffer, in memory or, with `disk=True`, flushed to an unnamed
temporary file in 1 MiB blocks. Two ids
are taken for one only when their hashes are equal AND their bytes are: a hash that matches
(a real repeat, or a collision, about one in 2**64 a pair) is confirmed against the stored
bytes before it is believed, so the index never says "already seen" of an id that was not,
and never misses one that was.

Memory: 12 bytes an id in the buckets (8 for the hash, 4 for the place), plus what arrays
keep spare (about 1/16) and each bucket's headers (~130 bytes for 64 to 256 ids, the list's
16 bytes a bucket included): 14 to 16 bytes an id. The bytes kept: 12 + the id's UTF-8
length (27 for an id of 15 characters), on disk with `disk=True`, else in
memory. A Python `dict` of the same ids takes about 130 bytes an id.
"""

from __future__ import annotations

import os
import struct
import tempfile
from array import array
from bisect import bisect_left
from collections.abc import Callable
from typing import BinaryIO

__all__ = ["IdIndex"]

_HALF = 1 << 63
_MASK = (1 << 64) - 1
#: The buckets, as bits of the hash: at first, and at most.
_FIRST_BITS, _MOST_BITS = 8, 20
#: The average ids a bucket holds before the buckets are made four times as many.
_BUCKET_IDS = 256
#: An entry's header: the value kept with the id (a line number), then its length in bytes.
_HEADER = struct.Struct("<QI")
_FLUSH_AT = 1 << 20
#: Where places (byte offsets) are made 8 bytes wide.
_WIDEN_AT = (1 << 32) - (1 << 22)


def _encode(custom_id: str) -> bytes:
    try:
        return custom_id.encode()
    except UnicodeEncodeError:  # a lone surrogate, which a str from JSON may hold
        return custom_id.encode("utf-8", "surrogatepass")


def _signed(hasher: Callable[[str], int]) -> Callable[[str], int]:
    """`hasher`, its values taken as signed 64-bit numbers (what an array("q") holds)."""

    def signed(custom_id: str) -> int:
        return ((hasher(custom_id) + _HALF) & _MASK) - _HALF

    return signed


class IdIndex:
    """custom_ids, each with a value (say the line it was first seen on), exact and compact.

    Args:
        disk: Keep the ids' bytes in an unnamed temporary file (gone when closed, or when
            the process ends) rather than in memory.
        directory: Where that file goes (None: the system's temporary directory).
        hasher: The hash of an id (default: Python's own `hash`, a keyed SipHash, cached on
            the str); a test may give a poor one to force collisions, which only slows the
            index down.
    """

    def __init__(
        self,
        *,
        disk: bool = False,
        directory: str | os.PathLike[str] | None = None,
        hasher: Callable[[str], int] = hash,
    ) -> None:
        # Python's hash of a str is a signed 64-bit number already.
        self._hash = hasher if hasher is hash else _signed(hasher)
        # Unbuffered: entries are read back with `os.pread`, so what is written must be in
        # the file (the index buffers them itself, in 1 MiB blocks).
        self._file: BinaryIO | None = (
            tempfile.TemporaryFile(dir=directory, buffering=0)  # noqa: SIM115 - closed by close()
            if disk
            else None
        )
        self._flushed = 0  # bytes of entries written to the file; the rest are in `_buffer`
        self._buffer = bytearray()
        self._count = 0
        self._places_type = "I"
        self._new_buckets(_FIRST_BITS)

    def _new_buckets(self, bits: int) -> None:
        # Indexed by `hash >> shift`, from -2**(bits-1) to 2**(bits-1) - 1: a list takes
        # negative indexes from its end, so each value has a bucket of its own.
        self._bits, self._shift = bits, 64 - bits
        self._limit = _BUCKET_IDS << bits if bits < _MOST_BITS else -1
        self._hashes: list[array[int] | None] = [None] * (1 << bits)
        self._places: list[array[int] | None] = [None] * (1 << bits)

    def __len__(self) -> int:
        return self._count

    def add(self, custom_id: str, value: int = 0) -> int | None:
        """Keep `custom_id` with `value` (>= 0), unless it is kept already.

        Returns:
            None when it is new; else the value it was first kept with.
        """
        # One function, few lookups: this runs once per request of a workload.
        digest = self._hash(custom_id)
        bucket = digest >> self._shift
        hashes = self._hashes[bucket]
        if hashes is None:
            hashes = self._hashes[bucket] = array("q")
            self._places[bucket] = array(self._places_type)
        at = bisect_left(hashes, digest)
        try:
            data = custom_id.encode()
        except UnicodeEncodeError:  # a lone surrogate, which a str from JSON may hold
            data = _encode(custom_id)
        if at < len(hashes) and hashes[at] == digest:
            found = self._find(bucket, at, digest, data)
            if found is not None:
                return found
        buffer = self._buffer
        place = self._flushed + len(buffer)
        buffer += _HEADER.pack(value, len(data))
        buffer += data
        if len(buffer) >= _FLUSH_AT and self._file is not None:
            self._flush()
        hashes.insert(at, digest)
        self._places[bucket].insert(at, place)  # type: ignore[union-attr]  # made with hashes
        self._count += 1
        if self._count == self._limit:
            self._split_buckets()
        return None

    def _split_buckets(self) -> None:
        """Four times as many buckets: each one's sorted arrays cut in four."""
        hashes, places, bits = self._hashes, self._places, self._bits
        self._new_buckets(bits + 2)
        shift, size = self._shift, 1 << bits
        for index, (old_hashes, old_places) in enumerate(zip(hashes, places, strict=True)):
            if old_hashes is None or old_places is None:
                continue
            value = index if index < size // 2 else index - size  # the bucket's signed value
            start = 0
            for quarter in range(4):
                new = (value << 2) + quarter
                end = bisect_left(old_hashes, (new + 1) << shift) if quarter < 3 else None
                part = old_hashes[start:end]
                if part:
                    self._hashes[new] = part
                    self._places[new] = old_places[start:end]
                start = len(old_hashes) if end is None else end

    def _flush(self) -> None:
        assert self._file is not None
        view = memoryview(self._buffer)
        while view:
            view = view[self._file.write(view) or 0 :]
        self._flushed += len(self._buffer)
        self._buffer = bytearray()
        # A place is a byte offset: 4 bytes reach 4 GiB, less what the buffer may hold by
        # the next flush (1 MiB and one entry); past that, places take 8 bytes.
        if self._flushed >= _WIDEN_AT and self._places_type == "I":
            self._widen()

    def __contains__(self, custom_id: object) -> bool:
        if not isinstance(custom_id, str):
            return False
        digest = self._hash(custom_id)
        bucket = digest >> self._shift
        hashes = self._hashes[bucket]
        if hashes is None:
            return False
        at = bisect_left(hashes, digest)
        if at == len(hashes) or hashes[at] != digest:
            return False
        return self._find(bucket, at, digest, _encode(custom_id)) is not None

    def _find(self, bucket: int, at: int, digest: int, data: bytes) -> int | None:
        """The value of the id `data` among those of hash `digest` (from `at`), or None:
        equal hashes are a repeat or a collision, and the bytes say which."""
        hashes, places = self._hashes[bucket], self._places[bucket]
        assert hashes is not None and places is not None
        while at < len(hashes) and hashes[at] == digest:
            kept, value = self._read(places[at])
            if kept == data:
                return value
            at += 1
        return None

    def _read(self, place: int) -> tuple[bytes, int]:
        """The id's bytes and the value of the entry at `place`."""
        start = place
        if start >= self._flushed:  # in the buffer (every entry is, without a file)
            buffer, offset = self._buffer, start - self._flushed
            value, size = _HEADER.unpack_from(buffer, offset)
            offset += _HEADER.size
            return bytes(buffer[offset : offset + size]), value
        assert self._file is not None
        fd = self._file.fileno()
        value, size = _HEADER.unpack(os.pread(fd, _HEADER.size, start))
        return os.pread(fd, size, start + _HEADER.size), value

    def _widen(self) -> None:
        self._places_type = "Q"
        self._places = [None if p is None else array("Q", p) for p in self._places]

    def close(self) -> None:
        """Free the table and the ids' bytes (the file, with `disk=True`, is removed)."""
        if self._file is not None:
            self._file.close()
        self._buffer = bytearray()
        self._count = 0
        self._new_buckets(_FIRST_BITS)

    def __enter__(self) -> IdIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def table_bytes(self) -> int:
        """The memory of the buckets, in bytes, arrays' headers included (not the ids')."""
        arrays = [a for a in (*self._hashes, *self._places) if a is not None]
        items = sum(a.buffer_info()[1] * a.itemsize for a in arrays)
        return items + 64 * len(arrays) + 8 * 2 * len(self._hashes)
