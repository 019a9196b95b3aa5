"""Cases, their append-only timeline, and the SLA clocks pinned to the agreement version."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pactline.agreements.selectors import agreement_version_in_force
from pactline.common.crypto import EncryptedTextField, RedactedEncryptedTextField
from pactline.common.fields import RedactedCharField, RedactedJSONField, RedactedTextField
from pactline.common.models import AppendOnly, ClientOwned
from pactline.core.agreement.base import PAUSE_STATUSES


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Chat")
    SOCIAL = "social", _("Social media")
    WEB = "web", _("Web help desk")


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING_CUSTOMER = "pending_customer", _("Pending customer")
    PENDING_CLIENT = "pending_client", _("Pending client")
    ESCALATED = "escalated", _("Escalated")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


CLOSED_STATUSES = (CaseStatus.RESOLVED, CaseStatus.CLOSED)


class Contact(ClientOwned):
    """An end customer of a client. Personal fields are encrypted at rest; `ContactKey` rows
    (blind indexes of normalised phones and emails) find a contact without decrypting."""

    name = RedactedEncryptedTextField(_("name"), blank=True)
    phones = EncryptedTextField(_("phone numbers"), blank=True)  # E.164, one per line
    emails = EncryptedTextField(_("email addresses"), blank=True)  # lower case, one per line
    external_id = models.CharField(_("account id at the client"), max_length=100, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["client", "external_id"])]

    def __str__(self) -> str:
        return f"contact #{self.pk}"

    @property
    def phone_list(self) -> list[str]:
        return [line for line in (self.phones or "").splitlines() if line]

    @property
    def email_list(self) -> list[str]:
        return [line for line in (self.emails or "").splitlines() if line]


class ContactKeyKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")


class ContactKey(ClientOwned):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="keys")
    kind = models.CharField(max_length=8, choices=ContactKeyKind.choices)
    digest = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "kind", "digest"], name="contact_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} key of contact {self.contact_id}"


class Case(ClientOwned):
    agreement_version = models.ForeignKey(
        "agreements.AgreementVersion", on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    priority = models.CharField(_("priority"), max_length=40)
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices)
    category = models.CharField(_("category"), max_length=40, blank=True)
    subject = RedactedCharField(_("subject"), max_length=300, blank=True)
    queue = models.CharField(_("queue"), max_length=60, blank=True)
    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    # The agent's word at resolution: resolved on the customer's first contact? (FCR by
    # agent disposition, reference §1.6). None: not said.
    first_contact_resolution = models.BooleanField(
        _("resolved on first contact"), null=True, blank=True
    )
    updated_at = models.DateTimeField()
    last_seq = models.PositiveIntegerField(default=0)
    # Drawn from the client's "cases" change sequence on every change (see
    # `pactline.common.sequences`): metrics read changed cases by cursor.
    change_seq = models.BigIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["client", "status"]),
            models.Index(fields=["client", "change_seq"], name="case_change_seq"),
            models.Index(fields=["client", "opened_at"], name="case_opened"),
        ]
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"


class ClockMetric(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    PERIODIC_UPDATE = "periodic_update", _("Periodic update")
    RESOLUTION = "resolution", _("Resolution")


class OperationalLevel(ClientOwned):
    """An internal target (OLA) of a provider team: it runs as its own clock beside the
    client's service levels, on the channel's calendar of the pinned agreement, so a case
    shows whether the team used up its share of the client's time."""

    name = models.SlugField(_("name"), max_length=60)
    team = models.CharField(_("team"), max_length=100)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    metric = models.CharField(_("metric"), max_length=20, choices=ClockMetric.choices)
    targets = models.JSONField(_("targets in seconds per priority"), default=dict)
    pause_statuses = models.JSONField(_("pause statuses"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "name"], name="operational_level_name_unique")
        ]
        ordering = ["client_id", "name"]
        verbose_name = _("operational level (OLA)")

    def __str__(self) -> str:
        return f"{self.team}: {self.name}"

    def clean(self) -> None:
        """Like the agreement's own levels: pause on statuses a case can have, and target the
        priorities of the agreement in force for the client."""
        errors: dict[str, str] = {}
        statuses = [str(status) for status in self.pause_statuses or ()]
        unknown = [status for status in statuses if status not in PAUSE_STATUSES]
        if unknown:
            errors["pause_statuses"] = _(
                "not statuses a case can have while its clocks run: %(values)s;"
                " use any of: %(choices)s"
            ) % {"values": ", ".join(unknown), "choices": ", ".join(PAUSE_STATUSES)}
        version = (
            agreement_version_in_force(self.client, timezone.now())
            if self.client_id is not None
            else None
        )
        if version is not None and isinstance(self.targets, dict):
            priorities = version.terms.priorities
            strange = [str(key) for key in self.targets if key not in priorities]
            if strange:
                errors["targets"] = _(
                    "not priorities of the agreement in force: %(values)s; use any of: %(choices)s"
                ) % {"values": ", ".join(strange), "choices": ", ".join(priorities)}
        if errors:
            raise ValidationError(errors)


