"""Choice lists of the strategy records, read from the worksheets that define them (W7.4, W8.1).

One description of the guide: the records use the same keys and labels as the worksheets, so
answers imported from a worksheet keep their meaning.
"""

from __future__ import annotations

from plans import definitions


def _options(worksheet: str, field: str) -> list[tuple[str, str]]:
    return [(o.key, o.label) for o in definitions.worksheet(worksheet).field(field).options]


def action_types() -> list[tuple[str, str]]:
    return _options("w7_4", "action_type")


def systems_conditions() -> list[tuple[str, str]]:
    return _options("w7_4", "systems_conditions")


def measure_kinds() -> list[tuple[str, str]]:
    return _options("w8_1", "measure_kind")


def disaggregations() -> list[tuple[str, str]]:
    return _options("w8_1", "disaggregation")


def frequencies() -> list[tuple[str, str]]:
    return _options("w8_1", "frequency")


def audiences() -> list[tuple[str, str]]:
    return _options("w8_1", "audience")


def pillars() -> list[tuple[str, str]]:
    return [(p.key, p.name) for p in definitions.framework().pillars]


def predictors() -> list[tuple[str, str]]:
    return [(p.key, p.name) for p in definitions.framework().predictors]


def label(choices: list[tuple[str, str]], key: str) -> str:
    return dict(choices).get(key, key)


def labels(choices: list[tuple[str, str]], keys: list[str]) -> list[str]:
    found = dict(choices)
    return [found.get(k, k) for k in keys]
