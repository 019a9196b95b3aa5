"""Statement pages: the list, a statement in full (split at an amendment, revision history),
issuing and reissuing through forms — who may, errors per field, 4xx and nothing written."""

from __future__ import annotations

import re

import pytest
import time_machine

from conftest import PERSONAS, PROVIDER_READERS
from pactline.common.errors import ValidationFailed
from pactline.metrics.forms import StatementReissueForm
from pactline.metrics.models import Statement
from pactline.metrics.statements import statement_issue, statement_reissue
from pactline.metrics.tests.support import SYSTEM
from pactline.metrics.tests.test_statement_pages_support import (  # noqa: F401 - fixture
    APRIL_2,
    March,
    late_calls,
    march_fixture,
)

pytestmark = pytest.mark.django_db

SEES_A = {
    "provider_admin",
    "supervisor",
    "client_a_manager",
    "client_a_viewer",
    "client_a_agent",
} | PROVIDER_READERS
ISSUE = "/clients/client-a/statements/issue/"


def _issued(march: March) -> Statement:
    with time_machine.travel(APRIL_2, tick=False):
        statement, _ = statement_issue(
            actor=SYSTEM, client=march.world.client_a, day=APRIL_2.date().replace(month=3)
        )
    return statement


def _flat(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def _segment(html: str, number: int) -> str:
    parts = html.split(f'data-segment="{number}"')
    assert len(parts) == 2, number
    return parts[1].split("data-segment=")[0]


def _row(html: str, level: str) -> str:
    match = re.search(rf'<tr data-level="{re.escape(level)}">(.*?)</tr>', html, re.S)
    assert match, level
    return _flat(match.group(1))


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_and_detail_matrix(march: March, persona: str) -> None:
    statement = _issued(march)
    http = march.http.as_(persona)
    for path in ("/clients/client-a/statements/", f"/statements/{statement.pk}/"):
        response = http.get(path)
        if persona == "anonymous":
            assert response.status_code == 302, path
        else:
            assert response.status_code == (200 if persona in SEES_A else 404), path
    assert http.get("/statements/999999/").status_code in (302, 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_provider_admin_may_issue_and_refusals_write_nothing(
    march: March, persona: str
) -> None:
    http = march.http.as_(persona)
    with time_machine.travel(APRIL_2, tick=False):
        page = http.get(ISSUE)
        posted = http.post(ISSUE, {"frequency": "monthly", "period": "2026-03-09"})
    if persona == "anonymous":
        expected = 302
    elif persona == "provider_admin":
        expected = 200
    else:
        expected = 403 if persona in SEES_A else 404  # the supervisor too: issuing is the admin's
    assert page.status_code == expected
    if persona == "provider_admin":
        assert posted.status_code == 302
        assert Statement.objects.count() == 1
    else:
        assert posted.status_code == expected
        assert not Statement.objects.exists()


def test_issue_through_the_form_and_read_it_split_at_the_amendment(march: March) -> None:
    http = march.http.as_("provider_admin")
    with time_machine.travel(APRIL_2, tick=False):
        form = http.get(ISSUE).content.decode()
        assert 'value="2026-03-31"' in form  # a day of last month, by default
        response = http.post(ISSUE, {"frequency": "monthly", "period": "2026-03-09"})
    statement = Statement.objects.get()
    assert response["Location"] == f"/statements/{statement.pk}/"
    assert (statement.period_start.isoformat(), statement.revision) == ("2026-03-01", 1)

    html = _flat(march.http.as_("client_a_viewer").get(response["Location"]).content.decode())
    assert "Monthly compliance statement, 2026-03-01 to 2026-03-31" in html
    assert "The agreement was amended during the period" in html
    first, second = _segment(html, 1), _segment(html, 2)
    assert "Agreement version 1" in first
    assert '2026-03-01 00:00 <span class="zone">EST</span>' in first
    assert '2026-03-16 00:00 <span class="zone">EDT</span>' in first
    assert "Agreement version 2" in second
    assert '2026-04-01 00:00 <span class="zone">EDT</span>' in second
    before = _row(first, "phone.answer_within")
    for text in ("≥ 80%", "75%", "3 / 4", "4 / 100", "Not measured", "within 20 s"):
        assert text in before, text
    after = _row(second, "phone.answer_within")
    for text in ("≥ 50%", "50%", "2 / 4", "Met", "within 30 s"):
        assert text in after, text
    assert "Reissue" not in html  # the viewer may not
    assert "first issue" in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"frequency": "monthly", "period": "2026-04-01"}, "period", "once its period has ended"),
        ({"frequency": "hourly", "period": "2026-03-01"}, "frequency", "Select a valid choice"),
        ({"frequency": "monthly", "period": "2026-13-01"}, "period", "Enter a valid date"),
        ({"frequency": "quarterly", "period": "9999-12-31"}, "period", "choose a day from"),
        ({"frequency": "weekly", "period": "0001-01-01"}, "period", "choose a day from"),
        ({"frequency": "monthly"}, "period", "This field is required"),
    ],
)
def test_issue_errors_are_shown_on_their_field(
    march: March, data: dict[str, str], field: str, message: str
) -> None:
    with time_machine.travel(APRIL_2, tick=False):
        response = march.http.as_("provider_admin").post(ISSUE, data)
    assert response.status_code == 422
    html = response.content.decode()
    block = html.split(f'for="id_{field}"')[1].split('<div class="field')[0]
    assert 'class="field-error"' in block and message in block
    assert not Statement.objects.exists()


