"""English message templates of agreement errors, keyed by stable error code.

Templates use ``%(name)s`` placeholders filled from ``AgreementError.params``. They are
marked with ``N_`` so the Django layer can extract and translate them:
``gettext(MESSAGES[error.code]) % error.params``.
"""

from __future__ import annotations

from collections.abc import Mapping

from pactline.core.i18n import N_

MESSAGES: dict[str, str] = {
    # Reading the document.
    "syntax": N_("invalid %(format)s: %(detail)s"),
    "encoding": N_("the document is not valid UTF-8 text"),
    "too_large": N_("the document is larger than %(limit)s bytes"),
    "too_complex": N_("the document is nested too deeply or expands too many aliases"),
    "not_a_mapping": N_("the document must be a mapping of sections"),
    "duplicate_key": N_("duplicate key"),
    # Structure and types.
    "required_section": N_("this section is required"),
    "required": N_("is required"),
    "unknown_field": N_("unknown field"),
    "type_string": N_("must be text"),
    "type_integer": N_("must be a whole number"),
    "type_number": N_("must be a number"),
    "type_boolean": N_("must be true or false"),
    "type_date": N_("must be a date (YYYY-MM-DD)"),
    "type_list": N_("must be a list"),
    "type_mapping": N_("must be a mapping"),
    "choice": N_("must be one of: %(choices)s"),
    "gt": N_("must be greater than %(limit)s"),
    "ge": N_("must be at least %(limit)s"),
    "lt": N_("must be less than %(limit)s"),
    "le": N_("must be at most %(limit)s"),
    "empty": N_("must not be empty"),
    "too_long": N_("must be at most %(limit)s characters long"),
    "min_items": N_("must have at least %(limit)s item(s)"),
    "max_items": N_("must have at most %(limit)s item(s)"),
    "decimal_places": N_("must have at most %(limit)s decimal places"),
    "digits": N_("must have at most %(limit)s digits"),
    "invalid": N_("is invalid: %(detail)s"),
    # Formats.
    "identifier": N_(
        "'%(value)s' is not a valid name: use up to 40 lowercase letters, digits, '_' and '-',"
        " starting with a letter"
    ),
    "client_code": N_(
        "'%(value)s' is not a valid client code: use 2-40 characters a-z, 0-9 and '-'"
    ),
    "email": N_("'%(value)s' is not a valid email address"),
    "phone": N_(
        "'%(value)s' is not a valid phone number: use the international format, e.g. +14155550100"
    ),
    "url": N_("'%(value)s' is not a valid http(s) URL"),
    "social_account": N_(
        "'%(value)s' is not a valid social account: use network:handle (e.g. wechat:ExampleCo) or a URL"
    ),
    "currency": N_("'%(value)s' is not a three-letter ISO 4217 currency code"),
    "country": N_("'%(value)s' is not a two-letter ISO 3166 country code"),
    "holiday_country": N_("no public-holiday data exists for country '%(value)s'"),
    "subdivision": N_("'%(value)s' is not a subdivision of %(country)s; known: %(choices)s"),
    "timezone": N_("unknown time zone '%(value)s'"),
    "language_tag": N_("'%(value)s' is not a valid language tag"),
    "service_level_ref": N_("'%(value)s' must name a service level as <channel>.<metric>"),
    # Calendars.
    "hours": N_('must be "24/7" or a mapping of weekdays (mon-sun) to time intervals'),
    "interval_format": N_("invalid time interval '%(value)s': expected HH:MM-HH:MM"),
    "interval_hour": N_("invalid time interval '%(value)s': hour must be 00-24"),
    "interval_minute": N_("invalid time interval '%(value)s': minutes must be 00-59"),
    "interval_24": N_(
        "invalid time interval '%(value)s': 24:00 is only allowed as the end of an interval"
    ),
    "interval_empty": N_("invalid time interval '%(value)s': start and end are the same time"),
    "interval_overlap": N_("time interval '%(value)s' overlaps '%(other)s'"),
    "never_open": N_("the calendar has no working hours"),
    # Rules inside a section.
    "duplicate": N_("'%(value)s' is listed more than once"),
    "exactly_one": N_("give exactly one of: %(fields)s"),
    "at_least_one": N_("give at least one of: %(fields)s"),
    "required_when": N_("is required when %(field)s is %(value)s"),
    "not_applicable": N_("does not apply when %(field)s is %(value)s"),
    "date_order": N_("must be after %(field)s (%(other)s)"),
    "not_increasing": N_("must be greater than the previous one (%(previous)s)"),
    "open_not_last": N_("only the last entry may be open-ended (%(field)s: null)"),
    "last_not_open": N_("the last entry must be open-ended (%(field)s: null)"),
    "allocation_total": N_(
        "the allocations add up to %(total)s%%, more than the pool of %(pool)s%%"
    ),
    "recipients_required": N_("is required when the level has no contact with an email address"),
    # References between sections.
    "outside_term": N_("must fall within the term (%(start)s to %(end)s)"),
    "unknown_calendar": N_("calendar '%(name)s' is not defined under calendars"),
    "channel_not_in_agreement": N_("channel '%(channel)s' is not part of this agreement"),
    "priority_not_in_agreement": N_(
        "priority '%(priority)s' is not one of the agreement's priorities: %(choices)s"
    ),
    "service_type_not_in_scope": N_(
        "service type '%(value)s' is not one of the agreement's services (scope.service_types):"
        " %(choices)s"
    ),
    "case_category_not_in_scope": N_(
        "case category '%(value)s' is not one of the agreement's case categories"
        " (scope.case_categories): %(choices)s"
    ),
    "unknown_service_level": N_("service level '%(name)s' is not defined under service_levels"),
    "not_credit_bearing": N_("service level '%(name)s' is not credit-bearing (critical: false)"),
    "unknown_metric": N_("no service level is named '%(name)s'"),
    "contact_role_not_in_agreement": N_(
        "no client contact has the role '%(role)s'; the client's contacts have: %(choices)s"
    ),
    # What Pactline can do.
    "pause_status": N_(
        "'%(value)s' is not a status a case can have while its clocks run; use one of: %(choices)s"
    ),
    "escalation_role": N_(
        "'%(value)s' is not a role that can take an escalated case; use one of: %(choices)s"
    ),
    "contact_without_email": N_(
        "no client contact with the role '%(role)s' has an email address to receive it"
    ),
    "no_contact_email": N_("no client contact has an email address to receive it"),
    "unknown_contact": N_(
        "'%(name)s' is not a contact of the provider or the client under parties; contacts:"
        " %(choices)s"
    ),
    "not_measurable": N_(
        "Pactline cannot measure %(value)s on the %(channel)s channel; measurable there:"
        " %(choices)s"
    ),
}


def format_message(code: str, params: Mapping[str, object]) -> str:
    """The English message for ``code`` with ``params`` filled in."""
    template = MESSAGES.get(code, MESSAGES["invalid"])
    try:
        return template % dict(params)
    except (KeyError, TypeError, ValueError):
        return template
