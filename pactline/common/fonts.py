"""The CJK font documents (reports, invoices) are set in, brought by the project itself.

Latin text is set in DejaVu Sans (WeasyPrint's and matplotlib's default); Chinese text needs a
CJK font, which a server does not have by default. Pactline depends on `paperang-p2-fonts-cjk`,
a wheel carrying WenQuanYi Micro Hei (Apache-2.0): a TrueType font that WeasyPrint subsets in
a fraction of a second, where Noto Sans CJK (CFF outlines) takes tens of seconds per PDF
without the system's HarfBuzz subsetter, and its variable edition cannot be embedded at all.
The PDF names the installed file in an @font-face rule and matplotlib registers the same file,
so page and charts use one font. Without it (an install that skipped the dependency) a system
CJK font is used if there is one; with none, a report with CJK text is refused rather than
stored with boxes for every character."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from pactline.common.errors import Conflict

os.environ.setdefault("MPLCONFIGDIR", os.path.join(tempfile.gettempdir(), "pactline-mpl"))

from matplotlib import font_manager

LATIN_FAMILY = "DejaVu Sans"
BUNDLED_PACKAGE = "paperang_p2_fonts_cjk"
BUNDLED_FILE = "fonts/wqy-microhei.ttc"
BUNDLED_FAMILY = "WenQuanYi Micro Hei"
# Installed by the system (Debian's fonts-noto-cjk, fonts-wqy-microhei), best first.
SYSTEM_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Micro Hei")

# Han, kana, Hangul, CJK punctuation and full-width forms: what DejaVu Sans cannot set.
CJK = re.compile(
    "[\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
    "\U00020000-\U0003ffff]"
)


class MissingCJKFont(Conflict):
    """A document with CJK text, and no CJK font to set it in."""


@dataclass(frozen=True)
class CJKFont:
    family: str
    path: Path
    bundled: bool  # named by its file in the PDF's CSS; a system font fontconfig finds itself

    @property
    def url(self) -> str:
        return self.path.as_uri()


def _bundled() -> Path | None:
    try:
        path = Path(str(resources.files(BUNDLED_PACKAGE).joinpath(BUNDLED_FILE)))
    except ModuleNotFoundError:
        return None
    return path if path.is_file() else None


@cache
def cjk_font() -> CJKFont | None:
    """The bundled CJK font (registered with matplotlib), else the best system one, else
    None."""
    bundled = _bundled()
    if bundled is not None:
        font_manager.fontManager.addfont(str(bundled))
        return CJKFont(BUNDLED_FAMILY, bundled, bundled=True)
    for family in SYSTEM_FAMILIES:
        try:
            found = font_manager.findfont(
                font_manager.FontProperties(family=family), fallback_to_default=False
            )
        except ValueError:
            continue
        return CJKFont(family, Path(found), bundled=False)
    return None


def has_cjk(text: str) -> bool:
    return CJK.search(text) is not None


def require_cjk_font(text: str) -> CJKFont | None:
    """The CJK font to set `text` in; refuses if it has CJK characters and there is none."""
    font = cjk_font()
    if font is None and has_cjk(text):
        # Lazy: the refusal speaks the reader's language, not the report's being rendered.
        raise MissingCJKFont(
            _(
                "No Chinese font is installed, so this report would print every Chinese "
                "character as a box. Install Pactline's dependencies (uv sync, which brings "
                "the paperang-p2-fonts-cjk package) or the system's fonts-noto-cjk package, "
                "then generate the report again."
            )
        )
    return font
