"""Read a clean Mobility Metrics file with pandas' C reader into numpy arrays, in chunks.

The streaming reader (``parsing.MetricFileReader``) is the reference: it handles every quirk
and names the row and column of every error, at about 1.5 µs of Python per metric cell.
This module gives the same observations for the files that need none of that care (the
Urban Institute's own files, as published) about four times faster. ``open_columnar``
checks the file as a whole (size, line ends, field counts, quoting) and ``chunks()`` then
reads it 6,000 rows at a time, so that a writer can send one chunk while the next is read.
Either gives up (``None``, or ``NotClean`` from ``chunks()``, even after the last chunk when
two chunks share a key) on anything it cannot read exactly as the reference does: a bad
cell, an unknown quality flag, a cut-off or blank line, quoting it cannot vouch for,
non-ASCII ids, a size over the limit. The caller then reads the file with the streaming
reader, which reports the problems. So this module never has to word an error, and it never
accepts what the reference would refuse; ``tests/metrics/test_fastread.py`` checks both
readers against each other on every test file and on generated awkward cells, whole and in
small chunks.
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
import math
import re
import zlib
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from metrics.parsing import (
    ALL_SUBGROUP,
    ALL_TYPE,
    LOOKAHEAD_ROWS,
    MISSING,
    QUALITY_CODES,
    YEAR_RANGE,
    Layout,
    MetricColumns,
    MetricFileReader,
)

logger = logging.getLogger(__name__)

# Ratio cells this reader converts itself ("0.190:0.272"); any other text goes to the reference.
_RATIO = r"[0-9]+(?:\.[0-9]+)?:[0-9]+(?:\.[0-9]+)?"
RATIO_COLUMN = re.compile(rf"(?:{_RATIO}\n)*{_RATIO}")
YEAR = re.compile(r"[0-9]{4}")
DIGITS = re.compile(r"[0-9]+")
QUALITY_NULL = 0


# NOT_WHITESPACE: pandas reads the bytes as latin-1, the reference as UTF-8 with cp1252 for
# bad bytes. Byte 0x85 is whitespace in latin-1 (U+0085), which str.strip() and float() drop,
# but "…" in cp1252: so "02\x85" would be state 02 here and an error there. Texts this module
# strips or converts itself must be ASCII; anything else goes to the reference.


class NotClean(Exception):
    """Something the streaming reader must look at."""


@dataclass
class Columnar:
    """The long rows of one file as parallel arrays (NaN and quality 0 stand for no value)."""

    kind: str
    breakdown: str
    rows_read: int
    fips: list[str]  # distinct geographies; ``geography`` indexes into it
    variables: list[str]  # metric variables in layout order; ``metric`` indexes into it
    subgroups: list[tuple[str, str]]  # (subgroup type, subgroup); ``subgroup`` indexes into it
    geography: np.ndarray
    metric: np.ndarray
    subgroup: np.ndarray
    year: np.ndarray
    value: np.ndarray
    value_a: np.ndarray
    value_b: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    quality: np.ndarray
    warnings: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.metric)


def decompressed(data: bytes, limit: int | None) -> bytes | None:
    """The file's bytes, inflated if gzip; None if over the limit or damaged."""
    if data[:2] == b"\x1f\x8b":
        inflater = zlib.decompressobj(wbits=31)
        try:
            out = inflater.decompress(data, (limit or 0) + 1 if limit else 0)
        except zlib.error:
            return None
        if not inflater.eof or inflater.unconsumed_tail or inflater.unused_data:
            return None  # cut short, over the limit, or several members: the reference decides
        data = out
    if limit is not None and len(data) > limit:
        return None
    return data


