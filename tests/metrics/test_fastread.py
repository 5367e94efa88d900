"""The fast columnar reader against the streaming reference, cell for cell.

``metrics.fastread.read_columnar`` may answer ``None`` for any file (the caller then reads it
with ``MetricFileReader``); when it does answer, the reference must have found no error and no
warning, the same breakdown and row count, and exactly the same observations (floats compared
with ==, NaN standing for None and quality 0 for no flag). Checked on every test file, on the
shipped 2025 files and on some 1,600 generated mutations of small clean files (each a case
of its own: an awkward cell, line end, quote, encoding, gzip state or option).
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import random
import re
from collections import Counter
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest

from metrics.catalog import Catalog, catalog_load
from metrics.fastread import Columnar, read_columnar
from metrics.parsing import FileError, MetricFileReader, Observation

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "metrics"
RELEASE = ROOT / "metrics" / "data" / "releases" / "2025"
NO_YEAR_COLUMN = 2024  # the year given for files without a year column (2024 "recent")


@cache
def catalog() -> Catalog:
    return catalog_load()


# --- the differential check ------------------------------------------------------------------


def _number(value: object) -> float | str | None:
    """A value as compared: NaN is None, other floats by == except that zeros keep their sign."""
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    if math.isnan(number):
        return None
    return repr(number) if number == 0 else number


def _reader(data: bytes, name: str, options: dict) -> MetricFileReader:
    return MetricFileReader(io.BytesIO(data), catalog=catalog(), filename=name, **options)


def _columnar_rows(columnar: Columnar) -> Counter:
    rows: Counter = Counter()
    for i in range(len(columnar)):
        subgroup_type, subgroup = columnar.subgroups[columnar.subgroup[i]]
        quality = int(columnar.quality[i])
        rows[
            (
                columnar.fips[columnar.geography[i]],
                int(columnar.year[i]),
                columnar.variables[columnar.metric[i]],
                subgroup_type,
                subgroup,
                _number(columnar.value[i]),
                _number(columnar.value_a[i]),
                _number(columnar.value_b[i]),
                _number(columnar.lb[i]),
                _number(columnar.ub[i]),
                quality or None,
            )
        ] += 1
    return rows


@dataclass
class Outcome:
    reference: MetricFileReader | None  # None: refused at the header (FileError)
    observations: int
    columnar: Columnar | None

    @property
    def accepted(self) -> bool:
        return self.columnar is not None


def _observation_rows(observations: list[Observation]) -> Counter:
    return Counter(
        (
            o.fips,
            o.year,
            o.variable,
            o.subgroup_type,
            o.subgroup,
            _number(o.value),
            _number(o.value_a),
            _number(o.value_b),
            _number(o.lb),
            _number(o.ub),
            o.quality,
        )
        for o in observations
    )


def assert_same(reference: MetricFileReader, expected: Counter, columnar: Columnar) -> None:
    """What fastread answered is exactly what the reference read, from a clean file."""
    assert reference.error_count == 0, f"fastread accepted a file with errors: {reference.errors}"
    assert reference.warnings == [], reference.warnings
    assert columnar.warnings == []
    assert columnar.kind == reference.kind
    assert columnar.breakdown == reference.breakdown
    assert columnar.rows_read == reference.rows_read
    got = _columnar_rows(columnar)
    if got != expected:
        only_reference = list((expected - got).elements())[:5]
        only_fast = list((got - expected).elements())[:5]
        pytest.fail(f"only in the reference: {only_reference}\nonly in fastread: {only_fast}")
    assert len(columnar) == expected.total()


def differential(
    data: bytes,
    name: str = "upload.csv",
    *,
    year: int | None = None,
    known_fips: Container[str] | None = None,
    max_bytes: int | None = None,
) -> Outcome:
    """Read ``data`` with both readers; fail if fastread answers differently from the reference."""
    options = {"year": year, "known_fips": known_fips, "max_bytes": max_bytes}
    try:
        reference = _reader(data, name, options)
    except FileError:
        # The caller never gets past the header, so fastread is never asked.
        return Outcome(None, 0, None)
    observations = list(reference.observations())
    # fastread gets a reader of its own, made on the same bytes.
    answers = [read_columnar(data, _reader(data, name, options), known_fips=known_fips)]
    # In small chunks too (7 rows for the generated files): what one chunk learns
    # (breakdown, subgroups, keys) must hold for the next ones.
    chunk = 7 if len(data) < 100_000 else 2500
    answers.append(
        read_columnar(
            data, _reader(data, name, options), known_fips=known_fips, rows_per_chunk=chunk
        )
    )
    if known_fips is not None:
        # Codes given to the reader only must count as well.
        answers.append(read_columnar(data, _reader(data, name, options)))
    if any(columnar is not None for columnar in answers):
        expected = _observation_rows(observations)
        for columnar in answers:
            if columnar is not None:
                assert_same(reference, expected, columnar)
    return Outcome(reference, len(observations), answers[0])


def read_file(path: Path) -> Outcome:
    data = path.read_bytes()
    try:
        _reader(data, path.name, {})
    except FileError as error:
        if error.error.column != "year":
            return Outcome(None, 0, None)
        return differential(data, path.name, year=NO_YEAR_COLUMN)
    return differential(data, path.name)


# --- whole files -----------------------------------------------------------------------------

FIXTURE_FILES = sorted(p for p in FIXTURES.iterdir() if p.name.endswith((".csv", ".csv.gz")))
# The files the importer reads in bulk: fastread must take them, or imports get slow.
MUST_ACCEPT = {
    "county_2025_sample.csv",
    "city_2025_sample.csv",
    "city_race_ethnicity_2025_sample.csv",
    "city_race_share_2025_sample.csv",
    "city_race_share_2025_sample.csv.gz",
    "11_mobility-metrics_county_longitudinal.csv.gz",
    "12_mobility-metrics_county_race-ethnicity_longitudinal.partial.csv.gz",
    "13_mobility-metrics_county_race-share_longitudinal.csv.gz",
    "61_mobility-metrics_place_longitudinal.csv.gz",
    "62_mobility-metrics_place_race-ethnicity_longitudinal.csv.gz",
    "63_mobility-metrics_place_race-share_longitudinal.csv.gz",
}


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_fixture_files_read_the_same(path: Path):
    outcome = read_file(path)
    if path.name in MUST_ACCEPT:
        assert outcome.accepted, "fastread fell back on a clean file"
        assert outcome.observations > 0


@pytest.mark.parametrize("path", sorted(RELEASE.glob("*.gz")), ids=lambda p: p.name)
def test_shipped_2025_files_read_the_same(path: Path):
    outcome = read_file(path)
    if path.name in MUST_ACCEPT:
        assert outcome.accepted, "fastread fell back on a shipped file"
        assert outcome.observations > 10_000


def test_shipped_city_file_with_known_fips():
    data = (RELEASE / "61_mobility-metrics_place_longitudinal.csv.gz").read_bytes()
    with gzip.open(io.BytesIO(data)) as handle:
        rows = list(csv.reader(io.TextIOWrapper(handle, encoding="latin-1", newline="")))
    codes = {row[1].zfill(2) + row[2].zfill(5) for row in rows[1:]}
    assert differential(data, "61.csv.gz", known_fips=codes).accepted
    codes.discard(rows[-1][1].zfill(2) + rows[-1][2].zfill(5))
    outcome = differential(data, "61.csv.gz", known_fips=codes)
    assert not outcome.accepted and outcome.reference and outcome.reference.error_count


# --- generated files -------------------------------------------------------------------------


def u8(text: str) -> str:
    """``text`` as UTF-8 bytes, in the latin-1 text the samples are edited as."""
    return text.encode().decode("latin-1")


@dataclass
class Sample:
    """A small clean file as cells (latin-1 text, so every byte survives an edit)."""

    name: str
    header: list[str]
    rows: list[list[str]]
    year: int | None = None

    @classmethod
    def load(cls, name: str, limit: int | None = None, year: int | None = None) -> Sample:
        text = (FIXTURES / name).read_bytes().decode("latin-1")
        header, *rows = csv.reader(io.StringIO(text, newline=""))
        return cls(name, header, rows[:limit], year)

    def only(self, metrics: set[str]) -> Sample:
        """The id columns and those of ``metrics`` (fewer columns: quicker cases)."""
        keep = [
            i
            for i, name in enumerate(self.header)
            if i < 6 or re.sub(r"_(lb|ub|quality)$", "", name) in metrics
        ]
        rows = [[row[i] for i in keep] for row in self.rows]
        return Sample(self.name, [self.header[i] for i in keep], rows, self.year)

    def column(self, name: str) -> int:
        return self.header.index(name)

    def copy(self) -> Sample:
        return Sample(self.name, list(self.header), [list(r) for r in self.rows], self.year)

    def encode(self, line_end: str = "\n") -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator=line_end)
        writer.writerow(self.header)
        writer.writerows(self.rows)
        return out.getvalue().encode("latin-1")


@cache
def county() -> Sample:
    metrics = {
        "pctl_income_20",
        "ratio_black_nh_house_value_households",
        "ratio_hispanic_house_value_households",
        "share_debt_coll",
        "share_homeless",
        "share_affordable_30_ami",
        "ratio_population_pc_physician",
        "rate_injury_death",
        "rate_learning",
        "share_employed",
        "ratio_living_wage",
    }
    return Sample.load("county_2025_sample.csv", limit=30).only(metrics)


@cache
def city() -> Sample:
    return Sample.load("city_2025_sample.csv", limit=30).only({"pctl_income_20", "share_employed"})


@cache
def city_race() -> Sample:
    return Sample.load("city_race_ethnicity_2025_sample.csv")


@cache
def county_race() -> Sample:
    return Sample.load("county_race_2024_subgroup_first.csv")


@dataclass
class Case:
    id: str
    make: Callable[[], bytes]
    name: str = "upload.csv"
    options: dict = field(default_factory=dict)
    must_accept: bool = False


CASES: list[Case] = []


def case(id: str, *, name: str = "upload.csv", must_accept: bool = False, **options):
    def register(make: Callable[[], bytes]) -> Callable[[], bytes]:
        CASES.append(Case(id, make, name, options, must_accept))
        return make

    return register


def cell_case(
    id: str, base: Callable[[], Sample], column: str, text: str, rows: str = "one", **kwargs
) -> None:
    """``text`` in one cell of ``column`` (the second row, which has values), or in all."""

    def make() -> bytes:
        sample = base().copy()
        index = sample.column(column)
        for row in sample.rows[1:2] if rows == "one" else sample.rows:
            row[index] = text
        return sample.encode()

    shown = repr(text) if len(text) < 40 else f"{text[:4]!r}*{len(text)}"
    key = f"{id}-{rows}-{shown}"
    if all(c.id != key for c in CASES):  # the lists below overlap a little
        CASES.append(Case(key, make, **kwargs))


NUMBERS = [
    "",
    "NA",
    " NA",
    "NA ",
    "na",
    "nan",
    "NaN",
    "-nan",
    "inf",
    "-inf",
    "Infinity",
    "1e500",
    "-1e500",
    "1e-400",
    "4.9e-324",
    "1.7976931348623157e308",
    "1.7976931348623159e308",
    "-0",
    "0",
    "-0.0",
    "1_0",
    "0x10",
    " 1.5",
    "1.5 ",
    "\t1.5",
    "1.5\t",
    "+.5",
    "1.",
    ".5",
    ".",
    "1e",
    "e5",
    "1E+05",
    "1d5",
    "- 1",
    "1 5",
    "1,5",
    "1.5.2",
    "1\xa0",
    "\xa01",
    u8("١"),
    u8("１"),
    "=1+2",
    "@SUM(A1)",
    "-1",
    "1.5",
    "2",
    " ",
    "  ",
    "0.30000000000000004",
    "9007199254740993",
    "1.00000000000000011102230246251565404236316680908203125",
    "1.00000000000000011102230246251565404236316680908203126",
    "0.1000000000000000055511151231257827",
    "123456789012345678901234567890",
    "1e-5",
    "1E-5",
    "1\x0b",
    "1\x0c",
    "\x0c1",
    "1\x1c",
    "\x1f1",
    "1\x85",  # latin-1: a line break (whitespace); the reference reads cp1252: an ellipsis
    "\x851",
    u8("1\u2003"),
    "0x1p3",
    "+inf",
    "iNf",
    "-Infinity",
    "nan(1)",
    "1..5",
    "1e1.5",
    "--1",
    "+-1",
    "1.e1",
    "-.5",
    ".e1",
    "1e+",
    "0" * 300 + "1",
    "1" + "0" * 400,
    "1e-5000",
    "1\x81",
]
for _text in NUMBERS:
    for _rows in ("one", "all"):
        cell_case("metric", county, "pctl_income_20", _text, _rows)
        cell_case("share", county, "share_homeless", _text, _rows)
        cell_case("bound", county, "pctl_income_20_lb", _text, _rows)
        cell_case("ratio", county, "ratio_black_nh_house_value_households", _text, _rows)
        cell_case("physicians", county, "ratio_population_pc_physician", _text, _rows)
    cell_case("upper", county, "rate_injury_death_ub", _text)
    cell_case("living-wage", county, "ratio_living_wage", _text)

for _text in [
    "Strong",
    "strong",
    " Weak ",
    "Weak\t",
    "1",
    "2.0",
    "3",
    "3.00",
    "03",
    "+3",
    "3e0",
    "0",
    "4",
]:
    for _rows in ("one", "all"):
        cell_case("quality", county, "pctl_income_20_quality", _text, _rows)
for _text in ["Excellent", "NA", "", " NA", "na", "nan", u8("Strong\u00a0"), "STRONG", " "] + [
    "Strong\x85",
    "Strong\xa0",
    "\x1cWeak",
]:
    for _rows in ("one", "all"):
        cell_case("quality", county, "pctl_income_20_quality", _text, _rows)
    cell_case("quality-no-value", county, "share_debt_coll_quality", _text)

RATIOS = [
    "0.1:0.2",
    "1:0",
    "0:0",
    "0:1",
    "20.8%:27.5%",
    "2235:1",
    " 0.1:0.2",
    "0.1:0.2 ",
    "0.1 : 0.2",
    "0.1:0.2:0.3",
    "1_0:2",
    u8("١:٢"),
    ":",
    "0.1:",
    ":0.2",
    "5",
    "1.:2",
    ".5:1",
    "+1:2",
    "-1:2",
    "1e2:3",
    "nan:1",
    "inf:1",
    "1:nan",
    "0x1:2",
    "1" + "0" * 400 + ":1",  # parts that overflow to inf: float() gives inf, no error
    "1:1" + "0" * 400,
    "1" + "0" * 400 + ":2" + "0" * 400,
    "0." + "0" * 400 + "1:1",
]
for _text in RATIOS:
    for _rows in ("one", "all"):
        cell_case("ratio", county, "ratio_black_nh_house_value_households", _text, _rows)
        cell_case("physicians", county, "ratio_population_pc_physician", _text, _rows)
for _text in ["0", "0.0", "-0", "0e5", "00", "1e-400", "20", "20.5"]:
    for _rows in ("one", "all"):
        cell_case("living-wage", county, "ratio_living_wage", _text, _rows)

for _column, _texts in {
    "year": [
        "2014.0",
        " 2014",
        "2014 ",
        "14",
        "1989",
        "1990",
        "2100",
        "2101",
        "",
        "NA",
        u8("٢٠١٤"),
    ],
    "state": ["1", "01", "001", "a1", " 01", "01 ", "", "NA", u8("٠١"), "+1", "1.0", "1e0", "-0"],
    "county": ["1", "001", "0001", "", "NA", " 001", "1.0", "-1", "+1", "1e0", "0x1"],
}.items():
    # Bytes around the cell's own text: whitespace to str.strip() in latin-1, or not.
    _own = {"year": "2015", "state": "02", "county": "261"}[_column]
    _texts += [f"\x85{_own}", f"{_own}\x85", f"{_own}\xa0", f"\x1c{_own}", u8(f"{_own}\u2003")]
    for _text in _texts:
        for _rows in ("one", "all"):
            cell_case(_column, county, _column, _text, _rows)

for _text in ["Doña Ana County, NM", u8("Doña Ana County, NM"), 'Say "hi", County', "a\nb"]:
    cell_case("quoted-name", county, "county_name", _text, must_accept="\n" not in _text)
for _text in ["Do\xf1a Ana County", u8("Doña Ana County"), "\x00", "\x1a", "\x0c", "=1+2"]:
    for _rows in ("one", "all"):
        cell_case("name", county, "county_name", _text, _rows, must_accept=_text != "\x00")


for _text in ["3076", "03076", "003076", "+3076", " 03076", "3076.0", "3076\x85", "", "0"]:
    for _rows in ("one", "all"):
        cell_case("place", city, "place", _text, _rows, name="city.csv")
cell_case("city-clean", city, "place_name", "x", must_accept=True)

# Over the csv module's field size limit (131,072 characters): the reference stops there.
cell_case("huge-name", county, "county_name", "x" * 140_000)
cell_case("huge-metric", county, "pctl_income_20", "1." + "0" * 140_000)
cell_case("huge-physicians", county, "ratio_population_pc_physician", "1." + "0" * 140_000)
cell_case("huge-ratio", county, "ratio_black_nh_house_value_households", "1:2." + "0" * 140_000)
cell_case("huge-name", county, "county_name", "x" * 131_072)
cell_case("huge-name", county, "county_name", "x" * 131_073)
cell_case("huge-name", county, "county_name", u8("é" * 70_000))


def _county_bytes() -> bytes:
    return county().encode()


def _lines() -> list[bytes]:
    return _county_bytes().split(b"\n")


def _cut(row: list[str], index: int) -> list[str]:
    return row[:index] + row[index + 1 :]


ALASKA, VIRGINIA = 5, 29  # data rows of the county sample: 2015 Valdez-Cordova, 2019 Alexandria


def _edit(row: int, old: bytes, new: bytes, line_end: bytes = b"\n") -> bytes:
    """The county sample with ``old`` replaced once in data row ``row``."""
    lines = county().encode(line_end.decode()).split(line_end)
    assert old in lines[row + 1], (old, lines[row + 1][:40])
    lines[row + 1] = lines[row + 1].replace(old, new, 1)
    return line_end.join(lines)


@case("clean-base", must_accept=True)
def _clean() -> bytes:
    return _county_bytes()


@case("duplicated-row")
def _duplicated() -> bytes:
    sample = county().copy()
    sample.rows.insert(5, list(sample.rows[2]))
    return sample.encode()


@case("same-key-other-values")
def _same_key() -> bytes:
    sample = county().copy()
    sample.rows[3][0:3] = sample.rows[1][0:3]
    return sample.encode()


@case("county-zero-padding-makes-duplicate")
def _padding_duplicate() -> bytes:
    sample = county().copy()
    sample.rows[6][0:3] = [sample.rows[1][0], "6", "67"]
    return sample.encode()


for _where in (0, 7, 29):

    @case(f"short-row-{_where}")
    def _short(where: int = _where) -> bytes:
        sample = county().copy()
        sample.rows[where] = _cut(sample.rows[where], 10)
        return sample.encode()

    @case(f"long-row-{_where}")
    def _long(where: int = _where) -> bytes:
        sample = county().copy()
        sample.rows[where].insert(10, "1")
        return sample.encode()

    @case(f"long-row-at-end-{_where}")
    def _long_end(where: int = _where) -> bytes:
        sample = county().copy()
        sample.rows[where].append("")
        return sample.encode()


for _long_at, _short_at in ((0, 5), (5, 0), (3, 29), (29, 3), (0, 29)):

    @case(f"long-row-{_long_at}-short-row-{_short_at}")
    def _long_short(long_at: int = _long_at, short_at: int = _short_at) -> bytes:
        sample = county().copy()
        sample.rows[long_at].insert(10, "1")
        sample.rows[short_at] = _cut(sample.rows[short_at], 10)
        return sample.encode()

    @case(f"long-row-{_long_at}-short-row-{_short_at}-at-the-ends")
    def _long_short_ends(long_at: int = _long_at, short_at: int = _short_at) -> bytes:
        sample = county().copy()
        sample.rows[long_at].insert(0, "2014")
        sample.rows[short_at] = sample.rows[short_at][:-1]
        return sample.encode()


@case("every-row-long")
def _all_long() -> bytes:
    sample = county().copy()
    for row in sample.rows:
        row.insert(0, "x")
    return sample.encode()


@case("every-row-short")
def _all_short() -> bytes:
    sample = county().copy()
    sample.rows = [row[:-1] for row in sample.rows]
    return sample.encode()


@case("long-row-with-whitespace-line")
def _long_and_space() -> bytes:
    lines = _lines()
    lines[3] += b",1"
    lines.insert(8, b" " + b"," * (len(county().header) - 2))
    return b"\n".join(lines)


@case("blank-line")
def _blank() -> bytes:
    lines = _lines()
    lines.insert(10, b"")
    return b"\n".join(lines)


@case("blank-line-after-header")
def _blank_after_header() -> bytes:
    lines = _lines()
    lines.insert(1, b"")
    return b"\n".join(lines)


@case("whitespace-line")
def _whitespace() -> bytes:
    lines = _lines()
    lines.insert(10, b"   ")
    return b"\n".join(lines)


@case("commas-only-line")
def _commas() -> bytes:
    lines = _lines()
    lines.insert(10, b"," * (len(county().header) - 1))
    return b"\n".join(lines)


@case("trailing-blank-line")
def _trailing_blank() -> bytes:
    return _county_bytes() + b"\n"


@case("trailing-blank-lines-crlf")
def _trailing_blank_crlf() -> bytes:
    return county().encode("\r\n") + b"\r\n\r\n"


@case("no-final-line-end", must_accept=True)
def _no_final_newline() -> bytes:
    return _county_bytes().rstrip(b"\n")


@case("crlf", must_accept=True)
def _crlf() -> bytes:
    return county().encode("\r\n")


@case("crlf-body-lf-header")
def _crlf_body() -> bytes:
    head, _, body = county().encode("\r\n").partition(b"\r\n")
    return head + b"\n" + body


@case("lone-cr-line-ends")
def _cr() -> bytes:
    return county().encode("\r")


@case("lone-cr-in-a-line")
def _lone_cr() -> bytes:
    return _edit(ALASKA, b",", b"\r,")


@case("cr-in-a-name")
def _cr_in_name() -> bytes:
    return _edit(ALASKA, b"Alaska", b"Ala\rska")


@case("crlf-one-line")
def _crlf_one() -> bytes:
    lines = _lines()
    lines[4] += b"\r"
    return b"\n".join(lines)


@case("cr-before-final-metric")
def _cr_last() -> bytes:
    lines = _lines()
    lines[4] = lines[4][:-3] + b"\r" + lines[4][-3:]
    return b"\n".join(lines)


@case("quote-inside-field")
def _mid_quote() -> bytes:
    return _edit(ALASKA, b"Alaska", b'Ala"ska')


@case("two-quotes-inside-fields")
def _mid_quotes() -> bytes:
    return _edit(ALASKA, b"Alaska,", b'Ala"ska,x"')


@case("quotes-inside-fields-spanning-a-comma")
def _mid_quotes_comma() -> bytes:
    sample = county().copy()
    row = sample.rows[2]
    row[3], row[4] = 'Ala"ska', 'Valdez"'
    return sample.encode().replace(b'"Ala""ska"', b'Ala"ska').replace(b'"Valdez"""', b'Valdez"')


