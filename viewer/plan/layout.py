"""The handout's pages: the PDF (fpdf2) with its title block, explanation, views, point cards and
caution boxes, and the one-sheet PNG of the views."""

from __future__ import annotations

import io
import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path


from viewer.scene import (
    LEGEND,
    MARK_LEGEND,
    POINT_COLOUR,
)
from viewer.scene.words import (
    NOTICE,
    SIDE_WORDS,
)

from .content import (
    HandoutPoint,
    HandoutSymptoms,
    Section,
    _check_audience,
    _cited_sources,
    _point_title,
    _subject_title,
    caution_lines,
    explanation,
    point_lines,
    reasons,
    symptom_sections,
    technique_sections,
)
from .model import NOTES_NOTICE, home_techniques
from .pictures import MARK_VIEWS, TECHNIQUE_VIEW, PlanView
from . import fonts
from .fonts import _clean, _is_cjk, _latin1, _pil_font, _rgb


# --------------------------------------------------------------------------------------------
# the PDF


PAGE_W, PAGE_H, MARGIN = 210.0, 297.0, 14.0
INK = (15, 23, 42)
MUTED = (100, 116, 139)
TEAL = (15, 118, 110)
CAUTION_INK = (124, 45, 18)
CAUTION_BG = (255, 247, 237)
CAUTION_EDGE = (234, 88, 12)


def _make_pdf_class():
    from fpdf import FPDF

    class Handout(FPDF):
        """A4 pages with the running header and the notice in every footer."""

        running_title = ""
        unicode_font = True
        cjk = False

        def t(self, text) -> str:
            text = _clean(text)
            if not self.unicode_font:
                return _latin1(text)
            if not self.cjk and _is_cjk(text):
                text = "".join(ch for ch in text if not _is_cjk(ch)).strip()
            return text

        def use(self, style: str = "", size: float = 10.0, colour=INK) -> None:
            self.set_font(self.family_name, style, size)
            self.set_text_color(*colour)

        def header(self):
            if self.page_no() == 1:
                return
            self.use("", 8.5, MUTED)
            self.set_xy(MARGIN, 8)
            self.cell(PAGE_W - 2 * MARGIN, 5, self.t(self.running_title), align="L")
            self.set_draw_color(226, 232, 240)
            self.line(MARGIN, 14, PAGE_W - MARGIN, 14)
            self.set_y(19)

        def footer(self):
            self.set_y(-13)
            self.set_draw_color(153, 246, 228)
            self.set_fill_color(240, 253, 250)
            self.use("B", 8.5, (17, 94, 89))
            self.cell(PAGE_W - 2 * MARGIN - 22, 7, self.t(NOTICE), border=0, fill=True, align="L")
            self.use("", 8.5, MUTED)
            self.cell(22, 7, f"Page {self.page_no()} of {{nb}}", align="R")

    return Handout


def _setup_fonts(pdf, cjk_text: bool = True) -> None:
    import logging

    # the CJK collection has bitmap tables fontTools cannot subset; it says so once per export
    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)
    regular = fonts._find_font(("DejaVuSans.ttf",))
    bold = fonts._find_font(("DejaVuSans-Bold.ttf",))
    italic = fonts._find_font(("DejaVuSans-Oblique.ttf",))
    if regular and bold and italic:
        pdf.add_font("Body", "", regular)
        pdf.add_font("Body", "B", bold)
        pdf.add_font("Body", "I", italic)
        pdf.family_name = "Body"
        pdf.unicode_font = True
        cjk = fonts._find_font(fonts._CJK_FONTS) if cjk_text else None
        if cjk:
            try:
                pdf.add_font("CJK", "", cjk)
                pdf.add_font("CJK", "B", cjk)
                pdf.set_fallback_fonts(["CJK"], exact_match=False)
                pdf.cjk = True
            except Exception:  # an old fpdf2 without font collections: leave Chinese out
                pdf.cjk = False
    else:
        pdf.family_name = "Helvetica"
        pdf.unicode_font = False


def _image_bytes(view: PlanView) -> io.BytesIO:
    return io.BytesIO(view.jpeg_bytes())


