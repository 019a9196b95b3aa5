"""Words for the agreement's stable codes and numbers, in the active language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import get_language_info, gettext
from django.utils.translation import gettext_lazy as _

Labels = Mapping[str, Promise]

CHANNELS: Labels = {
    "phone": _("Phone"),
    "email": _("Email"),
    "chat": _("Chat"),
    "social": _("Social media"),
    "web": _("Web help desk"),
}
WEEKDAY_NAMES: Labels = {
    "mon": _("Monday"), "tue": _("Tuesday"), "wed": _("Wednesday"), "thu": _("Thursday"),
    "fri": _("Friday"), "sat": _("Saturday"), "sun": _("Sunday"),
}  # fmt: skip
TIERS: Labels = {
    "basic": _("Basic"),
    "standard": _("Standard"),
    "premium": _("Premium"),
    "enterprise": _("Enterprise"),
}
SERVICE_TYPES: Labels = {
    "inbound_support": _("Inbound support"), "outbound_calling": _("Outbound calling"),
    "virtual_assistance": _("Virtual assistance"), "complaint_handling": _("Complaint handling"),
    "troubleshooting": _("Troubleshooting"), "technical_support": _("Technical support"),
    "billing_inquiry": _("Billing inquiries"), "service_activation": _("Service activation"),
    "follow_up": _("Follow-ups"), "satisfaction_survey": _("Satisfaction surveys"),
    "proactive_outreach": _("Proactive outreach"),
}  # fmt: skip
CASE_CATEGORIES: Labels = {
    "inquiry": _("Inquiry"), "complaint": _("Complaint"), "support_request": _("Support request"),
    "feedback": _("Feedback"), "troubleshooting": _("Troubleshooting"),
    "technical_support": _("Technical support"), "billing_inquiry": _("Billing inquiry"),
    "service_activation": _("Service activation"), "other": _("Other"),
}  # fmt: skip
METRIC_KINDS: Labels = {
    "service_level": _("Service level"), "abandon_rate": _("Abandon rate"),
    "asa": _("Average speed of answer"), "aht": _("Average handle time"),
    "fcr": _("First-contact resolution"), "first_response": _("First response time"),
    "next_response": _("Next response time"), "periodic_update": _("Periodic update"),
    "resolution": _("Resolution time"), "csat": _("Customer satisfaction (CSAT)"),
    "nps": _("Net promoter score (NPS)"),
}  # fmt: skip
SL_VARIANTS: Labels = {
    "SL-A": _("answered within the threshold ÷ answered"),
    "SL-B": _("answered within the threshold ÷ (answered + abandoned)"),
    "SL-C": _("answered within the threshold ÷ (answered + abandoned − short abandons)"),
    "SL-D": _("(answered + abandoned within the threshold) ÷ (answered + abandoned)"),
    "SL-E": _("answered, abandoned or callback requested within the threshold ÷ queued"),
}
CLOCK_DEFINITIONS: Labels = {
    "first_response": _("from the case's creation to the first human reply"),
    "next_response": _("from the oldest unanswered customer message to the next human reply"),
    "periodic_update": _("between updates sent to the customer while the case is open"),
    "resolution": _("from the case's creation to its resolution"),
}
PERIODS: Labels = {
    "daily": _("daily"),
    "weekly": _("weekly"),
    "monthly": _("monthly"),
    "quarterly": _("quarterly"),
}
TIME_BASIS: Labels = {"business": _("business time"), "calendar": _("calendar time")}
PRICE_MODELS: Labels = {
    "per_minute": _("Per minute"), "per_call": _("Per call"), "per_hour": _("Per agent hour"),
    "per_fte": _("Per full-time agent"), "per_ticket": _("Per ticket"),
}  # fmt: skip
COUNTS: Labels = {
    "handled": _("handled call"), "offered": _("offered call"), "outbound_attempt": _("outbound attempt"),
    "resolved": _("resolved ticket"), "created": _("created ticket"),
}  # fmt: skip
BILLABLE: Labels = {"talk": _("talk"), "hold": _("hold"), "acw": _("after-call work")}
DESTINATIONS: Labels = {
    "mobile": _("Mobile numbers"),
    "international": _("International numbers"),
    "landline": _("Landlines"),
}
CREDIT_SCHEMES: Labels = {
    "allocation": _("Each missed service level credits its allocation of the amount at risk."),
    "bands": _(
        "Each miss credits the percentage of the band its shortfall falls in, times its allocation."
    ),
    "per_miss": _("Each miss credits a fixed amount."),
}
REPORT_CONTENTS: Labels = {
    "volume": _("volume"), "response_times": _("response times"), "resolution_rate": _("resolution rate"),
    "csat": _("CSAT"), "nps": _("NPS"), "common_issues": _("common issues"),
    "service_levels": _("service levels"), "abandon_rate": _("abandon rate"),
    "aht": _("average handle time"), "fcr": _("first-contact resolution"),
    "escalations": _("escalations"), "service_credits": _("service credits"),
    "qa_scores": _("QA scores"), "staffing": _("staffing"), "backlog": _("backlog"),
}  # fmt: skip
DATA_CLASSES: Labels = {
    "recordings": _("Call recordings"), "transcripts": _("Chat and call transcripts"),
    "call_records": _("Call records"), "messages": _("Messages"), "qa_evaluations": _("QA evaluations"),
    "case_records": _("Case records"), "attachments": _("Attachments"),
    "survey_responses": _("Survey responses"),
}  # fmt: skip
TRANSFER_MECHANISMS: Labels = {
    "none": _("No transfer abroad"), "adequacy": _("Adequacy decision"),
    "scc": _("Standard contractual clauses"), "cn_standard_contract": _("PRC standard contract"),
    "cac_assessment": _("CAC security assessment"), "certification": _("Certification"),
}  # fmt: skip


def label(labels: Labels, code: str) -> str:
    """The words for a stable code; an unknown code is shown as itself rather than hidden."""
    found = labels.get(code)
    return str(found) if found is not None else code


def labels_of(labels: Labels, codes: Iterable[str]) -> list[str]:
    return [label(labels, code) for code in codes]


# --- Numbers --------------------------------------------------------------------------------


def plain(value: Decimal | int) -> str:
    """A number without trailing zeros or exponent: 80.00 → "80", 0.0125 → "0.0125"."""
    return format(Decimal(value).normalize(), "f")


def percent(value: Decimal | int) -> str:
    return f"{plain(value)}%"


def money(value: Decimal, currency: str) -> str:
    """At least the two minor-unit digits, more when the rate has them (e.g. 0.0125)."""
    exact = value.normalize()
    shown = exact if -exact.as_tuple().exponent > 2 else value.quantize(Decimal("0.01"))  # type: ignore[operator]
    return f"{currency} {shown:,f}"


def duration(seconds: int) -> str:
    if seconds and seconds % 3600 == 0:
        return gettext("%(n)s h") % {"n": seconds // 3600}
    if seconds >= 3600:
        return gettext("%(h)s h %(m)s min") % {"h": seconds // 3600, "m": (seconds % 3600) // 60}
    if seconds and seconds % 60 == 0:
        return gettext("%(n)s min") % {"n": seconds // 60}
    if seconds > 60:
        return gettext("%(m)s min %(s)s s") % {"m": seconds // 60, "s": seconds % 60}
    return gettext("%(n)s s") % {"n": seconds}


def days(n: int) -> str:
    return gettext("%(n)s days") % {"n": n} if n != 1 else gettext("1 day")


def rounding(minimum: int, increment: int) -> str:
    """The usual "minimum/increment" notation, e.g. 30/6, with its meaning."""
    return gettext("%(min)s/%(inc)s (first %(min)s s, then every %(inc)s s)") % {
        "min": minimum,
        "inc": increment,
    }


def language_name(tag: str) -> str:
    try:
        return str(get_language_info(tag.lower())["name_translated"])
    except KeyError:
        return tag