for _index, _text in enumerate(
    [
        b'Ala""ska',
        b'"Ala""ska"',
        b'""',
        b'"Alaska"""',
        b'"""Alaska"""',
        b'"Ala,ska"',
        b'"A"',
        b"'A,'",
    ]
):
    case(f"quotes-{_index}-{_text.decode()}")(lambda t=_text: _edit(ALASKA, b"Alaska", t))


@case("unclosed-quote")
def _unclosed() -> bytes:
    return _edit(ALASKA, b",Alaska,", b',"Alaska,')


@case("unclosed-quote-last-line")
def _unclosed_last() -> bytes:
    return _edit(VIRGINIA, b",Virginia,", b',"Virginia,')


@case("text-after-closing-quote")
def _after_quote() -> bytes:
    return _edit(ALASKA, b",Alaska,", b',"Alas"ka,')


@case("space-before-quote")
def _space_quote() -> bytes:
    return _edit(ALASKA, b",Alaska,", b', "Alaska, AK",')


@case("quoted-field-with-newline")
def _quoted_newline() -> bytes:
    return _edit(ALASKA, b",Alaska,", b',"Ala\nska",')


@case("quoted-field-with-crlf")
def _quoted_crlf() -> bytes:
    return _edit(ALASKA, b",Alaska,", b',"Ala\r\nska",', b"\r\n")


