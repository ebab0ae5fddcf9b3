"""A catalog file as a stream of CSV rows, each with its spreadsheet row number.

The file is decoded by an io.TextIOWrapper feeding csv.reader (both in C); memory stays
flat whatever the file's size. A decoding error stops the import, and only then is the file
scanned line by line to name the line at fault. Rows whose field count differs from the
header's are reported as FATAL (values would land in the wrong columns) and not yielded;
reading goes on so that every ragged row is reported at once.
"""

from __future__ import annotations

import csv
import io
import pathlib
from collections.abc import Iterator
from io import BufferedReader

from appliance.importers.report import ImportReport, Severity

_SIGNATURES = {
    b"PK\x03\x04": "a ZIP archive (an Excel .xlsx workbook?); save it as 'CSV UTF-8'",
    b"\xd0\xcf\x11\xe0": "an old Excel/Office binary file; save it as 'CSV UTF-8'",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xfe": "UTF-16 text; save it as 'CSV UTF-8'",
    b"\xfe\xff": "UTF-16 text; save it as 'CSV UTF-8'",
}
MAX_FATAL_ROWS = 200  # after this many ragged rows the verdict is clear; stop reading


class CsvSource:
    """Call `start()`, then iterate `rows()` once. `header` holds the stripped column names."""

    def __init__(self, fh: BufferedReader, path: str, encoding: str, report: ImportReport) -> None:
        self._fh = fh
        self.path = path
        # A UTF-8 BOM (WooCommerce writes one) is dropped, not read as part of the first name.
        self.encoding = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
        self.report = report
        self.header: list[str] = []
        self._reader: Iterator[list[str]] | None = None
        self._delimiter = ","

    @property
    def bytes_read(self) -> int:
        """How far into the file reading has got (for a progress bar)."""
        return self._fh.raw.tell()

    def start(self) -> bool:
        """Read the header; False (with a FATAL problem reported) if this is no CSV at all."""
        head = self._fh.peek(65536)[:65536]
        for sig, what in _SIGNATURES.items():
            if head.startswith(sig):
                self.report.add(None, Severity.FATAL, "not_csv", f"The file is {what}, not a CSV file.")
                return False
        if b"\x00" in head[:4096]:
            self.report.add(
                None,
                Severity.FATAL,
                "not_csv",
                "The file holds NUL bytes: it is binary (or UTF-16) data, not a CSV file.",
            )
            return False
        first_line = head.split(b"\n", 1)[0]
        if not first_line.strip():
            self.report.add(
                1,
                Severity.FATAL,
                "no_header",
                "The file is empty or its first line is blank: a catalog CSV starts with its header row.",
            )
            return False
        self._delimiter = max((b",", b";", b"\t"), key=first_line.count).decode()
        text = io.TextIOWrapper(self._fh, encoding=self.encoding, newline="")
        self._reader = csv.reader(text, delimiter=self._delimiter, strict=True)
        try:
            header = next(self._reader, None)
        except csv.Error as err:
            self.report.add(1, Severity.FATAL, "not_csv", f"The header row is not valid CSV: {err}.")
            return False
        except UnicodeDecodeError:
            self._undecodable(1)
            return False
        if not header:
            self.report.add(
                1,
                Severity.FATAL,
                "no_header",
                "The file holds no header row (it has no complete line of text).",
            )
            return False
        self.header = [h.strip() for h in header]
        dupes = sorted({h for h in self.header if h and self.header.count(h) > 1})
        if dupes:
            self.report.add(
                1,
                Severity.FATAL,
                "duplicate_column",
                f"Column(s) {', '.join(dupes)} appear more than once in the header.",
            )
            return False
        return True

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(row number, fields) of every well-formed data row. Reports FATAL problems as found."""
        assert self._reader is not None, "start() first"
        width = len(self.header)
        row_no = 1
        ragged = 0
        report = self.report
        try:
            for fields in self._reader:
                row_no += 1
                if not fields or (len(fields) == 1 and not fields[0].strip()):
                    continue  # a blank line
                report.rows += 1
                if len(fields) != width:
                    ragged += 1
                    report.add(
                        row_no,
                        Severity.FATAL,
                        "ragged_row",
                        f"Row {row_no} has {len(fields)} fields but the header has {width}: its values would land in the wrong columns.",
                    )
                    if ragged >= MAX_FATAL_ROWS:
                        report.add(
                            None,
                            Severity.FATAL,
                            "too_many_errors",
                            f"Stopped reading after {ragged} ragged rows.",
                        )
                        return
                    continue
                yield row_no, fields
        except csv.Error as err:
            report.add(
                row_no + 1,
                Severity.FATAL,
                "not_csv",
                f"Row {row_no + 1} is not valid CSV: {err} (an unclosed quote?).",
            )
        except UnicodeDecodeError:
            self._undecodable(row_no + 1)

    def _undecodable(self, fallback_row: int) -> None:
        """Name the row and line that do not decode: rescan the file, decoding line by line.

        Only this error path pays for line-wise decoding; the fast path decodes in chunks,
        which cannot tell where the bad byte was.
        """
        state = {"line": 0}

        def lines(fh: BufferedReader) -> Iterator[str]:
            for raw in fh:
                state["line"] += 1
                yield raw.decode(self.encoding)

        row, line, detail = fallback_row, None, ""
        with open_source(pathlib.Path(self.path)) as fh:
            reader = csv.reader(lines(fh), delimiter=self._delimiter, strict=False)
            row = 0
            try:
                for row, _ in enumerate(reader, 1):  # noqa: B007
                    pass
            except UnicodeDecodeError as err:
                row, line = row + 1, state["line"]
                bad, around = (
                    err.object[err.start : err.end],
                    err.object[max(0, err.start - 12) : err.end + 12],
                )
                detail = f" (line {line}: byte {bad!r} in {around!r})"
        self.report.add(
            row,
            Severity.FATAL,
            "encoding",
            f"Row {row} is not {self.encoding.removesuffix('-sig')} text{detail}; "
            "save the file as 'CSV UTF-8' or pass --encoding (e.g. cp1252).",
        )


def open_source(path: pathlib.Path) -> BufferedReader:
    fh = path.open("rb", buffering=1 << 16)
    assert isinstance(fh, BufferedReader)
    return fh
