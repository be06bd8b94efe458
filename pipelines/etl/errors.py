"""The error every refused input raises: what is wrong, where, and what to do."""

from __future__ import annotations

from pathlib import Path


class IngestError(ValueError):
    """Bad input refused whole; the warehouse is left exactly as it was.

    ``str(err)`` is one line: ``FILE[, row R][, column 'C']: problem; hint``. The CLI prints it
    on stderr and exits with code 2.

    >>> str(IngestError("every timestamp is unparseable", file="x.csv", column="ts",
    ...                 hint="pass --timestamp-format"))
    "x.csv, column 'ts': every timestamp is unparseable; pass --timestamp-format"
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.hint = hint
        super().__init__(self._line())

    def _line(self) -> str:
        where = [w for w in (self.file,) if w]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = (", ".join(where) + ": " if where else "") + self.problem
        if self.hint:
            text += f"; {self.hint}"
        return " ".join(text.split())  # one line, whatever the parts contain
