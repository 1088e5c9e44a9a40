"""Format detection and streaming readers: each file becomes a DuckDB table expression.

Text formats (CSV, TSV, Excel) are read with every column as VARCHAR, so that type inference
sees the values exactly as written and one bad cell never stops the reader; Parquet and JSON
Lines keep the types they carry. Nothing here reads a whole file into Python: encodings are
checked and transcoded in 1 MiB chunks, Excel is streamed row by row (openpyxl read-only mode)
into a CSV, and DuckDB does the actual reading.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import duckdb

from ..errors import DataError
from .infer import column_names

Format = Literal["csv", "parquet", "jsonl", "excel"]
_CHUNK = 1 << 20
_SNIFF_BYTES = 64 * 1024
_FORMATS: dict[str, Format] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".tab": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".xlsx": "excel",
    ".xlsm": "excel",
}
# GB18030 is a superset of GBK and GB2312, so one decoder covers all three.
_FALLBACK_ENCODINGS = ("gb18030",)


@dataclass
class SourceFile:
    """One input file, ready for DuckDB to read."""

    path: Path
    format: Format
    read_sql: str  # a DuckDB table expression over the (possibly transcoded) file
    raw_columns: list[str]  # header names as written in the file
    columns: list[str]  # the safe column names the table gets
    sha256: str
    encoding: str = "utf-8"
    delimiter: str = ","
    text_path: Path | None = None  # the UTF-8 CSV DuckDB reads (text formats only)
    notes: list[str] = field(default_factory=list)

    @property
    def all_varchar(self) -> bool:
        return self.text_path is not None

    def original(self, column: str) -> str:
        return dict(zip(self.columns, self.raw_columns, strict=True)).get(column, column)

    def locate(self, record: int) -> int:
        """The line (sheet row for Excel) where 1-based data record ``record`` starts."""
        return self.locate_many([record])[record]

    def locate_many(self, records: list[int]) -> dict[int, int]:
        """Lines of several records, found in one streaming pass over the file."""
        wanted, found = set(records), {}
        last = max(wanted, default=0)
        for index, line in self._record_starts():
            if index in wanted:
                found[index] = line
            if index >= last:
                break
        return {r: found.get(r, r) for r in records}

    def _record_starts(self) -> Iterator[tuple[int, int]]:
        if self.format == "jsonl":
            return _jsonl_starts(self.path)
        if self.format == "excel":
            return ((i, number) for i, (number, _c) in enumerate(_excel_rows(self.path)))
        if self.text_path is None:
            return ((i, i) for i in itertools.count(1))
        return _csv_starts(self.text_path, self.delimiter)


def detect_format(path: Path) -> Format:
    found = _FORMATS.get(path.suffix.lower())
    if found is None:
        known = ", ".join(sorted(_FORMATS))
        raise DataError(f"{path.name}: unknown file type {path.suffix!r}; use one of {known}.")
    return found


def open_source(path: Path, staging: Path, *, encoding: str | None = None) -> SourceFile:
    """Inspect ``path`` and return how DuckDB should read it (transcoding into ``staging``)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file.")
    if path.stat().st_size == 0:
        raise DataError(f"{path.name} is empty (0 bytes); export it again with a header row.")
    fmt = detect_format(path)
    if fmt == "csv":
        return _csv_source(path, staging, encoding)
    if fmt == "excel":
        return _excel_source(path, staging)
    digest = _sha256(path)
    func = "read_parquet" if fmt == "parquet" else "read_json"
    opts = "" if fmt == "parquet" else ", format='newline_delimited'"
    sql = f"{func}({_lit(path)}{opts})"
    return SourceFile(path, fmt, sql, [], [], digest)


def describe_columns(source: SourceFile, names: list[str]) -> None:
    """Fill the column names of typed formats, whose header DuckDB reads."""
    source.raw_columns = names
    source.columns = column_names(names)


# --- CSV and TSV --------------------------------------------------------------------------


