"""Interval rollups of additive measures, and the facts they are summed from.

Ingestion writes contacts (calls, cases, survey responses) with a per-client `change_seq`;
the metrics consumer reads them by its own `Cursor` and turns each into `Fact` rows, one per
measured moment (a call; a case's arrival, first response, resolution and each stopped SLA
clock; a survey answer). A changed source replaces all its facts. The 15-minute rollups are
then recomputed, for the touched intervals only, as a GROUP BY over the facts, so they can
never drift from them and a rebuild is the same statement.

Intervals are 15-minute slots in UTC. Every time zone's offset is a multiple of 15 minutes
(India +05:30, Nepal +05:45, Chatham +12:45), so local intervals and local days are unions of
whole UTC slots, across DST changes too."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from pactline.common.fields import OrderedJSONField
from pactline.common.models import AppendOnly, ClientOwned, StreamCursor

# The additive measures of `pactline.core.kpi.Measures` a fact and a rollup row carry.
MEASURES = (
    "offered",
    "answered",
    "abandoned",
    "callbacks",
    "other_unanswered",
    "answered_wait_seconds",
    "abandoned_wait_seconds",
    "talk_seconds",
    "hold_seconds",
    "acw_seconds",
    "held",
    "handled",
    "first_responses",
    "first_responses_within",
    "first_response_business_seconds",
    "first_response_calendar_seconds",
    "resolutions",
    "resolutions_within",
    "resolution_business_seconds",
    "resolution_calendar_seconds",
    "fcr_contacts",
    "fcr_repeats",
    "fcr_disposition_total",
    "fcr_disposition_resolved",
    "fcr_survey_responses",
    "fcr_survey_yes",
    "csat_responses",
    "csat_top2",
    "csat_score_sum",
    "nps_responses",
    "nps_promoters",
    "nps_detractors",
    "staffed_seconds",
)

DIMENSIONS = ("interval_start", "channel", "queue", "agent", "priority")


class Source(models.TextChoices):
    CALL = "call", _("Call")
    CASE = "case", _("Case")
    SURVEY = "survey", _("Survey response")
    AGENT_STATE = "agent_state", _("Agent state")


class Part(models.TextChoices):
    CONTACT = "contact", _("Contact")
    FIRST_RESPONSE = "first_response", _("First response")
    RESOLVED = "resolved", _("Resolution")
    CLOCK = "clock", _("SLA clock")
    SURVEY = "survey", _("Survey answer")
    STAFFED = "staffed", _("Staffed time")


class WaitOutcome(models.TextChoices):
    """How a queued contact left the queue; thresholds are applied to its wait at rollup."""

    NONE = "", _("Not queued")
    ANSWERED = "answered", _("Answered")
    ABANDONED = "abandoned", _("Abandoned")
    CALLBACK = "callback", _("Callback requested")
    OTHER = "other", _("Left otherwise")


class MeasureColumns(models.Model):
    """The additive measures (`MEASURES`), as columns."""

    offered = models.BigIntegerField(default=0)
    answered = models.BigIntegerField(default=0)
    abandoned = models.BigIntegerField(default=0)
    callbacks = models.BigIntegerField(default=0)
    other_unanswered = models.BigIntegerField(default=0)
    answered_wait_seconds = models.BigIntegerField(default=0)
    abandoned_wait_seconds = models.BigIntegerField(default=0)
    talk_seconds = models.BigIntegerField(default=0)
    hold_seconds = models.BigIntegerField(default=0)
    acw_seconds = models.BigIntegerField(default=0)
    held = models.BigIntegerField(default=0)
    handled = models.BigIntegerField(default=0)
    first_responses = models.BigIntegerField(default=0)
    first_responses_within = models.BigIntegerField(default=0)
    first_response_business_seconds = models.BigIntegerField(default=0)
    first_response_calendar_seconds = models.BigIntegerField(default=0)
    resolutions = models.BigIntegerField(default=0)
    resolutions_within = models.BigIntegerField(default=0)
    resolution_business_seconds = models.BigIntegerField(default=0)
    resolution_calendar_seconds = models.BigIntegerField(default=0)
    fcr_contacts = models.BigIntegerField(default=0)
    fcr_repeats = models.BigIntegerField(default=0)
    fcr_disposition_total = models.BigIntegerField(default=0)
    fcr_disposition_resolved = models.BigIntegerField(default=0)
    fcr_survey_responses = models.BigIntegerField(default=0)
    fcr_survey_yes = models.BigIntegerField(default=0)
    csat_responses = models.BigIntegerField(default=0)
    csat_top2 = models.BigIntegerField(default=0)
    csat_score_sum = models.BigIntegerField(default=0)
    nps_responses = models.BigIntegerField(default=0)
    nps_promoters = models.BigIntegerField(default=0)
    nps_detractors = models.BigIntegerField(default=0)
    staffed_seconds = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class Dimensions(ClientOwned):
    interval_start = models.DateTimeField()
    channel = models.CharField(max_length=12)
    queue = models.CharField(max_length=60, blank=True)
    agent = models.CharField(max_length=150, blank=True)
    priority = models.CharField(max_length=40, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.channel}/{self.queue}/{self.agent} {self.interval_start:%Y-%m-%d %H:%M}"


class Totalled(models.Model):
    """`total` rows sum every queue and agent of a channel and priority (queue and agent
    blank): what service levels and reports read, a small fraction of the detail rows."""

    total = models.BooleanField(default=False)

    class Meta:
        abstract = True


class Cursor(StreamCursor):
    """How far the metrics consumer has read one client's stream of one source."""

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "stream"], name="metrics_cursor_stream")
        ]