def open_columnar(
    data: bytes,
    reader: MetricFileReader,
    *,
    known_fips: Container[str] | None = None,
    rows_per_chunk: int = 6000,
) -> ColumnarFile | None:
    """Check ``data`` (the whole upload) as a whole and get ready to read it chunk by chunk.

    ``reader`` was made on the same bytes and has checked the header; it is only used for
    its layout, its year and its subgroup rules, and is not advanced. None means the
    streaming reader must read the file; so may ``NotClean`` from ``chunks()`` later.
    """
    layout = reader.layout
    if known_fips is None:
        # The reader's own codes count too: a reader made with known_fips refuses unknown
        # geographies, so this must not accept them when the caller gives the codes only there.
        known_fips = reader.known_fips
    if layout.kind not in ("county", "city"):
        return None  # the national medians: a few hundred rows, the reference is quick
    text = decompressed(data, reader.max_bytes)
    if text is None:
        return None
    try:
        return ColumnarFile(text, reader, known_fips, max(rows_per_chunk, 1))
    except NotClean:
        return None
    except Exception:  # a bug here must not cost an import: the reference reads the file
        logger.exception("fastread gave up on %s", reader.filename)
        return None


def read_columnar(
    data: bytes,
    reader: MetricFileReader,
    *,
    known_fips: Container[str] | None = None,
    rows_per_chunk: int = 6000,
) -> Columnar | None:
    """The whole file as one ``Columnar``, or None if the streaming reader must read it."""
    source = open_columnar(data, reader, known_fips=known_fips, rows_per_chunk=rows_per_chunk)
    if source is None:
        return None
    try:
        return concat(source.chunks())
    except NotClean:
        return None


def concat(parts: Iterable[Columnar]) -> Columnar:
    """One ``Columnar`` of several chunks of the same file (the last one's subgroups)."""
    parts = list(parts)
    if not parts:
        raise NotClean
    offsets = np.cumsum([0] + [len(p.fips) for p in parts[:-1]])
    last = parts[-1]

    def joined(name: str) -> np.ndarray:
        return np.concatenate([getattr(p, name) for p in parts])

    return Columnar(
        kind=last.kind,
        breakdown=last.breakdown,
        rows_read=sum(p.rows_read for p in parts),
        fips=[code for p in parts for code in p.fips],
        variables=last.variables,
        subgroups=last.subgroups,
        geography=np.concatenate(
            [p.geography.astype(np.int64) + o for p, o in zip(parts, offsets, strict=True)]
        ),
        metric=joined("metric"),
        subgroup=joined("subgroup"),
        year=joined("year"),
        value=joined("value"),
        value_a=joined("value_a"),
        value_b=joined("value_b"),
        lb=joined("lb"),
        ub=joined("ub"),
        quality=joined("quality"),
    )


