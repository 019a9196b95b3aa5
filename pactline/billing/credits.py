"""A month's service credits from its issued compliance statement (`pactline.core.credits`).

The statement's latest issued revision for the month gives each credit-bearing level
(`<channel>.<name>`) its target, value, verdict and volumes. A level measured in several parts
of the month (an amendment splits the statement) counts as missed when any part missed, with
the value of the part that fell furthest short and the volumes added up; it is met when every
measured part met. The client's forecast of a channel is compared with the largest volume of
that channel's levels.

The memo is stored per statement revision (`CreditMemo`): each line with its reason key and
params, so pages translate it; later months read the stored memos for earn-back and chronic
failure. A chronic failure is recorded once and both parties' contacts are emailed after
commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from pactline.agreements.execution import executes
from pactline.agreements.models import AgreementVersion
from pactline.audit.services import audit_record
from pactline.billing.models import ChronicFailure, CreditExclusion, CreditMemo, VolumeForecast
from pactline.billing.presentation import translated
from pactline.common.errors import FieldError, ValidationFailed
from pactline.common.inputs import text_problem
from pactline.core import credits as engine
from pactline.core.agreement.commercial import ServiceCredits
from pactline.core.credits.model import EXCLUSION_KINDS
from pactline.metrics.models import Frequency, Statement
from pactline.tenancy.access import Actor, Permission, require
from pactline.tenancy.models import Client

executes("service_credits")

logger = logging.getLogger(__name__)

# The agreement's language -> Django's language code.
LANGUAGE_CODES = {"en": "en", "zh-Hans": "zh-hans"}


def month_of(day: date) -> engine.Month:
    return engine.Month(day.year, day.month)


def _first_of(month: engine.Month) -> date:
    return date(month.year, month.month, 1)


# --- Inputs ------------------------------------------------------------------------------------


def statement_for_month(client: Client, first: date) -> Statement | None:
    """The latest issued revision of the client's monthly statement starting on `first`."""
    return (
        Statement.objects.filter(
            client=client, frequency=Frequency.MONTHLY, period_start=first, superseded_by=None
        )
        .order_by("-revision")
        .first()
    )


def _decimal(value: object) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _merged(parts: list[dict[str, Any]]) -> engine.LevelResult:
    last = parts[-1]
    reference = f"{last['channel']}.{last['name']}"
    higher = last.get("operator", ">=") == ">="
    measured = [p for p in parts if p["verdict"] != "not_measured" and p.get("value") is not None]
    volume = sum(int(p.get("volume") or 0) for p in parts)
    minimum = int(last.get("minimum_volume") or 0)
    target = _decimal(last["target"]) or Decimal(0)
    if not measured:
        return engine.LevelResult(reference, target, None, "not_measured", volume, minimum, higher)
    missed = [p for p in measured if p["verdict"] == "missed"]

    def shortfall(part: dict[str, Any]) -> Decimal:
        value, goal = Decimal(str(part["value"])), Decimal(str(part["target"]))
        return goal - value if higher else value - goal

    worst = max(missed or measured, key=shortfall)
    verdict = "missed" if missed else "met"
    value = _decimal(worst["value"])
    return engine.LevelResult(
        reference,
        _decimal(worst["target"]) or target,
        value,
        verdict,  # type: ignore[arg-type]
        volume,
        minimum,
        higher,
    )


def statement_levels(statement: Statement) -> dict[str, engine.LevelResult]:
    """Every level the statement holds, by `<channel>.<name>`, parts merged."""
    found: dict[str, list[dict[str, Any]]] = {}
    for segment in statement.content.get("segments", []):
        for result in segment.get("results", []):
            found.setdefault(f"{result['channel']}.{result['name']}", []).append(result)
    return {ref: _merged(parts) for ref, parts in found.items()}


