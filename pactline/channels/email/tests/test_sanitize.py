"""The HTML allowlist: what customers' HTML may keep, and its plain-text reading."""

from __future__ import annotations

import pytest

from pactline.channels.email.sanitize import html_to_text, sanitize_html


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<p>Hi <b>there</b></p>", "<p>Hi <b>there</b></p>"),
        ("<script>alert(1)</script><p>ok</p>", "<p>ok</p>"),
        ("<style>p{x:y}</style><p>ok</p>", "<p>ok</p>"),
        ('<p onclick="x()" style="color:red" class="btn" id="main">ok</p>', "<p>ok</p>"),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
        (
            '<a href=" jav&#x09;ascript:alert(1)">x</a>',
            '<a rel="noopener noreferrer nofollow">x</a>',
        ),
        (
            '<a href="mailto:care@example.com" target="_blank">mail</a>',
            '<a href="mailto:care@example.com" rel="noopener noreferrer nofollow">mail</a>',
        ),
        ('<img src="https://tracker.example/p.gif" onerror="x()">', "<img>"),
        ('<img src="cid:logo@x" alt="logo">', '<img src="cid:logo@x" alt="logo">'),
        ('<img src="data:text/html;base64,PHNjcmlwdD4=">', "<img>"),
        ("<iframe src='https://evil.example'><p>inside</p></iframe>after", "after"),
        ("<svg><script>alert(1)</script></svg>text", "text"),
        ("<form><input value='x'>typed</form>", "typed"),
        ("<p>unclosed <b>bold", "<p>unclosed <b>bold</b></p>"),
        ("</b>stray end", "stray end"),
        ("<p>a &lt;script&gt; 1 < 2 &amp; 3</p>", "<p>a &lt;script&gt; 1 &lt; 2 &amp; 3</p>"),
        ('<td colspan="2" onmouseover="x()">c</td>', '<td colspan="2">c</td>'),
        (
            '<p title="a&quot; onclick=&quot;x()">t</p>',
            '<p title="a&quot; onclick=&quot;x()">t</p>',
        ),
        ("<!-- secret --><p>shown</p>", "<p>shown</p>"),
        ("<html><head><title>T</title><body><p>body</p>", "<p>body</p>"),
        ("", ""),
    ],
)
def test_sanitize_html(markup: str, expected: str) -> None:
    assert sanitize_html(markup) == expected


def test_html_to_text_keeps_blocks_as_lines_and_drops_scripts() -> None:
    markup = (
        "<html><head><style>p{}</style></head><body><p>Hello,</p><div>line one<br>line two</div>"
        "<script>alert(1)</script><ul><li>first</li><li>second</li></ul></body></html>"
    )
    assert html_to_text(markup) == "Hello,\n\nline one\nline two\n\nfirst\n\nsecond"
