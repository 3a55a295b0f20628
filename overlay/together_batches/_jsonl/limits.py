"""The Batch API's limits on one batch input file (Together's docs): plain values, no I/O."""

__all__ = ["MAX_CUSTOM_ID_LENGTH", "MAX_FILE_BYTES", "MAX_REQUESTS"]

#: The most requests (lines) one batch input file may hold.
MAX_REQUESTS = 50_000
#: The largest input file a batch takes, in bytes ("100 MB").
MAX_FILE_BYTES = 100_000_000
#: The longest custom_id, in characters (also the spec's `maxLength`).
MAX_CUSTOM_ID_LENGTH = 64
