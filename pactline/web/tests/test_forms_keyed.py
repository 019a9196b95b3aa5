"""Every state-changing form the pages render carries an idempotency key, so a double submit
changes nothing (`pactline.common.idempotency`). A new form that forgets
`{% idempotency_key %}` fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pactline

ROOT = Path(pactline.__file__).parent
FORM = re.compile(r"<form\b(?P<tag>[^>]*)>(?P<inside>.*?)</form>", re.S | re.I)
POST = re.compile(r"""\bmethod=["']post["']""", re.I)
# Forms that must not be keyed: signing in, and the language switch.
EXEMPT = {
    ("web/templates/web/login.html", "{% url 'login' %}"),
    ("web/templates/web/base.html", "{% url 'set_language' %}"),
}


def _post_forms() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(ROOT.rglob("templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        for form in FORM.finditer(text):
            tag = form.group("tag")
            if POST.search(tag) or "hx-post" in tag:
                found.append((str(path.relative_to(ROOT)), tag, form.group("inside")))
    return found


def _exempt(template: str, tag: str) -> bool:
    return any(template == name and action in tag for name, action in EXEMPT)


def test_every_post_form_carries_an_idempotency_key() -> None:
    forms = _post_forms()
    assert len(forms) >= 40  # the scan finds the app's forms
    missing = [
        f"{template}: <form{tag}>"
        for template, tag, inside in forms
        if not _exempt(template, tag) and "{% idempotency_key %}" not in inside
    ]
    assert missing == []


def test_the_exempt_forms_exist_and_carry_no_key() -> None:
    exempt = [(t, inside) for t, tag, inside in _post_forms() if _exempt(t, tag)]
    assert sorted(t for t, _ in exempt) == sorted(name for name, _ in EXEMPT)
    assert all("idempotency_key" not in inside for _, inside in exempt)


def test_no_state_changing_htmx_attribute_lives_outside_a_form() -> None:
    """hx-post/put/patch/delete on an element outside a form would send no key."""
    outside = []
    for path in sorted(ROOT.rglob("templates/**/*.html")):
        text = FORM.sub("", path.read_text(encoding="utf-8"))
        if re.search(r"\bhx-(post|put|patch|delete)=", text):
            outside.append(str(path.relative_to(ROOT)))
    assert outside == []
