"""Read Urban Institute Mobility Metrics CSV files into long-form observations.

Pure Python (the standard csv module, streaming): no Django, no database. One reader handles
the overall files (11_, 61_, 2023-24 00_/05_), the long subgroup files (12_-20_, 62_-68_,
``subgroup`` and ``subgroup_type`` in either order), the national medians file and older
releases (numeric flags, no ``year`` column, older column names). Every quirk it handles is
listed in docs/metrics.md; the numbers refer to section 10 of the data spec.

Errors are collected per row and column (``ParseError``); problems that make the whole file
unreadable raise ``FileError`` while the header is read.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import math
import re
import sys
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from metrics.catalog import Catalog, MetricSpec
from metrics.quality import FLAG_WORDS

if TYPE_CHECKING:
    from metrics.specification import Specification

MISSING = frozenset({"", "NA"})
# Quirk 2: flags as words in any case or as digits; the exact spellings are looked up first
# (the hot path), anything else through metrics.quality.quality_code.
QUALITY_CODES = {
    spelling: code
    for code, word in FLAG_WORDS.items()
    for spelling in (word, word.lower(), str(code), f"{code}.0")
}
ALL_TYPE = "all"
ALL_SUBGROUP = "All"
# Upstream labels the race-share groups "race-ethnicity" in 63_ (quirk 11): the values decide.
RACE_SHARE_GROUPS = frozenset(
    {
        "neighborhoods of color",
        "white neighborhoods",
        "mixed neighborhoods",
        "majority non-white",
        "majority white, non-hispanic",
        "no majority race/ethnicity",
    }
)
SUBGROUP_TYPE_FIXES = {
    "race_ethnicity": "race-ethnicity",
    "race-ethncity": "race-ethnicity",
    "race_share": "race-share",
    "mothers_education": "mothers-education",
    "mother's education": "mothers-education",
}
BREAKDOWN_WORDS = (
    "race-ethnicity",
    "race-share",
    "income",
    "age",
    "gender",
    "tenure",
    "disability",
    "industry",
    "mothers_education",
)
ID_COLUMNS = frozenset(
    {
        "year",
        "state",
        "county",
        "place",
        "state_name",
        "county_name",
        "place_name",
        "population",
        "subgroup",
        "subgroup_type",
        "group",
    }
)
FORMULA_START = ("=", "@", "+", "-", "\t", "\r")
MAX_SUBGROUP_LENGTH = 80
MAX_SUBGROUP_TYPE_LENGTH = 32
YEAR_RANGE = (1990, 2100)
LOOKAHEAD_ROWS = 5000
SNIFF_BYTES = 8192
LEVEL_WORDS = {"county": "county", "city": "city (place)"}


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    # Quirk 5: the county file mixes Latin-1 and UTF-8 bytes (Doña Ana County). Bytes that
    # are not valid UTF-8 are read as cp1252, the rest of the line stays UTF-8.
    assert isinstance(error, UnicodeDecodeError)
    chunk = error.object[error.start : error.end]
    return chunk.decode("cp1252", errors="replace").replace("\ufffd", ""), error.end


codecs.register_error("mobility_cp1252", _cp1252_fallback)


@dataclass(frozen=True)
class ParseError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class FileError(Exception):
    """The file cannot be read at all (empty, binary, no id columns, ...)."""

    def __init__(self, error: ParseError):
        super().__init__(str(error))
        self.error = error


class Cell(NamedTuple):
    variable: str
    value: float | None
    value_a: float | None
    value_b: float | None
    lb: float | None
    ub: float | None
    quality: int | None


class ParsedRow(NamedTuple):
    row: int
    fips: str
    year: int
    subgroup_type: str
    subgroup: str
    cells: list[tuple]  # Cell-shaped plain tuples (variable, value, a, b, lb, ub, quality)


class Observation(NamedTuple):
    fips: str
    kind: str
    year: int
    variable: str
    subgroup_type: str
    subgroup: str
    value: float | None
    value_a: float | None
    value_b: float | None
    lb: float | None
    ub: float | None
    quality: int | None


@dataclass(frozen=True)
class MetricColumns:
    """Where one metric's value, bounds and flag sit in a file (-1: absent)."""

    spec: MetricSpec
    value: int
    lb: int = -1
    ub: int = -1
    quality: int = -1