def _csv_source(path: Path, staging: Path, encoding: str | None) -> SourceFile:
    digest, found = _check_encoding(path, encoding)
    text_path = path
    if found not in ("utf-8", "utf-8-sig"):
        text_path = staging / f"{path.stem}.utf8.csv"
        _transcode(path, found, text_path)
    head = _head_text(text_path)
    delimiter = _sniff_delimiter(path, head)
    raw = _header(head, delimiter, path)
    source = SourceFile(path, "csv", "", raw, column_names(raw), digest, found, delimiter)
    source.text_path = text_path
    source.read_sql = csv_sql(text_path, delimiter, source.columns)
    if found not in ("utf-8", "utf-8-sig"):
        source.notes.append(f"decoded from {found.upper()}")
    return source


MAX_LINE_BYTES = 2 * 2**20


def csv_sql(path: Path, delimiter: str, columns: list[str]) -> str:
    # Every option is explicit: DuckDB's sniffer is skipped (it guesses wrong on broken files),
    # and every column is VARCHAR so that inference, not the reader, decides types. DuckDB sizes
    # its read buffers at 16x the maximum line size: 2 MB lines mean 32 MB buffers, which fit the
    # staging memory cap (16 MB lines meant 256 MB buffers and ran out of memory on large files).
    cols = ", ".join(f"{_lit(c)}: 'VARCHAR'" for c in columns)
    return (
        f"read_csv({_lit(path)}, delim={_lit(delimiter)}, quote='\"', escape='\"', "
        f"header=true, auto_detect=false, strict_mode=true, columns={{{cols}}}, "
        f"max_line_size={MAX_LINE_BYTES})"
    )


def _check_encoding(path: Path, encoding: str | None) -> tuple[str, str]:
    """The file's SHA-256 and its encoding: as given, UTF-8(-BOM), or GB18030 (GBK)."""
    candidates = [encoding] if encoding else ["utf-8", *_FALLBACK_ENCODINGS]
    first_error: tuple[str, int] | None = None
    for name in candidates:
        try:
            digest = _decode_all(path, name)
        except UnicodeDecodeError as exc:
            first_error = first_error or (name, exc.start)
            continue
        except LookupError:
            raise DataError(f"Unknown encoding {encoding!r}; try utf-8 or gb18030.") from None
        if name == "utf-8" and path.open("rb").read(3) == codecs.BOM_UTF8:
            name = "utf-8-sig"
        return digest, name
    assert first_error is not None
    line = _line_at(path, first_error[1])
    raise DataError(
        f"{path.name}, line {line}: bytes that are not valid {first_error[0].upper()}"
        f"{' nor GBK/GB18030' if not encoding else ''}. Re-save the file as UTF-8, or name "
        "its encoding with --encoding."
    )


def _decode_all(path: Path, encoding: str) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    digest, offset = hashlib.sha256(), 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                exc.start += offset
                raise
            offset += len(chunk)
        decoder.decode(b"", final=True)
    return digest.hexdigest()


def _line_at(path: Path, offset: int) -> int:
    line, seen = 1, 0
    with path.open("rb") as fh:
        while seen < offset and (chunk := fh.read(min(_CHUNK, offset - seen))):
            line += chunk.count(b"\n")
            seen += len(chunk)
    return line


def _transcode(path: Path, encoding: str, target: Path) -> None:
    with (
        path.open("r", encoding=encoding, newline="") as src,
        target.open("w", encoding="utf-8", newline="") as dst,
    ):
        while chunk := src.read(_CHUNK):
            dst.write(chunk)


def _head_text(path: Path) -> str:
    with path.open("rb") as fh:
        raw = fh.read(_SNIFF_BYTES)
    return raw.decode("utf-8-sig", errors="ignore")


def _sniff_delimiter(path: Path, head: str) -> str:
    if path.suffix.lower() in (".tsv", ".tab"):
        return "\t"
    # Only whole lines go to the sniffer, so a cut-off last line does not mislead it.
    sample = head[: head.rfind("\n") + 1] or head
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        return ","


