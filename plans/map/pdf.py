"""The MAP as a PDF: a document dict → HTML (templates/plans/pdf/) → WeasyPrint.

The renderer may read nothing but our own static files. ``StaticOnlyFetcher`` answers only
URLs under ``BASE_URL + STATIC_URL`` that the staticfiles finders resolve; every other URL
(``file://``, ``http://``, ``data:``, another host) is refused before any I/O happens.
User text reaches the template escaped, or as Markdown sanitised by nh3 (plans.display).
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from plans.map.blocks import date_words
from plans.map.document import upgrade_document
from plans.map.front import is_front, logo_bytes, page_size_of

logger = logging.getLogger(__name__)

# A host that cannot exist (RFC 6761): relative URLs in the document resolve against it,
# and the fetcher maps it to the static files. Nothing is ever sent to it.
BASE_URL = "https://map-export.invalid/"
PDF_VARIANT = "pdf/ua-1"


class RefusedURL(ValueError):
    pass


# The document's own logo (plan settings), answered from bytes read before rendering.
LOGO_URL = BASE_URL + "document/logo"


class StaticOnlyFetcher(URLFetcher):
    """Serves our static files and refuses everything else (and remembers what it refused).

    ``logo`` (bytes and type, read from storage by the caller) is answered at ``LOGO_URL``:
    the one other thing a document may show, never a path or URL taken from the document.
    """

    def __init__(self, *, logo: tuple[bytes, str] | None = None) -> None:
        super().__init__(allowed_protocols=())
        self.refused: list[str] = []
        self.served: list[str] = []
        self.logo = logo

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url == LOGO_URL and self.logo is not None:
            self.served.append("document/logo")
            return URLFetcherResponse(url, self.logo[0], {"Content-Type": self.logo[1]})
        prefix = BASE_URL + settings.STATIC_URL.lstrip("/")
        parts = urlsplit(url)
        if not url.startswith(prefix) or parts.query or ".." in unquote(parts.path).split("/"):
            self.refused.append(url)
            raise RefusedURL(f"Not one of our static files: {url[:200]}")
        relative = unquote(parts.path)[len(urlsplit(prefix).path) :]
        found = finders.find(relative)
        if not found or isinstance(found, list):
            self.refused.append(url)
            raise RefusedURL(f"No such static file: {relative}")
        with open(found, "rb") as fh:
            body = fh.read()
        self.served.append(relative)
        mime = mimetypes.guess_type(found)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": mime})


TEMPLATES = {
    "plan": "plans/pdf/map.html",
    "summary": "plans/pdf/summary.html",
    "progress": "plans/pdf/progress.html",
}


def render_html(document: Mapping[str, Any], *, template: str = "") -> str:
    """The HTML WeasyPrint lays out: the cover, the front matter, the contents and the
    sections of the plan; or the summary's short cover and parts."""
    kind = document.get("kind") or "plan"
    sections = upgrade_document(document)["sections"] if kind == "plan" else document["sections"]
    return render_to_string(
        template or TEMPLATES.get(kind, TEMPLATES["plan"]),
        {
            "doc": document,
            "front_sections": [s for s in sections if is_front(s)],
            "sections": [s for s in sections if not is_front(s)],
            "page_size": page_size_of(dict(document)),
            "logo_url": LOGO_URL if (document.get("front") or {}).get("logo") else "",
            "date_text": date_words(str(document.get("generated_at") or "")),
        },
    )


def html_to_pdf(
    html: str,
    *,
    fetcher: StaticOnlyFetcher | None = None,
) -> tuple[bytes, int]:
    """Lay out and write the PDF; return its bytes and page count."""
    fetcher = fetcher or StaticOnlyFetcher()
    rendered = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
    pdf = rendered.write_pdf(pdf_variant=PDF_VARIANT)
    if fetcher.refused:
        logger.warning("PDF export refused %d URL(s): %s", len(fetcher.refused), fetcher.refused)
    return pdf, len(rendered.pages)


def document_pdf(
    document: Mapping[str, Any], *, progress: Callable[[int], None] | None = None
) -> tuple[bytes, int]:
    return documents_pdf([document], progress=progress)


def documents_pdf(
    documents: Sequence[Mapping[str, Any]], *, progress: Callable[[int], None] | None = None
) -> tuple[bytes, int]:
    """One PDF of several documents, one after the other (a bilingual plan in both of its
    languages), each laid out on its own with its cover, contents and page numbers."""
    htmls = []
    for document in documents:
        # The worker has no request language: render in the language the document was made
        # in, so the template's words match the document's lang attribute.
        with translation.override(document.get("language") or settings.LANGUAGE_CODE):
            htmls.append(render_html(document))
    if progress:
        progress(2)
    if len(documents) == 1:
        return html_to_pdf(htmls[0], fetcher=StaticOnlyFetcher(logo=logo_bytes(dict(documents[0]))))
    rendered = []
    for html, document in zip(htmls, documents, strict=True):
        fetcher = StaticOnlyFetcher(logo=logo_bytes(dict(document)))
        rendered.append(HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render())
    pages = [page for part in rendered for page in part.pages]
    return rendered[0].copy(pages).write_pdf(pdf_variant=PDF_VARIANT), len(pages)
