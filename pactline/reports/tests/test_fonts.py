"""Chinese reports are readable on a machine without any system CJK font: the PDF embeds a font
for every character of its text, and with no CJK font at all a Chinese report is refused, not
stored with boxes."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client as HttpClient
from django.utils import translation
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from conftest import make_user
from pactline.common import fonts
from pactline.metrics.tests.support import SYSTEM
from pactline.reports import charts
from pactline.reports.models import GeneratedReport
from pactline.reports.presentation import report_view
from pactline.reports.renderers import render_pdf
from pactline.reports.services import report_generate
from pactline.reports.tests.test_render import GENERATED, _huaxin, pdf_text
from pactline.tenancy.models import Client, Role

pytestmark = pytest.mark.django_db


def _resources(resources: Any) -> Iterator[DictionaryObject]:
    """Every font dictionary under `resources`, including those of form XObjects (charts)."""
    resources = resources.get_object() if resources is not None else {}
    for font in (resources.get("/Font") or {}).values():
        yield font.get_object()
    for xobject in (resources.get("/XObject") or {}).values():
        yield from _resources(xobject.get_object().get("/Resources"))


def embedded_fonts(pdf: bytes) -> dict[str, set[str]]:
    """Each font program embedded in the PDF: its name -> the characters its cmap maps."""
    found: dict[str, set[str]] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in _resources(page.get("/Resources")):
            for descendant in font.get("/DescendantFonts") or [font]:
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
                if program is None:
                    continue
                cmap = TTFont(io.BytesIO(program.get_object().get_data())).getBestCmap() or {}
                name = str(font["/BaseFont"]).split("+", 1)[-1]
                found.setdefault(name, set()).update(chr(code) for code in cmap)
    return found


def test_every_character_of_a_chinese_pdf_is_set_in_a_font_it_embeds(tmp_path: Path) -> None:
    content = _huaxin(tmp_path)
    with translation.override("zh-hans"):
        pdf = render_pdf(report_view(content, generated_at=GENERATED))

    text = pdf_text(pdf)
    assert "客服月度服务报告" in text and "华信家居" in text
    programs = embedded_fonts(pdf)
    assert "WenQuanYi-Micro-Hei" in programs  # the project's own font, named in the CSS
    covered = set().union(*programs.values())
    characters = {char for char in text if not char.isspace()}
    assert {char for char in characters if fonts.has_cjk(char)}  # there is Chinese to check
    assert sorted(characters - covered) == []


def test_charts_measure_and_name_the_bundled_font() -> None:
    assert charts.font_families() == ["DejaVu Sans", "WenQuanYi Micro Hei"]
    font = fonts.cjk_font()
    assert font is not None and font.bundled
    assert font.path.name == "wqy-microhei.ttc" and font.path.is_file()
    assert font.url.startswith("file:///") and font.url.endswith("/wqy-microhei.ttc")


def test_cjk_text_is_recognised() -> None:
    assert fonts.has_cjk("服务水平 95%")
    assert fonts.has_cjk("ＡＢＣ")  # full-width forms
    assert fonts.has_cjk("고객")
    assert not fonts.has_cjk("Service levels · 95 % ≥ 20 s — Zürich")


@pytest.fixture
def no_cjk_font(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "cjk_font", lambda: None)


@pytest.mark.usefixtures("no_cjk_font")
def test_without_a_cjk_font_only_text_without_cjk_is_accepted() -> None:
    assert fonts.require_cjk_font("Monthly report · Northwind") is None
    with pytest.raises(fonts.MissingCJKFont) as refused:
        fonts.require_cjk_font("客服月度服务报告")
    message = str(refused.value)
    assert "paperang-p2-fonts-cjk" in message and "fonts-noto-cjk" in message


@pytest.mark.usefixtures("no_cjk_font")
def test_without_a_cjk_font_a_chinese_report_is_refused_and_nothing_stored(
    tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    _huaxin(tmp_path)
    client = Client.objects.get()
    with pytest.raises(fonts.MissingCJKFont):
        report_generate(
            actor=SYSTEM,
            client=client,
            report_name="客服月度服务报告",
            period_start=date(2026, 3, 1),
            now=datetime(2026, 4, 2, tzinfo=UTC),
        )
    assert GeneratedReport.objects.count() == 0
    assert not default_storage.exists("reports")
    assert not (tmp_path / "media" / "reports").exists()


@pytest.mark.usefixtures("no_cjk_font")
def test_the_page_and_the_api_name_the_fix(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    _huaxin(tmp_path)
    code = Client.objects.get().code
    admin = HttpClient()
    admin.force_login(make_user("admin", (Role.PROVIDER_ADMIN, None)))
    form = {"report_name": "客服月度服务报告", "period_start": "2026-03-01"}

    page = admin.post(f"/clients/{code}/reports/generate/", form, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 422
    assert "No Chinese font is installed" in page.content.decode()
    api = admin.post("/api/v1/reports", {"client": code, **form}, content_type="application/json")
    assert api.status_code == 409
    assert "paperang-p2-fonts-cjk" in api.json()["detail"]
    assert GeneratedReport.objects.count() == 0