def level_results(
    credits: ServiceCredits, statement: Statement
) -> tuple[list[engine.LevelResult], dict[str, engine.LevelResult]]:
    """The credit-bearing levels' results (a level the statement lacks is not measured), and
    every level of the statement."""
    levels = statement_levels(statement)
    if not credits.allocations:
        return list(levels.values()), levels
    results = [
        levels.get(a.service_level)
        or engine.LevelResult(a.service_level, Decimal(0), None, "not_measured", 0)
        for a in credits.allocations
    ]
    return results, levels


def exclusions_for(client: Client, first: date, known: Iterable[str]) -> list[engine.Exclusion]:
    allowed = set(known)
    rows = CreditExclusion.objects.filter(client=client, month=first, reference__in=allowed)
    return [
        engine.Exclusion(row.reference, row.kind, row.reason, row.approved_by)  # type: ignore[arg-type]
        for row in rows.order_by("reference", "kind")
    ]


def forecasts_for(
    client: Client, first: date, levels: dict[str, engine.LevelResult], known: Iterable[str]
) -> list[engine.VolumeForecast]:
    """The month's forecasts (the sum of each reference's intervals) of credit-bearing levels
    and their channels, with the actual volume from the statement (a channel's: the largest
    of its levels')."""
    wanted = set(known)
    channels = {ref.partition(".")[0] for ref in wanted}
    found = []
    sums = (
        VolumeForecast.objects.filter(client=client, month=first)
        .values("reference")
        .annotate(total=Sum("forecast"))
        .order_by("reference")
    )
    for row in sums:
        reference, forecast = row["reference"], int(row["total"])
        if reference in wanted:
            actual = levels[reference].volume if reference in levels else 0
        elif reference in channels:
            volumes = [
                level.volume for ref, level in levels.items() if ref.partition(".")[0] == reference
            ]
            actual = max(volumes, default=0)
        else:
            continue
        found.append(engine.VolumeForecast(reference, forecast, actual))
    return found


# --- The memo ----------------------------------------------------------------------------------


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, engine.Month):
        return str(value)
    if isinstance(value, int | str | bool) or value is None:
        return value
    return str(value)


def memo_content(credits: ServiceCredits, memo: engine.CreditMemo) -> dict[str, Any]:
    """The memo as stored: every line with its reason key and params (pages translate)."""
    clauses = {a.service_level: i for i, a in enumerate(credits.allocations)}
    return {
        "month": str(memo.month),
        "scheme": memo.scheme,
        "charges": _plain(memo.charges),
        "at_risk_percent": _plain(memo.at_risk_percent),
        "at_risk_amount": _plain(memo.at_risk_amount),
        "cap_percent": _plain(memo.cap_percent),
        "cap_amount": _plain(memo.cap_amount),
        "uncapped_total": _plain(memo.uncapped_total),
        "total": _plain(memo.total),
        "note": memo.note or "",
        "note_params": {k: _plain(v) for k, v in memo.note_params.items()} if memo.note else {},
        "lines": [
            {
                "reference": line.reference,
                "clause": (
                    f"service_credits.allocations[{clauses[line.reference]}]"
                    if line.reference in clauses
                    else "service_credits"
                ),
                "target": _plain(line.target),
                "value": _plain(line.value),
                "verdict": line.verdict,
                "higher_is_better": line.higher_is_better,
                "volume": line.volume,
                "minimum_volume": line.minimum_volume,
                "allocation_percent": _plain(line.allocation_percent),
                "status": line.status,
                "amount": _plain(line.amount),
                "credited": _plain(line.credited),
                "excused": line.verdict == "missed" and line.status != "credited",
                "reason": line.reason,
                "params": {k: _plain(v) for k, v in line.params.items()},
            }
            for line in memo.lines
        ],
        "earned_back": [],
    }


def describe(reason: str, params: dict[str, Any]) -> str:
    """A stored reason translated into the active language and filled in."""
    return translated(reason, params)


