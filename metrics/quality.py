"""Urban's data-quality flag: one definition of its codes, words, labels and meanings.

Urban rates an estimate Strong (1), Marginal (2) or Weak (3). Pages, charts, the API's display
fields and the plan's PDF all take their words from here; plain Python (no Django needed), so
the parser and the charts can use it too.
"""

from __future__ import annotations

from metrics.i18n import gettext_lazy as _

STRONG, MARGINAL, WEAK = 1, 2, 3
CODES = (STRONG, MARGINAL, WEAK)

# The flag as Urban's files write it (also the chart module's input vocabulary): data, not text
# for readers, so never translated.
FLAG_WORDS = {STRONG: "Strong", MARGINAL: "Marginal", WEAK: "Weak"}
# What a reader sees: the rating's name...
LABELS = {STRONG: _("Strong"), MARGINAL: _("Marginal"), WEAK: _("Weak")}
NOT_RATED = _("Not rated")
# ...and what it means for using the number (chart legends, notes).
MEANINGS = {
    STRONG: _("Strong quality"),
    MARGINAL: _("Marginal quality"),
    WEAK: _("Weak quality: do not act on it"),
    None: _("Quality not rated"),
}


def quality_code(flag: object) -> int | None:
    """1, 2 or 3 from a code or a flag word in any case ("Weak", "weak", 3, "3.0"); else None."""
    if flag is None or isinstance(flag, bool):
        return None
    text = str(flag).strip()
    for code, word in FLAG_WORDS.items():
        if text.lower() == word.lower():
            return code
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number in CODES else None


def quality_label(flag: object) -> str:
    """The rating's name in the reader's language ("Not rated" when there is none)."""
    code = quality_code(flag)
    return str(LABELS[code] if code is not None else NOT_RATED)


def quality_meaning(flag: object) -> str:
    """What the rating means for using the number, in the reader's language."""
    return str(MEANINGS[quality_code(flag)])