def _swatches(pdf, x: float, y: float, width: float, legend=LEGEND) -> float:
    """The legend in one row; returns the y below it."""
    pdf.use("", 8.5, MUTED)
    cx = x
    for entry in legend:
        label, colour = entry.label, entry.colour
        pdf.set_fill_color(*_rgb(colour))
        if entry.shape == "dot":
            pdf.ellipse(cx, y + 1.0, 3.2, 3.2, style="F")
        else:
            pdf.rect(cx, y + 1.0, 3.2, 3.2, style="F")
        pdf.set_xy(cx + 4.2, y)
        w = pdf.get_string_width(label) + 2
        pdf.cell(w, 5.2, pdf.t(label))
        cx += 4.2 + w + 4
        if cx > x + width - 20:
            break
    return y + 6


def _heading(pdf, text: str, size: float = 13.0) -> None:
    pdf.ln(1.5)
    pdf.use("B", size, INK)
    pdf.set_x(MARGIN)
    pdf.multi_cell(PAGE_W - 2 * MARGIN, size * 0.5, pdf.t(text), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.0)


def _paragraph(pdf, text: str, size: float = 10.5, colour=INK, style: str = "", indent: float = 0.0) -> None:
    pdf.use(style, size, colour)
    pdf.set_x(MARGIN + indent)
    pdf.multi_cell(PAGE_W - 2 * MARGIN - indent, size * 0.47, pdf.t(text), align="L",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.2)