@dataclass
class Layout:
    kind: str  # county | city | national
    header: list[str]
    metrics: list[MetricColumns]
    unknown_columns: list[str]
    year: int = -1
    state: int = -1
    local: int = -1
    subgroup: int = -1
    subgroup_type: int = -1
    group: int = -1

    @property
    def local_column(self) -> str:
        return {"county": "county", "city": "place"}.get(self.kind, "")

    @property
    def has_subgroups(self) -> bool:
        return self.subgroup >= 0


class _LimitedReader(io.RawIOBase):
    """Counts bytes read from the upload and stops at the size limit."""

    def __init__(self, raw: IO[bytes], limit: int | None):
        self.raw, self.limit, self.count = raw, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        self.count += len(data)
        if self.limit is not None and self.count > self.limit:
            raise _TooLarge
        buffer[: len(data)] = data
        return len(data)


class _TooLarge(Exception):
    pass


def _open_text(source: IO[bytes], limit: int | None) -> io.TextIOWrapper:
    head = source.read(SNIFF_BYTES)
    if head[:2] == b"\x1f\x8b":
        # Shipped files are gzip-compressed; a .csv.gz upload works the same way.
        source.seek(0)
        source = gzip.GzipFile(fileobj=source, mode="rb")  # type: ignore[assignment]
        try:
            head = source.read(SNIFF_BYTES)
        except (EOFError, OSError):
            raise FileError(
                ParseError(1, "", "The compressed file is damaged or cut short.")
            ) from None
    if not head.strip():
        raise FileError(ParseError(1, "", "The file is empty."))
    if head[:4] == b"PK\x03\x04" or head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileError(
            ParseError(1, "", "This is a spreadsheet, not a CSV file: save it as CSV first.")
        )
    if b"\x00" in head or sum(b < 9 or 13 < b < 32 for b in head) > len(head) // 100:
        raise FileError(ParseError(1, "", "This is not a text file: it holds binary data."))
    source.seek(0)
    limited = io.BufferedReader(_LimitedReader(source, limit), buffer_size=1 << 16)
    return io.TextIOWrapper(limited, encoding="utf-8-sig", errors="mobility_cp1252", newline="")


def _name_index(catalog: Catalog) -> tuple[dict[str, MetricSpec], dict[str, list[MetricSpec]]]:
    names: dict[str, MetricSpec] = {}
    shared: dict[str, list[MetricSpec]] = {}
    for spec in catalog.metrics:
        for name in (spec.variable, *spec.aliases):
            names[name] = spec
        for name in spec.quality_aliases:
            shared.setdefault(name, []).append(spec)
    return names, shared


def layout_from_header(header: list[str], catalog: Catalog) -> Layout:
    """Map a header to id, metric and unknown columns; raise FileError if it cannot work."""
    header = [name.strip().lower() for name in header]
    if len(header) == 1 and re.search(r"[;\t|]", header[0]):
        raise FileError(
            ParseError(1, header[0][:40], "The header is one column: separate columns with commas.")
        )
    seen: dict[str, int] = {}
    for index, name in enumerate(header):
        if name in seen:
            raise FileError(ParseError(1, name, "This column appears twice in the header."))
        seen[name] = index
    names, shared = _name_index(catalog)
    positions: dict[str, dict[str, int]] = {}
    shared_quality: dict[str, int] = {}
    owner: dict[tuple[str, str], str] = {}
    unknown: list[str] = []
    for index, name in enumerate(header):
        if name in ID_COLUMNS:
            continue
        role, base = "value", name
        if name not in names:
            for suffix in ("_lb", "_ub", "_quality"):
                if name.endswith(suffix) and name[: -len(suffix)] in names:
                    role, base = suffix[1:], name[: -len(suffix)]
                    break
        if base in names:
            spec = names[base]
            key = (spec.variable, role)
            if key in owner:
                raise FileError(
                    ParseError(1, name, f"Both {owner[key]} and {name} hold {spec.variable}.")
                )
            owner[key] = name
            positions.setdefault(spec.variable, {})[role] = index
        elif name in shared:
            for spec in shared[name]:
                shared_quality.setdefault(spec.variable, index)
        else:
            unknown.append(name)
    metrics = []
    for spec in catalog.metrics:
        found = positions.get(spec.variable, {})
        if "value" not in found:
            continue
        quality = found.get("quality", shared_quality.get(spec.variable, -1))
        metrics.append(
            MetricColumns(spec, found["value"], found.get("lb", -1), found.get("ub", -1), quality)
        )
    layout = Layout(kind="", header=header, metrics=metrics, unknown_columns=unknown)
    for column in ("year", "state", "subgroup", "subgroup_type", "group"):
        setattr(layout, column, seen.get(column, -1))
    _check_ids(layout, seen)
    if not metrics:
        raise FileError(
            ParseError(1, "", "No known metric column: is this a Mobility Metrics file?")
        )
    return layout


