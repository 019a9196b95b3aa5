"""Facts from survey responses, at the moment the customer answered, on the case's channel,
queue, agent and priority."""

from __future__ import annotations

from collections.abc import Iterable

from pactline.cases.models import SurveyResponse
from pactline.metrics.fact_rows import FactRow, fact
from pactline.metrics.intervals import interval_of
from pactline.metrics.models import Part, Source


def survey_fact(response: SurveyResponse) -> FactRow:
    case = response.case
    csat = response.csat
    nps = response.nps
    resolved = response.resolved
    return fact(
        client_id=response.client_id,
        source=Source.SURVEY,
        source_id=response.pk,
        part=Part.SURVEY,
        at=response.responded_at,
        interval_start=interval_of(response.responded_at),
        channel=case.channel,
        queue=case.queue,
        agent=case.assignee.username if case.assignee else "",
        priority=case.priority,
        csat_responses=int(csat is not None),
        csat_top2=int(csat is not None and csat >= 4),
        csat_score_sum=csat or 0,
        nps_responses=int(nps is not None),
        nps_promoters=int(nps is not None and nps >= 9),
        nps_detractors=int(nps is not None and nps <= 6),
        fcr_survey_responses=int(resolved is not None),
        fcr_survey_yes=int(resolved is True),
    )


def survey_facts(responses: Iterable[SurveyResponse]) -> list[FactRow]:
    return [survey_fact(response) for response in responses]