def _history(client: Client, before: date, credits: ServiceCredits) -> list[engine.LevelOutcome]:
    """Earlier months' outcomes from their latest memos (one memo per month: the newest)."""
    known = {a.service_level for a in credits.allocations}
    seen: set[date] = set()
    outcomes: list[engine.LevelOutcome] = []
    memos = CreditMemo.objects.filter(client=client, month__lt=before).order_by(
        "-month", "-statement__revision", "-computed_at"
    )
    for memo in memos.only("month", "content"):
        if memo.month in seen:
            continue
        seen.add(memo.month)
        for line in memo.content.get("lines", []):
            if known and line["reference"] not in known:
                continue
            outcomes.append(
                engine.LevelOutcome(
                    month_of(memo.month),
                    line["reference"],
                    line["verdict"],
                    Decimal(line["credited"]),
                    bool(line.get("excused")),
                )
            )
    return outcomes


def credit_memo_compute(
    *,
    actor: Actor,
    client: Client,
    version: AgreementVersion,
    statement: Statement,
    first: date,
    charges: Decimal,
    currency: str,
    now: datetime,
) -> CreditMemo | None:
    """Compute and store (or refresh) the month's memo from `statement`; None when the
    agreement has no service credits. Runs inside month close's transaction."""
    credits = version.terms.service_credits
    if credits is None:
        return None
    results, levels = level_results(credits, statement)
    known = [r.reference for r in results]
    month = month_of(first)
    try:
        memo = engine.compute_credits(
            credits,
            month=month,
            charges=charges,
            levels=results,
            exclusions=exclusions_for(client, first, known),
            forecasts=forecasts_for(client, first, levels, known),
        )
    except ValueError as error:
        raise ValidationFailed([FieldError("service_credits", str(error))]) from error
    content = memo_content(credits, memo)
    history = [*_history(client, first, credits), *memo.outcomes()]
    content["earned_back"] = [
        {"month": str(found.month), "amount": _plain(found.amount)}
        for found in engine.earned_back(credits, history, month)
        if found.earned_in == month
    ]
    stored = CreditMemo.objects.filter(client=client, month=first, statement=statement).first()
    if stored is None:
        stored = CreditMemo.objects.create(
            client=client,
            month=first,
            statement=statement,
            currency=currency,
            charges=charges,
            total=memo.total,
            content=content,
            computed_at=now,
        )
    elif stored.content != content or stored.charges != charges:
        stored.charges, stored.total, stored.content = charges, memo.total, content
        stored.currency, stored.computed_at = currency, now
        stored.save()
    _chronic(actor, client, version, credits, history, month, now)
    return stored


# --- Chronic failure ---------------------------------------------------------------------------


def _chronic(
    actor: Actor,
    client: Client,
    version: AgreementVersion,
    credits: ServiceCredits,
    history: list[engine.LevelOutcome],
    month: engine.Month,
    now: datetime,
) -> None:
    for finding in engine.chronic_failures(credits, history, month):
        row, created = ChronicFailure.objects.get_or_create(
            client=client,
            reference=finding.reference,
            found_in=_first_of(finding.found_in),
            defaults={
                "months": [str(m) for m in finding.months],
                "misses": finding.misses,
                "window_months": finding.window_months,
                "recorded_at": now,
            },
        )
        if created:
            audit_record(
                actor=actor,
                action="billing.chronic_failure",
                client_id=client.id,
                obj=row,
                payload={"reference": row.reference, "months": row.months},
                at=now,
            )
            transaction.on_commit(partial(chronic_failure_notify, row.pk, version.pk, now))


def chronic_failure_email(row: ChronicFailure, version: AgreementVersion) -> EmailMultiAlternatives:
    """The notice to both parties' contacts, in the agreement's language."""
    terms = version.terms
    recipients = list(
        dict.fromkeys(
            contact.email
            for party in (terms.parties.provider, terms.parties.client)
            for contact in party.contacts
            if contact.email
        )
    )
    code = LANGUAGE_CODES.get(str(terms.language), "en")
    with translation.override(code):
        context = {
            "client_name": terms.parties.client.name,
            "provider_name": terms.parties.provider.name,
            "reference": row.reference,
            "months": ", ".join(row.months),
            "misses": row.misses,
            "window_months": row.window_months,
        }
        subject = render_to_string("billing/email/chronic_subject.txt", context)
        body = render_to_string("billing/email/chronic_body.txt", context)
    return EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=body.strip() + "\n",
        to=recipients,
        headers={"Auto-Submitted": "auto-generated", "X-Pactline-Client": row.client.code},
    )


