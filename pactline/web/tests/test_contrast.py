"""Secondary text meets WCAG 2.x AA (4.5:1 for normal text) on every surface it is set on:
the contrast ratio computed from the stylesheet's own colours."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

CSS = Path(settings.BASE_DIR) / "pactline" / "web" / "static" / "web" / "pactline.css"
SURFACES = ("--paper", "--canvas", "--brand-soft", "--ok-soft", "--warn-soft", "--bad-soft")


def _colours() -> dict[str, str]:
    root = CSS.read_text(encoding="utf-8").split(":root {", 1)[1].split("}", 1)[0]
    return dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{6});", root))


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_formula_matches_the_standards_extremes() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # famously just short


@pytest.mark.parametrize("text", ["--ink", "--ink-soft", "--muted"])
@pytest.mark.parametrize("surface", SURFACES)
def test_text_colours_meet_aa_on_every_surface(text: str, surface: str) -> None:
    colours = _colours()
    assert contrast(colours[text], colours[surface]) >= 4.5, (text, surface)
