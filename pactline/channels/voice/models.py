"""Calls: imported telephony records and live call events.

Every row here is a *fact* written by ingestion. Rows that metrics and billing consume (calls
and agent states) carry a `change_seq`: a number of the client's "voice" change sequence
(`pactline.common.sequences`), drawn under a row lock that is held until the writing
transaction commits, so for one client the numbers become visible in increasing order and a
consumer that stores "the last `change_seq` I saw" and reads `change_seq > cursor ORDER BY
change_seq` never skips a row. A changed call gets a new number; its old number disappears. A
consumer therefore treats each row as "the current state of this call", replacing whatever it
derived from the call before.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pactline.common.fields import RedactedCharField, RedactedJSONField, RedactedTextField
from pactline.common.models import ClientOwned
from pactline.tenancy.models import Client


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class CallSource(models.TextChoices):
    QUEUE_LOG = "queue_log", _("Asterisk queue_log")
    CDR_ASTERISK = "cdr-asterisk", _("Asterisk CDR")
    CDR_FREESWITCH = "cdr-freeswitch", _("FreeSWITCH CDR")
    EVENTS = "events", _("Live call events")
    TWILIO = "twilio", _("Twilio status callbacks")


class Outcome(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    ANSWERED = "answered", _("Answered")
    ABANDONED = "abandoned", _("Abandoned")
    TIMEOUT = "timeout", _("Queue timeout")
    EXIT_EMPTY = "exit_empty", _("Left: no agents")
    EXIT_KEY = "exit_key", _("Left with a key")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    JOIN_EMPTY = "join_empty", _("Refused: no agents")
    FULL = "full", _("Refused: queue full")
    AGENT_DUMP = "agent_dump", _("Dropped by the agent")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    MERGED = "merged", _("Merged into another call")


class EndedBy(models.TextChoices):
    NONE = "", _("Not ended")
    CALLER = "caller", _("Caller")
    AGENT = "agent", _("Agent")
    TRANSFER = "transfer", _("Transfer")
    SYSTEM = "system", _("System")


def _client_key() -> models.ForeignKey[Client, Client]:
    """`ClientOwned.client` without its own index: on these append-heavy tables every unique
    constraint leads with `client`, so a separate index would only slow bulk imports."""
    return models.ForeignKey(
        "tenancy.Client", on_delete=models.PROTECT, related_name="+", db_index=False
    )


class Call(ClientOwned):
    """One call's visit to a queue (or one call without a queue).

    The natural key is the telephony system's call id (Asterisk `uniqueid`, FreeSWITCH `uuid`,
    Twilio `CallSid`) with `segment`: a caller that times out of one queue and is sent to
    another keeps its uniqueid, and each queue visit is a segment of its own (1, 2, …).

    Durations are whole seconds. `talk_seconds` excludes hold, so handle time is
    talk + hold + after-call work (reference §1.4).

    `contact` and `case` are set when the call is written and its caller's number is one of
    the client's contacts (`callers.link_callers`), or by hand (`services.call_link_case`)."""

    client = _client_key()
    call_id = models.CharField(_("call id"), max_length=100)
    segment = models.PositiveSmallIntegerField(_("queue visit"), default=1)
    source = models.CharField(_("source"), max_length=20, choices=CallSource.choices)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INBOUND
    )
    queue = models.CharField(_("queue"), max_length=60, blank=True)
    caller_number = models.CharField(_("caller number (E.164)"), max_length=20, blank=True)
    caller_raw = models.CharField(_("caller as received"), max_length=80, blank=True)
    caller_name = RedactedCharField(_("caller name"), max_length=100, blank=True)
    dialed_number = models.CharField(_("dialled number"), max_length=80, blank=True)
    entered_at = models.DateTimeField(_("entered"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    wait_seconds = models.PositiveIntegerField(_("wait (s)"), default=0)
    talk_seconds = models.PositiveIntegerField(_("talk (s)"), default=0)
    hold_seconds = models.PositiveIntegerField(_("hold (s)"), default=0)
    acw_seconds = models.PositiveIntegerField(_("after-call work (s)"), default=0)
    agent = models.CharField(_("agent"), max_length=100, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    disposition = models.CharField(
        _("disposition"), max_length=60, blank=True, help_text=_("the agent's wrap-up code")
    )
    ended_by = models.CharField(
        _("ended by"), max_length=10, choices=EndedBy.choices, default=EndedBy.NONE, blank=True
    )
    unanswered_rings = models.PositiveIntegerField(_("rings not answered"), default=0)
    transfer_count = models.PositiveIntegerField(_("transfers"), default=0)
    transfer_targets = models.JSONField(_("transfer targets"), default=list, blank=True)
    recording_path = models.CharField(_("recording"), max_length=300, blank=True)
    transcript = RedactedTextField(_("transcript"), blank=True)
    details = RedactedJSONField(_("source details"), default=dict, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # a partial index below: most calls have no case
    )
    contact = models.ForeignKey(
        "cases.Contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # a partial index below
        verbose_name=_("contact"),
    )
    change_seq = models.BigIntegerField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "call_id", "segment"], name="voice_call_natural_key"
            ),
            models.UniqueConstraint(fields=["client", "change_seq"], name="voice_call_change_seq"),
        ]
        indexes = [
            models.Index(fields=["client", "entered_at"], name="voice_call_entered"),
            models.Index(fields=["case"], condition=Q(case__isnull=False), name="voice_call_case"),
            models.Index(
                fields=["contact"], condition=Q(contact__isnull=False), name="voice_call_contact"
            ),
        ]
        ordering = ["client_id", "change_seq"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")

    def __str__(self) -> str:
        suffix = f"/{self.segment}" if self.segment > 1 else ""
        return f"{self.call_id}{suffix} ({self.outcome})"


class CallLeg(ClientOwned):
    """One CDR record. A call is made of legs (transfers, forks, Local channels) grouped by
    Asterisk `linkedid`, or FreeSWITCH A-leg/B-leg links. An Asterisk Local-channel leg that
    no `linkedid` ties to a call is kept without one: it duplicates the legs either side."""

    client = _client_key()
    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, null=True, blank=True, related_name="legs"
    )
    leg_key = models.CharField(_("leg key"), max_length=120)
    source = models.CharField(_("source"), max_length=20, choices=CallSource.choices)
    peer_key = models.CharField(_("other leg"), max_length=100, blank=True)
    channel = models.CharField(_("channel"), max_length=120, blank=True)
    dst_channel = models.CharField(_("destination channel"), max_length=120, blank=True)
    src = models.CharField(_("source number"), max_length=80, blank=True)
    dst = models.CharField(_("destination"), max_length=80, blank=True)
    context = models.CharField(_("context"), max_length=80, blank=True)
    caller_id = models.CharField(_("caller id"), max_length=120, blank=True)
    last_app = models.CharField(_("last application"), max_length=40, blank=True)
    last_data = RedactedCharField(_("last data"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("started"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), default=0)
    billable_seconds = models.PositiveIntegerField(_("billable (s)"), default=0)
    disposition = models.CharField(_("disposition"), max_length=40, blank=True)
    account_code = models.CharField(_("account code"), max_length=80, blank=True)
    is_local = models.BooleanField(_("Local channel"), default=False)
    variables = RedactedJSONField(_("other fields"), default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "leg_key"], name="voice_leg_natural_key")
        ]
        indexes = [models.Index(fields=["client", "peer_key"], name="voice_leg_peer")]
        ordering = ["call_id", "started_at", "id"]
        verbose_name = _("call leg")
        verbose_name_plural = _("call legs")

    def __str__(self) -> str:
        return self.leg_key


