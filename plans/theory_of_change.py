"""The theory of change sentence (W7.3, the plan's section M6): one home for how its four
parts join into a sentence and for telling when a part is not the phrase the sentence needs.

The toolkit's formula joins a problem, the strategies, the medium-term and the long-term
results. The sentence reads well only if each part is a phrase that fits its slot:

- ``problem``: a noun phrase completing "To address …" ("the shortage of homes that
  low-income renters can afford");
- ``solution``: a verb phrase completing "we will …" ("build 500 homes and fund …");
- ``impact_medium`` and ``impact_long``: results as noun phrases ("more homes that rent
  below 30% of income", "stable housing and growing wealth for Black families").

Old answers often hold whole sentences ("Low-income renters cannot find homes."). The
sentence still joins them, and ``part_problems`` says which parts to rephrase: the theory
page shows it, and the pre-freeze check lists it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PARTS = ("problem", "solution", "impact_medium", "impact_long")

# What each part is called where a message names it.
PART_NAMES = {
    "problem": gettext_lazy("The problem"),
    "solution": gettext_lazy("The strategies"),
    "impact_medium": gettext_lazy("The medium-term result"),
    "impact_long": gettext_lazy("The long-term result"),
}

# Words people often type that the sentence already says (English and Spanish), per part.
_LEADS = {
    "problem": r"(in order to|to address|address|para abordar|abordar)\s+",
    "solution": r"(we will|we'll|we are going to|will|vamos a|nosotros vamos a)\s+",
    "impact_medium": r"(in the medium term|in the medium-term|a medio plazo|a mediano plazo),?\s+",
    "impact_long": r"(in the long term|in the long-term|thereby|a largo plazo),?\s+",
}

# First words that start a phrase in lower case once the phrase is inside the sentence.
_LOWER_FIRST = {
    *("the", "a", "an", "more", "fewer", "less", "our", "many", "most", "all", "every", "each"),
    *("higher", "lower", "better", "greater", "stronger", "new", "no", "low", "high"),
    *("stable", "healthy", "healthier", "safe", "safer", "fair", "fairer", "increased"),
    *("reduced", "improved", "rising", "persistent", "limited"),
    *("el", "la", "los", "las", "un", "una", "unos", "unas", "más", "menos", "mejor"),
    *("mejores", "mayor", "mayores", "nuestro", "nuestra", "nuestros", "nuestras"),
}

# A finite verb that makes a part a clause ("renters cannot find homes", "jobs will pay"),
# unless a relative pronoun comes right before it ("renters who cannot afford rent").
_FINITE = re.compile(
    r"(?<!\bwho )(?<!\bthat )(?<!\bwhich )(?<!\bque )(?<!\bquienes )"
    r"\b(cannot|can't|can not|do not|don't|does not|doesn't|did not|didn't|will|won't|"
    r"would|is|are|was|were|has|have|lack|lacks|no pueden|no puede|no tienen|no tiene|es|son|"
    r"está|están|hay)\b",
    re.IGNORECASE,
)
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-ZÁÉÍÓÚÑ]")


def phrase(part: str, text: str) -> str:
    """A part as it goes into the sentence: without the words the sentence already has,
    without a final full stop, and with a capital that only began a sentence lowered."""
    cleaned = (text or "").strip()
    lead = _LEADS.get(part)
    if lead:
        cleaned = re.sub(rf"^{lead}", "", cleaned, flags=re.IGNORECASE)
    cleaned = cleaned.rstrip().rstrip(".").rstrip()
    first = cleaned.split(" ", 1)[0]
    if first and first[0].isupper() and first.lower() in _LOWER_FIRST:
        cleaned = cleaned[0].lower() + cleaned[1:]
    return cleaned


def sentence(parts: Mapping[str, str]) -> str:
    """The theory of change joined from its parts; "" while the problem or the strategies
    are missing. Each form is one translatable sentence with named placeholders."""
    values = {part: phrase(part, parts.get(part) or "") for part in PARTS}
    problem, solution = values["problem"], values["solution"]
    medium, long = values["impact_medium"], values["impact_long"]
    if not (problem and solution):
        return ""
    lead = ""
    if reads_as_sentence("problem", parts.get("problem") or ""):
        # An old answer that states the problem as a sentence: say it first, then refer to
        # it ("… cannot find homes. To address this, we will …"), which still reads.
        lead = (parts.get("problem") or "").strip()
        lead = lead if lead.endswith((".", "!", "?")) else lead + "."
        # Translators: stands for the problem just stated, in "To address this, we will …".
        problem = _("this")
    names = {"problem": problem, "solution": solution, "medium": medium, "long": long}
    joined = _joined(names, bool(medium), bool(long))
    return f"{lead} {joined}" if lead else joined


def _joined(names: Mapping[str, str], medium: bool, long: bool) -> str:
    if medium and long:
        # Translators: the theory of change. %(problem)s is a noun phrase ("the shortage of
        # affordable homes"), %(solution)s a verb phrase after "we will" ("build 500 homes"),
        # %(medium)s and %(long)s noun phrases (results). Spanish: "Para abordar %(problem)s,
        # vamos a %(solution)s, lo que traerá %(medium)s y, a largo plazo, %(long)s."
        return (
            _(
                "To address %(problem)s, we will %(solution)s, which will lead to %(medium)s "
                "and, in the long term, to %(long)s."
            )
            % names
        )
    if medium:
        # Translators: the theory of change without its long-term result. Spanish: "Para
        # abordar %(problem)s, vamos a %(solution)s, lo que traerá %(medium)s."
        return _("To address %(problem)s, we will %(solution)s, which will lead to %(medium)s.") % (
            names
        )
    if long:
        # Translators: the theory of change without its medium-term result. Spanish: "Para
        # abordar %(problem)s, vamos a %(solution)s, lo que traerá, a largo plazo, %(long)s."
        return (
            _(
                "To address %(problem)s, we will %(solution)s, which will lead, in the long term, "
                "to %(long)s."
            )
            % names
        )
    # Translators: the theory of change with only its problem and strategies. Spanish: "Para
    # abordar %(problem)s, vamos a %(solution)s."
    return _("To address %(problem)s, we will %(solution)s.") % names


def reads_as_sentence(part: str, text: str) -> bool:
    """Whether a part holds a whole sentence (or several) rather than a phrase."""
    original = (text or "").strip()
    cleaned = phrase(part, original)
    if not cleaned:
        return False
    if _SENTENCE_BREAK.search(cleaned):
        return True
    if _FINITE.search(cleaned):
        return True
    # A capital that is not lowered and a final full stop: a sentence with its own subject.
    return original.endswith((".", "!", "?")) and cleaned[0].isupper() and len(cleaned.split()) > 3


def part_problems(parts: Mapping[str, str]) -> dict[str, str]:
    """Each part that will not read well inside the sentence, with what to do about it."""
    problems = {}
    for part in PARTS:
        if reads_as_sentence(part, parts.get(part) or ""):
            problems[part] = _(
                "%(part)s reads as a whole sentence. Write it as a phrase that fits the "
                "theory of change sentence (see the example)."
            ) % {"part": PART_NAMES[part]}
    return problems


def earlier_sentences(parts: Mapping[str, str]) -> set[str]:
    """The sentences earlier versions of the app joined from these parts (the model's
    "In order to …" and the worksheet's "To address this problem: …"). A statement equal to
    one of them is not the coalition's own text, only an old join of the same parts."""

    def clause(text: str) -> str:
        return (text or "").strip().rstrip(".")

    p, s, m, lo = (clause(parts.get(k) or "") for k in PARTS)
    return {
        f"In order to {p or '…'}, we will {s or '…'}, which will lead to {m or '…'}, "
        f"thereby {lo or '…'}.",
        f"To address this problem: {p}, we will {s}, leading to {m} and, in turn, {lo}.",
    }


def pattern() -> str:
    """The sentence with its slots named, to show people how their parts are joined."""
    return sentence(
        {
            "problem": _("[the problem]"),
            "solution": _("[the strategies]"),
            "impact_medium": _("[the medium-term result]"),
            "impact_long": _("[the long-term result]"),
        }
    )
