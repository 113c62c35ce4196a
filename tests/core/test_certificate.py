"""The completion certificate: a real PDF whose text a reader (and pypdf) can find —
the member's name in Chinese included — with no font file shipped or embedded."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date

import pytest
from pypdf import PdfReader

from qunzhu.activities.certificate import certificate_pdf

BASE = dict(community="晨读会", title="21天早起打卡", name="王小明", days_done=19,
            days_total=21, start=date(2026, 6, 1), end=date(2026, 6, 21),
            issued=date(2026, 6, 22), serial="QZ-2026-000123", lang="zh-hans")


def read(data: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text(), reader


def test_simplified_certificate_says_who_did_what():
    data = certificate_pdf(**BASE)
    assert data.startswith(b"%PDF-")
    text, reader = read(data)
    for part in ("晨读会", "结业证书", "王小明", "「21天早起打卡」", "2026年6月1日",
                 "2026年6月21日", "在 21 天中完成 19 天", "特发此证", "颁发日期：2026年6月22日",
                 "证书编号：QZ-2026-000123"):
        assert part in text, part
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape
    assert reader.metadata is not None
    assert reader.metadata.title == "结业证书 — 王小明"
    assert "21天早起打卡" in (reader.metadata.subject or "")


def test_traditional_certificate_uses_traditional_wording():
    text, _ = read(certificate_pdf(**{**BASE, "lang": "zh-hant", "name": "張偉",
                                      "community": "台北讀書會"}))
    for part in ("結業證書", "茲證明", "張偉", "台北讀書會", "特發此證", "頒發日期", "證書編號"):
        assert part in text, part
    assert "结业证书" not in text and "特发此证" not in text
    # the member's own words are printed as written, not converted
    text, _ = read(certificate_pdf(**{**BASE, "lang": "zh-TW"}))
    assert "王小明" in text and "「21天早起打卡」" in text and "結業證書" in text


def test_english_certificate_with_a_chinese_name():
    text, _ = read(certificate_pdf(**{**BASE, "lang": "en", "name": "Zoë 李雷",
                                     "title": "21-Day Early Rising",
                                     "community": "Morning Readers"}))
    for part in ("Morning Readers", "Certificate of Completion", "Zoë 李雷",
                 "has completed 19 of 21 days of", "21-Day Early Rising",
                 "from 1 June 2026 to 21 June 2026.", "Issued 22 June 2026",
                 "Serial no. QZ-2026-000123"):
        assert part in text, part
    assert "结业" not in text


def test_an_emoji_in_a_nickname_stays_in_the_metadata():
    text, reader = read(certificate_pdf(**{**BASE, "name": "小明🌸"}))
    assert "小明" in text and "🌸" not in text  # no font here draws it
    assert reader.metadata is not None and reader.metadata.title == "结业证书 — 小明🌸"


def test_a_long_title_is_printed_whole():
    title = "二〇二六年夏季读书会·每天阅读三十分钟并写下一段读书笔记的二十一天习惯养成挑战"
    text, _ = read(certificate_pdf(**{**BASE, "title": title}))
    assert f"「{title}」" in text


def test_no_font_is_embedded_and_the_output_is_reproducible():
    data = certificate_pdf(**BASE)
    assert b"/FontFile" not in data
    assert b"/STSong-Light" in data
    assert certificate_pdf(**BASE) == data
    assert certificate_pdf(**{**BASE, "serial": "QZ-2026-000124"}) != data


@pytest.mark.parametrize(("change", "message"), [
    ({"days_done": 22}, "days_done"),
    ({"days_done": -1}, "days_done"),
    ({"days_total": 0}, "days_total"),
    ({"name": "  "}, "name"),
    ({"title": ""}, "title"),
    ({"end": date(2026, 5, 1)}, "before start"),
])
def test_impossible_certificates_are_refused(change, message):
    with pytest.raises(ValueError, match=message):
        certificate_pdf(**{**BASE, **change})


def test_the_module_imports_nothing_from_django():
    code = ("import sys, qunzhu.activities.certificate; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