class Fact(Dimensions, MeasureColumns):
    """One measured moment of one source contact (see the module docstring)."""

    source = models.CharField(max_length=12, choices=Source.choices)
    source_id = models.BigIntegerField()
    part = models.CharField(max_length=16, choices=Part.choices)
    at = models.DateTimeField()
    wait_outcome = models.CharField(max_length=10, choices=WaitOutcome.choices, blank=True)
    wait_seconds = models.BigIntegerField(default=0)
    clock_key = models.CharField(max_length=80, blank=True)
    clock_met = models.BooleanField(default=False)
    clock_business_seconds = models.BigIntegerField(default=0)
    clock_calendar_seconds = models.BigIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["client", "source", "source_id"], name="metrics_fact_source"),
            models.Index(fields=["client", "interval_start"], name="metrics_fact_interval"),
            models.Index(fields=["client", "source", "agent", "at"], name="metrics_fact_agent"),
        ]


class Rollup(Dimensions, Totalled, MeasureColumns):
    """Sums of the additive measures per client × channel × queue × agent × priority × 15
    minutes."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "total", *DIMENSIONS], name="metrics_rollup_dimensions"
            )
        ]
        indexes = [
            models.Index(fields=["client", "total", "interval_start"], name="metrics_rollup_time")
        ]


# The counts of `ThresholdColumns` and the sums of `ClockColumns`, as every reader names them.
WITHIN_COUNTS = ("answered", "abandoned", "removed")
CLOCK_SUMS = ("stopped", "met", "business_seconds", "calendar_seconds")


class ThresholdColumns(models.Model):
    """Queued contacts by their wait against one threshold (seconds): `answered`,
    `abandoned` and `removed` (answered, abandoned or callback) count waits at or under it,
    the one rule of `pactline.core.kpi.Within` (a short-abandon limit S is read at S - 1)."""

    threshold = models.PositiveIntegerField()
    answered = models.BigIntegerField(default=0)
    abandoned = models.BigIntegerField(default=0)
    removed = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class ClockColumns(models.Model):
    """Stopped SLA clock cycles per clock key (`<channel>.<metric>`): how many met their
    target, and the business and calendar seconds they took."""

    clock_key = models.CharField(max_length=80)
    stopped = models.BigIntegerField(default=0)
    met = models.BigIntegerField(default=0)
    business_seconds = models.BigIntegerField(default=0)
    calendar_seconds = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class ThresholdRollup(Dimensions, Totalled, ThresholdColumns):
    """`ThresholdColumns` per client × channel × queue × agent × priority × 15 minutes."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "total", *DIMENSIONS, "threshold"],
                name="metrics_threshold_dimensions",
            )
        ]
        indexes = [
            models.Index(
                fields=["client", "total", "interval_start"], name="metrics_threshold_time"
            )
        ]


