"""The console's "Category and tags" form: an agent saves them (htmx re-renders the panel and
the timeline shows the change, in English and Chinese), a client viewer is refused, bad input
is a 400 naming the field; both case pages show the category and tags. Supervisors keep the
client's tag list on its own page."""

from __future__ import annotations

from typing import Any

from django.test import Client as HttpClient

from pactline.cases.models import Case, CaseTag, EntryKind, TimelineEntry
from pactline.cases.tags import case_tag_add
from pactline.web.tests.test_console_support import (  # noqa: F401 - fixtures
    HTMX,
    NOW,
    Console,
    console_fixture,
    frozen,
    http_as,
    snapshot,
)


def _tags(console: Console, *names: str) -> None:
    for name in names:
        case_tag_add(
            actor=console.world.supervisor.actor, client=console.world.client_a, name=name, now=NOW
        )


def _classify(http: HttpClient, case: Case, htmx: bool = True, **data: Any) -> Any:
    return http.post(f"/console/cases/{case.pk}/classify/", data, **(HTMX if htmx else {}))


def test_the_form_offers_the_agreements_categories_and_the_clients_active_tags(
    console: Console,
) -> None:
    _tags(console, "late-delivery", "damaged")
    html = http_as(console, "client_a_agent").get(f"/console/cases/{console.phone.pk}/")
    text = html.content.decode()
    assert 'id="console-classify"' in text
    assert '<option value="billing_inquiry">Billing inquiry</option>' in text
    assert 'name="tags" value="damaged"' in text and 'name="tags" value="late-delivery"' in text


def test_an_agent_saves_category_and_tags_and_the_timeline_shows_it(console: Console) -> None:
    _tags(console, "late-delivery", "damaged")
    http = http_as(console, "client_a_agent")
    response = _classify(http, console.phone, category="complaint", tags=["damaged", "Damaged"])
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Trigger"] == "console-case-changed"
    assert "Category and tags saved." in html and 'id="console-work"' in html
    assert '<option value="complaint" selected>' in html
    assert 'value="damaged" checked' in html
    case = Case.objects.get(pk=console.phone.pk)
    assert (case.category, case.tags) == ("complaint", ["damaged"])
    [entry] = TimelineEntry.objects.filter(case=case, kind=EntryKind.CLASSIFIED)
    assert entry.payload["after"] == {"category": "complaint", "tags": ["damaged"]}

    page = http.get(f"/console/cases/{case.pk}/").content.decode()
    assert '<dd id="case-category">Complaint</dd>' in page
    assert '<dd id="case-tags"><span class="badge">damaged</span></dd>' in page
    assert "Category and tags changed" in page
    assert "Category: none → Complaint<br>Tags: none → damaged" in page
    viewer = http_as(console, "client_a_viewer")
    page = viewer.get(f"/cases/{case.pk}/").content.decode()
    assert '<dd id="case-tags"><span class="badge">damaged</span></dd>' in page
    assert "Category: none → Complaint" in page
    viewer.cookies["django_language"] = "zh-hans"
    page = viewer.get(f"/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "类别和标签已更改" in page
    assert "类别：无 → 投诉<br>标签：无 → damaged" in page


def test_a_client_viewer_is_refused(console: Console) -> None:
    _tags(console, "damaged")
    before = snapshot()
    response = _classify(
        http_as(console, "client_a_viewer"), console.phone, category="complaint", tags=["damaged"]
    )
    assert response.status_code == 403
    assert snapshot() == before
    assert Case.objects.get(pk=console.phone.pk).category == ""


def test_bad_input_is_a_400_naming_the_field(console: Console) -> None:
    _tags(console, "damaged")
    http = http_as(console, "client_a_agent")
    before = snapshot()
    response = _classify(http, console.phone, category="warranty<script>", tags=["damaged"])
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing changed: &#x27;warranty&lt;script&gt;&#x27; is not a case category" in html
    assert 'id="console-work"' in html and "HX-Trigger" not in response
    response = _classify(http, console.phone, category="complaint", tags=["fraud", "x" * 5000])
    assert response.status_code == 400
    assert "not tags of the client&#x27;s list: fraud" in response.content.decode()
    response = _classify(http, console.phone, htmx=False, category="nope")
    assert response.status_code == 400
    assert "is not a case category of the agreement" in response.content.decode()
    assert snapshot() == before
    assert Case.objects.get(pk=console.phone.pk).category == ""


def test_supervisors_keep_the_tag_list_on_its_page(console: Console) -> None:
    url = "/console/clients/client-a/tags/"
    http = http_as(console, "sup_a")
    response = http.post(url, {"do": "add", "name": "Late delivery"})
    assert response.status_code == 302 and response["Location"] == url
    http.post(url, {"do": "add", "name": "damaged"})
    http.post(url, {"do": "retire", "name": "damaged"})
    html = http.get(url).content.decode()
    assert 'data-tag="late-delivery"' in html and "Bring back" in html
    assert list(CaseTag.objects.values_list("name", "is_active")) == [
        ("damaged", False),
        ("late-delivery", True),
    ]
    response = http.post(url, {"do": "add", "name": "   "})
    assert response.status_code == 400 and "give the tag a name" in response.content.decode()
    response = http.post(url, {"do": "retire", "name": "unknown"})
    assert response.status_code == 400
    for persona in ("client_a_agent", "client_a_viewer", "client_a_manager"):
        assert http_as(console, persona).get(url).status_code == 403
        assert http_as(console, persona).post(url, {"name": "x"}).status_code == 403
    assert CaseTag.objects.count() == 2
