from enum import StrEnum
from typing import Any


class FileProcessingStatus(StrEnum):
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    INVALID_FORMAT = "INVALID_FORMAT"
    PENDING = "PENDING"
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> Any:
        # An open enum: the API adds values over time, and one unknown value must not fail
        # a whole response. An unknown string becomes a pseudo-member that is not listed in
        # the class, compares equal to the string the server sent, and whose name is the
        # value itself. (Template from spec/templates/, kept across regeneration.)
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member
