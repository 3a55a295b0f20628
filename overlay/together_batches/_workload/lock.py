"""One run per workload manifest at a time: an exclusive lock held while a run is open.

Two runs of the same manifest at once (two processes, or a second `run` while the first's
iterator is still open) would each keep their own state and could create a part's batch
twice. So a run takes a lock on `NAME.lock` beside the manifest before it reads the
manifest, and gives it back when its iterator ends (finished, failed, or closed).

The lock is the operating system's (`flock` on POSIX, `msvcrt.locking` on Windows): it is
given back when the process ends however it ends, so a crash never leaves a stale lock for
the resumed run to trip on. The file itself stays (removing it would race with a run about to
lock it) and holds nothing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .._exceptions import ManifestError

__all__ = ["ManifestLock", "lock_path"]


def lock_path(manifest: Path) -> Path:
    """The lock file of a manifest: `NAME.lock` beside it."""
    return manifest.with_name(manifest.name + ".lock")


class ManifestLock:
    """An exclusive lock on one manifest, taken by `take` and given back by `release`.

    Raises (from `take`):
        ManifestError: Another run holds it.
    """

    def __init__(self, manifest: Path) -> None:
        self.manifest = manifest
        self._fd: int | None = None

    def take(self) -> None:
        """Take the lock, or say who has it.

        Raises:
            ManifestError: Another run of this manifest is open (in this program or another).
            OSError: The lock file cannot be made (the directory is not writable, say).
        """
        path = lock_path(self.manifest)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _lock(fd)
        except OSError:
            os.close(fd)
            raise ManifestError(
                f"another run of the workload {self.manifest} is open (in this program or "
                f"another; it holds {path.name}): wait for it to end, or close its results "
                "iterator (results.close(), or await results.aclose()), then run again. Two "
                "runs at once could create a part's batch twice."
            ) from None
        self._fd = fd

    def release(self) -> None:
        """Give the lock back (closing the file does); nothing when it is not held."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def __del__(self) -> None:
        # A run whose iterator was dropped unstarted never reached its `finally`.
        self.release()


if sys.platform == "win32":
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