class ColumnarFile:
    """A file that passed the whole-file checks, read ``rows_per_chunk`` rows at a time.

    ``chunks()`` raises ``NotClean`` when a chunk needs the streaming reader, and after the
    last chunk when two rows of different chunks have the same key.
    """

    def __init__(
        self,
        text: bytes,
        reader: MetricFileReader,
        known_fips: Container[str] | None,
        rows_per_chunk: int,
    ):
        if text.startswith(b"\xef\xbb\xbf"):
            text = text[3:]
        self.text, self.reader, self.known_fips = text, reader, known_fips
        self.layout = layout = reader.layout
        self.kind = layout.kind
        self.variables = [c.spec.variable for c in layout.metrics]
        self.has_subgroups = layout.has_subgroups
        self.breakdown = ALL_TYPE  # a subgroup file's is known once its first chunk is read
        start = _header_end(text)
        ends = np.flatnonzero(np.frombuffer(text, dtype=np.uint8, offset=start) == ord("\n"))
        ends += start
        if not text.endswith(b"\n"):
            ends = np.append(ends, len(text))  # the last line has no line end
        self.rows_read = lines = len(ends)
        if not lines:
            raise NotClean  # a header and nothing else: the reference words it
        limit = csv.field_size_limit()
        longest = max(int(ends[0]) - start, int(np.diff(ends).max()) if lines > 1 else 0)
        if longest > limit:
            raise NotClean  # a line that may hold a field over csv's limit: the reference stops
        _check_separators(text, start, len(layout.header), lines)
        # Chunk boundaries (byte offsets). The first chunk of a subgroup file holds the
        # reference's look-ahead, which decides the file's breakdown.
        first = max(rows_per_chunk, LOOKAHEAD_ROWS) if layout.has_subgroups else rows_per_chunk
        cuts = list(range(first, lines, rows_per_chunk))
        self.bounds = [start, *(int(ends[c - 1]) + 1 for c in cuts), len(text)]
        self.lines = [*cuts, lines]

    def chunks(self) -> Iterator[Columnar]:
        meanings: dict[str, int] = {}
        keys: list[pd.DataFrame] = []
        first_line = 0
        for (begin, end), last_line in zip(
            itertools.pairwise(self.bounds), self.lines, strict=True
        ):
            try:
                part = self._chunk(self.text[begin:end], last_line - first_line, meanings, keys)
            except NotClean:
                raise
            except (ValueError, TypeError, OverflowError, pd.errors.ParserError):
                raise NotClean from None  # a cell pandas or float() would not read
            except Exception:  # a bug here must not cost an import: the reference reads it
                logger.exception("fastread gave up on %s", self.reader.filename)
                raise NotClean from None
            yield part
            first_line = last_line
        if pd.concat(keys).duplicated().any():
            raise NotClean  # the reference names both rows

    def _chunk(
        self, text: bytes, lines: int, meanings: dict[str, int], keys: list[pd.DataFrame]
    ) -> Columnar:
        layout, reader = self.layout, self.reader
        frame = _frame(text, layout)
        if len(frame) != lines:
            raise NotClean  # blank lines: the reference reads them its own way
        year = _years(frame, layout, reader.year)
        fips = _fips(frame, layout, self.known_fips)
        subgroup_codes = self._subgroups(frame, meanings, first=not keys)
        keys.append(pd.DataFrame({"f": fips, "y": year, "s": subgroup_codes}))
        geography_codes, fips_list = pd.factorize(fips)
        return _long_rows(
            frame,
            layout,
            Columnar(
                kind=layout.kind,
                breakdown=self.breakdown,
                rows_read=lines,
                fips=list(fips_list),
                variables=self.variables,
                subgroups=[tuple(m.split("\x00", 1)) for m in meanings],  # type: ignore[misc]
                geography=geography_codes.astype(np.int32),
                metric=np.empty(0, np.int16),
                subgroup=subgroup_codes.astype(np.int32),
                year=year.astype(np.int16),
                value=np.empty(0),
                value_a=np.empty(0),
                value_b=np.empty(0),
                lb=np.empty(0),
                ub=np.empty(0),
                quality=np.empty(0, np.int16),
            ),
        )

    def _subgroups(
        self, frame: pd.DataFrame, meanings: dict[str, int], *, first: bool
    ) -> np.ndarray:
        """A code per row into ``meanings`` (which grows); the breakdown from the first chunk."""
        layout, reader = self.layout, self.reader
        if not layout.has_subgroups:
            meanings.setdefault(f"{ALL_TYPE}\x00{ALL_SUBGROUP}", 0)
            return np.zeros(len(frame), dtype=np.int64)
        type_texts, type_codes = _distinct(frame, layout.subgroup_type)
        name_texts, name_codes = _distinct(frame, layout.subgroup)
        codes, pairs = pd.factorize(type_codes * len(name_texts) + name_codes)
        distinct = [
            (type_texts[p // len(name_texts)], name_texts[p % len(name_texts)]) for p in pairs
        ]
        if not all(t.isascii() and s.isascii() and "\x00" not in t + s for t, s in distinct):
            # The reference decodes bytes line by line; pandas read latin-1. A NUL (which the
            # reference keeps) would split a subgroup's meaning below in the wrong place.
            raise NotClean
        if first:
            head = codes[:LOOKAHEAD_ROWS]
            self.breakdown = reader.breakdown_of(distinct[c] for c in pd.unique(head))
        reader.breakdown = self.breakdown
        cells = [""] * len(layout.header)
        local = []
        for type_text, subgroup in distinct:
            cells[layout.subgroup_type], cells[layout.subgroup] = type_text, subgroup
            before = reader.error_count
            kind, name = reader._subgroup(0, cells)
            if name is None or reader.error_count != before:
                raise NotClean
            # Two spellings of one subgroup ("race_ethnicity", "race-ethnicity") share a code.
            local.append(meanings.setdefault(f"{kind}\x00{name}", len(meanings)))
        return np.array(local, dtype=np.int64)[codes]


def _header_end(text: bytes) -> int:
    end = text.find(b"\n")
    if end < 0 or b'"' in text[:end]:
        raise NotClean
    return end + 1


def _check_separators(text: bytes, start: int, width: int, lines: int) -> None:
    """Every line has exactly ``width`` fields.

    pandas refuses a row with too many fields but pads a short one, where the reference
    reports both. So with no long row, the total count of commas tells whether any row is
    short; only lines with quotes (which may hold quoted commas) are counted one by one.
    """
    if b"\r" in text and text.count(b"\r\n") != text.count(b"\r"):
        raise NotClean  # a lone carriage return: old Mac line ends or a stray byte
    commas = text.count(b",", start)
    quote = text.find(b'"', start)
    while quote >= 0:
        first = text.rfind(b"\n", 0, quote) + 1
        end = text.find(b"\n", quote)
        end = len(text) if end < 0 else end
        line = text[first:end].rstrip(b"\r")
        if line.count(b'"') % 2:
            raise NotClean  # a quoted line break, or broken quoting
        try:
            fields = next(csv.reader([line.decode("latin-1")], strict=True))
        except csv.Error:
            raise NotClean from None
        if len(fields) != width:
            raise NotClean
        commas -= line.count(b",") - (width - 1)
        quote = text.find(b'"', end)
    if commas != (width - 1) * lines:
        raise NotClean


def _frame(text: bytes, layout: Layout) -> pd.DataFrame:
    """Every column (so that pandas refuses long rows); metric numbers as float64."""
    dtypes: dict[int, object] = dict.fromkeys(range(len(layout.header)), "category")
    # Ids and flags are read as text and made categories after: with dtype "category" pandas
    # turns all-numeric categories into numbers, so "001" and "+1" came back as state "01",
    # quality "3.00" as "3.0" (a known flag), and the reference refuses or warns on those.
    texts = [i for i in (layout.year, layout.state, layout.local) if i >= 0]
    texts += [i for i in (layout.subgroup, layout.subgroup_type) if i >= 0]
    texts += [columns.quality for columns in layout.metrics if columns.quality >= 0]
    missing_columns = []
    for columns in layout.metrics:
        missing_columns += [
            i for i in (columns.value, columns.lb, columns.ub, columns.quality) if i >= 0
        ]
        dtypes[columns.value] = object if columns.spec.accepts_text_ratio else np.float64
        for index in (columns.lb, columns.ub):
            if index >= 0:
                dtypes[index] = np.float64
    dtypes.update(dict.fromkeys(texts, str))  # few distinct values: each is checked once
    frame = pd.read_csv(
        io.BytesIO(text),
        header=None,
        names=list(range(len(layout.header))),
        dtype=dtypes,
        # Only metric cells read "" and "NA" as missing; ids keep their text, as in the reference.
        na_values={index: sorted(MISSING) for index in missing_columns},
        keep_default_na=False,
        encoding="latin-1",
        engine="c",
        low_memory=False,
        skip_blank_lines=True,
        skipinitialspace=False,
        quoting=csv.QUOTE_MINIMAL,
        doublequote=True,
        escapechar=None,
    )
    for index in set(texts):
        frame[index] = frame[index].astype("category")
    return frame


def _distinct(frame: pd.DataFrame, index: int) -> tuple[list[str], np.ndarray]:
    """An id column as its distinct texts and a code per row (the checks run once per text)."""
    column = frame[index]
    texts = [str(text) for text in column.cat.categories]
    if not all(text.isascii() for text in texts):
        raise NotClean  # see NOT_WHITESPACE
    codes = column.cat.codes.to_numpy().astype(np.int64)
    if (codes < 0).any():  # an empty cell
        codes[codes < 0] = len(texts)
        texts.append("")
    return texts, codes


def _years(frame: pd.DataFrame, layout: Layout, year: int | None) -> np.ndarray:
    if layout.year < 0:
        if year is None:
            raise NotClean
        return np.full(len(frame), year, dtype=np.int64)
    texts, codes = _distinct(frame, layout.year)
    years = []
    for text in texts:
        # "2014.0", blanks, words: the reference reads or reports them.
        if not YEAR.fullmatch(text.strip()) or not YEAR_RANGE[0] <= int(text) <= YEAR_RANGE[1]:
            raise NotClean
        years.append(int(text))
    return np.array(years, dtype=np.int64)[codes]


def _fips(frame: pd.DataFrame, layout: Layout, known: Container[str] | None) -> np.ndarray:
    width = 3 if layout.kind == "county" else 5
    parts = []
    for index, size in ((layout.state, 2), (layout.local, width)):
        texts, codes = _distinct(frame, index)
        clean = [text.strip() for text in texts]
        if not all(DIGITS.fullmatch(text) and len(text) <= size for text in clean):
            raise NotClean
        parts.append((np.array([t.zfill(size) for t in clean], dtype=object), codes))
    (states, state_codes), (locals_, local_codes) = parts
    pair_codes, pairs = pd.factorize(state_codes * len(locals_) + local_codes)
    distinct = [states[p // len(locals_)] + locals_[p % len(locals_)] for p in pairs.tolist()]
    if known is not None and not all(code in known for code in distinct):
        raise NotClean
    return np.array(distinct, dtype=object)[pair_codes]


def _quality(frame: pd.DataFrame, index: int, rows: int) -> np.ndarray:
    if index < 0:
        return np.zeros(rows, dtype=np.int16)
    column = frame[index]
    lookup = []
    for text in column.cat.categories:
        code = QUALITY_CODES.get(text)
        if code is None:
            if not str(text).isascii():
                raise NotClean  # see NOT_WHITESPACE
            code = QUALITY_CODES.get(str(text).strip().lower())
            if code is None:
                raise NotClean  # an unknown flag: the reference words the warning
        lookup.append(code)
    # Category code -1 is a missing cell; it picks the trailing no-value entry.
    table = np.array([*lookup, QUALITY_NULL], dtype=np.int16)
    return table[column.cat.codes.to_numpy()]


def _bound(frame: pd.DataFrame, index: int, rows: int) -> np.ndarray:
    if index < 0:
        return np.full(rows, np.nan)
    bound = frame[index].to_numpy(dtype=np.float64)
    if np.isinf(bound).any():
        raise NotClean
    return bound


def _values(frame: pd.DataFrame, columns: MetricColumns, rows: int) -> tuple[np.ndarray, ...]:
    spec = columns.spec
    part_a = np.full(rows, np.nan)
    part_b = np.full(rows, np.nan)
    if spec.accepts_text_ratio:
        value = np.full(rows, np.nan)
        texts = frame[columns.value].to_numpy()
        present = np.flatnonzero(pd.notna(texts))
        value[present], part_a[present], part_b[present] = _ratio_column(texts[present].tolist())
        if np.isinf(part_a).any() or np.isinf(part_b).any():
            raise NotClean  # a part over 1.8e308: a ratio of NaN or 0 here, an error there
    else:
        value = frame[columns.value].to_numpy(dtype=np.float64, copy=True)
    if np.isinf(value).any():
        raise NotClean
    if spec.range is not None:
        low, high = spec.range
        if np.fmin.reduce(value) < low or np.fmax.reduce(value) > high:  # NaN is skipped
            raise NotClean  # out of range: the reference names the cell
    if spec.zero_means == "missing":
        value[value == 0] = np.nan
    return value, part_a, part_b


def _ratio_column(cells: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cells of a ratio column: all plain numbers, all "a:b", or one by one if mixed."""
    nothing = np.full(len(cells), np.nan)
    joined = "\n".join(cells)
    if not joined.isascii():
        raise NotClean  # see NOT_WHITESPACE
    if RATIO_COLUMN.fullmatch(joined):
        parts = np.array(joined.replace(":", "\n").split("\n"), dtype=object)
        numbers = parts.astype(np.float64)  # float() of each part, as the reference does
        part_a, part_b = numbers[0::2], numbers[1::2]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(part_b != 0, part_a / part_b, np.nan), part_a, part_b
    if ":" not in joined and "_" not in joined:
        try:
            numbers = np.array(cells, dtype=object).astype(np.float64)
        except ValueError:
            raise NotClean from None
        if np.isnan(numbers).any():
            raise NotClean  # "nan" text: float() reads it, the reference refuses it
        return numbers, nothing, nothing.copy()
    if not cells:
        return nothing, nothing, nothing
    mixed = np.array([_ratio_cell(text) for text in cells])
    return mixed[:, 0].copy(), mixed[:, 1].copy(), mixed[:, 2].copy()


def _ratio_cell(text: str) -> tuple[float, float, float]:
    """A cell of a ratio column by the reference's rules: a plain number, or "0.190:0.272"."""
    left, colon, right = text.partition(":")
    if not colon:
        if "_" in text:
            raise NotClean
        value = float(text)  # a ValueError sends the file to the reference
        if value - value != 0:
            raise NotClean  # not finite
        return value, math.nan, math.nan
    # Digits with at most one point on each side; "20.8%:27.5%" and the like go to the
    # reference (float() of such a part equals the reference's own reading of it).
    if not (
        text.isascii()
        and left.replace(".", "", 1).isdigit()
        and right.replace(".", "", 1).isdigit()
    ):
        raise NotClean
    part_a, part_b = float(left), float(right)
    return (part_a / part_b if part_b else math.nan), part_a, part_b


def _long_rows(frame: pd.DataFrame, layout: Layout, out: Columnar) -> Columnar:
    """One long row per (file row, metric) with anything in it, file row by file row."""
    rows, width = len(frame), len(layout.metrics)
    value, value_a, value_b, lb, ub = (np.empty((rows, width)) for _ in range(5))
    quality = np.empty((rows, width), dtype=np.int16)
    for j, columns in enumerate(layout.metrics):
        value[:, j], value_a[:, j], value_b[:, j] = _values(frame, columns, rows)
        lb[:, j] = _bound(frame, columns.lb, rows)
        ub[:, j] = _bound(frame, columns.ub, rows)
        quality[:, j] = _quality(frame, columns.quality, rows)
    empty = np.isnan(value) & np.isnan(lb) & np.isnan(ub) & (quality == QUALITY_NULL)
    cells = np.flatnonzero(~empty)  # row-major: file row by file row, metrics in layout order
    row = cells // width
    out.metric = (cells % width).astype(np.int16)
    out.geography, out.subgroup, out.year = out.geography[row], out.subgroup[row], out.year[row]
    out.value, out.value_a, out.value_b = (a.ravel()[cells] for a in (value, value_a, value_b))
    out.lb, out.ub, out.quality = (a.ravel()[cells] for a in (lb, ub, quality))
    return out