@case("quoted-field-with-newline-and-two-quotes")
def _quoted_newline_even() -> bytes:
    return _edit(ALASKA, b",Alaska,", b',"Ala\n""ska",')


@case("quoted-metric", must_accept=False)
def _quoted_metric() -> bytes:
    lines = _lines()
    cells = lines[2].split(b",")
    cells[6] = b'"' + cells[6] + b'"'
    lines[2] = b",".join(cells)
    return b"\n".join(lines)


@case("quoted-metric-with-comma")
def _quoted_metric_comma() -> bytes:
    lines = _lines()
    cells = lines[2].split(b",")
    cells[6] = b'"1,5"'
    lines[2] = b",".join(cells)
    return b"\n".join(lines)


@case("quoted-na")
def _quoted_na() -> bytes:
    return _county_bytes().replace(b",NA,", b',"NA",', 3)


@case("quoted-header")
def _quoted_header() -> bytes:
    return _county_bytes().replace(b"year,", b'"year",', 1)


@case("bom", must_accept=True)
def _bom() -> bytes:
    return b"\xef\xbb\xbf" + _county_bytes()


@case("two-boms")
def _two_boms() -> bytes:
    return b"\xef\xbb\xbf\xef\xbb\xbf" + _county_bytes()


@case("bom-in-a-row")
def _bom_in_row() -> bytes:
    lines = _lines()
    lines[4] = b"\xef\xbb\xbf" + lines[4]
    return b"\n".join(lines)


