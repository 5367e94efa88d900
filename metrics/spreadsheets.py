"""Reading people's spreadsheets (.xlsx) and CSV files under limits, before and while parsing.

An .xlsx file is a zip of XML files, so a 1 MB upload can unpack to gigabytes (a
decompression bomb) or hold millions of rows (a row bomb). Every file is therefore
inspected before anything parses it: its size; for .xlsx the zip's central directory (entry
count, declared uncompressed sizes and ratios), then every entry stream-decompressed with a
cap (the declared sizes may lie), the shared strings' size and count, and the sheet's
declared dimensions. Reading then streams and enforces the row, column and cell limits as it
goes. ``header_read`` (the web request, listing columns) reads only the first row, looking
up only the shared strings it names; ``rows_read`` (the worker's child process, see
``metrics.spreadsheet_child``) reads the whole sheet with openpyxl in read-only mode.

No Django settings are read here: the child process imports this module without Django.
Problems are ``SpreadsheetError(code, **params)``; ``metrics.local_data`` words them.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import IO, Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

CHUNK = 64 * 1024
BIG_ENTRY = 1024 * 1024  # the ratio is checked for entries that unpack to more than this
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?\"")
_SST = re.compile(rb"uniqueCount=\"(\d+)\"")
_REF = re.compile(r"([A-Z]+)(\d+)")


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * 1024 * 1024
    max_entries: int = 500
    max_uncompressed: int = 200 * 1024 * 1024
    max_ratio: int = 200
    max_shared_strings: int = 20 * 1024 * 1024
    max_rows: int = 100_000
    max_columns: int = 100
    max_cell_chars: int = 10_000

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class SpreadsheetError(Exception):
    """A file refused by a limit or unreadable; ``code`` names which, ``params`` the numbers."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code, params)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class XlsxInfo:
    sheet: str
    shared_strings: str | None


def column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    with zf.open(info) as handle:
        data = handle.read(cap + 1)
    if len(data) > cap:
        raise SpreadsheetError("too_large_unpacked", limit=cap)
    return data


