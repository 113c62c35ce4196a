"""The completion certificate 结业证书 of a check-in challenge, as PDF bytes.

Pure: it imports nothing from Django, so the service that issues certificates (and any
test) calls it with plain values. Chinese is set in reportlab's CID font STSong-Light:
the PDF names the font and the reader supplies it (every mainstream viewer ships or
substitutes a CJK font), so no font file is shipped with qunzhu or fetched. The text stays
real text — searchable, copyable, and extractable for a test — and the document's
metadata (title, subject) repeats the member's name and the challenge.

Latin letters that are not ASCII (é, ü) come from Helvetica, which has them; ASCII goes
with Chinese in Chinese certificates so digits match the Song face, and with Helvetica in
English ones. Characters outside the Basic Multilingual Plane (most emoji in nicknames)
are in no font here: they are left out of the drawn name and kept in the metadata.
The same input gives the same bytes (reportlab's invariant mode), so a certificate can
be re-issued identically.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from qunzhu.core.text import language

CJK = "STSong-Light"
LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
LATIN_ITALIC = "Helvetica-Oblique"

INK = HexColor("#1F3A5F")
GOLD = HexColor("#B08D3C")
GREY = HexColor("#5A6473")
PAPER = HexColor("#FCFAF5")

_WIDTH, _HEIGHT = landscape(A4)
_TEXT_WIDTH = _WIDTH - 2 * 120


@dataclass(frozen=True)
class _Words:
    heading: str
    lead: str
    issued: str
    serial: str
    lines: tuple[str, ...]
    lang_tag: str


_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")


def _date(day: date, lang: str) -> str:
    if lang == "en":
        return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"


def _words(lang: str, *, title: str, done: int, total: int, start: date, end: date,
           issued: date, serial: str) -> _Words:
    s, e, i = _date(start, lang), _date(end, lang), _date(issued, lang)
    if lang == "en":
        return _Words("Certificate of Completion", "This is to certify that",
                      f"Issued {i}", f"Serial no. {serial}",
                      (f"has completed {done} of {total} days of", title,
                       f"from {s} to {e}."), "en")
    if lang == "zh-hant":
        return _Words("結業證書", "茲證明", f"頒發日期：{i}", f"證書編號：{serial}",
                      (f"於 {s} 至 {e} 參加", f"「{title}」，",
                       f"在 {total} 天中完成 {done} 天，特發此證。"),
                      "zh-Hant")
    return _Words("结业证书", "兹证明", f"颁发日期：{i}", f"证书编号：{serial}",
                  (f"于 {s} 至 {e} 参加", f"「{title}」，",
                   f"在 {total} 天中完成 {done} 天，特发此证。"),
                  "zh-Hans")


@lru_cache(maxsize=1)
def _register_cjk() -> None:
    # registering is global in reportlab and cheap, but only needed once per process
    pdfmetrics.registerFont(UnicodeCIDFont(CJK))


def _runs(text: str, latin: str, *, chinese: bool) -> list[tuple[str, str]]:
    """``text`` split into (font, run) pieces: each character in the font that has it."""
    runs: list[tuple[str, str]] = []
    for ch in text:
        if ord(ch) < 128:
            font = CJK if chinese else latin
        else:
            try:
                ch.encode("cp1252")  # Helvetica's encoding in reportlab
                font = latin
            except UnicodeEncodeError:
                font = CJK
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + ch)
        else:
            runs.append((font, ch))
    return runs


def _drawable(text: str) -> str:
    """``text`` without what no font here can show (emoji and other non-BMP characters,
    emoji joiners and selectors); unchanged if nothing would be left."""
    kept = "".join(ch for ch in text
                   if ord(ch) <= 0xFFFF and ch not in "\u200d\ufe0e\ufe0f")
    return kept if kept.strip() else text


def _width(runs: list[tuple[str, str]], size: float, char_space: float) -> float:
    chars = sum(len(run) for _, run in runs)
    return (sum(pdfmetrics.stringWidth(run, font, size) for font, run in runs)
            + char_space * max(chars - 1, 0))


def _centred(c: Canvas, text: str, y: float, size: float, *, chinese: bool,
             latin: str = LATIN, color: Color = INK, bold: bool = False,
             char_space: float = 0.0, max_width: float = _TEXT_WIDTH) -> float:
    """Draw ``text`` centred at height ``y``, shrunk to fit ``max_width``; its width.

    STSong-Light has no bold face, so bold Chinese is drawn filled and stroked, a hair
    wider — the usual way to embolden a font one does not embed."""
    runs = _runs(text, latin, chinese=chinese)
    width = _width(runs, size, char_space)
    if width > max_width:
        scale = max_width / width
        size, char_space, width = size * scale, char_space * scale, max_width
    t = c.beginText((_WIDTH - width) / 2, y)
    t.setFillColor(color)
    t.setStrokeColor(color)
    t.setCharSpace(char_space)
    for font, run in runs:
        t.setFont(font, size)
        fake_bold = bold and font == CJK
        t.setTextRenderMode(2 if fake_bold else 0)
        if fake_bold:
            c.setLineWidth(size / 36)
        t.textOut(run)
    # the render mode outlives the text object in the PDF's graphics state: put it back
    t.setTextRenderMode(0)
    c.drawText(t)
    return width


def _diamond(c: Canvas, x: float, y: float, r: float) -> None:
    path = c.beginPath()
    path.moveTo(x, y + r)
    path.lineTo(x + r, y)
    path.lineTo(x, y - r)
    path.lineTo(x - r, y)
    path.close()
    c.drawPath(path, stroke=0, fill=1)


def _frame(c: Canvas) -> None:
    """Paper tone, a heavy ink border, a fine gold rule inside it, gold diamonds at the
    inner corners."""
    c.setFillColor(PAPER)
    c.rect(0, 0, _WIDTH, _HEIGHT, stroke=0, fill=1)
    c.setStrokeColor(INK)
    c.setLineWidth(3)
    c.rect(24, 24, _WIDTH - 48, _HEIGHT - 48, stroke=1, fill=0)
    c.setStrokeColor(GOLD)
    c.setLineWidth(0.8)
    c.rect(34, 34, _WIDTH - 68, _HEIGHT - 68, stroke=1, fill=0)
    c.setFillColor(GOLD)
    for x in (34, _WIDTH - 34):
        for y in (34, _HEIGHT - 34):
            _diamond(c, x, y, 6)


def _rule(c: Canvas, y: float, half: float) -> None:
    """A short gold rule with a diamond in the middle, under the heading."""
    c.setStrokeColor(GOLD)
    c.setLineWidth(0.8)
    c.line(_WIDTH / 2 - half, y, _WIDTH / 2 - 8, y)
    c.line(_WIDTH / 2 + 8, y, _WIDTH / 2 + half, y)
    c.setFillColor(GOLD)
    _diamond(c, _WIDTH / 2, y, 3.5)


def _check(*, name: str, title: str, days_done: int, days_total: int, start: date,
           end: date) -> None:
    if not name.strip():
        raise ValueError("name: a certificate needs the member's name")
    if not title.strip():
        raise ValueError("title: a certificate needs the challenge's title")
    if days_total < 1:
        raise ValueError(f"days_total: must be 1 or more, got {days_total}")
    if not 0 <= days_done <= days_total:
        raise ValueError(f"days_done: must be between 0 and {days_total}, got {days_done}")
    if end < start:
        raise ValueError(f"end ({end}) is before start ({start})")


def certificate_pdf(*, community: str, title: str, name: str, days_done: int,
                    days_total: int, start: date, end: date, issued: date, serial: str,
                    lang: str) -> bytes:
    """A one-page A4 landscape certificate: the community, 结业证书 / 結業證書 /
    Certificate of Completion, the member's name large, "completed ``days_done`` of
    ``days_total`` days of ``title``, from ``start`` to ``end``", the issue date and
    ``serial``. ``lang`` is zh-hans, zh-hant (or zh-tw, zh-hk) or en; the member's and
    community's own words are printed as written, never converted."""
    _check(name=name, title=title, days_done=days_done, days_total=days_total,
           start=start, end=end)
    _register_cjk()
    lang = language(lang)
    chinese = lang != "en"
    words = _words(lang, title=title.strip(), done=days_done, total=days_total,
                   start=start, end=end, issued=issued, serial=serial)
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=(_WIDTH, _HEIGHT), invariant=True, lang=words.lang_tag)
    c.setTitle(f"{words.heading} — {name}")
    c.setSubject(f"{name}: {title} ({days_done}/{days_total}, {start} – {end})")
    c.setAuthor(community)
    c.setKeywords(serial)
    c.setCreator("qunzhu")

    _frame(c)
    top = _HEIGHT - 125
    _centred(c, community, top, 16, chinese=chinese, color=GREY)
    if chinese:
        _centred(c, words.heading, top - 68, 44, chinese=True, bold=True, char_space=14)
    else:
        _centred(c, words.heading, top - 64, 36, chinese=False, latin=LATIN_BOLD)
    _rule(c, top - 92, 110)
    _centred(c, words.lead, top - 135, 15, chinese=chinese, color=GREY)
    shown = _drawable(name.strip())
    width = _centred(c, shown, top - 190, 40, chinese=chinese, latin=LATIN_BOLD, bold=True,
                     max_width=_WIDTH - 2 * 160)
    c.setStrokeColor(GOLD)
    c.setLineWidth(0.6)
    half = max(width / 2 + 30, 140)
    c.line(_WIDTH / 2 - half, top - 204, _WIDTH / 2 + half, top - 204)
    y = top - 245
    for i, line in enumerate(words.lines):
        title_line = i == 1  # the challenge's title, on a line of its own
        _centred(c, line, y, 18 if title_line else 15, chinese=chinese,
                 latin=LATIN_ITALIC if title_line else LATIN)
        y -= 28
    _corner_text(c, words.issued, words.serial, chinese=chinese)
    c.showPage()
    c.save()
    return buffer.getvalue()


def _corner_text(c: Canvas, left: str, right: str, *, chinese: bool) -> None:
    """Issue date bottom left, serial bottom right, inside the gold rule."""
    size, y = 11.0, 62.0
    for text, x, align_right in ((left, 70.0, False), (right, _WIDTH - 70.0, True)):
        runs = _runs(text, LATIN, chinese=chinese)
        width = _width(runs, size, 0.0)
        t = c.beginText(x - width if align_right else x, y)
        t.setFillColor(GREY)
        for font, run in runs:
            t.setFont(font, size)
            t.textOut(run)
        c.drawText(t)
