"""The MAP as a Word file: the same document, sections and blocks in the same order as the PDF.

Staff finish a council packet in Word, so the file is built from Word's own parts: section
titles in "Heading 1", block headings in "Heading 2"–"Heading 4" (the navigation pane and a
table of contents find them), tables as real tables with a repeated header row, lists in
"List Bullet" / "List Number", quotes in "Quote". Word cannot show our SVG charts, so a chart
is its caption, its summary sentence and its data table. Every plan section starts a Word
section of its own: on a new page, and landscape when it holds a wide table.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document as new_document
from docx.document import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import html as lxml_html

from plans.map.blocks import Block, date_words
from plans.map.front import is_front, logo_bytes, page_size_of

PAGE_SIZES = {"letter": (Mm(215.9), Mm(279.4)), "a4": (Mm(210), Mm(297))}
WIDE_TABLE_COLUMNS = 6  # a table this wide gets a landscape page, as in the PDF
ACCENT = RGBColor(0x0A, 0x5A, 0x7A)
MUTED = RGBColor(0x55, 0x55, 0x55)


# Documents that run on from their cover, without contents or a page per section.
SHORT_KINDS = ("summary", "progress")


def document_docx(document: Mapping[str, Any]) -> bytes:
    """The .docx bytes of a plan document (or of its summary: the same shape)."""
    return documents_docx([document])


def documents_docx(documents: Sequence[Mapping[str, Any]]) -> bytes:
    """One .docx of several documents, one after the other, each in its own language: a
    bilingual coalition's plan in both languages. Each starts on a new page with its cover."""
    doc = new_document()
    _styles(doc)
    for i, document in enumerate(documents):
        with translation.override(document.get("language") or settings.LANGUAGE_CODE):
            if i == 0:
                _page(doc.sections[0], page_size_of(dict(document)), landscape=False)
                _properties(doc, document)
            else:
                size = page_size_of(dict(document))
                _page(doc.add_section(WD_SECTION.NEW_PAGE), size, landscape=False)
            _document_body(doc, document)
    _footer(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _document_body(doc: Document, document: Mapping[str, Any]) -> None:
    _cover(doc, document)
    sections = list(document.get("sections") or [])
    # The front matter (partners, acknowledgements) follows the cover, before the contents.
    front = [s for s in sections if is_front(s)]
    for section in front:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        doc.add_heading(_("About this plan"), level=1)
        _blocks(doc, section)
    rest = [s for s in sections if not is_front(s)]
    if document.get("kind") not in SHORT_KINDS and len(rest) > 1:
        _contents(doc, rest)
    for section in rest:
        _section(doc, document, section)


# --- the page and the file ------------------------------------------------------------------


def _styles(doc: Document) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    for name in ("Heading 1", "Heading 2", "Heading 3", "Title"):
        doc.styles[name].font.color.rgb = ACCENT


def _page(section: Any, size: str, *, landscape: bool) -> None:
    width, height = PAGE_SIZES.get(size, PAGE_SIZES["letter"])
    if landscape:
        width, height = height, width
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = width, height
    margin = Mm(16) if landscape else Mm(20)
    section.left_margin = section.right_margin = margin
    section.top_margin = section.bottom_margin = Mm(18)


def _properties(doc: Document, document: Mapping[str, Any]) -> None:
    props = doc.core_properties
    props.title = str(document.get("title") or "")[:255]
    props.author = str(document.get("coalition") or "")[:255]
    props.subject = _("Mobility Action Plan for %(place)s") % {
        "place": document.get("jurisdiction") or ""
    }
    props.language = str(document.get("language") or "")
    props.comments = "Mobility Action Planner"


def _footer(doc: Document) -> None:
    """Page numbers in every section's footer (a PAGE field Word fills in)."""
    for section in doc.sections:
        paragraph = section.footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if paragraph.runs:
            continue
        run = paragraph.add_run()
        for kind, text in (("begin", ""), ("instr", "PAGE"), ("end", "")):
            if kind == "instr":
                element = OxmlElement("w:instrText")
                element.set(qn("xml:space"), "preserve")
                element.text = text
            else:
                element = OxmlElement("w:fldChar")
                element.set(qn("w:fldCharType"), kind)
            run._r.append(element)
        run.font.size = Pt(8)


# --- cover, front matter, contents ----------------------------------------------------------


def _cover(doc: Document, document: Mapping[str, Any]) -> None:
    logo = logo_bytes(dict(document))
    if logo is not None:
        data = _word_image(logo[0])
        if data is not None:
            doc.add_picture(io.BytesIO(data), width=Mm(40))
    kicker = doc.add_paragraph(str(document.get("jurisdiction") or "").upper())
    for run in kicker.runs:
        run.font.color.rgb = ACCENT
    doc.add_paragraph(str(document.get("title") or ""), style="Title")
    if document.get("subtitle"):
        doc.add_paragraph(str(document["subtitle"]), style="Subtitle")
    if document.get("coalition"):
        coalition = doc.add_paragraph()
        run = coalition.add_run(str(document["coalition"]))
        run.font.size = Pt(14)
    for label, value in _cover_facts(document):
        paragraph = doc.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)


