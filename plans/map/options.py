"""Choice lists of the strategy records, read from the worksheets that define them.

One description of the guide: the records use the same keys and labels as the worksheets, so
answers imported from a worksheet keep their meaning. Which worksheet a record comes from is
the worksheet's ``role`` in the data (``plans/data/step*.yaml``), never a key written here.
"""

from __future__ import annotations

from plans import definitions


def record_worksheet(record: str) -> definitions.Worksheet:
    """The worksheet whose answers become a strategy record ("vision", "measures", ...)."""
    return definitions.worksheet_by_role(record)


def _options(record: str, field: str) -> list[tuple[str, str]]:
    return [(o.key, o.label) for o in record_worksheet(record).field(field).options]


def action_types() -> list[tuple[str, str]]:
    return _options("actions", "action_type")


def systems_conditions() -> list[tuple[str, str]]:
    return _options("actions", "systems_conditions")


def measure_kinds() -> list[tuple[str, str]]:
    return _options("measures", "measure_kind")


def disaggregations() -> list[tuple[str, str]]:
    return _options("measures", "disaggregation")


def frequencies() -> list[tuple[str, str]]:
    return _options("measures", "frequency")


def audiences() -> list[tuple[str, str]]:
    return _options("measures", "audience")


def funding_statuses() -> list[tuple[str, str]]:
    """Secured, requested, needed: ``funding_status`` of plans/data/options.yaml."""
    return [(o.key, o.label) for o in definitions.framework().option_lists["funding_status"]]


def pillars() -> list[tuple[str, str]]:
    return [(p.key, p.name) for p in definitions.framework().pillars]


def predictors() -> list[tuple[str, str]]:
    return [(p.key, p.name) for p in definitions.framework().predictors]


def label(choices: list[tuple[str, str]], key: str) -> str:
    return dict(choices).get(key, key)


def labels(choices: list[tuple[str, str]], keys: list[str]) -> list[str]:
    found = dict(choices)
    return [found.get(k, k) for k in keys]