@case("nul-late-in-a-name")
def _nul() -> bytes:
    return _edit(VIRGINIA, b",Virginia,", b",Vir\x00ginia,")


@case("nul-late-in-a-metric")
def _nul_metric() -> bytes:
    sample = county().copy()
    sample.rows[-2][sample.column("share_homeless")] = "0.1\x00"
    return sample.encode()


@case("header-only")
def _header_only() -> bytes:
    return _lines()[0] + b"\n"


@case("header-only-no-line-end")
def _header_only_bare() -> bytes:
    return _lines()[0]


@case("header-and-blank-line")
def _header_blank() -> bytes:
    return _lines()[0] + b"\n\n"


@case("one-row", must_accept=True)
def _one_row() -> bytes:
    return b"\n".join(_lines()[:3])


@case("unknown-columns", must_accept=True)
def _unknown_columns() -> bytes:
    sample = county().copy()
    sample.header[5:5] = ["notes", "share_made_up"]
    for i, row in enumerate(sample.rows):
        row[5:5] = [f"n{i}", "NA" if i % 2 else "x,y"]
    return sample.encode()


@case("header-case-and-spaces", must_accept=True)
def _header_case() -> bytes:
    sample = county().copy()
    sample.header = [f" {name.upper()}" if i % 3 else name for i, name in enumerate(sample.header)]
    return sample.encode()