def _cover_facts(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    if document.get("kind") == "progress":
        return [
            (_("Period"), str(document.get("period_text") or "")),
            (_("Date"), date_words(str(document.get("generated_at") or dt.date.today()))),
        ]
    version = document.get("version")
    facts = [
        (
            _("Version"),
            str(version) if version else _("Draft, not frozen"),
        ),
        (_("Date"), date_words(str(document.get("generated_at") or dt.date.today()))),
    ]
    if document.get("release_name"):
        facts.append((_("Mobility Metrics release"), str(document["release_name"])))
    return facts


def _word_image(data: bytes) -> bytes | None:
    """PNG and JPEG as they are; WebP (which Word does not read) converted to PNG."""
    from PIL import Image

    if data[:8] == b"\x89PNG\r\n\x1a\n" or data[:3] == b"\xff\xd8\xff":
        return data
    try:
        with Image.open(io.BytesIO(data)) as image:
            out = io.BytesIO()
            image.save(out, format="PNG")
            return out.getvalue()
    except (OSError, ValueError):
        return None


def _contents(doc: Document, sections: Sequence[Mapping[str, Any]]) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.add_heading(_("Contents"), level=1)
    for section in sections:
        doc.add_paragraph(_section_title(section), style="List Number")


def _section_title(section: Mapping[str, Any]) -> str:
    return str(section.get("title") or "")


# --- sections and blocks --------------------------------------------------------------------


def _is_wide(section: Mapping[str, Any]) -> bool:
    return any(
        b.get("type") == "table" and len(b.get("headers") or []) >= WIDE_TABLE_COLUMNS
        for b in section.get("blocks") or []
    )


def _section(doc: Document, document: Mapping[str, Any], section: Mapping[str, Any]) -> None:
    # The summary runs on from its cover: two to four pages, not one page per part.
    if document.get("kind") not in SHORT_KINDS:
        word_section = doc.add_section(WD_SECTION.NEW_PAGE)
        _page(word_section, page_size_of(dict(document)), landscape=_is_wide(section))
    doc.add_heading(_section_title(section), level=1)
    _blocks(doc, section)


def _blocks(doc: Document, section: Mapping[str, Any]) -> None:
    for block in section.get("blocks") or []:
        render = RENDERERS.get(block.get("type", ""))
        if render is not None:
            render(doc, block)


def _heading(doc: Document, block: Block) -> None:
    doc.add_heading(str(block["text"]), level=max(2, min(4, int(block.get("level") or 2))))


def _text(doc: Document, block: Block) -> None:
    if block.get("html"):
        _html(doc, block["html"])
    elif block.get("text"):
        for part in str(block["text"]).split("\n\n"):
            doc.add_paragraph(part.strip())


def _facts(doc: Document, block: Block) -> None:
    for item in block.get("items") or []:
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(2)
        paragraph.add_run(f"{item['label']}: ").bold = True
        paragraph.add_run(str(item["value"]))


def _list(doc: Document, block: Block) -> None:
    for item in block.get("items") or []:
        doc.add_paragraph(str(item), style="List Bullet")


def _quote(doc: Document, block: Block) -> None:
    doc.add_paragraph(str(block.get("text") or ""), style="Quote")
    if block.get("attribution"):
        attribution = doc.add_paragraph(f"— {block['attribution']}")
        attribution.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _caption(doc: Document, text: str, note: Any = None) -> None:
    if not text:
        return
    paragraph = doc.add_paragraph(style="Caption")
    paragraph.add_run(str(text))
    if note:
        paragraph.add_run(f"[{note}]").font.superscript = True
    paragraph.paragraph_format.keep_with_next = True


def _table(doc: Document, block: Block) -> None:
    _caption(doc, block.get("caption") or "")
    _grid(
        doc,
        block.get("headers") or [],
        block.get("rows") or [],
        numeric=block.get("numeric") or [],
        row_headers=bool(block.get("row_headers")),
    )
    for note in block.get("notes") or []:
        _small(doc, str(note))


def _grid(
    doc: Document,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    numeric: Sequence[bool] = (),
    row_headers: bool = False,
) -> Table:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    header = table.rows[0]
    _repeat_header(header)
    for i, text in enumerate(headers):
        cell = header.cells[i]
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(text))
        run.bold = True
        run.font.size = Pt(9)
        _shade(cell, "E8F1F5")
        if i < len(numeric) and numeric[i]:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in rows:
        cells = table.add_row().cells
        for i, text in enumerate(row[: len(headers)]):
            paragraph = cells[i].paragraphs[0]
            run = paragraph.add_run(str(text))
            run.font.size = Pt(9)
            if row_headers and i == 0:
                run.bold = True
            if i < len(numeric) and numeric[i]:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph().paragraph_format.space_after = Pt(2)
    return table