def test_an_issued_period_is_shown_as_it_is(march: March) -> None:
    statement = _issued(march)
    with time_machine.travel(APRIL_2, tick=False):
        response = march.http.as_("provider_admin").post(
            ISSUE, {"frequency": "monthly", "period": "2026-03-31"}, follow=True
        )
    assert response.redirect_chain[-1][0] == f"/statements/{statement.pk}/"
    assert "already issued" in response.content.decode()
    assert Statement.objects.count() == 1


def test_reissue_needs_a_reason_and_keeps_the_history(march: March) -> None:
    statement = _issued(march)
    reissue = f"/statements/{statement.pk}/reissue/"
    admin = march.http.as_("provider_admin")
    assert march.http.as_("client_a_manager").get(reissue).status_code == 403
    assert march.http.as_("client_a_manager").post(reissue, {"reason": "x"}).status_code == 403
    assert march.http.as_("client_b_manager").post(reissue, {"reason": "x"}).status_code == 404
    assert admin.get(reissue).status_code == 200

    empty = admin.post(reissue, {"reason": "   "})
    assert empty.status_code == 422
    assert 'class="field-error"' in empty.content.decode()
    assert Statement.objects.count() == 1

    late_calls(march)
    done = admin.post(reissue, {"reason": "Late CDR file for 5 March"})
    replacement = Statement.objects.get(revision=2)
    assert done["Location"] == f"/statements/{replacement.pk}/"

    html = _flat(admin.get(done["Location"]).content.decode())
    assert "Late CDR file for 5 March" in html
    assert "6 / 100" in _row(_segment(html, 1), "phone.answer_within")  # the late calls count
    revisions = html.split('id="revisions"')[1]
    assert revisions.index("first issue") < revisions.index("Late CDR file")
    old = _flat(admin.get(f"/statements/{statement.pk}/").content.decode())
    assert "This revision was replaced: revision 2 is the current one." in old
    assert "4 / 100" in _row(_segment(old, 1), "phone.answer_within")  # unchanged

    again = admin.post(reissue, {"reason": "again"})
    assert again.status_code == 409
    assert "already reissued" in again.content.decode()
    assert Statement.objects.count() == 2


def test_the_list_shows_revisions_and_only_the_clients_own(march: March) -> None:
    statement = _issued(march)
    with time_machine.travel(APRIL_2, tick=False):
        statement_issue(
            actor=SYSTEM,
            client=march.world.client_b,
            day=APRIL_2.date().replace(month=3),
        )
    html = _flat(
        march.http.as_("client_a_manager").get("/clients/client-a/statements/").content.decode()
    )
    assert f'href="/statements/{statement.pk}/"' in html
    assert "2026-03-01 – 2026-03-31" in html and "Monthly" in html
    assert html.count('href="/statements/') == 1
    assert "America/New_York" in html
    b_statement = Statement.objects.get(client=march.world.client_b)
    assert (
        march.http.as_("client_a_manager").get(f"/statements/{b_statement.pk}/").status_code == 404
    )


def test_reissue_refuses_unstorable_reasons(march: March) -> None:
    """NUL or a lone surrogate in the reason: a form error (or ValidationFailed), never a 500,
    and no revision."""
    statement = _issued(march)
    reissue = f"/statements/{statement.pk}/reissue/"
    admin = march.http.as_("provider_admin")
    form_type = "application/x-www-form-urlencoded"
    nul = admin.post(reissue, b"reason=a%00b", content_type=form_type)
    assert nul.status_code == 422
    assert 'class="field-error"' in nul.content.decode()
    assert Statement.objects.count() == 1
    # The bytes of a UTF-8-encoded surrogate are not UTF-8: they arrive as U+FFFD, storable.
    assert admin.post(reissue, b"reason=%ED%A0%80", content_type=form_type).status_code == 302
    form = StatementReissueForm({"reason": "late file \ud800"})
    assert not form.is_valid()
    assert "reason" in form.errors
    latest = Statement.objects.order_by("-revision").first()
    assert latest is not None
    with pytest.raises(ValidationFailed) as failed:
        statement_reissue(actor=march.world.provider_admin.actor, statement=latest, reason="\ud800")
    assert failed.value.errors[0].path == "reason"