def _header(head: str, delimiter: str, path: Path) -> list[str]:
    reader = csv.reader(io.StringIO(head), delimiter=delimiter)
    header = next(reader, [])
    if not any(h.strip() for h in header):
        raise DataError(f"{path.name}, line 1: no header row; the first line must name columns.")
    return header


def _csv_starts(path: Path, delimiter: str) -> Iterator[tuple[int, int]]:
    # Index 0 is the header; a record's first line is one past the previous record's last.
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        start = 1
        for index, _row in enumerate(reader):
            yield index, start
            start = reader.line_num + 1


def _jsonl_starts(path: Path) -> Iterator[tuple[int, int]]:
    seen = 0
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            if line.strip():
                seen += 1
                yield seen, number


# --- Excel ---------------------------------------------------------------------------------


def _excel_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(sheet row, cells as text) of the first sheet, blank rows left out."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in row]
            if any(cells):
                yield number, cells
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _excel_source(path: Path, staging: Path) -> SourceFile:
    target = staging / f"{path.stem}.xlsx.csv"
    rows = _excel_rows(path)
    first = next(rows, None)
    if first is None:
        raise DataError(f"{path.name}: the first sheet is empty.")
    header = first[1]
    while header and not header[-1]:
        header.pop()
    with target.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for _number, cells in rows:
            # Trailing empty cells past the header are Excel formatting; anything else is kept
            # so the reader reports the row as having too many columns.
            extra = cells[len(header) :]
            cells = cells[: len(header)] if not any(extra) else cells
            writer.writerow(cells + [""] * (len(header) - len(cells)))
    source = SourceFile(path, "excel", "", header, column_names(header), _sha256(path))
    source.text_path = target
    source.read_sql = csv_sql(target, ",", source.columns)
    return source


# --- Helpers -------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _lit(value: object) -> str:
    """A SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


# --- Several files, one table ----------------------------------------------------------------

SOURCE_FILE = "source_file"


def stack_files(
    paths: list[Path], staging: Path, table: str, *, encoding: str | None = None
) -> Path:
    """One UTF-8 CSV of the rows of ``paths`` (any supported format), columns matched by their
    names as written (the union, in first-seen order; a file without a column leaves it empty),
    with ``source_file`` saying which file each row came from."""
    header: list[str] = []
    parts: list[tuple[str, list[str], Iterator[list[str]]]] = []
    for n, path in enumerate(paths):
        folder = staging / f"s{n}"
        folder.mkdir(parents=True, exist_ok=True)
        names, rows = _text_rows(open_source(Path(path), folder, encoding=encoding), folder)
        header += [c for c in names if c not in header]
        parts.append((Path(path).name, names, rows))
    if SOURCE_FILE in header:
        raise DataError(
            f"A file already has a {SOURCE_FILE!r} column; stack the files another way."
        )
    target = staging / f"{table}.csv"  # named for its table in what the load reports
    with target.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([*header, SOURCE_FILE])
        for name, names, rows in parts:
            at = {c: i for i, c in enumerate(names)}
            for cells in rows:
                row = [cells[at[c]] if c in at and at[c] < len(cells) else "" for c in header]
                writer.writerow([*row, name])
    return target


def _text_rows(source: SourceFile, folder: Path) -> tuple[list[str], Iterator[list[str]]]:
    """The header as written and the rows of one file, as text."""
    if source.text_path is None:  # Parquet or JSONL: written out as text first
        target = folder / "typed.csv"
        con = duckdb.connect()
        try:
            con.execute(f"COPY (SELECT * FROM {source.read_sql}) TO {_lit(target)} (HEADER)")
        finally:
            con.close()
        source = _csv_source(target, folder, None)
    assert source.text_path is not None
    fh = source.text_path.open(encoding="utf-8-sig", newline="")
    reader = csv.reader(fh, delimiter=source.delimiter)
    names = next(reader, [])

    def rows() -> Iterator[list[str]]:
        with fh:
            yield from reader

    return list(names), rows()
