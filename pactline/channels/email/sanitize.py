"""HTML from customers' email, made safe to show inside Pactline, and turned into plain text.

An allowlist over the stdlib `html.parser`: known formatting tags and a few attributes survive,
everything else is dropped. A dependency (bleach is deprecated, nh3 is a compiled extension)
would do the same for a few lines we can read in full; email HTML needs no more than this.

- Scripts, styles, heads, frames, objects, SVG/MathML and templates are dropped with their
  content; unknown tags are dropped but their text is kept.
- No `style`, `class`, `id` or event-handler (`on*`) attribute survives: CSS can carry URLs and
  overlay Pactline's own interface, ids can clobber the page's DOM.
- Links keep only http(s), mailto and tel targets. Images keep only `cid:` (inline parts of the
  same message) and small raster `data:` URLs: remote images are tracking pixels.
- The output is well-formed: every open tag is closed, text and attributes are escaped.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div",
        "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
        "kbd", "li", "ol", "p", "pre", "q", "s", "small", "span", "strike", "strong", "sub",
        "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip
VOID_TAGS = frozenset({"br", "hr", "img"})
# Dropped together with everything inside them.
DROP_CONTENT_TAGS = frozenset(
    {
        "applet", "embed", "frame", "frameset", "head", "iframe", "math", "noembed",
        "noframes", "noscript", "object", "script", "style", "svg", "template", "title",
    }
)  # fmt: skip
_COMMON_ATTRIBUTES = frozenset({"title", "dir", "lang"})
_TABLE_ATTRIBUTES = frozenset(
    {"align", "valign", "width", "height", "colspan", "rowspan", "border", "cellpadding",
     "cellspacing", "bgcolor"}
)  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href"}),
    "img": frozenset({"src", "alt", "width", "height"}),
    "font": frozenset({"color", "size", "face"}),
    "ol": frozenset({"start", "type"}),
    "td": _TABLE_ATTRIBUTES,
    "th": _TABLE_ATTRIBUTES,
    "table": _TABLE_ATTRIBUTES,
    "tr": _TABLE_ATTRIBUTES,
    "p": frozenset({"align"}),
    "div": frozenset({"align"}),
}
LINK_SCHEMES = ("http://", "https://", "mailto:", "tel:")
_DATA_IMAGE = re.compile(r"^data:image/(png|gif|jpeg|webp);base64,[a-z0-9+/=\s]*$", re.IGNORECASE)
# Browsers ignore whitespace and control characters inside a scheme ("java\tscript:").
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
BLOCK_TAGS = frozenset(
    {
        "address", "blockquote", "br", "dd", "div", "dl", "dt", "h1", "h2", "h3", "h4", "h5",
        "h6", "hr", "li", "ol", "p", "pre", "table", "tr", "ul",
    }
)  # fmt: skip


def _safe_url(tag: str, name: str, value: str) -> str | None:
    compact = _URL_NOISE.sub("", value).lower()
    if tag == "a" and name == "href":
        return value.strip() if compact.startswith(LINK_SCHEMES) else None
    if tag == "img" and name == "src":
        if compact.startswith("cid:") or _DATA_IMAGE.match(value.strip()):
            return value.strip()
        return None
    return value


class _Sanitizer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []  # allowed tags opened and not yet closed
        self.dropping: list[str] = []  # drop-content tags we are inside

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body" and self.dropping == ["head"]:
            self.dropping.clear()  # an unclosed <head> ends where the body starts
            return
        if tag in DROP_CONTENT_TAGS:
            self.dropping.append(tag)
            return
        if self.dropping:
            return
        if tag not in ALLOWED_TAGS:
            return
        self.out.append(self._tag(tag, attrs))
        if tag not in VOID_TAGS:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.dropping or tag not in ALLOWED_TAGS:
            return
        self.out.append(self._tag(tag, attrs))
        if tag not in VOID_TAGS:
            self.out.append(f"</{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if self.dropping:
            if tag in self.dropping:
                while self.dropping and self.dropping.pop() != tag:
                    pass
            return
        if tag not in self.open:
            return  # a stray end tag: ignore it rather than close something else
        while self.open:
            opened = self.open.pop()
            self.out.append(f"</{opened}>")
            if opened == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.out.append(html.escape(data, quote=False))

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]]) -> str:
        allowed = ALLOWED_ATTRIBUTES.get(tag, frozenset()) | _COMMON_ATTRIBUTES
        parts = [tag]
        for name, value in attrs:
            if name not in allowed or value is None:
                continue
            safe = _safe_url(tag, name, value)
            if safe is not None:
                parts.append(f'{name}="{html.escape(safe, quote=True)}"')
        if tag == "a":
            parts.append('rel="noopener noreferrer nofollow"')
        return f"<{' '.join(parts)}>"

    def result(self) -> str:
        self.close()
        closing = [f"</{tag}>" for tag in reversed(self.open)]
        return "".join(self.out + closing)


def sanitize_html(markup: str) -> str:
    """The allowed subset of `markup`, escaped and well-formed."""
    if not markup.strip():
        return ""
    parser = _Sanitizer()
    parser.feed(markup)
    return parser.result().strip()


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body" and self.dropping == ["head"]:
            self.dropping.clear()
        elif tag in DROP_CONTENT_TAGS:
            self.dropping.append(tag)
        elif tag in BLOCK_TAGS and not self.dropping:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.dropping:
            while self.dropping and self.dropping.pop() != tag:
                pass
        elif tag in BLOCK_TAGS and not self.dropping:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Readable text of an HTML body (for messages that come without a text part)."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
