"""Look at a file's bytes before reading it: format, compression, encoding, binary content.

Decisions are made from the content, not only the extension (a ``.csv`` that is really an Excel
workbook gets a message that says so). Every decision that is an assumption is returned as a
warning for the ingest summary.
"""

from __future__ import annotations

import codecs
import gzip
import io
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pipelines.etl.errors import IngestError
from pipelines.etl.sources import SourceFormat

GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
UTF8_BOM = codecs.BOM_UTF8
SAMPLE_BYTES = 1 << 16


class _CountingReader(io.RawIOBase):
    """A raw byte stream that counts what has been read from the underlying file (progress)."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


@dataclass
class OpenedFile:
    """A file opened for reading its (decompressed) bytes; ``counter.count`` = raw bytes read."""

    stream: BinaryIO
    counter: _CountingReader
    compressed: bool
    size: int

    def close(self) -> None:
        self.stream.close()


def open_bytes(path: str | Path) -> OpenedFile:
    """Open ``path`` for reading its bytes, transparently un-gzipping (by magic, not name)."""
    path = Path(path)
    size = path.stat().st_size
    raw = open(path, "rb")  # noqa: SIM115 - closed by OpenedFile.close
    counter = _CountingReader(raw)
    head = raw.read(2)
    raw.seek(0)
    buffered = io.BufferedReader(counter, buffer_size=1 << 20)
    if head == GZIP_MAGIC:
        return OpenedFile(gzip.GzipFile(fileobj=buffered, mode="rb"), counter, True, size)  # type: ignore[arg-type]
    return OpenedFile(buffered, counter, False, size)  # type: ignore[arg-type]


def read_head(path: str | Path, n: int = SAMPLE_BYTES) -> bytes:
    """The first ``n`` decompressed bytes of ``path`` (a corrupt gzip is an IngestError)."""
    opened = open_bytes(path)
    try:
        return opened.stream.read(n)
    except (OSError, EOFError, zlib.error) as exc:
        raise IngestError(f"cannot decompress: {exc}", file=path, hint="check the file is a complete .gz") from exc
    finally:
        opened.close()


def detect_format(path: str | Path, head: bytes | None = None) -> SourceFormat:
    """``"csv"``, ``"xes"`` or ``"parquet"`` from the content (extension only breaks ties).

    Refuses, with a message saying what the file looks like: empty files, Excel workbooks, other
    binary files.
    """
    path = Path(path)
    if path.stat().st_size == 0:
        raise IngestError("the file is empty (0 bytes)", file=path, hint="export the log again")
    raw_head = path.open("rb").read(8)
    if raw_head.startswith(PARQUET_MAGIC):
        return "parquet"
    if raw_head.startswith(ZIP_MAGIC) or raw_head.startswith(OLE_MAGIC):
        kind = "an Excel workbook or zip archive"
        raise IngestError(f"this looks like {kind}, not CSV, XES or Parquet", file=path,
                          hint="save the sheet as CSV (UTF-8) and ingest that")
    head = read_head(path) if head is None else head
    if not head.strip():
        raise IngestError("the file is empty (no text)", file=path, hint="export the log again")
    if b"\x00" in head and not _is_utf16(head):
        raise IngestError("this is a binary file (NUL bytes), not CSV, XES or Parquet", file=path,
                          hint="ingest a CSV, XES (.xes/.xes.gz) or Parquet export")
    if _is_utf16(head):
        raise IngestError("the file is UTF-16 encoded", file=path,
                          hint="re-save it as UTF-8 (e.g. 'iconv -f UTF-16 -t UTF-8')")
    text = head.lstrip(UTF8_BOM).lstrip()
    name = path.name.lower()
    if text.startswith(b"<") and (b"<log" in head or b"<trace" in head or name.endswith((".xes", ".xes.gz", ".xml"))):
        return "xes"
    if name.endswith((".xes", ".xes.gz")):
        return "xes"
    return "csv"


def _is_utf16(head: bytes) -> bool:
    return head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def detect_encoding(path: str | Path) -> tuple[str, list[str]]:
    """The text encoding of ``path`` and the warnings to show about it.

    UTF-8 (BOM removed, with a warning) when every byte decodes; otherwise Latin-1 (ISO-8859-1),
    with a warning naming the first byte that is not UTF-8, since Latin-1 decodes any byte and may
    be the wrong code page.
    """
    opened = open_bytes(path)
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    first = True
    bom = False
    line = 1
    try:
        while chunk := opened.stream.read(1 << 20):
            if first:
                bom = chunk.startswith(UTF8_BOM)
                first = False
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                bad = offset + exc.start
                line += chunk[: exc.start].count(b"\n")
                return "latin-1", [
                    f"not valid UTF-8 (first bad byte 0x{chunk[exc.start]:02x} at byte {bad}, line {line}); "
                    "read as Latin-1 (ISO-8859-1): check accented letters, or re-export as UTF-8"
                ]
            line += chunk.count(b"\n")
            offset += len(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "latin-1", ["the file ends in the middle of a UTF-8 character; read as Latin-1 (ISO-8859-1)"]
    except (OSError, EOFError, zlib.error) as exc:
        raise IngestError(f"cannot decompress: {exc}", file=path, hint="check the file is a complete .gz") from exc
    finally:
        opened.close()
    if bom:
        return "utf-8-sig", ["UTF-8 byte-order mark (BOM) found and removed"]
    return "utf-8", []