def chronic_failure_notify(row_id: int, version_id: int, now: datetime) -> None:
    """Send the notice after commit; a mail failure is logged and leaves `notified_at` empty,
    so the row shows it was not sent."""
    row = ChronicFailure.objects.select_related("client").filter(pk=row_id).first()
    version = AgreementVersion.objects.filter(pk=version_id).first()
    if row is None or version is None:
        return
    message = chronic_failure_email(row, version)
    if not message.to:
        logger.warning("no contact with an email address for chronic failure %s", row.pk)
        return
    try:
        message.send()
    except Exception:
        logger.exception("the chronic failure notice %s could not be sent", row.pk)
        return
    ChronicFailure.objects.filter(pk=row.pk).update(notified_at=now)


# --- Exclusions ---------------------------------------------------------------------------------


def month_field(month: object) -> date:
    if not isinstance(month, date) or isinstance(month, datetime) or month.day != 1:
        raise ValidationFailed([FieldError("month", _("give the first day of a month"))])
    return month


def reference_field(reference: object, *, channel_allowed: bool) -> str:
    value = reference.strip() if isinstance(reference, str) else ""
    channel, dot, metric = value.partition(".")
    ok = bool(value) and text_problem(value) is None and len(value) <= 80
    ok = ok and (
        bool(dot and channel and metric and "." not in metric) or (channel_allowed and not dot)
    )
    if not ok:
        raise ValidationFailed(
            [
                FieldError(
                    "reference", _("name a service level as channel.name, e.g. phone.answer_within")
                )
            ]
        )
    return value


def credit_exclusion_record(
    *,
    actor: Actor,
    client: Client,
    month: date,
    reference: str,
    kind: str,
    reason: str,
    approved_by: str,
    now: datetime,
) -> CreditExclusion:
    """Record that the client (`approved_by`, the person at the client who approved it)
    excluded a miss of `reference` in `month` from credits; recording the same exclusion
    again returns the stored one."""
    require(actor, Permission.BILLING_MANAGE, client.id)
    first = month_field(month)
    ref = reference_field(reference, channel_allowed=False)
    errors = []
    if kind not in EXCLUSION_KINDS:
        errors.append(
            FieldError(
                "kind", _("choose one of: %(kinds)s") % {"kinds": ", ".join(EXCLUSION_KINDS)}
            )
        )
    text = reason.strip() if isinstance(reason, str) else ""
    if not text or len(text) > 2000 or text_problem(text) is not None:
        errors.append(
            FieldError("reason", _("say why the miss is excluded (at most 2000 characters)"))
        )
    approver = approved_by.strip() if isinstance(approved_by, str) else ""
    if not approver or len(approver) > 150 or text_problem(approver) is not None:
        errors.append(
            FieldError(
                "approved_by",
                _("name the client's person who approved it (at most 150 characters)"),
            )
        )
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        row, created = CreditExclusion.objects.get_or_create(
            client=client,
            month=first,
            reference=ref,
            kind=kind,
            defaults={
                "reason": text,
                "approved_by": approver,
                "recorded_by": actor.audit_label,
                "recorded_at": now,
            },
        )
        if created:
            audit_record(
                actor=actor,
                action="billing.exclusion_recorded",
                client_id=client.id,
                obj=row,
                payload={
                    "month": first.isoformat(),
                    "reference": ref,
                    "kind": kind,
                    "reason": text,
                    "approved_by": approver,
                },
                at=now,
            )
    return row
