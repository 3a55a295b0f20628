"""One part's results, read one at a time: which to hand on now, and which requests to try
again, so that each request's outcome is its last attempt's.

In a round that will be retried, only ok results are handed on: a request that failed (an
error line, a response with an error status, or no line at all because its batch expired,
was cancelled or failed first) goes into the part's leftover, the input lines of the next
round. In the final round every result is handed on, and a request with no line at all gets
a failed record saying why (`unfinished`), so that every request has an outcome.

The requests that never ran are found as `batches.results` finds them (`_jsonl.accounting`,
one implementation): the part's results' custom_ids in an exact compact index, then its
input (the part file on disk) streamed against it.

Memory: the custom_ids of the part's results (at most one part's, 50,000), not the results,
in two `_jsonl.ids.IdIndex` (those seen, and those ok): about 48 bytes an id each.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .._jsonl.accounting import Tally, input_custom_id, input_custom_ids, not_run_message
from .._jsonl.ids import IdIndex
from .._jsonl.results import NOT_RUN_CODE, BatchResult
from .records import Part

__all__ = ["UNFINISHED_CODE", "PartResults", "custom_id_of"]

#: The `code` of the failed record made for a request whose batch ended before it ran.
UNFINISHED_CODE = NOT_RUN_CODE


def custom_id_of(line: bytes) -> str:
    """The custom_id of an input line (one the workload wrote, so a valid one)."""
    return input_custom_id(line)


class PartResults:
    """Sorts one part's results as they are read.

    Args:
        part: The part, terminal (its batch's status is in the messages).
        final: Whether its round is the last (no retry follows): then failures are handed
            on too.
    """

    def __init__(self, part: Part, *, final: bool) -> None:
        self.part = part
        self.final = final
        self._ok = IdIndex()
        self._tally = Tally()

    @property
    def succeeded(self) -> int:
        """How many of the part's requests got an ok result so far."""
        return len(self._ok)

    def feed(self, result: BatchResult) -> bool:
        """Take one result (of the output or the error file).

        Returns:
            Whether to hand it on now: an ok result always; a failed one in the final
            round only (otherwise the request is tried again).
        """
        self._tally.feed(result)
        if result.ok:
            self._ok.add(result.custom_id)
            return True
        return self.final

    def leftovers(self, lines: Iterable[bytes]) -> Iterator[bytes]:
        """The part's input lines to try again: those of requests without an ok result.

        Args:
            lines: The part's input file, read as lines (not read at all when every
                request succeeded).

        Yields:
            The lines, as they are, in order.
        """
        if self.succeeded >= self.part.input.requests:
            return
        ok = self._ok
        for line in lines:
            if custom_id_of(line) not in ok:
                yield line

    def unfinished(self, lines: Iterable[bytes]) -> Iterator[BatchResult]:
        """A failed record for each request of the part that has no result at all.

        Args:
            lines: The part's input file, read as lines (not read at all when every
                request has a result).

        Yields:
            One record per such request, in input order, with `code` `UNFINISHED_CODE`.
        """
        if self._tally.seen >= self.part.input.requests:
            return
        message = not_run_message(str(self.part.batch_id), str(self.part.status))
        yield from self._tally.not_run(input_custom_ids(lines), message)

    def close(self) -> None:
        """Free the custom_ids kept."""
        self._ok.close()
        self._tally.close()
