"""The plan's cover and front matter: the coalition's settings for its document (logo, page
size, language, acknowledgements) and the partners who agreed to be named.

``front_matter(coalition)`` is what a document (and so a frozen version) keeps of them; the
PDF, the Word file and the summary read only that, never the settings row, so a later change
of logo or acknowledgements does not change what was frozen. Logo files are never overwritten
(each upload gets a new name), so a frozen version's logo stays readable.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from coalitions.models import Coalition
from plans.display import render_markdown
from plans.map import blocks
from plans.map.blocks import Block
from plans.map.models import PageSize, PlanSettings

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MIN_PIXELS = 32
LOGO_MAX_PIXELS = 6000
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


@dataclass(frozen=True)
class LogoCheck:
    content_type: str
    width: int
    height: int


def logo_check(data: bytes) -> LogoCheck:
    """That the bytes are a PNG, JPEG or WebP image of sane size, read by Pillow (not trusted
    from the name or the browser). A ValidationError on ``logo`` says what is wrong."""
    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError(
            {
                "logo": _("The logo is %(size)s MB; it may be at most 2 MB.")
                % {"size": f"{len(data) / 1024 / 1024:.1f}"}
            }
        )
    not_image = ValidationError(
        {"logo": _("This file is not an image we can use: give a PNG, JPEG or WebP file.")}
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind, (width, height) = probe.format, probe.size
                probe.verify()
            if kind not in LOGO_FORMATS:
                raise not_image
            with Image.open(io.BytesIO(data)) as image:
                image.load()  # decodes it: a truncated or corrupt file fails here
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise not_image from exc
    sane = min(width, height) >= LOGO_MIN_PIXELS and max(width, height) <= LOGO_MAX_PIXELS
    if not sane:
        raise ValidationError(
            {
                "logo": _(
                    "The logo is %(width)s × %(height)s pixels; give an image between "
                    "%(min)s and %(max)s pixels wide and high."
                )
                % {"width": width, "height": height, "min": LOGO_MIN_PIXELS, "max": LOGO_MAX_PIXELS}
            }
        )
    return LogoCheck(LOGO_FORMATS[kind], width, height)


def plan_settings(coalition: Coalition) -> PlanSettings:
    """The coalition's settings, or unsaved defaults (US Letter, the site's language)."""
    found = PlanSettings.objects.filter(coalition=coalition).first()
    return found or PlanSettings(coalition=coalition)


def plan_language(coalition: Coalition) -> str:
    return plan_settings(coalition).plan_language


def plan_languages(coalition: Coalition) -> list[str]:
    """The languages the plan is written in: its own first, then its second if any."""
    return plan_settings(coalition).plan_languages


def partner_rows(coalition: Coalition) -> list[dict[str, Any]]:
    """Every member with an organisation, and whether it agreed to be listed (for the page)."""
    return [
        {"membership": m, "organisation": m.organisation.strip(), "listed": m.listed_in_plan}
        for m in coalition.memberships.select_related("user").order_by("organisation", "pk")
        if m.organisation.strip()
    ]


def partners(coalition: Coalition) -> list[str]:
    """The organisations named in the plan: those whose member agreed, each once, by name."""
    names: dict[str, str] = {}
    # The same organisation given by several members is named once, as the first wrote it.
    listed = coalition.memberships.filter(listed_in_plan=True).order_by("joined_at", "pk")
    for organisation in listed.values_list("organisation", flat=True):
        name = organisation.strip()
        if name:
            names.setdefault(name.casefold(), name)
    return sorted(names.values(), key=str.casefold)


def front_matter(coalition: Coalition) -> dict[str, Any]:
    """What the document keeps of the cover and front matter (JSON)."""
    chosen = plan_settings(coalition)
    acknowledgements = chosen.acknowledgements_in(get_language() or chosen.plan_language)
    return {
        "logo": chosen.logo.name if chosen.logo else "",
        "logo_type": chosen.logo_type,
        "logo_width": chosen.logo_width,
        "logo_height": chosen.logo_height,
        "acknowledgements": acknowledgements,
        "acknowledgements_html": render_markdown(acknowledgements),
        "page_size": chosen.page_size,
        "partners": partners(coalition),
    }


def page_size_of(document: dict[str, Any]) -> str:
    size = (document.get("front") or {}).get("page_size") or PageSize.LETTER
    return size if size in PageSize.values else PageSize.LETTER


def logo_bytes(document: dict[str, Any]) -> tuple[bytes, str] | None:
    """The logo a document names, read from storage; None when it has none or it is gone."""
    front = document.get("front") or {}
    name = front.get("logo") or ""
    if not name or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as fh:
        return fh.read(), front.get("logo_type") or "image/png"


def front_blocks(ctx: Any) -> list[Block]:
    """The front matter's part of the document (M0): the partners who agreed to be named and
    the acknowledgements. The cover itself (logo, title, date) is drawn from the document's
    metadata by each renderer."""
    chosen = plan_settings(ctx.coalition)
    out: list[Block] = []
    names = partners(ctx.coalition)
    if names:
        out += [blocks.heading(_("Partners")), blocks.bullets(names)]
    # The document is built in one of the plan's languages: its acknowledgements in it.
    acknowledgements = chosen.acknowledgements_in(get_language() or chosen.plan_language)
    if acknowledgements.strip():
        out += [blocks.heading(_("Acknowledgements")), blocks.text(acknowledgements)]
    return out


def is_front(section: dict[str, Any] | Any) -> bool:
    """Whether a document section is printed as front matter (after the cover, before the
    contents, without a section title): the one that shows the ``front`` part."""
    return "front" in (section.get("shows") or [])
