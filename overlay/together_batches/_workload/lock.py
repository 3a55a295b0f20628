"""One run per workload manifest at a time: an exclusive lock held while a run is open.

Two runs of the same manifest at once (two processes, or a second `run` while the first's
iterator is still open) would each keep their own state and could create a part's batch
twice. So a run takes a lock on `NAME.lock` beside the manifest before it reads the
manifest, and gives it back when its iterator ends (finished, failed, or closed).

The lock is the operating system's (`flock` on POSIX, `msvcrt.locking` on Windows): it is
given back when the process ends however it ends, so a crash never leaves a stale lock for
the resumed run to trip on (a crash may leave the file, which then holds no lock).

On POSIX the holder also deletes the file when it gives the lock back, so that a run that
ended leaves nothing behind. Deleting a lock file races with a run about to take it: that
run may have opened the file just before it was deleted, and would then lock a file no
longer under the name, while a third run locks a new one. So the holder deletes the file
while it still holds the lock (only the holder ever deletes it), and a run that took a lock
checks that the name still leads to the file it locked; if not, it lets go and starts
again on the file now under the name. On Windows an open file cannot be deleted: the file
stays there, holding nothing.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from .._exceptions import ManifestError

__all__ = ["ManifestInUse", "ManifestLock", "lock_path"]


class ManifestInUse(ManifestError):
    """Another run of the manifest is open: its lock is held (a `ManifestError`, so that a
    caller who catches those catches this; the CLI tells it apart to say it in its words).

    Attributes:
        lock: The lock file's path.
    """

    def __init__(self, message: str, *, lock: Path) -> None:
        super().__init__(message)
        self.lock = lock


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
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                _lock(fd)
            except OSError:
                os.close(fd)
                raise ManifestInUse(
                    f"another run of the workload {self.manifest} is open (in this program "
                    f"or another; it holds {path.name}): wait for it to end, or close its "
                    "results iterator (results.close(), or await results.aclose()), then run "
                    "again. Two runs at once could create a part's batch twice.",
                    lock=path,
                ) from None
            if _still_named(fd, path):
                self._fd = fd
                return
            # The holder before us deleted the file we opened as it gave the lock back:
            # what we hold is no one's lock. Try again on the file now under the name.
            os.close(fd)

    def release(self) -> None:
        """Give the lock back, deleting its file first (see above); nothing when it is not
        held."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        if sys.platform != "win32":
            with contextlib.suppress(OSError):  # already gone, or the directory is read-only
                lock_path(self.manifest).unlink()
        os.close(fd)

    def __del__(self) -> None:
        # A run whose iterator was dropped unstarted never reached its `finally`.
        self.release()


def _still_named(fd: int, path: Path) -> bool:
    """Whether `path` still leads to the open file `fd`."""
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


if sys.platform == "win32":
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
