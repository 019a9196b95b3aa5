"""A report's content as tables, charts and words in the active language.

Every format is drawn from the same `ReportView`: HTML and PDF show each cell's `text`
(numbers and dates localized), CSV and XLSX write its `value` (numbers rounded for reading,
dates ISO). Each section is presented by its registered section (`pactline.reports.sections`),
in the order the agreement lists the report's contents. KPI definitions come from the core's
``N_`` templates, translated here."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _

from pactline.reports import content as c
from pactline.reports.formatting import ReportView, Section, channel_name, period_text, title_of
from pactline.reports.sections import registered_section
from pactline.reports.sections.presenting import Presenter


def report_view(
    content: c.ReportContent,
    *,
    generated_at: datetime | None = None,
    base_url: str | None = None,
    with_charts: bool = True,
    audit_anchor: str = "",
    case_links: bool = True,
) -> ReportView:
    """The report in the active language (callers wrap it in `translation.override`);
    `case_links` False names sample cases without linking them (a reader without cases)."""
    presenter = Presenter(
        content, base_url if base_url is not None else settings.SITE_URL, with_charts, case_links
    )
    sections = []
    for name in content.contents:
        value = content.sections.get(name)
        section = registered_section(name)
        if value is not None and section is not None:
            sections.append(section.present(value, presenter))
        elif name in content.unavailable:
            sections.append(
                Section(
                    name,
                    title_of(name),
                    notes=[_("Not available in this report: Pactline does not measure this yet.")],
                )
            )
    facts = [
        (_("Client"), content.client_name),
        (_("Period"), period_text(content)),
        (
            _("Agreement"),
            f"{content.agreement} · "
            + _("version %(versions)s") % {"versions": ", ".join(map(str, content.versions))},
        ),
        (_("Channels"), ", ".join(channel_name(code) for code in content.channels)),
        (_("Time zone"), content.timezone),
    ]
    if audit_anchor:  # the client's audit chain head when the report was generated
        facts.append((_("Audit anchor"), audit_anchor))
    generated = ""
    if generated_at is not None:
        generated = str(
            formats.date_format(generated_at.astimezone(presenter.zone), "DATETIME_FORMAT")
        )
    return ReportView(
        title=content.report_name,
        client=content.client_name,
        period=period_text(content),
        facts=facts,
        sections=sections,
        language=content.language,
        generated=generated,
    )
