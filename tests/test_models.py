"""`BatchJob` as a value: immutable, comparable, copyable, picklable, constructible."""

from __future__ import annotations

import copy
import datetime as dt
import pickle

import pytest

from together_batches import BatchJob, BatchStatus
from together_batches._models import parse_create, parse_job


def test_jobs_survive_pickle_and_copies_with_extras_and_warning() -> None:
    job = parse_create({"job": {"id": "b1", "status": "NEWISH", "progress": 5, "x": [1]},
                        "warning": "w"})  # fmt: skip
    for clone in (pickle.loads(pickle.dumps(job)), copy.copy(job), copy.deepcopy(job)):
        assert clone == job
        assert (clone.warning, clone.x, clone.status) == ("w", [1], "NEWISH")


def test_jobs_are_immutable_and_unhashable() -> None:
    job = parse_job({"id": "b1"})
    with pytest.raises(AttributeError, match="immutable"):
        job.id = "b2"  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        del job.warning
    with pytest.raises(TypeError):
        hash(job)


def test_equality_is_by_content() -> None:
    assert parse_job({"id": "a", "progress": 5}) == parse_job({"progress": 5.0, "id": "a"})
    assert parse_job({"id": "a"}) != parse_job({"id": "b"})
    assert parse_job({"id": "a"}, warning="w") != parse_job({"id": "a"})
    assert parse_job({"id": "a"}) != {"id": "a"}


def test_the_constructor_round_trips_through_the_wire_form() -> None:
    when = dt.datetime(2024, 1, 15, 14, 30, 0, 123000, tzinfo=dt.UTC)
    job = BatchJob(id="b1", status=BatchStatus.COMPLETED, progress_percent=100, created_at=when,
                   extras={"tier": "gold"})  # fmt: skip
    again = parse_job(job.to_dict())
    assert again == job
    assert again.created_at == when and again.status is BatchStatus.COMPLETED
    assert job.to_dict()["created_at"] == "2024-01-15T14:30:00.123000Z"
    assert list(job.to_dict())[:3] == ["id", "user_id", "input_file_id"]


def test_the_constructor_rejects_what_parsing_would() -> None:
    with pytest.raises(ValueError, match="progress"):
        BatchJob(extras={"progress": 3})
    with pytest.raises(ValueError):
        BatchJob(id=5)  # type: ignore[arg-type]