def _repeat_header(row: Any) -> None:
    properties = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def _shade(cell: Any, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _chart(doc: Document, block: Block) -> None:
    """Word cannot show the SVG: the chart's caption, its summary sentence and its data."""
    from plans.map.charting import draw

    chart = draw(block["spec"], "word-chart")
    _caption(doc, block.get("caption") or chart.title, block.get("note"))
    if chart.summary:
        doc.add_paragraph(chart.summary)
    if chart.table.rows:
        _grid(doc, chart.table.headers, chart.table.rows)


def _note(doc: Document, block: Block) -> None:
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(str(block.get("text") or ""))
    if block.get("tone") == "warning":
        run.bold = True
    else:
        run.italic = True
        run.font.color.rgb = MUTED


def _footnotes(doc: Document, block: Block) -> None:
    for item in block.get("items") or []:
        _small(doc, f"{item['n']}. {item['text']}")


def _small(doc: Document, text: str) -> Paragraph:
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(text)
    run.font.size = Pt(8)
    run.font.color.rgb = MUTED
    return paragraph


RENDERERS: dict[str, Callable[[Document, Block], None]] = {
    "heading": _heading,
    "text": _text,
    "facts": _facts,
    "list": _list,
    "quote": _quote,
    "table": _table,
    "chart": _chart,
    "note": _note,
    "footnotes": _footnotes,
}


# --- sanitised Markdown HTML to Word paragraphs -----------------------------------------------

HEADING_TAGS = {"h1": 2, "h2": 2, "h3": 3, "h4": 4, "h5": 4, "h6": 4}


def _html(doc: Document, markup: str) -> None:
    """The nh3-cleaned HTML of a narrative: paragraphs, headings, lists, quotes, emphasis."""
    for node in lxml_html.fragments_fromstring(markup):
        if isinstance(node, str):
            if node.strip():
                doc.add_paragraph(node.strip())
            continue
        _html_block(doc, node)


def _html_block(doc: Document, node: Any, list_style: str = "") -> None:
    tag = node.tag if isinstance(node.tag, str) else ""
    if tag in HEADING_TAGS:
        doc.add_heading(node.text_content().strip(), level=HEADING_TAGS[tag])
    elif tag in ("ul", "ol"):
        style = "List Number" if tag == "ol" else "List Bullet"
        for item in node:
            if getattr(item, "tag", "") == "li":
                _inline(doc.add_paragraph(style=style), item, nested_lists=True, doc=doc)
    elif tag == "blockquote":
        parts = [child for child in node if getattr(child, "tag", "") == "p"] or [node]
        for part in parts:
            paragraph = doc.add_paragraph(style="Quote")
            _inline(paragraph, part)
            _strip(paragraph)
    elif tag == "table":
        rows = [
            [cell.text_content().strip() for cell in tr if getattr(cell, "tag", "") in ("th", "td")]
            for tr in node.iter("tr")
        ]
        if rows:
            _grid(doc, rows[0], rows[1:])
    elif tag == "hr":
        doc.add_paragraph()
    elif tag == "pre":
        paragraph = doc.add_paragraph()
        paragraph.add_run(node.text_content()).font.name = "Courier New"
    else:
        paragraph = doc.add_paragraph()
        _inline(paragraph, node)
        _strip(paragraph)


def _strip(paragraph: Paragraph) -> None:
    """No stray spaces at the ends of a paragraph (Markdown's line ends inside tags)."""
    runs = paragraph.runs
    if runs:
        runs[0].text = runs[0].text.lstrip()
        runs[-1].text = runs[-1].text.rstrip()


def _inline(
    paragraph: Paragraph,
    node: Any,
    *,
    bold: bool = False,
    italic: bool = False,
    nested_lists: bool = False,
    doc: Document | None = None,
) -> None:
    """A node's text into runs, keeping bold, italic and line breaks (links as their text
    followed by the address, so a printed page still says where they go)."""
    if node.text:
        _run(paragraph, node.text, bold, italic)
    for child in node:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in ("ul", "ol") and nested_lists and doc is not None:
            _html_block(doc, child)
        elif tag == "br":
            paragraph.add_run().add_break()
        elif tag == "p" and nested_lists:
            _inline(paragraph, child, bold=bold, italic=italic)
        else:
            _inline(
                paragraph,
                child,
                bold=bold or tag in ("strong", "b"),
                italic=italic or tag in ("em", "i"),
            )
            href = child.get("href") if tag == "a" else None
            if href and href != child.text_content().strip():
                _run(paragraph, f" ({href})", bold, italic)
        if child.tail:
            _run(paragraph, child.tail, bold, italic)


def _run(paragraph: Paragraph, text: str, bold: bool, italic: bool) -> None:
    run = paragraph.add_run(text.replace("\n", " "))
    run.bold = bold or None
    run.italic = italic or None