class EntryKind(models.TextChoices):
    CREATED = "created", _("Opened")
    CUSTOMER_MESSAGE = "customer_message", _("Customer message")
    AGENT_REPLY = "agent_reply", _("Agent reply")
    NOTE = "note", _("Internal note")
    STATUS_CHANGE = "status_change", _("Status changed")
    PRIORITY_CHANGE = "priority_change", _("Priority changed")
    RESOLVE = "resolve", _("Resolved")
    REOPEN = "reopen", _("Reopened")
    ASSIGNED = "assigned", _("Assigned")
    CLASSIFIED = "classified", _("Category and tags changed")


class AuthorKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    BOT = "bot", _("Bot")
    SYSTEM = "system", _("System")


class TimelineEntry(ClientOwned, AppendOnly):
    """One thing that happened to a case. Append-only: corrections are new entries.

    SLA warnings, breaches and escalations are `SlaEvent` rows, merged into the timeline when
    it is shown: the clock loop records them without locking the case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="timeline")
    seq = models.PositiveIntegerField()
    at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    author_kind = models.CharField(max_length=10, choices=AuthorKind.choices)
    actor_label = RedactedCharField(max_length=150, blank=True)
    status = models.CharField(max_length=20, blank=True)
    priority = models.CharField(max_length=40, blank=True)
    body = RedactedTextField(blank=True)
    payload = RedactedJSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "case", "seq"], name="timeline_seq_unique")
        ]
        ordering = ["case_id", "seq"]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.seq} {self.kind}"


class ClockStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")
    STOPPED = "stopped", _("Stopped")


class SlaClock(ClientOwned):
    """One cycle of one clock of a case, as last evaluated.

    `schedule` holds the clock's future events (warnings, breach, escalation levels) computed
    at the last evaluation; it stays exact until the case changes, and every change of the
    case re-evaluates in the same transaction. The clock loop therefore only pops due entries
    and never replays the case. `version` guards conditional updates."""

    # The clock loop rewrites a row at every event it fires. None of the columns it writes is
    # indexed (the due time is queued in `SlaClockDue`), so on PostgreSQL the new row version
    # stays on its page without a new entry in any index (a HOT update; the table keeps free
    # room on each page for it). The client (the unique constraint leads with it) and the
    # version (read only when a version is deleted) go without an index of their own.
    client = models.ForeignKey(
        "tenancy.Client", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clocks")
    agreement_version = models.ForeignKey(
        "agreements.AgreementVersion", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    key = models.CharField(max_length=80)
    metric = models.CharField(max_length=20)
    calendar = models.CharField(max_length=60)
    cycle = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=ClockStatus.choices)
    priority = models.CharField(max_length=40, blank=True)
    target_seconds = models.FloatField(null=True, blank=True)
    started_at = models.DateTimeField()
    consumed_seconds = models.FloatField(default=0)
    evaluated_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    next_event_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    schedule = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "case", "key", "cycle"], name="sla_clock_unique_cycle"
            )
        ]
        indexes = [
            # Metrics sweep the clocks that fell due since their last pass, per client.
            models.Index(fields=["client", "due_at"], name="sla_clock_client_due"),
        ]
        ordering = ["case_id", "key", "cycle"]

    def __str__(self) -> str:
        return f"{self.key} #{self.cycle} ({self.state})"


class SlaClockDue(models.Model):
    """The clock loop's queue: the next event of each clock that has one (its `next_event_at`),
    and nothing else. The loop takes the earliest rows and pops their clocks' schedules; a
    clock's own row then changes only in columns no index holds. A clock re-armed at the same
    moment as others has its queue row written beside theirs, so the rows that fall due
    together sit on a few pages."""

    clock = models.OneToOneField(
        SlaClock, on_delete=models.CASCADE, primary_key=True, related_name="due"
    )
    client = models.ForeignKey(
        "tenancy.Client", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["at"], name="sla_clock_due_at")]

    def __str__(self) -> str:
        return f"{self.clock_id} at {self.at:%Y-%m-%d %H:%M:%S}"


class SlaEventKind(models.TextChoices):
    WARNING = "warning", _("Warning")
    BREACH = "breach", _("Breach")
    ESCALATION = "escalation", _("Escalation")


class SlaEvent(ClientOwned):
    """A warning, breach or escalation level that fired. Unique per (client, clock, kind, level,
    cycle): whatever runs twice, it is recorded once."""

    # The unique constraint leads with the client: no index of its own (the loop inserts
    # thousands of events a second).
    client = models.ForeignKey(
        "tenancy.Client", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="events")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sla_events")
    kind = models.CharField(max_length=12, choices=SlaEventKind.choices)
    level = models.PositiveIntegerField()
    cycle = models.PositiveIntegerField()
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    suppressed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "clock", "kind", "level", "cycle"], name="sla_event_once"
            )
        ]
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.level} of {self.clock_id}"


class ActionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    WAITING = "waiting", _("Waiting for service hours")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class EscalationAction(ClientOwned):
    """One action of an escalation level that fired; unique per (client, event, action), so it
    runs once however often the event is seen. Retried with backoff until done or failed."""

    event = models.ForeignKey(SlaEvent, on_delete=models.CASCADE, related_name="actions")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalation_actions")
    action_index = models.PositiveIntegerField()
    action_type = models.CharField(max_length=30)
    spec = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    last_error = RedactedTextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "event", "action_index"], name="escalation_action_once"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="escalation_action_due")]

    def __str__(self) -> str:
        return f"{self.action_type} for event {self.event_id} ({self.status})"


class WebhookDelivery(ClientOwned):
    """The delivery log: one row per attempt to POST an escalation webhook."""

    action = models.ForeignKey(
        EscalationAction, on_delete=models.CASCADE, related_name="deliveries"
    )
    attempt = models.PositiveIntegerField()
    url = models.URLField(max_length=500)
    attempted_at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = RedactedTextField(blank=True)
    response_excerpt = RedactedTextField(blank=True)

    class Meta:
        ordering = ["action_id", "attempt"]

    def __str__(self) -> str:
        return f"{self.url} attempt {self.attempt}: {self.status_code or self.error}"


class SurveyResponse(ClientOwned):
    """A customer's answers to the after-contact survey of a case: CSAT on 1-5, the 0-10
    recommend question (NPS) and "was your issue resolved?" (survey FCR); each optional.
    `external_id` (the survey tool's response id) makes re-delivery change nothing."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="survey_responses")
    external_id = models.CharField(_("response id"), max_length=100)
    csat = models.PositiveSmallIntegerField(_("satisfaction (1-5)"), null=True, blank=True)
    nps = models.PositiveSmallIntegerField(_("likely to recommend (0-10)"), null=True, blank=True)
    resolved = models.BooleanField(_("issue resolved"), null=True, blank=True)
    comment = RedactedTextField(_("comment"), blank=True)
    responded_at = models.DateTimeField(_("responded"))
    change_seq = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "external_id"], name="survey_response_external_id"
            ),
            models.UniqueConstraint(fields=["client", "change_seq"], name="survey_change_seq"),
            models.CheckConstraint(
                condition=models.Q(csat__isnull=True) | models.Q(csat__gte=1, csat__lte=5),
                name="survey_csat_range",
            ),
            models.CheckConstraint(
                condition=models.Q(nps__isnull=True) | models.Q(nps__lte=10),
                name="survey_nps_range",
            ),
        ]
        ordering = ["client_id", "change_seq"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self) -> str:
        return f"{self.external_id} (case {self.case_id})"


class CaseLinkKind(models.TextChoices):
    RELATED = "related", _("Possibly related")


class CaseLink(ClientOwned):
    """A case that names another one it may belong to, for an agent to judge. Made when mail
    names a case (its token, or a message of its thread) but comes from someone who is not the
    case's contact: the mail opens its own case, linked to the one it named, instead of joining
    it (a stranger must never be able to add to someone else's case or receive its replies)."""

    from_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links_out")
    to_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind"), max_length=20, choices=CaseLinkKind.choices)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "from_case", "to_case", "kind"], name="case_link_unique"
            )
        ]
        ordering = ["created_at", "id"]
        verbose_name = _("case link")

    def __str__(self) -> str:
        return f"#{self.from_case_id} {self.kind} #{self.to_case_id}"


TAG_NAME_MAX = 40


class CaseTag(ClientOwned):
    """A tag of the client's list, which agents put on its cases (with the category from the
    agreement's scope). Retired rather than deleted: cases and reports keep naming it."""

    name = models.CharField(_("name"), max_length=TAG_NAME_MAX)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "name"], name="case_tag_name_unique")
        ]
        ordering = ["client_id", "name"]
        verbose_name = _("case tag")

    def __str__(self) -> str:
        return self.name