class AgentState(models.TextChoices):
    PAUSE = "pause", _("Paused")
    UNPAUSE = "unpause", _("Unpaused")
    PAUSE_ALL = "pause_all", _("Paused in every queue")
    UNPAUSE_ALL = "unpause_all", _("Unpaused in every queue")
    LOGIN = "login", _("Logged in")
    LOGOUT = "logout", _("Logged out")
    MEMBER_ADDED = "member_added", _("Added to queue")
    MEMBER_REMOVED = "member_removed", _("Removed from queue")
    PENALTY = "penalty", _("Penalty changed")
    RING_IN_USE = "ring_in_use", _("Ring-in-use changed")


class AgentStateChange(ClientOwned):
    """An agent's state from the PBX (queue_log PAUSE/UNPAUSE, logins, queue membership): the
    facts adherence, occupancy and after-call work are derived from. Append-only."""

    client = _client_key()
    agent = models.CharField(_("agent"), max_length=100)
    queue = models.CharField(_("queue"), max_length=60, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=AgentState.choices)
    at = models.DateTimeField(_("at"))
    reason = models.CharField(_("reason"), max_length=100, blank=True)
    origin = models.CharField(_("origin"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=CallSource.choices)
    change_seq = models.BigIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "agent", "queue", "state", "at"], name="voice_agent_state_key"
            ),
            models.UniqueConstraint(
                fields=["client", "change_seq"], name="voice_agent_state_change_seq"
            ),
        ]
        indexes = [models.Index(fields=["client", "at"], name="voice_agent_state_at")]
        ordering = ["client_id", "change_seq"]
        verbose_name = _("agent state change")
        verbose_name_plural = _("agent state changes")

    def __str__(self) -> str:
        return f"{self.agent} {self.state} at {self.at:%Y-%m-%d %H:%M:%S}"