class TrackedThreshold(ClientOwned):
    """A wait threshold the client's threshold rollups are kept for (see `agreement_terms`)."""

    threshold = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "threshold"], name="metrics_tracked_threshold"
            )
        ]

    def __str__(self) -> str:
        return f"{self.threshold} s"


class ClockRollup(Dimensions, Totalled, ClockColumns):
    """`ClockColumns` per client × channel × queue × agent × priority × 15 minutes."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "total", *DIMENSIONS, "clock_key"],
                name="metrics_clock_dimensions",
            )
        ]
        indexes = [
            models.Index(fields=["client", "total", "interval_start"], name="metrics_clock_time")
        ]


# --- Hour totals ------------------------------------------------------------------------------


class HourDimensions(ClientOwned):
    """The key of an hour total: one UTC hour of one channel and priority."""

    hour_start = models.DateTimeField()
    channel = models.CharField(max_length=12)
    priority = models.CharField(max_length=40, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.channel}/{self.priority} {self.hour_start:%Y-%m-%d %H:00}"


class HourRollup(HourDimensions, MeasureColumns):
    """The `total` rows of `Rollup` summed per UTC hour: four times fewer rows for a report
    whose every bound falls on an hour (a month or a week in any zone whose offsets are whole
    hours). Written with the 15-minute rows they sum, by the same recompute."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "hour_start", "channel", "priority"],
                name="metrics_hour_rollup_key",
            )
        ]


class HourThresholdRollup(HourDimensions, ThresholdColumns):
    """The `total` rows of `ThresholdRollup` summed per UTC hour."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "hour_start", "channel", "priority", "threshold"],
                name="metrics_hour_threshold_key",
            )
        ]


class HourClockRollup(HourDimensions, ClockColumns):
    """The `total` rows of `ClockRollup` summed per UTC hour."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "hour_start", "channel", "priority", "clock_key"],
                name="metrics_hour_clock_key",
            )
        ]


# --- Compliance statements -------------------------------------------------------------------


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class Statement(ClientOwned, AppendOnly):
    """A compliance statement: each service level of one period with its target, measured
    value, verdict and minimum-volume rule, measured under the agreement version(s) in force.

    Immutable once issued. A reissue is a new row with the next `revision` and a `reason`;
    the statement it replaces keeps its content and points to it by `superseded_by`."""

    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    period_start = models.DateField(_("first day"))
    period_end = models.DateField(_("last day"))
    timezone = models.CharField(_("time zone"), max_length=64)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    reason = models.TextField(_("reason for reissue"), blank=True)
    content = OrderedJSONField()
    content_hash = models.CharField(max_length=64)
    met = models.PositiveIntegerField(default=0)
    missed = models.PositiveIntegerField(default=0)
    not_measured = models.PositiveIntegerField(default=0)
    issued_at = models.DateTimeField(_("issued"))
    issued_by = models.CharField(_("issued by"), max_length=150)
    # Unique with the client (a statement is replaced once), not on its own: see Meta.
    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="supersedes"
    )
    # The client's audit chain head when issued (pactline.audit): the anchor `pactline audit
    # verify --anchor` checks the log against. Empty on documents issued before anchors.
    audit_sequence = models.PositiveBigIntegerField(null=True, blank=True)
    audit_mac = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "frequency", "period_start", "revision"],
                name="metrics_statement_revision",
            ),
            models.UniqueConstraint(
                fields=["client", "superseded_by"], name="metrics_statement_superseded_once"
            ),
        ]
        indexes = [
            models.Index(fields=["client", "-period_start"], name="metrics_statement_recent")
        ]
        ordering = ["-period_start", "-revision"]
        verbose_name = _("compliance statement")
        verbose_name_plural = _("compliance statements")

    def __str__(self) -> str:
        return f"{self.frequency} {self.period_start}..{self.period_end} r{self.revision}"

    @property
    def audit_anchor(self) -> str:
        """`CLIENT:SEQUENCE:MAC`, as `pactline audit verify --anchor` takes it."""
        if self.audit_sequence is None:
            return ""
        return f"{self.client_id}:{self.audit_sequence}:{self.audit_mac}"