@case("gzip", name="upload.csv.gz", must_accept=True)
def _gzip() -> bytes:
    return gzip.compress(_county_bytes(), mtime=0)


@case("gzip-cut-short", name="upload.csv.gz")
def _gzip_cut() -> bytes:
    data = gzip.compress(_county_bytes(), mtime=0)
    return data[: len(data) * 3 // 4]


@case("gzip-without-trailer", name="upload.csv.gz")
def _gzip_no_trailer() -> bytes:
    return gzip.compress(_county_bytes(), mtime=0)[:-8]


@case("gzip-two-members", name="upload.csv.gz")
def _gzip_two() -> bytes:
    lines = _lines()
    half = len(lines) // 2
    first, second = b"\n".join(lines[:half]) + b"\n", b"\n".join(lines[half:])
    return gzip.compress(first, mtime=0) + gzip.compress(second, mtime=0)


@case("gzip-trailing-garbage", name="upload.csv.gz")
def _gzip_garbage() -> bytes:
    return gzip.compress(_county_bytes(), mtime=0) + b"garbage"


@case("gzip-trailing-zeros", name="upload.csv.gz")
def _gzip_zeros() -> bytes:
    return gzip.compress(_county_bytes(), mtime=0) + b"\x00" * 16


@case("gzip-of-crlf-with-bom", name="upload.csv.gz", must_accept=True)
def _gzip_crlf() -> bytes:
    return gzip.compress(b"\xef\xbb\xbf" + county().encode("\r\n"), mtime=0)


_SIZE = len(county().encode())
for _limit in (_SIZE - 1, _SIZE // 2, 100, _SIZE, _SIZE + 1):
    case(f"max-bytes-{_limit - _SIZE:+d}", max_bytes=_limit)(_county_bytes)
    case(f"gzip-max-bytes-{_limit - _SIZE:+d}", name="upload.csv.gz", max_bytes=_limit)(_gzip)
    case(f"bom-max-bytes-{_limit - _SIZE:+d}", max_bytes=_limit + 3)(_bom)

_CODES = {row[1].zfill(2) + row[2].zfill(3) for row in county().rows}
case("known-fips-all", known_fips=frozenset(_CODES), must_accept=True)(_county_bytes)
case("known-fips-lacks-one", known_fips=frozenset(_CODES - {"35013"}))(_county_bytes)
case("known-fips-empty", known_fips=frozenset())(_county_bytes)
case("known-fips-unpadded", known_fips=frozenset(c.lstrip("0") for c in _CODES))(_county_bytes)


@case("no-year-column", name="county_recent.csv", year=2024, must_accept=True)
def _no_year() -> bytes:
    sample = county().copy()
    sample.header, sample.rows = sample.header[1:], [row[1:] for row in sample.rows[:5]]
    return sample.encode()


@case("no-year-column-duplicates", name="county_recent.csv", year=2024)
def _no_year_duplicates() -> bytes:
    sample = county().copy()
    sample.header, sample.rows = sample.header[1:], [row[1:] for row in sample.rows]
    return sample.encode()


@case("city-file-county-width-codes", name="city.csv")
def _city_codes() -> bytes:
    sample = county().copy()
    sample.header[sample.column("county")] = "place"
    return sample.encode()


@case("subgroup-columns-on-a-county-file")
def _subgroup_columns() -> bytes:
    sample = county().copy()
    sample.header[3:3] = ["subgroup", "subgroup_type"]
    for row in sample.rows:
        row[3:3] = ["All", "all"]
    return sample.encode()


# Subgroup files: the city race-ethnicity sample and the 2024 subgroup-first county file.
SUBGROUP_SAMPLES = {
    "city-race": (city_race, "62_place_race-ethnicity.csv"),
    "city-race-noname": (city_race, "upload.csv"),
    "county-race": (county_race, "county_race_2024_subgroup_first.csv"),
    "county-race-noname": (county_race, "upload.csv"),
}


def subgroup_case(
    id: str, edit: Callable[[Sample], None], must_accept: bool = False, **options
) -> None:
    for key, (base, name) in SUBGROUP_SAMPLES.items():

        def make(base: Callable[[], Sample] = base) -> bytes:
            sample = base().copy()
            edit(sample)
            return sample.encode()

        CASES.append(Case(f"{key}-{id}", make, name, options, must_accept))


def _set(row: int, subgroup: str | None = None, kind: str | None = None):
    def edit(sample: Sample) -> None:
        cells = sample.rows[row]
        if subgroup is not None:
            cells[sample.column("subgroup")] = subgroup
        if kind is not None:
            cells[sample.column("subgroup_type")] = kind

    return edit


def _each(*edits: Callable[[Sample], None]) -> Callable[[Sample], None]:
    def edit(sample: Sample) -> None:
        for one in edits:
            one(sample)

    return edit


subgroup_case("unchanged", lambda sample: None, must_accept=True)
subgroup_case("all-lower", _set(0, "all"))
subgroup_case("all-upper", _set(0, "ALL"))
subgroup_case("all-later", _set(2, "All"))
subgroup_case("all-with-spaces", _set(0, " All "))
subgroup_case("all-with-type-na", _set(0, "All", "NA"))
subgroup_case("all-with-empty-type", _set(0, "All", ""))
subgroup_case("empty-subgroup-and-type", _set(0, "", ""))
subgroup_case("empty-subgroup-and-type-later", _set(2, "", ""))
subgroup_case("na-subgroup-and-type", _set(1, "NA", "NA"))
subgroup_case("empty-subgroup", _set(1, ""))
subgroup_case("subgroup-na", _set(1, "NA"))
subgroup_case("subgroup-type-na", _set(1, None, "NA"))
subgroup_case("subgroup-type-empty", _set(1, None, ""))
subgroup_case("type-underscore", _set(1, None, "race_ethnicity"))
subgroup_case("type-typo", _set(1, None, "race-ethncity"))
subgroup_case("type-upper", _set(1, None, "Race-Ethnicity"))
subgroup_case("type-spaces", _set(1, None, " race ethnicity "))
subgroup_case("type-other", _set(1, None, "income"))
subgroup_case("type-all", _set(1, None, "all"))
subgroup_case("type-all-upper", _set(1, None, " ALL"))
subgroup_case("type-all-first", _set(0, "Black", "all"))
subgroup_case("race-share-group", _set(1, "Neighborhoods of color", "race-ethnicity"))
subgroup_case("race-share-group-upper", _set(1, " MIXED NEIGHBORHOODS", "race-ethnicity"))
subgroup_case("race-share-group-first", _set(0, "White neighborhoods", "race-ethnicity"))
subgroup_case("formula-subgroup", _set(1, "=1+2"))
subgroup_case("formula-subgroup-at", _set(1, "@SUM(A1)"))
subgroup_case("formula-subgroup-minus", _set(1, "-Black"))
subgroup_case("number-subgroup-minus", _set(1, "-1"))
subgroup_case("formula-type", _set(1, None, "=race"))
subgroup_case("formula-subgroup-tab", _set(1, "\tBlack"))
subgroup_case("subgroup-spaces", _set(1, " Black "))
subgroup_case("subgroup-case", _set(1, "BLACK"))
subgroup_case("subgroup-utf8", _set(1, u8("Négro")))
subgroup_case("subgroup-latin1", _set(1, "N\xe9gro"))
subgroup_case("subgroup-type-utf8", _set(1, None, u8("race-éthnicity")))
subgroup_case("subgroup-nbsp", _set(1, u8("Black\u00a0")))
# A NUL in a late row (one in the first 8 KB makes the reference call the file binary).
subgroup_case("type-nul", _set(-1, None, "race\x00-ethnicity"))
subgroup_case("subgroup-nul", _set(-1, "Bl\x00ack"))
subgroup_case("subgroup-long", _set(1, "B" * 81))
subgroup_case("subgroup-80", _set(1, "B" * 80))
subgroup_case("type-long", _set(1, None, "t" * 33))
subgroup_case("subgroup-duplicate", _each(_set(1, "Same"), _set(2, "Same")))
subgroup_case("subgroup-duplicate-spaces", _each(_set(1, "Same"), _set(2, "Same ")))
subgroup_case("subgroup-duplicate-types", _each(_set(1, "Same", "a_b"), _set(2, "Same", "a-b")))
subgroup_case("subgroup-same-name-other-type", _each(_set(1, "Same", "a"), _set(2, "Same", "b")))
subgroup_case("all-twice", _each(_set(1, "All"), _set(2, "all")))
subgroup_case("all-and-blank", _each(_set(1, "All"), _set(2, "", "")))


def _numbered(subgroup: str, kind: str) -> Callable[[Sample], None]:
    """Every row's subgroup (and type) a number, formatted from the row's position."""

    def edit(sample: Sample) -> None:
        for i, row in enumerate(sample.rows):
            row[sample.column("subgroup")] = subgroup.format(i + 1)
            row[sample.column("subgroup_type")] = kind.format(i % 2 + 1)

    return edit


subgroup_case("numeric-subgroups", _numbered("{:02d}", "income"))
subgroup_case("numeric-subgroups-plus", _numbered("+{}", "income"))
subgroup_case("numeric-subgroups-float", _numbered("{}.0", "income"))
subgroup_case("numeric-subgroups-and-types", _numbered("{}", "0{}"))


@case("quoted-newline-with-literal-quotes-on-both-lines")
def _quoted_newline_literal() -> bytes:
    # Line one: Ala"ska,"Val  line two: dez",9"488  (an even count of quotes on each line).
    sample = county().copy()
    row = sample.rows[ALASKA]
    population = row[5]
    row[3], row[4], row[5] = "ALA", "Val\ndez", "POP"
    data = sample.encode()
    return data.replace(b"ALA", b'Ala"ska').replace(b"POP", f'9"{population}'.encode())


def _tiny(*rows: str) -> Callable[[], bytes]:
    return lambda: "\n".join(["state,county,share_employed", *rows, ""]).encode()


for _id, _rows in {
    "tiny": ("01,01,1", "02,02,0", "03,03,1"),
    "tiny-long-first-short-last": ("01,01,01,1", "02,02,0", "03,03"),
    "tiny-long-first-short-middle": ("01,01,01,1", "02,02", "03,03,1"),
    "tiny-short-first-long-last": ("01,01", "02,02,0", "03,03,03,1"),
    "tiny-long-first": ("01,01,01,1", "02,02,0", "03,03,1"),
    "tiny-every-row-long": ("01,01,01,1", "02,02,02,0", "03,03,03,1"),
    "tiny-quoted-newline": ('01,01,"1', '",02,02,0', "03,03,1"),
}.items():
    case(_id, name="county_recent.csv", year=2024, must_accept=_id == "tiny")(_tiny(*_rows))


@case("county-race-every-row-all", name="county_race-ethnicity.csv")
def _every_all() -> bytes:
    sample = county_race().copy()
    for i, row in enumerate(sample.rows):
        row[sample.column("county")] = f"{i + 1:03d}"
        row[sample.column("subgroup")] = "All"
    return sample.encode()


@case("county-race-every-row-all-noname")
def _every_all_noname() -> bytes:
    return _every_all()


@case("county-race-every-row-blank")
def _every_blank() -> bytes:
    sample = county_race().copy()
    for i, row in enumerate(sample.rows):
        row[sample.column("county")] = f"{i + 1:03d}"
        row[sample.column("subgroup")] = row[sample.column("subgroup_type")] = ""
    return sample.encode()


def _many_overall_rows(count: int, last: tuple[str, str]) -> bytes:
    """``count`` overall rows, then one ``last`` row (beyond the reference's look-ahead)."""
    sample = county_race().copy()
    template = sample.rows[0]
    sample.rows = []
    for i in range(count + 1):
        row = list(template)
        row[0] = str(2000 + i % 50)
        row[1], row[2] = f"{i // 50 // 999 + 1:02d}", f"{i // 50 % 999 + 1:03d}"
        if i == count:
            row[sample.column("subgroup")], row[sample.column("subgroup_type")] = last
        sample.rows.append(row)
    return sample.encode()


case("subgroup-after-lookahead")(lambda: _many_overall_rows(5000, ("Black", "race-ethnicity")))
case("subgroup-within-lookahead", must_accept=True)(
    lambda: _many_overall_rows(4999, ("Black", "race-ethnicity"))
)
case("all-after-lookahead", name="county_race-ethnicity.csv", must_accept=True)(
    lambda: _many_overall_rows(5000, ("all", "all"))
)


# Random cells built from awkward pieces, in one row or down a whole column (pandas infers
# a column's type from all of it): a few seeds of a search that ran 50,000 of them.
PIECES = [",", '"', "\r", "\n", " ", "\t", "0", "1", "3", ".", ":", "-", "+", "e", "NA", "nan"]
PIECES += ["inf", "_", "\x85", "\xa0", "\xc3", "\xa9", "\x00", "Strong", "weak", "All", "%"]
PIECES += ["\x1c", "x", "0x", "race_ethnicity", "=", "Neighborhoods of color", "001", "2014"]


@pytest.mark.parametrize("seed", range(120))
def test_random_cells_read_the_same(seed: int):
    rng = random.Random(seed)
    base, name = rng.choice(
        [
            (county, "upload.csv"),
            (city_race, "62_race.csv"),
            (county_race, "u.csv"),
            (city, "c.csv"),
        ]
    )
    sample = base().copy()
    column = rng.randrange(len(sample.header))

    def text() -> str:
        return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 3)))

    if rng.random() < 0.4:
        same = text() if rng.random() < 0.5 else None
        for row in sample.rows:
            row[column] = same if same is not None else text()
    else:
        rng.choice(sample.rows)[column] = text()
    differential(sample.encode(), name)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_mutation_reads_the_same(case: Case):
    data = case.make()
    outcome = differential(data, case.name, **case.options)
    if case.must_accept:
        assert outcome.accepted, "fastread fell back on a file it should read"


def test_case_ids_are_unique():
    counts = Counter(c.id for c in CASES)
    assert [i for i, n in counts.items() if n > 1] == []


def test_base_samples_are_clean_and_have_values_to_mutate():
    sample = county()
    row = sample.rows[1]
    for column in (
        "pctl_income_20",
        "pctl_income_20_lb",
        "pctl_income_20_quality",
        "share_homeless",
        "ratio_black_nh_house_value_households",
        "ratio_population_pc_physician",
        "ratio_living_wage",
        "rate_injury_death_ub",
    ):
        assert row[sample.column(column)] not in ("", "NA"), column
    assert ":" in row[sample.column("ratio_black_nh_house_value_households")]
    for base in (county(), city(), city_race(), county_race()):
        outcome = differential(base.encode(), base.name, year=base.year)
        assert outcome.accepted and outcome.reference
