"""The walks' content from data (``walks/data/questions.yaml``), loaded and checked once."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data" / "questions.yaml"


@cache
def default_questions() -> dict[str, list[str]]:
    """The three questions a new station starts with, by language (``en``, ``es``)."""
    loaded = yaml.safe_load(DATA.read_text(encoding="utf-8"))["default_questions"]
    if set(loaded) != {"en", "es"} or len(loaded["en"]) != len(loaded["es"]):
        raise ValueError(f"{DATA}: default_questions needs en and es lists of the same length")
    return {lang: [str(q) for q in qs] for lang, qs in loaded.items()}