def _check_ids(layout: Layout, seen: dict[str, int]) -> None:
    if "county" in seen and "place" in seen:
        raise FileError(ParseError(1, "place", "A file has either county or place, not both."))
    if "county" in seen or "place" in seen:
        layout.kind = "county" if "county" in seen else "city"
        layout.local = seen[layout.local_column]
        if layout.state < 0:
            raise FileError(ParseError(1, "state", "The id column state is missing."))
    elif "group" in seen and "year" in seen:
        layout.kind = "national"
    else:
        missing = "state" if "state" not in seen else "county"
        raise FileError(
            ParseError(1, missing, "The id columns are missing: state and county (or place).")
        )
    if (layout.subgroup < 0) != (layout.subgroup_type < 0):
        absent = "subgroup" if layout.subgroup < 0 else "subgroup_type"
        raise FileError(ParseError(1, absent, "subgroup and subgroup_type come together."))


def number_parse(text: str, *, thousands: bool = False) -> float:
    """A finite number written in a cell; ValueError for anything else (empty, nan, inf).

    Python's ``float`` also reads ``1_000``: no spreadsheet writes that, so it is refused.
    ``thousands=True`` (local data typed by people) reads ``1,234.5`` as 1234.5; Urban's
    files never group digits, so their reader keeps it off and refuses such a cell.
    """
    if "_" in text:
        raise ValueError(text)
    value = float(text.replace(",", "") if thousands else text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def is_number(text: str, *, thousands: bool = False) -> bool:
    try:
        number_parse(text, thousands=thousands)
    except ValueError:
        return False
    return True


def looks_like_formula(text: str, *, thousands: bool = False) -> bool:
    """A cell a spreadsheet would run ("=SUM(...)", "+cmd"), not a signed number."""
    return text.startswith(FORMULA_START) and not is_number(text, thousands=thousands)


def _ratio(text: str) -> tuple[float, float, float | None]:
    # Quirk 3: "0.119:0.246" (2025), "20.8%:27.5%" (2024), "2235:1" (2024 physicians).
    left, right = text.split(":")
    scale = 100.0 if left.strip().endswith("%") else 1.0
    part_a = number_parse(left.strip().rstrip("%")) / scale
    part_b = number_parse(right.strip().rstrip("%")) / scale
    return part_a, part_b, (part_a / part_b if part_b else None)


def normalize_subgroup_type(text: str) -> str:
    slug = text.strip().lower()
    slug = SUBGROUP_TYPE_FIXES.get(slug, slug)
    return slug.replace("_", "-").replace(" ", "-")


def subgroup_type_of(type_text: str, subgroup: str) -> str:
    """The subgroup type a (type, name) pair is filed under.

    Quirk 11: upstream types the neighbourhood race-share groups "race-ethnicity"; their
    names decide."""
    if subgroup.strip().lower() in RACE_SHARE_GROUPS:
        return "race-share"
    return normalize_subgroup_type(type_text)


def count_data_rows(source: IO[bytes], limit: int | None = None) -> int:
    """Lines after the header (a cheap total for the progress bar; quoted newlines aside).

    Stops after ``limit`` bytes, so a compressed file that inflates without end is not read
    to its end here (the reader reports it as too large).
    """
    head = source.read(2)
    source.seek(0)
    stream: Any = gzip.GzipFile(fileobj=source) if head == b"\x1f\x8b" else source
    lines, last, size = 0, b"\n", 0
    try:
        while chunk := stream.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
            size += len(chunk)
            if limit is not None and size > limit:
                break
    except (EOFError, OSError):
        pass  # a damaged gzip file: the reader reports it with its row
    source.seek(0)
    if last != b"\n":
        lines += 1
    return max(0, lines - 1)


@dataclass
class MetricFileReader:
    """Stream one file: ``rows()`` yields valid rows, ``errors`` collects the bad ones.

    ``year`` is used when the file has no year column (2024 "recent" files); ``known_fips``
    (a set of 5/7-digit codes) rejects geographies the project does not know.
    """

    source: IO[bytes]
    catalog: Catalog
    filename: str = ""
    year: int | None = None
    known_fips: Container[str] | None = None
    max_errors: int = 100
    max_bytes: int | None = None
    # Give validated numbers as the file wrote them (str) instead of floats, for writers
    # that pass text on (PostgreSQL COPY): it saves formatting a million floats again.
    keep_text: bool = False
    errors: list[ParseError] = field(default_factory=list)
    error_count: int = 0
    rows_read: int = 0
    warnings: list[str] = field(default_factory=list)
    breakdown: str = ALL_TYPE
    # With a specification, subgroup names it does not list are errors.
    specification: Specification | None = None
    # The level the import expects ("county" or "city"); a file of the other is refused.
    level: str = ""

    def __post_init__(self) -> None:
        self._text = _open_text(self.source, self.max_bytes)
        self._reader = csv.reader(self._text, strict=True)
        try:
            header = next(self._reader)
        except StopIteration:
            raise FileError(ParseError(1, "", "The file is empty.")) from None
        except csv.Error as exc:
            raise FileError(ParseError(1, "", f"The header cannot be read: {exc}.")) from None
        except _TooLarge:
            raise FileError(ParseError(1, "", self._too_large())) from None
        except (EOFError, OSError):
            raise FileError(
                ParseError(1, "", "The compressed file is damaged or cut short.")
            ) from None
        self.layout = layout_from_header(header, self.catalog)
        self._check_level()
        if self.layout.year < 0 and self.year is None and self.layout.kind != "national":
            raise FileError(
                ParseError(1, "year", "The file has no year column: give the year of its data.")
            )
        self._unknown_quality: set[str] = set()
        self._ahead: list[tuple[int, list[str]]] | None = None
        self._raw: Iterator[tuple[int, list[str]]] = iter(())
        self._row_plan = self._plan()

    @property
    def kind(self) -> str:
        return self.layout.kind

    def _check_level(self) -> None:
        kind = self.layout.kind
        if not self.level or kind not in LEVEL_WORDS or kind == self.level:
            return
        raise FileError(
            ParseError(
                1,
                self.layout.local_column,
                f"This file holds {LEVEL_WORDS[kind]} rows (its id column is"
                f" {self.layout.local_column}), but this import is for"
                f" {LEVEL_WORDS[self.level]}: choose the matching file or level.",
            )
        )

    def _known(self, row: int, kind: str, subgroup: str) -> bool:
        """Whether the specification lists the subgroup; an error names the cell if not."""
        spec = self.specification
        assert spec is not None
        if spec.knows(kind, subgroup):
            return True
        if kind not in spec.subgroup_names:
            types = ", ".join(sorted(t for t in spec.subgroup_names if t != ALL_TYPE))
            self.add_error(
                row,
                "subgroup_type",
                f"{kind[:40]!r} is not a subgroup type of the Urban Institute's technical"
                f" specification ({types}).",
            )
        else:
            names = "; ".join(spec.subgroup_names[kind])
            self.add_error(
                row,
                "subgroup",
                f"{subgroup[:40]!r} is not a {kind} subgroup of the Urban Institute's"
                f" technical specification ({names}).",
            )
        return False

    def _too_large(self) -> str:
        limit = (self.max_bytes or 0) / 1_000_000
        return f"The file is larger than the limit of {limit:g} MB."

    def add_error(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < self.max_errors:
            self.errors.append(ParseError(row, column, message))

    def _raw_rows(self) -> Iterator[tuple[int, list[str]]]:
        row = 1
        while True:
            row += 1
            try:
                cells = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self.add_error(row, "", f"The row cannot be read: {exc}.")
                return
            except _TooLarge:
                self.add_error(row, "", self._too_large())
                return
            except (EOFError, OSError):
                self.add_error(row, "", "The compressed file is damaged or cut short.")
                return
            if cells:
                yield row, cells

    def _find_breakdown(self, rows: list[tuple[int, list[str]]]) -> str:
        # An "All" row in a subgroup file is the total of that breakdown, which Urban
        # computes differently from the overall file: keep it apart under the breakdown type.
        layout = self.layout
        if not layout.has_subgroups:
            return ALL_TYPE
        return self.breakdown_of(
            (cells[layout.subgroup_type], cells[layout.subgroup])
            for _row, cells in rows
            if len(cells) == len(layout.header)
        )

    def breakdown_of(self, pairs: Iterable[tuple[str, str]]) -> str:
        """The breakdown of a subgroup file from its first (subgroup type, subgroup) pairs,
        else from its name."""
        for type_text, subgroup_text in pairs:
            subgroup = subgroup_text.strip()
            kind = subgroup_type_of(type_text, subgroup)
            if subgroup not in MISSING and subgroup.lower() != "all" and kind != ALL_TYPE:
                return kind
        name = self.filename.lower().replace("_", "-")
        for word in BREAKDOWN_WORDS:
            if word.replace("_", "-") in name:
                return normalize_subgroup_type(word)
        return ALL_TYPE

    def prepare(self) -> str:
        """Read ahead far enough to know the file's breakdown (``all`` for overall files)."""
        if self._ahead is None:
            self._raw = self._raw_rows()
            self._ahead = []
            for item in self._raw:
                self._ahead.append(item)
                if len(self._ahead) >= LOOKAHEAD_ROWS:
                    break
            self.breakdown = self._find_breakdown(self._ahead)
        return self.breakdown

    def rows(self) -> Iterator[ParsedRow]:
        self.prepare()
        assert self._ahead is not None
        if not self._ahead and not self.errors:
            self.add_error(2, "", "The file has a header but no data rows.")
            return
        seen: dict[tuple[str, int, str, str], int] = {}
        for row, cells in _chain(self._ahead, self._raw):
            self.rows_read += 1
            parsed = self._parse_row(row, cells)
            if parsed is None:
                continue
            key = (parsed.fips, parsed.year, parsed.subgroup_type, parsed.subgroup)
            if key in seen:
                column = self.layout.local_column or "year"
                self.add_error(
                    row,
                    column,
                    f"Duplicate row: same geography, year and subgroup as row {seen[key]}.",
                )
                continue
            seen[key] = row
            yield parsed

    def observations(self) -> Iterator[Observation]:
        kind = self.kind
        for parsed in self.rows():
            for cell in parsed.cells:
                yield Observation(
                    parsed.fips,
                    kind,
                    parsed.year,
                    cell[0],
                    parsed.subgroup_type,
                    parsed.subgroup,
                    *cell[1:],
                )

    def _parse_row(self, row: int, cells: list[str]) -> ParsedRow | None:
        layout = self.layout
        if len(cells) != len(layout.header):
            column = layout.header[len(cells)] if len(cells) < len(layout.header) else ""
            self.add_error(
                row,
                column,
                f"The row has {len(cells)} fields, the header has {len(layout.header)}"
                " (a cut-off line or a wrong separator?).",
            )
            return None
        before = self.error_count
        ids = self._ids(row, cells)
        parsed_cells = self._cells(row, cells)
        if ids is None or self.error_count != before:
            return None
        fips, year, subgroup_type, subgroup = ids
        return ParsedRow(row, fips, year, subgroup_type, subgroup, parsed_cells)

    def _ids(self, row: int, cells: list[str]) -> tuple[str, int, str, str] | None:
        layout = self.layout
        year = self._year(row, cells)
        if layout.kind == "national":
            group = cells[layout.group].strip()
            if group != "wtd_med" or year is None:
                return None
            return "", year, ALL_TYPE, ALL_SUBGROUP
        fips = self._fips(row, cells)
        subgroup_type, subgroup = self._subgroup(row, cells)
        if fips is None or year is None or subgroup is None:
            return None
        return fips, year, subgroup_type, subgroup

    def _year(self, row: int, cells: list[str]) -> int | None:
        if self.layout.year < 0:
            return self.year
        text = cells[self.layout.year].strip()
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not number.is_integer() or not YEAR_RANGE[0] <= number <= YEAR_RANGE[1]:
            self.add_error(row, "year", f"{text[:40]!r} is not a year.")
            return None
        return int(number)

    def _fips(self, row: int, cells: list[str]) -> str | None:
        # Quirk 7: codes are strings; some inputs drop the leading zeros, so pad them back.
        layout = self.layout
        width = 3 if layout.kind == "county" else 5
        state = cells[layout.state].strip()
        local = cells[layout.local].strip()
        if not (state.isdigit() and len(state) <= 2):
            self.add_error(row, "state", f"{state[:40]!r} is not a state FIPS code.")
            return None
        if not (local.isdigit() and len(local) <= width):
            message = f"{local[:40]!r} is not a {width}-digit FIPS code."
            if local.isdigit() and layout.kind == "county" and len(local) <= 5:
                message += " It looks like a place (city) code: this file's rows are counties."
            self.add_error(row, layout.local_column, message)
            return None
        fips = state.zfill(2) + local.zfill(width)
        if self.known_fips is not None and fips not in self.known_fips:
            self.add_error(row, layout.local_column, f"No {layout.kind} has the FIPS code {fips}.")
            return None
        return fips

    def _subgroup(self, row: int, cells: list[str]) -> tuple[str, str | None]:
        layout = self.layout
        if not layout.has_subgroups:
            return ALL_TYPE, ALL_SUBGROUP
        subgroup = cells[layout.subgroup].strip()
        type_text = cells[layout.subgroup_type].strip()
        for column, text in (("subgroup", subgroup), ("subgroup_type", type_text)):
            if looks_like_formula(text):
                self.add_error(row, column, "The cell holds a spreadsheet formula, not data.")
                return ALL_TYPE, None
        if subgroup in MISSING and type_text in MISSING and self.breakdown == ALL_TYPE:
            # The 2025 city overall file leaves both blank in a few rows: the overall value.
            return ALL_TYPE, ALL_SUBGROUP
        if subgroup in MISSING:
            self.add_error(row, "subgroup", "The subgroup is empty.")
            return ALL_TYPE, None
        if len(subgroup) > MAX_SUBGROUP_LENGTH or len(type_text) > MAX_SUBGROUP_TYPE_LENGTH:
            self.add_error(row, "subgroup", "The subgroup name is too long.")
            return ALL_TYPE, None
        if subgroup.lower() == "all":
            # Quirk 10: the city overall file carries a stray "tenure,All".
            return self.breakdown, ALL_SUBGROUP
        if self.breakdown == ALL_TYPE:
            # The rows read so far were taken as overall values; filing them now under a
            # breakdown is no longer possible, so refuse rather than mix them up.
            self.add_error(
                row,
                "subgroup",
                f"A subgroup row after {LOOKAHEAD_ROWS} rows of overall values: sort the file"
                " by geography and year, or put each breakdown in a file of its own.",
            )
            return ALL_TYPE, None
        kind = subgroup_type_of(type_text, subgroup)
        if self.specification is not None and not self._known(row, kind, subgroup):
            return ALL_TYPE, None
        return kind, subgroup

    def _plan(self) -> list[tuple[str, int, int, int, int, float, float, MetricSpec]]:
        # Plain tuples: this loop runs once per metric per row (1.5 million times for 11_).
        plan = []
        for columns in self.layout.metrics:
            spec = columns.spec
            low, high = spec.range or (-sys.float_info.max, sys.float_info.max)
            fast = not spec.accepts_text_ratio and spec.zero_means != "missing"
            plan.append(
                (
                    spec.variable,
                    columns.value,
                    columns.lb,
                    columns.ub,
                    columns.quality,
                    low if fast else math.nan,
                    high,
                    spec,
                )
            )
        return plan

    def _cells(self, row: int, cells: list[str]) -> list[tuple]:
        out: list = []
        missing, codes, keep_text = MISSING, QUALITY_CODES, self.keep_text
        value: float | str | None
        lower: float | str | None
        upper: float | str | None
        cells.append("")  # absent columns have index -1 and read this blank cell
        for variable, vi, li, ui, qi, low, high, spec in self._row_plan:
            text, quality_text = cells[vi], cells[qi]
            if text in missing:
                lb_text, ub_text = cells[li], cells[ui]
                if quality_text in missing and lb_text in missing and ub_text in missing:
                    continue
                value = part_a = part_b = None
            else:
                try:
                    value = float(text)
                except ValueError:
                    value = None
                # Fast path: a plain number inside the range; anything else takes the slow one.
                if value is not None and low <= value <= high and "_" not in text:
                    part_a = part_b = None
                    if keep_text:
                        value = text
                else:
                    parsed = self._value(row, self.layout.header[vi], text, spec)
                    if parsed is None:
                        continue
                    value, part_a, part_b = parsed
                lb_text, ub_text = cells[li], cells[ui]
            lower = upper = quality = None
            if lb_text not in missing:
                try:
                    lower = float(lb_text)
                except ValueError:
                    lower = math.nan
                if lower - lower != 0 or "_" in lb_text:  # not finite, or "1_0"
                    lower = self._bound(row, self.layout.header[li], lb_text)
                elif keep_text:
                    lower = lb_text
            if ub_text not in missing:
                try:
                    upper = float(ub_text)
                except ValueError:
                    upper = math.nan
                if upper - upper != 0 or "_" in ub_text:
                    upper = self._bound(row, self.layout.header[ui], ub_text)
                elif keep_text:
                    upper = ub_text
            if quality_text not in missing:
                quality = codes.get(quality_text)
                if quality is None:
                    quality = codes.get(quality_text.strip().lower())
                    if quality is None:
                        self._warn_quality(row, self.layout.header[qi], quality_text)
            if value is None and quality is None and lower is None and upper is None:
                continue
            out.append((variable, value, part_a, part_b, lower, upper, quality))
        return out

    def _value(
        self, row: int, column: str, text: str, spec: MetricSpec
    ) -> tuple[float | None, float | None, float | None] | None:
        part_a = part_b = None
        try:
            if ":" in text and spec.accepts_text_ratio:
                part_a, part_b, value = _ratio(text)
            else:
                value = number_parse(text)
        except ValueError:
            if looks_like_formula(text.strip()):
                self.add_error(row, column, "The cell holds a spreadsheet formula, not data.")
            else:
                self.add_error(row, column, f"{text[:40]!r} is not a number.")
            return None
        if value is not None and spec.range is not None:
            low, high = spec.range
            if not low <= value <= high:
                self.add_error(
                    row, column, f"{text} is outside the possible range {low:g} to {high:g}."
                )
                return None
        if value == 0 and spec.zero_means == "missing":
            # Quirk 12: a zero living-wage ratio means the wage data are missing.
            value = None
        return value, part_a, part_b

    def _bound(self, row: int, column: str, text: str) -> float | None:
        try:
            return number_parse(text)
        except ValueError:
            if looks_like_formula(text.strip()):
                self.add_error(row, column, "The cell holds a spreadsheet formula, not data.")
            else:
                self.add_error(row, column, f"{text[:40]!r} is not a number.")
            return None

    def _warn_quality(self, row: int, column: str, text: str) -> None:
        if column not in self._unknown_quality:
            self._unknown_quality.add(column)
            self.warnings.append(
                f"Row {row}, column {column}: unknown quality flag {text[:20]!r} read as none"
                " (and any later ones in this column)."
            )


def _chain(
    first: list[tuple[int, list[str]]], rest: Iterable[tuple[int, list[str]]]
) -> Iterator[tuple[int, list[str]]]:
    yield from first
    yield from rest
