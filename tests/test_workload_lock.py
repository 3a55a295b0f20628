"""One run per manifest at a time, over both twins: a second run of a manifest whose first
run is still open (in this process or another) is refused with `ManifestError` before
anything is read, written or sent; the lock is given back when a run ends, fails, is closed,
or is dropped unstarted, and a process that dies gives it back too."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from together_batches import APIStatusError, ManifestError
from together_batches._workload import lock as lock_module
from together_batches._workload.lock import ManifestLock, lock_path
from together_batches.testing import Fault, fast_forward

from ._processes import finish
from ._twins import Twin
from .test_workload_run import COUNT, ENDPOINT, World, requests

REFUSED = r"^another run of the workload .*w\.json is open \(in this program or another"


def second_run(world: World) -> None:
    with pytest.raises(ManifestError, match=REFUSED):
        world.client.batches.run(requests(), endpoint=ENDPOINT, manifest=world.manifest)


def test_a_second_run_while_the_first_is_open_is_refused_and_sends_nothing(
    twin: Twin, tmp_path: Path
) -> None:
    world = World(twin, tmp_path)
    first = world.start()  # the async twin takes the lock here, and splits once iterated
    manifest = world.manifest.read_bytes() if world.manifest.exists() else None
    seen = len(world.emulator.requests)
    second_run(world)
    after = world.manifest.read_bytes() if world.manifest.exists() else None
    assert after == manifest  # not read-and-rewritten, not touched
    assert len(world.emulator.requests) == seen
    with fast_forward(world.clock):
        results = list(first)  # the first goes on, alone, to its end
    assert len(results) == COUNT
    assert world.run() == []  # its lock was given back: a resumed run finds all done


def test_closing_a_run_part_way_gives_the_lock_back(twin: Twin, tmp_path: Path) -> None:
    world = World(twin, tmp_path)
    first: Any = world.start()  # a generator, or the async twin's (closed by its runner)
    with fast_forward(world.clock):
        assert next(iter(first)).custom_id.startswith("r")
    second_run(world)
    first.close()  # as `results.close()` / `await results.aclose()` does
    results = world.run()  # resumed: the rest, and nothing read twice but that part
    assert {r.custom_id for r in results} <= {f"r{i}" for i in range(COUNT)}


def test_a_run_dropped_unstarted_gives_the_lock_back(twin: Twin, tmp_path: Path) -> None:
    world = World(twin, tmp_path)
    first = world.start()
    second_run(world)
    del first
    assert len(world.run()) == COUNT


def test_a_run_that_fails_gives_the_lock_back(twin: Twin, tmp_path: Path) -> None:
    world = World(twin, tmp_path)
    world.emulator.faults.add(Fault.status(400))  # the first request: a part's upload
    with pytest.raises(APIStatusError):
        world.run()
    assert len(world.run()) == COUNT


def test_a_lock_held_by_another_process_refuses_and_its_death_frees_it(
    twin: Twin, tmp_path: Path
) -> None:
    world = World(twin, tmp_path)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import sys
            from pathlib import Path
            from together_batches._workload.lock import ManifestLock
            lock = ManifestLock(Path({str(world.manifest)!r}))
            lock.take()
            print("held", flush=True)
            sys.stdin.readline()  # held until the test says (or the process is killed)
        """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        second_run(world)
        assert world.emulator.requests == [] and not world.manifest.exists()
        holder.kill()  # dies holding it: the operating system gives the lock back
        holder.wait(timeout=60)
        assert len(world.run()) == COUNT
    finally:
        if holder.poll() is None:
            holder.kill()
        finish(holder, 60)
    assert not lock_path(world.manifest).exists()  # the run that ended deleted it


def test_the_lock_is_one_holder_at_a_time_and_release_is_idempotent(tmp_path: Path) -> None:
    manifest = tmp_path / "sub" / "w.json"
    first, second = ManifestLock(manifest), ManifestLock(manifest)
    first.take()
    with pytest.raises(ManifestError, match=r"it holds w\.json\.lock"):
        second.take()
    first.release()
    first.release()
    second.take()
    second.release()
    assert not lock_path(manifest).exists()  # the holder deletes it as it lets go


@pytest.mark.skipif(sys.platform == "win32", reason="Windows keeps the file (see lock.py)")
def test_a_take_that_locked_a_file_deleted_meanwhile_starts_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = tmp_path / "w.json"
    holder, late = ManifestLock(manifest), ManifestLock(manifest)
    holder.take()
    real, locked = lock_module._lock, list[int]()

    def holder_leaves_between_open_and_lock(fd: int) -> None:
        if not locked:
            holder.release()  # deletes the file `late` has just opened
        locked.append(fd)
        real(fd)

    monkeypatch.setattr(lock_module, "_lock", holder_leaves_between_open_and_lock)
    late.take()
    assert len(locked) == 2  # the deleted file's lock was let go; the new file's kept
    with pytest.raises(ManifestError):
        ManifestLock(manifest).take()  # one holder: the file under the name is locked
    late.release()
    assert not lock_path(manifest).exists()
