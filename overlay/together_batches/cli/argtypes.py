"""The types of the command line's arguments: each turns the text typed into a value, or
says what is wrong with it (argparse then names the argument, as typed)."""

from __future__ import annotations

import argparse
import math

from .._http.ids import check_id
from .views.render import parse_status_filter

__all__ = ["an_id", "fraction", "non_negative", "not_empty", "port", "positive", "statuses"]


def positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"expected a number of seconds >= 0, got {text!r}")
    return value


def fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a fraction from 0 to 1, got {text!r}")
    return value


def an_id(text: str) -> str:
    try:
        return check_id(text, name="an id")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def not_empty(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty, e.g. /v1/chat/completions")
    return text


def port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, got {text!r}")
    return value


def statuses(text: str) -> str:
    try:
        parse_status_filter([text])
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text