def _entry_check(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> int:
    """Stream-decompress one entry and count its real size; refuse XML with a DOCTYPE."""
    size, first = 0, True
    with zf.open(info) as handle:
        while chunk := handle.read(CHUNK):
            if first and info.filename.endswith((".xml", ".rels")):
                if b"<!DOCTYPE" in chunk[:4096] or b"<!ENTITY" in chunk[:4096]:
                    raise SpreadsheetError("damaged")
                first = False
            size += len(chunk)
            if size > info.file_size or size > budget:
                raise SpreadsheetError("too_large_unpacked", limit=budget)
    return size


def _first_sheet(zf: zipfile.ZipFile) -> str:
    names = set(zf.namelist())
    if "xl/workbook.xml" not in names:
        raise SpreadsheetError("not_xlsx")
    workbook = _read_capped(zf, zf.getinfo("xl/workbook.xml"), BIG_ENTRY)
    match = re.search(rb"<(?:\w+:)?sheet\b[^>]*?\br(?:elationships)?:id=\"([^\"]+)\"", workbook)
    rels_name = "xl/_rels/workbook.xml.rels"
    if match and rels_name in names:
        rels = _read_capped(zf, zf.getinfo(rels_name), BIG_ENTRY)
        for rel in re.finditer(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
            text = rel.group(0)
            if b'Id="' + match.group(1) + b'"' in text:
                target = re.search(rb'Target="([^"]+)"', text)
                if target:
                    path = target.group(1).decode()
                    path = path.lstrip("/") if path.startswith("/") else "xl/" + path
                    if path in names:
                        return path
    sheets = sorted(n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
    if not sheets:
        raise SpreadsheetError("no_sheet")
    return sheets[0]


def _dimension_check(zf: zipfile.ZipFile, sheet: str, limits: Limits) -> None:
    with zf.open(sheet) as handle:
        head = handle.read(4096)
    match = _DIMENSION.search(head)
    if not match:
        return  # no declared size: the streaming reader enforces the limits
    last_col, last_row = match.group(3) or match.group(1), match.group(4) or match.group(2)
    if int(last_row) > limits.max_rows + 1:
        raise SpreadsheetError("too_many_rows", limit=limits.max_rows)
    if column_number(last_col.decode()) > limits.max_columns:
        raise SpreadsheetError("too_many_columns", limit=limits.max_columns)


def _shared_strings_check(zf: zipfile.ZipFile, limits: Limits) -> str | None:
    name = "xl/sharedStrings.xml"
    if name not in zf.namelist():
        return None
    info = zf.getinfo(name)
    if info.file_size > limits.max_shared_strings:
        raise SpreadsheetError("too_much_text", limit=limits.max_shared_strings)
    with zf.open(info) as handle:
        head = handle.read(4096)
    match = _SST.search(head)
    if match and int(match.group(1)) > (limits.max_rows + 1) * limits.max_columns:
        raise SpreadsheetError("too_much_text", limit=limits.max_shared_strings)
    return name


def xlsx_inspect(source: IO[bytes], limits: Limits) -> XlsxInfo:
    """Check an .xlsx file against ``limits`` without parsing it; raise SpreadsheetError."""
    source.seek(0, io.SEEK_END)
    if source.tell() > limits.max_bytes:
        raise SpreadsheetError("too_large", limit=limits.max_bytes)
    source.seek(0)
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SpreadsheetError("not_xlsx") from None
    try:
        infos = zf.infolist()
        if len(infos) > limits.max_entries:
            raise SpreadsheetError("too_many_entries", limit=limits.max_entries)
        declared = sum(info.file_size for info in infos)
        if declared > limits.max_uncompressed:
            raise SpreadsheetError("too_large_unpacked", limit=limits.max_uncompressed)
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > BIG_ENTRY and ratio > limits.max_ratio:
                raise SpreadsheetError("compressed_too_much", limit=limits.max_ratio)
        shared = _shared_strings_check(zf, limits)
        sheet = _first_sheet(zf)
        _dimension_check(zf, sheet, limits)
        budget = limits.max_uncompressed
        for info in infos:
            budget -= _entry_check(zf, info, budget)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError):
        raise SpreadsheetError("damaged") from None
    finally:
        zf.close()
    source.seek(0)
    return XlsxInfo(sheet=sheet, shared_strings=shared)


def _first_row_cells(zf: zipfile.ZipFile, sheet: str, limits: Limits) -> list[tuple[int, str, str]]:
    """(column, type, raw text) of the first row's cells, read as a stream."""
    cells: list[tuple[int, str, str]] = []
    texts: list[str] = []
    column, kind = 0, ""
    with zf.open(sheet) as handle:
        for event, element in iterparse(handle, events=("start", "end"), forbid_dtd=True):
            tag = _local(element.tag)
            if event == "start" and tag == "c":
                ref = _REF.match(element.get("r", ""))
                column = column_number(ref.group(1)) if ref else len(cells) + 1
                kind, texts = element.get("t", "n"), []
            elif event == "end" and tag in ("v", "t"):
                texts.append(element.text or "")
            elif event == "end" and tag == "c":
                if column > limits.max_columns:
                    raise SpreadsheetError("too_many_columns", limit=limits.max_columns)
                cells.append((column, kind, "".join(texts)[: limits.max_cell_chars]))
                element.clear()
            elif event == "end" and tag == "row":
                break
    return cells


def _shared_strings(zf: zipfile.ZipFile, name: str, wanted: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    if not wanted:
        return found
    index, texts = 0, []
    with zf.open(name) as handle:
        for _event, element in iterparse(handle, events=("end",), forbid_dtd=True):
            tag = _local(element.tag)
            if tag == "t":
                texts.append(element.text or "")
            elif tag == "si":
                if index in wanted:
                    found[index] = "".join(texts)
                texts, index = [], index + 1
                element.clear()
                if index > max(wanted):
                    break
    return found


def xlsx_header(source: IO[bytes], limits: Limits) -> list[str]:
    """The first row of the first sheet, as text, after ``xlsx_inspect``."""
    info = xlsx_inspect(source, limits)
    try:
        with zipfile.ZipFile(source) as zf:
            cells = _first_row_cells(zf, info.sheet, limits)
            wanted = {int(raw) for _c, kind, raw in cells if kind == "s" and raw.isdigit()}
            shared = info.shared_strings
            strings = _shared_strings(zf, shared, wanted) if shared else {}
    except (zipfile.BadZipFile, OSError, EOFError, SyntaxError, DefusedXmlException):
        raise SpreadsheetError("damaged") from None
    finally:
        source.seek(0)
    header: list[str] = []
    for column, kind, raw in cells:
        header.extend([""] * (column - 1 - len(header)))
        header.append(strings.get(int(raw), "") if kind == "s" and raw.isdigit() else raw)
    return [name.strip() for name in header]


def _csv_reader(source: IO[bytes], limits: Limits) -> Iterator[list[str]]:
    source.seek(0, io.SEEK_END)
    if source.tell() > limits.max_bytes:
        raise SpreadsheetError("too_large", limit=limits.max_bytes)
    source.seek(0)
    text = io.TextIOWrapper(source, encoding="utf-8-sig", errors="replace", newline="")
    previous = csv.field_size_limit(limits.max_cell_chars)
    try:
        yield from csv.reader(text)
    except csv.Error:
        raise SpreadsheetError("cell_too_long", limit=limits.max_cell_chars) from None
    finally:
        csv.field_size_limit(previous)
        text.detach()


def csv_header(source: IO[bytes], limits: Limits) -> list[str]:
    try:
        first = next(_csv_reader(source, limits), [])
    finally:
        source.seek(0)
    if len(first) > limits.max_columns:
        raise SpreadsheetError("too_many_columns", limit=limits.max_columns)
    return [name.strip() for name in first]


def header_read(source: IO[bytes], *, excel: bool, limits: Limits) -> list[str]:
    """The column names, reading only the first row under ``limits``."""
    return xlsx_header(source, limits) if excel else csv_header(source, limits)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _xlsx_rows(source: IO[bytes], limits: Limits) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    xlsx_inspect(source, limits)
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise SpreadsheetError("damaged") from None
    try:
        sheet = book.worksheets[0]
        # The declared dimension may be wrong (too small drops rows): read what is there,
        # under our own limits.
        sheet.reset_dimensions()
        for row in sheet.iter_rows(values_only=True):
            extra = row[limits.max_columns :]
            if any(value is not None for value in extra):
                raise SpreadsheetError("too_many_columns", limit=limits.max_columns)
            yield [_text(value) for value in row[: limits.max_columns]]
    finally:
        book.close()


def rows_read(source: IO[bytes], *, excel: bool, limits: Limits) -> Iterator[list[str]]:
    """Every row, the header first, enforcing the limits while reading (a stream)."""
    reader = _xlsx_rows(source, limits) if excel else _csv_reader(source, limits)
    for count, row in enumerate(reader):
        if count > limits.max_rows:
            raise SpreadsheetError("too_many_rows", limit=limits.max_rows)
        if len(row) > limits.max_columns:
            raise SpreadsheetError("too_many_columns", limit=limits.max_columns)
        if any(len(cell) > limits.max_cell_chars for cell in row):
            raise SpreadsheetError("cell_too_long", limit=limits.max_cell_chars)
        yield row