def _fact(pdf, label: str, text: str, size: float, label_w: float = 30.0) -> None:
    pdf.set_x(MARGIN)
    pdf.use("B", size - 0.8, MUTED)
    pdf.cell(label_w, size * 0.5, pdf.t(label))
    pdf.use("", size, INK)
    pdf.multi_cell(PAGE_W - 2 * MARGIN - label_w, size * 0.5, pdf.t(text), align="L",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(0.6)


def _section(pdf, section: Section, size: float, colour=TEAL, heading_size: float = 11.5) -> None:
    heading, rows = section
    pdf.use("B", heading_size, colour)
    pdf.set_x(MARGIN)
    pdf.cell(PAGE_W - 2 * MARGIN, 6.5, pdf.t(heading), new_x="LMARGIN", new_y="NEXT")
    for row in rows:
        if isinstance(row, tuple):
            _fact(pdf, row[0], row[1], size)
        else:
            _paragraph(pdf, row, size)
    pdf.ln(0.8)


def _title_block(pdf, plan, knowledge, points, audience: str) -> None:
    width = PAGE_W - 2 * MARGIN
    pdf.set_fill_color(*TEAL)
    pdf.rect(0, 0, PAGE_W, 3.0, style="F")
    pdf.set_xy(MARGIN, 10)
    pdf.use("B", 9, TEAL)
    kicker = f"Treatment plan  ·  {audience} handout"
    pdf.cell(width, 5, pdf.t(kicker.upper()), new_x="LMARGIN", new_y="NEXT")
    pdf.use("B", 22, INK)
    pdf.multi_cell(width, 10, pdf.t(_title_of(plan)), align="L", new_x="LMARGIN", new_y="NEXT")
    subtitle = [s for s in (_subject_title(plan, knowledge), _date_words(plan.created),
                            f"{len(points)} point{'s' if len(points) != 1 else ''}") if s]
    pdf.use("", 10.5, MUTED)
    pdf.cell(width, 6, pdf.t("  ·  ".join(subtitle)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


#: Page 1 holds at most this many close-ups beside the whole body; more go on a page of their own.
CLOSE_UPS_ON_PAGE_1 = 2


def _first_page(pdf, plan, knowledge, points, views, sections, audience: str) -> None:
    pdf.add_page()
    width = PAGE_W - 2 * MARGIN
    _title_block(pdf, plan, knowledge, points, audience)
    for section in sections[:2]:
        _section(pdf, section, 10.5 if audience == "patient" else 9.3)

    # views: the whole body on the left, the close-ups stacked on the right
    top = pdf.get_y() + 1.5
    bottom = PAGE_H - 20
    avail_h = bottom - top - 16
    full = next((v for v in views if v.name == "posterior"), None)
    others = _close_ups(views)[:CLOSE_UPS_ON_PAGE_1]
    gap = 5.0
    full_w = min(width * 0.46, avail_h * full.image.shape[1] / full.image.shape[0]) if full else 0
    col_x = MARGIN + full_w + (gap if full else 0)
    col_w = PAGE_W - MARGIN - col_x
    if full is not None:
        _framed_image(pdf, full, MARGIN, top, full_w, full_w * full.image.shape[0] / full.image.shape[1])
    if others:
        each_h = (avail_h - gap * (len(others) - 1) - 6 * len(others)) / len(others)
        size = min(col_w, each_h)
        y = top
        for v in others:
            _framed_image(pdf, v, col_x + (col_w - size) / 2, y, size, size)
            y += size + 6 + gap
    _swatches(pdf, MARGIN, bottom - 6, width)


def _close_ups(views) -> list:
    """The plan's views other than the whole back and the symptom marks' views."""
    return [v for v in views if v.name != "posterior" and v.name not in MARK_VIEWS]


def _symptoms_page(pdf, symptoms: HandoutSymptoms | None, views, audience: str) -> None:
    """The patient's symptom marks on the body from the front and from behind (with the marks'
    legend), the marks and weak muscles in words, and the candidate root levels with the notice
    (the practitioner's with the ranking's reasons)."""
    if symptoms is None:
        return
    pdf.add_page()
    _heading(pdf, "Where you feel it" if audience == "patient" else "Symptoms and candidate root levels")
    shown = [v for v in views if v.name in MARK_VIEWS]
    width = PAGE_W - 2 * MARGIN
    if shown:
        top, gap = pdf.get_y() + 1, 6.0
        each_w = min((width - gap) / 2, 118.0 * shown[0].image.shape[1] / shown[0].image.shape[0])
        each_h = each_w * shown[0].image.shape[0] / shown[0].image.shape[1]
        x = MARGIN + (width - (each_w * len(shown) + gap * (len(shown) - 1))) / 2
        for v in shown:
            _framed_image(pdf, v, x, top, each_w, each_h)
            x += each_w + gap
        pdf.set_y(top + each_h + 6)
        pdf.set_y(_swatches(pdf, MARGIN, pdf.get_y(), width, MARK_LEGEND) + 1)
    size = 10.0 if audience == "patient" else 9.0
    for section in symptom_sections(symptoms, audience):
        _section(pdf, section, size, INK, 11.5)


def _more_views_page(pdf, views) -> None:
    """Close-ups that did not fit on page 1, two to a row."""
    rest = _close_ups(views)[CLOSE_UPS_ON_PAGE_1:]
    if not rest:
        return
    pdf.add_page()
    _heading(pdf, "More views")
    width = PAGE_W - 2 * MARGIN
    size = (width - 6) / 2
    y = pdf.get_y()
    for i, v in enumerate(rest):
        if i and i % 2 == 0:
            y += size + 12
            if y + size > PAGE_H - 26:
                pdf.add_page()
                y = pdf.get_y()
        _framed_image(pdf, v, MARGIN + (i % 2) * (size + 6), y, size, size)
    pdf.set_y(y + size + 10)


def _framed_image(pdf, view: PlanView, x: float, y: float, w: float, h: float) -> None:
    pdf.image(_image_bytes(view), x=x, y=y, w=w, h=h)
    pdf.set_draw_color(226, 232, 240)
    pdf.set_line_width(0.3)
    pdf.rect(x, y, w, h)
    pdf.set_xy(x, y + h + 0.8)
    pdf.use("I", 8.5, MUTED)
    pdf.cell(w, 4.5, pdf.t(view.title), align="C")


def _date_words(created) -> str:
    if not created:
        return ""
    try:
        when = datetime.fromisoformat(str(created).replace("Z", "+00:00"))
    except ValueError:
        return str(created)[:40]
    return when.strftime("%d %B %Y").lstrip("0")


def _badge(pdf, number: int, x: float, y: float, r: float = 3.4) -> None:
    pdf.set_fill_color(*_rgb(POINT_COLOUR))
    pdf.ellipse(x, y, 2 * r, 2 * r, style="F")
    pdf.use("B", 9.5, (255, 255, 255))
    pdf.set_xy(x, y)
    pdf.cell(2 * r, 2 * r, str(number), align="C")


def _lines(pdf, width: float, text: str) -> int:
    """How many lines ``text`` takes in a box of ``width`` mm with the current font."""
    return max(1, len(pdf.multi_cell(width, 5, text, align="L", dry_run=True, output="LINES")))


def _point_card(pdf, hp: HandoutPoint, knowledge, audience: str) -> None:
    """A point's card, moved whole to the next page when it would not fit (measured first:
    fpdf2's own trial rendering copies every font, which is slow with a CJK font loaded)."""
    if pdf.get_y() + _point_card_body(pdf, hp, knowledge, audience, draw=False) > pdf.page_break_trigger:
        pdf.add_page()
    _point_card_body(pdf, hp, knowledge, audience)


def _point_card_body(doc, hp: HandoutPoint, knowledge, audience: str, draw: bool = True) -> float:
    """Draw the card (or with ``draw=False`` only measure it); return its height in mm."""
    width = PAGE_W - 2 * MARGIN
    indent = 10.0
    y0 = doc.get_y()
    y = y0 + 1.5
    height = 1.5
    if draw:
        doc.set_draw_color(226, 232, 240)
        doc.set_line_width(0.3)
        doc.line(MARGIN, y - 1.0, PAGE_W - MARGIN, y - 1.0)
        _badge(doc, hp.number, MARGIN, y + 0.6)
        doc.set_xy(MARGIN + indent, y)
    title_size = 12 if audience == "patient" else 11.5
    title = doc.t(_point_title(hp, audience, chinese=doc.unicode_font and doc.cjk))
    side = doc.t("   " + SIDE_WORDS.get(hp.side, hp.side))
    doc.use("B", 10, TEAL)
    side_w = doc.get_string_width(side)
    doc.use("B", title_size, INK)
    title_w = doc.get_string_width(title) + 1
    fits = title_w + side_w < width - indent
    if fits:
        height += 6.5
        if draw:
            doc.cell(title_w, 6.5, title)
            doc.use("B", 10, TEAL)
            doc.cell(width - indent - title_w, 6.5, side, new_x="LMARGIN", new_y="NEXT")
    else:
        height += 6.5 * _lines(doc, width - indent, title)
        if draw:
            doc.multi_cell(width - indent, 6.5, title, align="L", new_x="LMARGIN", new_y="NEXT")
    label_w = 24.0
    row_size = 10 if audience == "patient" else 9.3
    for label, text in point_lines(hp, knowledge, audience, with_side=not fits):
        doc.use("I" if label == "Note" else "", row_size, INK)
        height += 4.9 * _lines(doc, width - indent - label_w, doc.t(text))
        if draw:
            doc.set_x(MARGIN + indent)
            doc.use("B", 9, MUTED)
            doc.cell(label_w, 4.9, doc.t(label))
            doc.use("I" if label == "Note" else "", row_size, INK)
            doc.multi_cell(width - indent - label_w, 4.9, doc.t(text), align="L", new_x="LMARGIN", new_y="NEXT")
    height += 1.0
    if draw:
        doc.ln(1.0)
    for kind, text in caution_lines(hp, knowledge, audience):
        height += _caution_box(doc, kind, text, MARGIN + indent, width - indent, audience, draw)
    height += 2.5
    if draw:
        doc.ln(2.5)
    return height


def _caution_box(pdf, kind: str, text: str, x: float, width: float, audience: str, draw: bool = True) -> float:
    """One caution in an orange box (grey when the point has none); returns its height."""
    size = 9.5 if audience == "patient" else 9.0
    label = (kind.upper() + "  ") if kind else ""
    body = pdf.t(text)
    pad = 2.2
    pdf.use("B", 8, CAUTION_INK)
    label_w = pdf.get_string_width(label) + 1 if label else 0
    pdf.use("", size, CAUTION_INK)
    text_w = width - 2 * pad - 1.2 - label_w
    h = 4.6 * _lines(pdf, text_w, body) + 2 * pad - 0.8
    if not draw:
        return h + 1.2
    y = pdf.get_y()
    if kind:
        pdf.set_fill_color(*CAUTION_BG)
        pdf.set_draw_color(253, 186, 116)
    else:
        pdf.set_fill_color(248, 250, 252)
        pdf.set_draw_color(226, 232, 240)
    pdf.rect(x, y, width, h, style="DF")
    pdf.set_fill_color(*(CAUTION_EDGE if kind else (148, 163, 184)))
    pdf.rect(x, y, 1.2, h, style="F")
    pdf.set_xy(x + 1.2 + pad, y + pad - 0.4)
    if label:
        pdf.use("B", 8, CAUTION_EDGE)
        pdf.cell(label_w, 4.6, pdf.t(label))
    pdf.use("", size, CAUTION_INK if kind else MUTED)
    pdf.multi_cell(text_w, 4.6, body, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(y + h + 1.2)
    return h + 1.2


#: The picture of a technique on the patient's "between sessions" page (mm, square).
TECHNIQUE_PICTURE_MM = 62.0


def _technique_picture(pdf, view) -> None:
    """A technique's picture (its zone on the body, seen in the 3D view's colours) with its
    caption, starting a page if needed."""
    if pdf.get_y() + TECHNIQUE_PICTURE_MM + 14 > PAGE_H - 20:
        pdf.add_page()
    y = pdf.get_y()
    side = TECHNIQUE_PICTURE_MM * view.image.shape[1] / view.image.shape[0]
    pdf.image(_image_bytes(view), x=MARGIN, y=y, w=side, h=TECHNIQUE_PICTURE_MM)
    pdf.set_draw_color(226, 232, 240)
    pdf.set_line_width(0.3)
    pdf.rect(MARGIN, y, side, TECHNIQUE_PICTURE_MM)
    pdf.set_xy(MARGIN, y + TECHNIQUE_PICTURE_MM + 0.8)
    pdf.use("I", 8.5, MUTED)
    pdf.cell(PAGE_W - 2 * MARGIN, 4.5, pdf.t(view.title), align="L")
    pdf.set_y(y + TECHNIQUE_PICTURE_MM + 7)


def _points_pages(pdf, plan, knowledge, points, sections, audience: str,
                  pictures: Mapping[str, PlanView] | None = None,
                  symptoms: HandoutSymptoms | None = None) -> None:
    pdf.add_page()
    if plan.note:
        _heading(pdf, "From your practitioner" if audience == "patient" else "Plan note", 12)
        _paragraph(pdf, plan.note, 10.5, INK, "I")
    if plan.note or any(item.note for item in plan.items) or symptoms is not None:
        _paragraph(pdf, NOTES_NOTICE, 8.5, MUTED)
    for section in sections[2:]:
        _section(pdf, section, 10.5 if audience == "patient" else 9.3, INK, 12)
    _heading(pdf, "Your points" if audience == "patient" else "Points")
    lead = ("The numbers match the pictures on page 1. Each point says what your practitioner "
            "takes care of there; ask them about anything that worries you."
            if audience == "patient" else
            "Numbered as on page 1. Depths in proportional cun as commonly taught; every caution cites its sources.")
    _paragraph(pdf, lead, 9.5, MUTED)
    for hp in points:
        _point_card(pdf, hp, knowledge, audience)
    techniques = technique_sections(plan, knowledge, audience)
    if techniques:
        size = 10.0 if audience == "patient" else 9.0
        if audience == "practitioner":
            _heading(pdf, "Techniques")
        else:   # the patient's first section is the "between sessions" introduction, on a page of its own
            pdf.add_page()
            heading, intro = techniques.pop(0)
            _heading(pdf, heading)
            for row in intro:
                _fact(pdf, row[0], row[1], size) if isinstance(row, tuple) else _paragraph(pdf, row, size)
        home = [t.id for _, t in home_techniques(plan, knowledge)] if audience == "patient" else []
        for i, section in enumerate(techniques):
            view = (pictures or {}).get(home[i]) if i < len(home) else None
            if view is not None:
                _technique_picture(pdf, view)
            _section(pdf, section, size, INK, 11)
    if audience == "practitioner":
        # the evidence starts a page of its own, to keep with the file or leave out of the copy
        pdf.add_page()
        _heading(pdf, "Evidence: the chain and its sources")
        for section in reasons(plan, knowledge):
            _heading(pdf, section[0], 12)
            for row in section[1]:
                _paragraph(pdf, row, 9.0)
        sources = _cited_sources(plan, knowledge, points, symptoms.sources if symptoms else ())
        if sources:
            _heading(pdf, "Sources", 12)
            for src in sources:
                _paragraph(pdf, f"{src.short}: {src.citation}", 8.5, MUTED)
    else:
        _heading(pdf, "Safety", 12)
        _paragraph(pdf, NOTICE + " Only a trained practitioner should needle. Tell them if you are or may be "
                   "pregnant, take blood thinners, have a pacemaker, or feel faint, short of breath, or a sharp "
                   "or electric pain during treatment.")


def _title_of(plan) -> str:
    return plan.title or "Treatment plan"


def build_pdf(plan, views: Sequence[PlanView], knowledge, points: Sequence[HandoutPoint],
              audience: str, symptoms: HandoutSymptoms | None = None) -> bytes:
    """The handout as PDF bytes from already rendered views (``symptoms``: the plan's symptom
    marks and candidate roots, :func:`viewer.plan.content.handout_symptoms`, on a page of their
    own)."""
    _check_audience(audience)
    pdf = _make_pdf_class()(orientation="P", unit="mm", format="A4")
    # only the practitioner's handout shows Chinese names: the patient's skips the large CJK font
    _setup_fonts(pdf, cjk_text=audience == "practitioner")
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_margins(MARGIN, 18, MARGIN)
    pdf.set_title(_clean(_title_of(plan)))
    pdf.set_author("Radix")
    pdf.set_subject(NOTICE)
    pdf.running_title = f"{_title_of(plan)}  ·  {'patient' if audience == 'patient' else 'practitioner'} handout"
    sections = explanation(plan, knowledge, points, audience)
    pictures = {v.name[len(TECHNIQUE_VIEW):]: v for v in views if v.name.startswith(TECHNIQUE_VIEW)}
    views = [v for v in views if not v.name.startswith(TECHNIQUE_VIEW)]
    _first_page(pdf, plan, knowledge, points, views, sections, audience)
    _more_views_page(pdf, views)
    _symptoms_page(pdf, symptoms, views, audience)
    _points_pages(pdf, plan, knowledge, points, sections, audience, pictures, symptoms)
    return bytes(pdf.output())


def _write(path: Path, data: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path



def png_sheet(plan, knowledge, views: Sequence[PlanView], width: int, height: int,
              band: int, foot: int) -> bytes:
    """The plan's views on one PNG of ``width`` x ``height`` px: a title band, the views side by
    side with their captions, the legend and the notice."""
    from PIL import Image, ImageDraw

    views = [v for v in views if not v.name.startswith(TECHNIQUE_VIEW)]   # the points' views only
    pane_h = height - band - foot
    sheet = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    title_font = _pil_font(max(12, round(band * 0.36)), bold=True)
    small = _pil_font(max(9, round(band * 0.2)))
    draw.rectangle([0, 0, width, max(3, band // 16)], fill=_rgb("#0f766e"))
    draw.text((round(width * 0.02), band * 0.42), _clean(_title_of(plan)), font=title_font, fill=INK, anchor="lm")
    sub = "  ·  ".join(s for s in (_subject_title(plan, knowledge), _date_words(plan.created)) if s)
    draw.text((round(width * 0.02), band * 0.8), sub, font=small, fill=MUTED, anchor="lm")

    caption_h = round(pane_h * 0.06)
    gap = round(width * 0.015)
    scaled = []
    for v in views:
        img = Image.fromarray(v.image)
        scaled.append((v, img.width / img.height))
    total_ratio = sum(r for _, r in scaled)
    img_h = min(pane_h - caption_h, (width - gap * (len(scaled) + 1)) / max(total_ratio, 1e-6))
    x = (width - (img_h * total_ratio + gap * (len(scaled) - 1))) / 2
    top = band + round((pane_h - img_h - caption_h) / 2)   # centred between the band and the legend
    for v, ratio in scaled:
        w = max(1, round(img_h * ratio))
        img = Image.fromarray(v.image).resize((w, max(1, round(img_h))), Image.LANCZOS)
        sheet.paste(img, (round(x), top))
        draw.rectangle([round(x), top, round(x) + w - 1, top + round(img_h) - 1], outline=(226, 232, 240))
        draw.text((round(x) + w / 2, top + img_h + caption_h / 2), v.title, font=small, fill=MUTED, anchor="mm")
        x += w + gap
    # legend and notice
    y = height - foot * 0.72
    lx = round(width * 0.02)
    sw = max(6, round(foot * 0.18))
    legend = LEGEND + (MARK_LEGEND if any(v.name in MARK_VIEWS for v in views) else ())
    for entry in legend:
        label, colour = entry.label, entry.colour
        if entry.shape == "dot":
            draw.ellipse([lx, y - sw / 2, lx + sw, y + sw / 2], fill=_rgb(colour))
        else:
            draw.rectangle([lx, y - sw / 2, lx + sw, y + sw / 2], fill=_rgb(colour))
        draw.text((lx + sw * 1.5, y), label, font=small, fill=MUTED, anchor="lm")
        lx += sw * 1.5 + draw.textlength(label, font=small) + sw * 2
    draw.text((width - round(width * 0.02), height - foot * 0.3), NOTICE, font=small, fill=(17, 94, 89), anchor="rm")
    buf = io.BytesIO()
    sheet.save(buf, format="PNG")
    return buf.getvalue()