class CallEvent(ClientOwned):
    """A live call event as received (JSON events API or a Twilio status callback), kept so the
    call can be re-folded from every event in sequence order whatever order they arrive in."""

    client = _client_key()
    source = models.CharField(_("source"), max_length=20, choices=CallSource.choices)
    call_id = models.CharField(_("call id"), max_length=100)
    sequence = models.BigIntegerField(_("sequence"))
    kind = models.CharField(_("event"), max_length=20)
    at = models.DateTimeField(_("at"))
    payload = RedactedJSONField(_("payload"), default=dict, blank=True)
    received_at = models.DateTimeField(_("received"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "source", "call_id", "sequence"], name="voice_event_once"
            )
        ]
        ordering = ["client_id", "call_id", "sequence"]
        verbose_name = _("call event")
        verbose_name_plural = _("call events")

    def __str__(self) -> str:
        return f"{self.call_id}#{self.sequence} {self.kind}"


class ImportFormat(models.TextChoices):
    QUEUE_LOG = "queue_log", _("Asterisk queue_log")
    ASTERISK = "asterisk", _("Asterisk CDR CSV")
    FREESWITCH_CSV = "freeswitch-csv", _("FreeSWITCH CDR CSV")
    FREESWITCH_JSON = "freeswitch-json", _("FreeSWITCH JSON CDR")


class ImportStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Failed")


class ImportRun(ClientOwned):
    """One import of one file: what was read, written, skipped and rejected."""

    format = models.CharField(_("format"), max_length=20, choices=ImportFormat.choices)
    file_name = models.CharField(_("file"), max_length=500)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size_bytes = models.BigIntegerField(_("size (bytes)"), default=0)
    timezone = models.CharField(_("time zone"), max_length=60, blank=True)
    strict = models.BooleanField(_("strict"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.RUNNING
    )
    lines_read = models.PositiveIntegerField(_("lines read"), default=0)
    lines_rejected = models.PositiveIntegerField(_("lines rejected"), default=0)
    lines_ignored = models.PositiveIntegerField(_("lines ignored"), default=0)
    imported = models.PositiveIntegerField(_("records created"), default=0)
    updated = models.PositiveIntegerField(_("records updated"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates skipped"), default=0)
    counts = models.JSONField(_("counts per record kind"), default=dict, blank=True)
    errors = RedactedJSONField(_("first errors"), default=list, blank=True)
    reject_path = models.CharField(_("reject file"), max_length=500, blank=True)
    actor_label = models.CharField(_("by"), max_length=150)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["client", "sha256"], name="voice_import_sha")]
        ordering = ["-started_at"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")

    def __str__(self) -> str:
        return f"{self.format} {self.file_name} ({self.status})"
