"""The pure file reader against real cuts of the Urban Institute files and older layouts."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from metrics.catalog import catalog_load
from metrics.parsing import FileError, MetricFileReader, Observation, count_data_rows

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "metrics"


def read(name: str, **kwargs) -> tuple[MetricFileReader, list[Observation]]:
    with open(FIXTURES / name, "rb") as handle:
        reader = MetricFileReader(handle, catalog=catalog_load(), filename=name, **kwargs)
        return reader, list(reader.observations())


def read_bytes(data: bytes, **kwargs) -> tuple[MetricFileReader, list[Observation]]:
    reader = MetricFileReader(io.BytesIO(data), catalog=catalog_load(), **kwargs)
    return reader, list(reader.observations())


def pick(observations, **match) -> Observation:
    found = [o for o in observations if all(getattr(o, k) == v for k, v in match.items())]
    assert len(found) == 1, found
    return found[0]


def test_county_file_reads_mixed_encoding_and_the_broken_2014_name_row():
    reader, observations = read("county_2025_sample.csv")
    assert reader.errors == []
    assert reader.kind == "county"
    dona_ana = {o.year for o in observations if o.fips == "35013"}
    assert dona_ana == set(range(2014, 2024))
    income = pick(observations, fips="35013", year=2014, variable="pctl_income_20")
    assert income.value == pytest.approx(14521.32, abs=0.01)
    assert income.quality == 1  # "Strong"
    assert income.subgroup_type == "all" and income.subgroup == "All"


def test_county_geographies_keep_alaska_split_and_connecticut_regions_apart():
    _, observations = read("county_2025_sample.csv")
    years = {
        fips: {o.year for o in observations if o.fips == fips}
        for fips in ("02261", "02063", "09001", "09110")
    }
    assert max(years["02261"]) == 2019 and min(years["02063"]) == 2020
    assert max(years["09001"]) == 2021 and min(years["09110"]) == 2022


def test_text_ratio_keeps_both_parts_and_divides_them():
    _, observations = read("city_2025_sample.csv")
    ratio = pick(
        observations, fips="0103076", year=2014, variable="ratio_black_nh_house_value_households"
    )
    assert (ratio.value_a, ratio.value_b) == (0.119, 0.246)
    assert ratio.value == pytest.approx(0.119 / 0.246)
    assert ratio.quality == 2  # "Marginal"


def test_city_overall_file_ignores_stray_tenure_and_blank_subgroup_columns():
    reader, observations = read("city_2025_sample.csv")
    assert reader.errors == []
    assert reader.kind == "city"
    assert {(o.subgroup_type, o.subgroup) for o in observations} == {("all", "All")}
    assert any(o.fips == "1372122" and o.year == 2018 for o in observations)


def test_race_ethnicity_file_keeps_its_all_row_apart_from_the_overall_value():
    reader, observations = read("city_race_ethnicity_2025_sample.csv")
    assert reader.breakdown == "race-ethnicity"
    groups = {o.subgroup for o in observations if o.fips == "0103076" and o.year == 2014}
    assert {"All", "Black", "White, Non-Hispanic", "Hispanic"} <= groups
    total = pick(observations, fips="0103076", year=2014, variable="pctl_income_20", subgroup="All")
    assert total.subgroup_type == "race-ethnicity"
    assert total.value == pytest.approx(15638.00436)


def test_race_share_groups_mislabelled_upstream_are_typed_race_share():
    _, observations = read("city_race_share_2025_sample.csv")
    types = {(o.subgroup_type, o.subgroup) for o in observations}
    assert ("race-share", "Neighborhoods of color") in types
    assert not any(t == "race-ethnicity" for t, _ in types)
    flag_only = pick(
        observations,
        fips="0412000",
        year=2021,
        variable="share_debt_coll",
        subgroup="Neighborhoods of color",
    )
    assert flag_only.value is None and flag_only.quality == 3


def test_gzip_file_reads_like_the_plain_one():
    _, plain = read("city_race_share_2025_sample.csv")
    _, packed = read("city_race_share_2025_sample.csv.gz")
    assert packed == plain


def test_2024_layout_without_year_needs_the_year():
    with pytest.raises(FileError) as error:
        read("county_2024_recent_oldnames.csv")
    assert error.value.error.column == "year"


def test_2024_layout_old_names_percent_ratios_and_digit_flags():
    reader, observations = read("county_2024_recent_oldnames.csv", year=2022)
    assert reader.errors == []
    assert set(reader.layout.unknown_columns) == {
        "index_transit_trips",
        "index_transit_trips_quality",
    }
    debt = pick(observations, fips="01001", variable="share_debt_coll")
    assert (debt.value, debt.quality, debt.year) == (0.5269, 3, 2022)
    house = pick(observations, fips="01001", variable="ratio_black_nh_house_value_households")
    assert house.value_a == pytest.approx(0.208) and house.value_b == pytest.approx(0.275)
    doctors = pick(observations, fips="01001", variable="ratio_population_pc_physician")
    assert (doctors.value, doctors.value_a, doctors.value_b) == (2235, 2235, 1)
    assert pick(observations, fips="01001", variable="pctl_income_50").quality == 2
    assert (
        pick(observations, fips="01001", variable="share_affordable_available_30_ami").quality == 1
    )
    assert pick(observations, fips="01001", variable="rate_crime_property").value == 2100.25
    assert pick(observations, fips="01001", variable="share_low_birth_weight").value == 0.092
    assert pick(observations, fips="01001", variable="index_air_hazard").quality == 2
    assert pick(observations, fips="01001", variable="share_meps20_black").value == 0.5
    assert pick(observations, fips="01001", variable="share_desc_rep_other").value == 0.02
    assert pick(observations, fips="01001", variable="count_homeless").quality == 1


def test_unpadded_fips_and_zeros_that_mean_worst_or_missing():
    _, observations = read("county_2024_recent_oldnames.csv", year=2022)
    assert {o.fips for o in observations} == {"01001", "01003"}
    # No physician at all: kept as 0, the worst case.
    assert pick(observations, fips="01003", variable="ratio_population_pc_physician").value == 0
    wage = pick(observations, fips="01003", variable="ratio_living_wage")
    assert wage.value is None and wage.quality == 2  # 0 = wage data missing


def test_numbers_as_readr_and_per_metric_files_write_them():
    reader, observations = read("county_2023_longitudinal_digits.csv")
    assert reader.errors == []
    income = pick(observations, year=2016, variable="pctl_income_20")
    assert (income.lb, income.ub, income.quality) == (20000, 23000.5, 1)
    assert pick(observations, year=2016, variable="share_employed").value == pytest.approx(0.7999)
    assert (
        pick(observations, year=2016, variable="share_medical_debt_coll").value
        == 1.1516088794591572e-4
    )
    assert pick(observations, year=2016, variable="share_poverty_exposure").value == 0.2997214
    turnout = pick(observations, year=2016, variable="share_election_turnout")
    assert turnout.value is None and turnout.quality == 2
    assert not any(o.year == 2018 and o.variable == "pctl_income_20" for o in observations)
    unknown_flag = pick(observations, year=2018, variable="share_employed")
    assert unknown_flag.quality is None and "share_employed_quality" in reader.warnings[0]


def test_subgroup_before_type_and_upstream_typos():
    reader, observations = read("county_race_2024_subgroup_first.csv")
    assert reader.errors == []
    assert {o.subgroup_type for o in observations} == {"race-ethnicity"}
    black = pick(observations, subgroup="Black, Non-Hispanic")
    assert (black.value, black.lb, black.ub, black.quality) == (0.71, 0.65, 0.77, 2)
    assert pick(observations, subgroup="Hispanic").value is None


def test_national_medians_file():
    reader, observations = read("county_medians_2025.csv")
    assert reader.kind == "national"
    assert pick(observations, year=2017, variable="share_employed").value == pytest.approx(0.7999)
    assert {o.year for o in observations} == set(range(2014, 2024))


def test_count_data_rows_for_plain_and_gzip_files():
    for name in ("city_race_share_2025_sample.csv", "city_race_share_2025_sample.csv.gz"):
        with open(FIXTURES / name, "rb") as handle:
            assert count_data_rows(handle) == 28


HEADER = b"year,state,county,state_name,county_name,share_employed,share_employed_quality\n"


@pytest.mark.parametrize(
    ("data", "row", "column", "words"),
    [
        (b"", 1, "", "empty"),
        (b"\x00\x01\x02junk\xff" * 50, 1, "", "binary"),
        (b"PK\x03\x04" + b"x" * 100, 1, "", "spreadsheet"),
        (
            b"year;state;county;share_employed\n2020;01;001;0.5\n",
            1,
            "year;state;county;share_employed",
            "commas",
        ),
        (b"year,state_name,share_employed\n2020,Alabama,0.5\n", 1, "state", "id columns"),
        (b"year,state,county,foo\n2020,01,001,1\n", 1, "", "metric"),
        (b"year,state,county,share_employed,share_employed\n", 1, "share_employed", "twice"),
    ],
)
def test_unreadable_files_raise_with_row_and_column(data, row, column, words):
    with pytest.raises(FileError) as error:
        read_bytes(data)
    assert (error.value.error.row, error.value.error.column) == (row, column)
    assert words in str(error.value).lower()


@pytest.mark.parametrize(
    ("body", "row", "column", "words"),
    [
        (b"2020,01,001,Alabama,Autauga County,abc,Strong\n", 2, "share_employed", "not a number"),
        (b"2020,01,001,Alabama,Autauga County,1.7,Strong\n", 2, "share_employed", "range"),
        (b"2020,01,001,Alabama,Autauga County,=1+2,Strong\n", 2, "share_employed", "formula"),
        (b"2020,01,001,Alabama,Autauga County,nan,Strong\n", 2, "share_employed", "not a number"),
        (
            b"2020,01,001,Alabama,Autauga County,0.5,Strong\n2020,1,1,Alabama,A,0.6,Weak\n",
            3,
            "county",
            "duplicate",
        ),
        (
            b"2020,01,001,Alabama,Autauga County,0.5,Strong\n2021,01,001,Alab",
            3,
            "county_name",
            "fields",
        ),
        (b"20x0,01,001,Alabama,Autauga County,0.5,Strong\n", 2, "year", "not a year"),
        (b"2020,01,ABC,Alabama,Autauga County,0.5,Strong\n", 2, "county", "fips"),
    ],
)
def test_bad_rows_are_reported_with_row_and_column(body, row, column, words):
    reader, _ = read_bytes(HEADER + body)
    assert reader.errors, "expected an error"
    error = reader.errors[-1]
    assert (error.row, error.column) == (row, column)
    assert words in error.message.lower()


def test_header_only_is_an_error():
    reader, observations = read_bytes(HEADER)
    assert observations == []
    assert reader.errors[0].row == 2 and "no data rows" in reader.errors[0].message


def test_unknown_fips_is_an_error_when_the_list_is_given():
    reader, _ = read_bytes(
        HEADER + b"2020,01,999,Alabama,Nowhere,0.5,Strong\n", known_fips={"01001"}
    )
    assert reader.errors[0].column == "county" and "01999" in reader.errors[0].message


def test_size_limit_stops_the_read():
    body = b"".join(b"2020,01,%03d,A,B,0.5,Strong\n" % n for n in range(1, 999))
    reader, _ = read_bytes(HEADER + body, max_bytes=20_000)
    assert "larger than the limit" in reader.errors[-1].message


def test_subgroup_row_after_a_long_run_of_overall_rows_is_refused(monkeypatch):
    from metrics import parsing

    monkeypatch.setattr(parsing, "LOOKAHEAD_ROWS", 2)
    data = (
        b"year,state,county,subgroup,subgroup_type,share_employed\n"
        b"2020,01,001,All,all,0.5\n2020,01,003,All,all,0.5\n2020,01,005,All,all,0.5\n"
        b"2020,01,005,Black,race-ethnicity,0.4\n"
    )
    reader, _ = read_bytes(data)
    assert [(e.row, e.column) for e in reader.errors] == [(5, "subgroup")]
    assert "sort the file" in reader.errors[0].message


def test_excel_style_csv_with_bom_and_crlf():
    data = "\ufeff".encode() + (
        HEADER + b"2020,01,001,Alabama,Autauga County,0.5,Strong\n"
    ).replace(b"\n", b"\r\n")
    reader, observations = read_bytes(data)
    assert reader.errors == []
    assert [(o.fips, o.variable, o.value, o.quality) for o in observations] == [
        ("01001", "share_employed", 0.5, 1)
    ]


def test_catalog_keys_are_slugs_the_planning_guide_can_share():
    import yaml

    from metrics.catalog import CATALOG_PATH, CatalogError, catalog_parse

    data = yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))
    assert len(catalog_parse(data).predictors) == 24
    data["pillars"][0]["predictors"][0]["slug"] = "Opportunities_for_income"
    with pytest.raises(CatalogError, match="'Opportunities_for_income' is not a slug"):
        catalog_parse(data)


def test_quality_flags_in_words_or_digits_and_their_labels():
    from metrics.quality import quality_code, quality_label, quality_meaning

    assert [quality_code(f) for f in ("Strong", "marginal", " WEAK ", 3, "2.0", "4", None)] == [
        1,
        2,
        3,
        3,
        2,
        None,
        None,
    ]
    assert [quality_label(c) for c in (1, 2, 3, None)] == [
        "Strong",
        "Marginal",
        "Weak",
        "Not rated",
    ]
    assert quality_meaning("Weak") == "Weak quality: do not act on it"


def test_quality_labels_are_translated_everywhere_they_are_shown():
    from django.utils import translation

    from metrics.models import Quality
    from metrics.quality import quality_label

    with translation.override("es"):
        assert quality_label(3) == "Débil" and quality_label(None) == "Sin calificar"
        assert str(Quality.STRONG.label) == "Sólida"
