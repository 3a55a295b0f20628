"""What rich's live displays leave on a terminal: the frames they drew, and the screen at the
end, from the text written (a small terminal: CR, LF, cursor up, erase line, column)."""

from __future__ import annotations

import re

__all__ = ["frames", "screen"]

_CONTROL = re.compile(r"\x1b\[(\??)(\d*)([A-Za-z])|\r|\n")
_REDRAW = re.compile(r"\r\x1b\[2K(?:\x1b\[1A\x1b\[2K)*")


def frames(output: str) -> list[list[str]]:
    """Each frame a live display drew, as its lines (trailing spaces dropped), in order."""
    drawn = []
    for number, chunk in enumerate(_REDRAW.split(output)):
        text = re.sub(r"\x1b\[[?\d;]*[A-Za-z]", "", chunk).rstrip("\n")
        if number or text:  # the first frame has nothing to redraw over
            drawn.append([line.rstrip() for line in text.split("\n")])
    return drawn


def screen(output: str) -> list[str]:
    """The lines on the screen once `output` was written (trailing spaces dropped), the
    cursor's line last if it is empty."""
    rows: list[list[str]] = [[]]
    row = col = 0

    def put(text: str) -> None:
        nonlocal col
        line = rows[row]
        for char in text:
            while len(line) <= col:
                line.append(" ")
            line[col] = char
            col += 1

    position = 0
    for match in _CONTROL.finditer(output):
        put(output[position : match.start()])
        position = match.end()
        token = match.group(0)
        if token == "\r":
            col = 0
        elif token == "\n":
            row, col = row + 1, 0
            while len(rows) <= row:
                rows.append([])
        elif match.group(1) == "?":
            continue  # the cursor shown or hidden
        else:
            count = int(match.group(2) or 1)
            kind = match.group(3)
            if kind == "A":
                row = max(0, row - count)
            elif kind == "K":
                rows[row] = []
            elif kind == "G":
                col = count - 1
    put(output[position:])
    return ["".join(line).rstrip() for line in rows]
