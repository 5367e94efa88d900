"""The poster set of a walk: one A3 page per station (large chart, caption, questions, QR code).

Rendered like the MAP's PDF (``plans.map.pdf``): HTML from ``templates/walks/pdf/posters.html``
laid out by WeasyPrint with ``StaticOnlyFetcher``, which serves our static files and nothing
else. The QR code is made here, locally (segno), as inline SVG: nothing is fetched.
"""

from __future__ import annotations

import segno
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from walks.models import DataWalk
from walks.stations import station_chart, station_data


def qr_svg(url: str) -> SafeString:
    """A QR code of ``url`` as inline SVG markup (made by segno from the URL alone)."""
    code = segno.make(url, error="m")
    # segno writes only its own path data and no text from the URL, so the markup is safe.
    return mark_safe(code.svg_inline(scale=1, omitsize=True, border=2))  # noqa: S308


def station_link(walk: DataWalk, position: int, *, site: str, language: str) -> str:
    path = reverse("walks_public:station", kwargs={"token": walk.token, "position": position})
    return f"{site}{path}" + ("?lang=es" if language == "es" else "")


def posters_html(walk: DataWalk, *, language: str, site: str) -> str:
    with translation.override(language):
        posters = []
        for station in walk.stations.order_by("position"):
            data = station_data(walk.coalition, station.variable)
            link = station_link(walk, station.position, site=site, language=language)
            posters.append(
                {
                    "station": station,
                    "data": data,
                    "chart": station_chart(data, chart_id=f"poster-{station.pk}", width=640),
                    "caption": station.caption(language),
                    "questions": station.questions(language),
                    "link": link,
                    "qr": qr_svg(link),
                }
            )
        return render_to_string(
            "walks/pdf/posters.html",
            {
                "walk": walk,
                "title": walk.title(language),
                "language": language,
                "posters": posters,
                "total": len(posters),
            },
        )


def walk_posters_pdf(walk: DataWalk, *, language: str, site: str) -> tuple[bytes, int]:
    # WeasyPrint is imported here, in the worker: the pages load without its system libraries.
    from plans.map.pdf import html_to_pdf

    return html_to_pdf(posters_html(walk, language=language, site=site))
