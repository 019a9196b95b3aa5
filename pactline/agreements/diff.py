"""What changes between two versions of an agreement, as lines a client reads.

`agreement_diff(old, new)` is pure: it compares the two documents through the same words the
version page shows (`presentation`), in the active language, and says nothing about what is
unchanged. The order follows the agreement: channels, service hours, service levels,
escalation, price, service credits, then notice periods and the other duties.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pactline.agreements.presentation.commercial import (
    CreditsView,
    PriceItemView,
    credits_view,
    pricing_view,
)
from pactline.agreements.presentation.labels import CHANNELS, METRIC_KINDS, Labels, days, label
from pactline.agreements.presentation.operations import (
    LevelView,
    ladder_view,
    policies_view,
    report_view,
)
from pactline.agreements.presentation.sections import (
    ServiceLevelView,
    service_level_view,
    term_text,
)
from pactline.core.agreement import WEEKDAYS, AgreementDocument, CalendarSpec
from pactline.core.agreement.calendar import MINUTES_PER_DAY
from pactline.core.agreement.parties import ServiceMap

WEEKDAY_SHORT: Labels = {
    "mon": _("Mon"), "tue": _("Tue"), "wed": _("Wed"), "thu": _("Thu"),
    "fri": _("Fri"), "sat": _("Sat"), "sun": _("Sun"),
}  # fmt: skip


def _changed(what: str, old: str, new: str) -> str:
    return gettext("%(what)s: %(old)s → %(new)s") % {"what": what, "old": old, "new": new}


def _none() -> str:
    return gettext("none")


def _compare(what: str, old: str, new: str) -> Iterator[str]:
    if old != new:
        yield _changed(what, old or _none(), new or _none())


def _keyed[T](
    what: Callable[[str], str],
    old: Mapping[str, T],
    new: Mapping[str, T],
    text: Callable[[T], str],
) -> Iterator[str]:
    """Entries by key: changed, then added, then removed (each in its document's order)."""
    for key, value in new.items():
        if key in old:
            yield from _compare(what(key), text(old[key]), text(value))
        else:
            yield _changed(what(key), _none(), text(value))
    for key, value in old.items():
        if key not in new:
            yield _changed(what(key), text(value), _none())


def _named(template: str, key: str, **fixed: str) -> Callable[[str], str]:
    """What an entry is called: `template` (translated) filled with `fixed` and the key."""

    def name(value: str) -> str:
        return template % {**fixed, key: value}

    return name


def _listed(what: str, old: Sequence[str], new: Sequence[str]) -> Iterator[str]:
    added = [item for item in new if item not in old]
    removed = [item for item in old if item not in new]
    if added:
        yield gettext("%(what)s added: %(items)s") % {"what": what, "items": ", ".join(added)}
    if removed:
        yield gettext("%(what)s removed: %(items)s") % {"what": what, "items": ", ".join(removed)}


# --- Channels and service hours ---------------------------------------------------------


def _clock(minutes: int) -> str:
    if minutes > MINUTES_PER_DAY:
        minutes -= MINUTES_PER_DAY
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _intervals(intervals: Sequence[tuple[int, int]]) -> str:
    return ", ".join(f"{_clock(start)}–{_clock(end)}" for start, end in intervals)


def hours_text(spec: CalendarSpec) -> str:
    """The weekly hours, consecutive days with the same hours together:
    "Mon–Fri 09:00–18:00; Sat 09:00–17:00" (or "24/7")."""
    if spec.always_open:
        return "24/7"
    weekly = spec.weekly_intervals()
    runs: list[tuple[int, int, list[tuple[int, int]]]] = []
    for day in range(7):
        if not weekly[day]:
            continue
        if runs and runs[-1][1] == day - 1 and runs[-1][2] == weekly[day]:
            runs[-1] = (runs[-1][0], day, weekly[day])
        else:
            runs.append((day, day, weekly[day]))
    parts = []
    for first, last, intervals in runs:
        days_text = label(WEEKDAY_SHORT, WEEKDAYS[first])
        if last != first:
            days_text += "–" + label(WEEKDAY_SHORT, WEEKDAYS[last])
        parts.append(f"{days_text} {_intervals(intervals)}")
    return "; ".join(parts)


def _holidays_text(spec: CalendarSpec) -> str:
    if spec.holidays is None:
        return ""
    where = spec.holidays.country
    if spec.holidays.subdivision:
        where += f"-{spec.holidays.subdivision}"
    return gettext("Public holidays of %(where)s") % {"where": where}


def _calendar_lines(what: str, old: CalendarSpec | None, new: CalendarSpec | None) -> Iterator[str]:
    if old is None or new is None:
        yield from _compare(what, hours_text(old) if old else "", hours_text(new) if new else "")
        return
    yield from _compare(what, hours_text(old), hours_text(new))
    zone = gettext("%(what)s, time zone") % {"what": what}
    yield from _compare(zone, old.timezone, new.timezone)
    yield from _compare(what, _holidays_text(old), _holidays_text(new))
    closed = gettext("%(what)s, closed dates") % {"what": what}
    yield from _listed(
        closed,
        [day.isoformat() for day in sorted(old.closed_dates())],
        [day.isoformat() for day in sorted(new.closed_dates())],
    )
    yield from _keyed(
        lambda day: f"{what}, {day}",
        {day.isoformat(): ivs for day, ivs in old.override_intervals().items()},
        {day.isoformat(): ivs for day, ivs in new.override_intervals().items()},
        lambda ivs: _intervals(ivs) or gettext("closed"),
    )


def _channel_lines(old: AgreementDocument, new: AgreementDocument) -> Iterator[str]:
    added = [kind for kind in new.channels if kind not in old.channels]
    removed = [kind for kind in old.channels if kind not in new.channels]
    for kind in added:
        yield gettext("Channel added: %(channel)s") % {"channel": label(CHANNELS, kind)}
    for kind in removed:
        yield gettext("Channel removed: %(channel)s") % {"channel": label(CHANNELS, kind)}
    for kind, channel in new.channels.items():
        before = old.channels.get(kind)
        name = label(CHANNELS, kind)
        if before is None:
            continue
        if before.enabled != channel.enabled:
            yield (
                gettext("Channel %(channel)s: served again")
                if channel.enabled
                else gettext("Channel %(channel)s: no longer served")
            ) % {"channel": name}
        addresses = gettext("%(channel)s addresses") % {"channel": name}
        yield from _listed(addresses, before.addresses, channel.addresses)


def _hours_lines(old: AgreementDocument, new: AgreementDocument) -> Iterator[str]:
    for kind, channel in new.channels.items():
        before = old.channels.get(kind)
        if before is None:
            continue
        name = label(CHANNELS, kind)
        what = gettext("Service hours, %(channel)s") % {"channel": name}
        yield from _calendar_lines(
            what, old.calendars.get(before.calendar), new.calendars.get(channel.calendar)
        )
        critical = gettext("Service hours, %(channel)s (critical)") % {"channel": name}
        yield from _calendar_lines(
            critical,
            old.calendars.get(before.critical_calendar or ""),
            new.calendars.get(channel.critical_calendar or ""),
        )


# --- Service levels -------------------------------------------------------------------------


def _level_name(channel: str, name: str, kind: str) -> str:
    """The channel and the level: the kind's words when the level is named after its kind
    ("Chat first response time"), else the agreement's own name for it."""
    metric = label(METRIC_KINDS, kind) if name == kind else name.replace("_", " ")
    if len(metric) > 1 and metric[0].isupper() and metric[1].islower():
        metric = metric[0].lower() + metric[1:]
    return gettext("%(channel)s %(metric)s") % {
        "channel": label(CHANNELS, channel),
        "metric": metric,
    }


def _level_views(doc: AgreementDocument) -> dict[str, tuple[str, ServiceLevelView]]:
    return {
        f"{channel}.{name}": (
            _level_name(channel, name, metric.kind),
            service_level_view(channel, name, metric),
        )
        for channel, metrics in doc.service_levels.items()
        for name, metric in metrics.items()
    }


def _yes_no(value: bool) -> str:
    return gettext("yes") if value else gettext("no")


def _service_level_lines(old: AgreementDocument, new: AgreementDocument) -> Iterator[str]:
    before, after = _level_views(old), _level_views(new)
    for code, (name, view) in after.items():
        if code not in before:
            yield gettext("Service level added: %(name)s, %(target)s") % {
                "name": name,
                "target": view.target,
            }
            continue
        was = before[code][1]
        yield from _compare(name, was.target, view.target)
        definition = gettext("%(name)s, definition") % {"name": name}
        yield from _compare(
            definition, f"{was.kind}: {was.definition}", f"{view.kind}: {view.definition}"
        )
        yield from _keyed(
            _named(gettext("%(name)s, priority %(priority)s"), "priority", name=name),
            dict(was.per_priority),
            dict(view.per_priority),
            str,
        )
        basis = gettext("%(name)s, measured in") % {"name": name}
        yield from _compare(basis, was.time_basis, view.time_basis)
        period = gettext("%(name)s, measurement period") % {"name": name}
        yield from _compare(period, was.period, view.period)
        credit = gettext("%(name)s, credit-bearing") % {"name": name}
        yield from _compare(credit, _yes_no(was.credit_bearing), _yes_no(view.credit_bearing))
        yield from _listed(name, was.notes, view.notes)
    for code, (name, view) in before.items():
        if code not in after:
            yield gettext("Service level removed: %(name)s, %(target)s") % {
                "name": name,
                "target": view.target,
            }


# --- Escalation and reporting ---------------------------------------------------------------


def _level_text(level: LevelView) -> str:
    text = f"{level.trigger} ({level.time_basis}): {'; '.join(level.actions)}"
    people = ", ".join(f"{contact.name} ({contact.role})" for contact in level.contacts)
    return f"{text}; {people}" if people else text


def _escalation_lines(old: AgreementDocument, new: AgreementDocument) -> Iterator[str]:
    before = {ladder.name: ladder_view(ladder) for ladder in old.escalation.ladders}
    after = {ladder.name: ladder_view(ladder) for ladder in new.escalation.ladders}
    for name, view in after.items():
        what = gettext("Escalation %(ladder)s") % {"ladder": name}
        if name not in before:
            yield gettext("Escalation ladder added: %(ladder)s (%(applies)s)") % {
                "ladder": name,
                "applies": view.applies_to,
            }
            continue
        was = before[name]
        yield from _compare(what, was.applies_to, view.applies_to)
        yield from _keyed(
            _named(gettext("%(what)s, level %(n)s"), "n", what=what),
            {str(level.level): level for level in was.levels},
            {str(level.level): level for level in view.levels},
            _level_text,
        )
    for name in before:
        if name not in after:
            yield gettext("Escalation ladder removed: %(ladder)s") % {"ladder": name}


def _reporting_lines(old: AgreementDocument, new: AgreementDocument) -> Iterator[str]:
    def text(report: Any) -> str:
        view = report_view(report, new.language)
        return f"{view.frequency}, {', '.join(view.contents)} → {', '.join(view.recipients)}"

    yield from _keyed(
        lambda name: gettext("Report %(name)s") % {"name": name},
        {report.name: report for report in old.reporting.reports},
        {report.name: report for report in new.reporting.reports},
        text,
    )


# --- Price and service credits --------------------------------------------------------------


def _price_text(item: PriceItemView) -> str:
    parts = [f"{item.rate} {item.unit}".strip()]
    if item.tiers:
        parts.append(", ".join(f"{span}: {rate}" for span, rate in item.tiers))
    if item.rounding:
        parts.append(item.rounding)
    return "; ".join(parts)


def _price_lines(old: AgreementDocument, new: AgreementDocument) -> Iterator[str]:
    before, after = pricing_view(old.pricing), pricing_view(new.pricing)
    yield from _compare(gettext("Currency"), before.currency, after.currency)
    yield from _keyed(
        lambda name: gettext("Price, %(item)s") % {"item": name},
        {item.name: item for item in before.items},
        {item.name: item for item in after.items},
        _price_text,
    )
    yield from _keyed(
        lambda name: gettext("Price, %(item)s, applies to") % {"item": name},
        {
            item.name: ", ".join(item.applies_to)
            for item in before.items
            if item.name in {i.name for i in after.items}
        },
        {
            item.name: ", ".join(item.applies_to)
            for item in after.items
            if item.name in {i.name for i in before.items}
        },
        str,
    )
    yield from _compare(gettext("Monthly minimum"), before.monthly_minimum, after.monthly_minimum)
    yield from _compare(gettext("After-hours surcharge"), before.surcharge, after.surcharge)
    yield from _keyed(
        lambda destination: (
            gettext("Diversion fee, %(destination)s") % {"destination": destination}
        ),
        {fee[0]: f"{fee[1]}, {fee[2]}" for fee in before.diversion_fees},
        {fee[0]: f"{fee[1]}, {fee[2]}" for fee in after.diversion_fees},
        str,
    )
    yield from _keyed(
        lambda name: gettext("One-time fee, %(name)s") % {"name": name},
        {fee[0]: fee[1] for fee in before.one_time_fees},
        {fee[0]: fee[1] for fee in after.one_time_fees},
        str,
    )
    yield from _compare(
        gettext("Diversion prepayment"), before.diversion_prepayment, after.diversion_prepayment
    )
    yield from _compare(
        gettext("Telecom pass-through charges"), before.pass_through, after.pass_through
    )
    yield from _compare(gettext("Tax"), before.tax, after.tax)
    yield from _compare(gettext("Payment terms"), before.payment_terms, after.payment_terms)
    yield from _compare(gettext("Late payment"), before.late_payment, after.late_payment)


def _credits_lines(old: AgreementDocument, new: AgreementDocument) -> Iterator[str]:
    before, after = credits_view(old), credits_view(new)
    if before is None and after is None:
        return
    if before is None or after is None:
        present = gettext("Service credits")
        yield _changed(
            present,
            gettext("none") if before is None else gettext("yes"),
            gettext("none") if after is None else gettext("yes"),
        )
        if after is None:
            return
        before = CreditsView("", "", "", [], [], "", "", "", "", "", [], "")
    share = gettext("%(p)s of the month's charges")
    fields: list[tuple[str, str, str]] = [
        (
            gettext("Amount at risk"),
            share % {"p": before.at_risk} if before.at_risk else "",
            share % {"p": after.at_risk},
        ),
        (gettext("Allocation pool"), before.pool, after.pool),
        (gettext("Service credits"), before.scheme, after.scheme),
        (gettext("Cap"), share % {"p": before.cap} if before.cap else "", share % {"p": after.cap}),
        (gettext("Per miss"), before.per_miss, after.per_miss),
        (gettext("Earn-back"), before.earn_back, after.earn_back),
        (gettext("Chronic failure"), before.chronic_failure, after.chronic_failure),
        (gettext("Forecast tolerance"), before.forecast_tolerance, after.forecast_tolerance),
        (gettext("Credits given"), before.applied_as, after.applied_as),
    ]
    for what, was, now in fields:
        yield from _compare(what, was, now)
    yield from _keyed(
        lambda reference: gettext("Service credit allocation, %(level)s") % {"level": reference},
        {reference: share_ for reference, _words, share_ in before.allocations},
        {reference: share_ for reference, _words, share_ in after.allocations},
        str,
    )
    yield from _keyed(
        lambda span: gettext("Service credit band, %(span)s") % {"span": span},
        dict(before.bands),
        dict(after.bands),
        str,
    )
    yield from _listed(gettext("Exclusions"), before.exclusions, after.exclusions)


# --- Notice periods and duties --------------------------------------------------------------


def _policy_lines(old: AgreementDocument, new: AgreementDocument) -> Iterator[str]:
    before, after = policies_view(old), policies_view(new)
    pairs = [
        (
            gettext("Change notice"),
            days(old.change_control.notice_days),
            days(new.change_control.notice_days),
        ),
        (
            gettext("Written acceptance required"),
            before.written_acceptance,
            after.written_acceptance,
        ),
        (
            gettext("Provider may override the client's acceptance"),
            _yes_no(old.change_control.provider_override_permitted),
            _yes_no(new.change_control.provider_override_permitted),
        ),
        (gettext("Termination notice"), before.termination_notice, after.termination_notice),
        (gettext("Transition period"), before.transition, after.transition),
        (gettext("Data return"), before.data_return, after.data_return),
        (gettext("Deletion certificate"), before.deletion_certificate, after.deletion_certificate),
        (gettext("Breach notice"), before.breach_notice, after.breach_notice),
        (gettext("Card data"), before.card_data, after.card_data),
        (gettext("Card numbers"), before.card_display, after.card_display),
        (gettext("Confidentiality"), before.confidentiality, after.confidentiality),
        (gettext("Cross-border transfer"), before.cross_border, after.cross_border),
        (gettext("On request"), before.access_on_request, after.access_on_request),
    ]
    for what, was, now in pairs:
        yield from _compare(what, was, now)
    retention = gettext("Retention, %(data)s")
    yield from _keyed(
        lambda name: retention % {"data": name},
        dict(before.retention),
        dict(after.retention),
        str,
    )
    yield from _listed(
        gettext("Sub-processors"),
        [sub.name for sub in old.data_protection.sub_processors],
        [sub.name for sub in new.data_protection.sub_processors],
    )


def _general_lines(old: AgreementDocument, new: AgreementDocument) -> Iterator[str]:
    yield from _compare(gettext("Term"), term_text(old), term_text(new))
    yield from _listed(gettext("Priorities"), old.priorities, new.priorities)
    yield from _listed(gettext("Service types"), old.scope.service_types, new.scope.service_types)
    yield from _listed(gettext("Languages"), old.scope.languages, new.scope.languages)
    yield from _service_map_lines(old, new)


def _service_map_lines(old: AgreementDocument, new: AgreementDocument) -> Iterator[str]:
    """Which service a queue, number or category bills as (none: the map is absent)."""
    empty = ServiceMap()
    before, after = old.scope.service_map or empty, new.scope.service_map or empty

    def plain(entries: Mapping[Any, str]) -> dict[str, str]:
        return {str(name): str(service) for name, service in entries.items()}

    for template, key, a, b in (
        (gettext("Service of queue %(queue)s"), "queue", before.queues, after.queues),
        (gettext("Service of calls to %(number)s"), "number", before.numbers, after.numbers),
        (
            gettext("Service of category %(category)s"),
            "category",
            before.categories,
            after.categories,
        ),
    ):
        yield from _keyed(_named(template, key), plain(a), plain(b), str)
    yield from _compare(
        gettext("Service of outbound calls"), before.outbound or "", after.outbound or ""
    )
    yield from _compare(gettext("Service otherwise"), before.default or "", after.default or "")


SECTIONS: tuple[Callable[[AgreementDocument, AgreementDocument], Iterator[str]], ...] = (
    _general_lines,
    _channel_lines,
    _hours_lines,
    _service_level_lines,
    _escalation_lines,
    _reporting_lines,
    _price_lines,
    _credits_lines,
    _policy_lines,
)


def agreement_diff(old: AgreementDocument, new: AgreementDocument) -> list[str]:
    """Every difference from `old` to `new`, one readable line each, in the active language."""
    return [line for section in SECTIONS for line in section(old, new)]
