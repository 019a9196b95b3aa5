"""CDR lines to legs: Asterisk `Master.csv` (reference §3.1), FreeSWITCH `mod_cdr_csv` with the
`example` or `asterisk` template, and FreeSWITCH JSON CDRs (§3.3). Each parser validates one
record and raises `LineError` with the reason."""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from pactline.channels.voice.models import CallSource
from pactline.channels.voice.records import LineError
from pactline.common.json_input import MAX_DEPTH, json_problems

_EPOCH_MIN = 315532800  # 1980-01-01
_EPOCH_MAX = 4102444800  # 2100-01-01
_MAX_DIGITS = 9

ASTERISK_DISPOSITIONS = frozenset(
    {"ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION", "CANCEL", "UNKNOWN"}
)
_FS_EXAMPLE = (
    "caller_id_name",
    "caller_id_number",
    "destination_number",
    "context",
    "start_stamp",
    "answer_stamp",
    "end_stamp",
    "duration",
    "billsec",
    "hangup_cause",
    "uuid",
    "bleg_uuid",
    "accountcode",
    "read_codec",
    "write_codec",
)
_FS_ASTERISK = (
    "accountcode",
    "caller_id_number",
    "destination_number",
    "context",
    "caller_id",
    "channel_name",
    "bridge_channel",
    "last_app",
    "last_arg",
    "start_stamp",
    "answer_stamp",
    "end_stamp",
    "duration",
    "billsec",
    "hangup_cause",
    "amaflags",
    "uuid",
    "userfield",
)
_HEADERS = frozenset({"accountcode", "caller_id_name"})
# mod_callcenter variables kept on the leg (reference §3.3)
_CC_VARIABLES = (
    "cc_queue",
    "cc_queue_joined_epoch",
    "cc_queue_answered_epoch",
    "cc_queue_terminated_epoch",
    "cc_queue_canceled_epoch",
    "cc_agent",
    "cc_side",
    "cc_cause",
    "cc_cancel_reason",
    "cc_exit_key",
    "cc_record_filename",
    "cc_member_session_uuid",
)


class HeaderLine(Exception):
    """A CSV header row: skipped, not rejected."""


@dataclass(slots=True)
class LegRecord:
    leg_key: str
    source: str
    started_at: datetime
    parent_key: str = ""  # the call this leg belongs to, when the record says (linkedid, …)
    peer_key: str = ""  # the other leg it was bridged to (FreeSWITCH bleg_uuid)
    channel: str = ""
    dst_channel: str = ""
    src: str = ""
    dst: str = ""
    context: str = ""
    caller_id: str = ""
    last_app: str = ""
    last_data: str = ""
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    duration_seconds: int = 0
    billable_seconds: int = 0
    disposition: str = ""
    account_code: str = ""
    is_local: bool = False
    variables: dict[str, Any] = field(default_factory=dict)
    call_key: str | None = None  # resolved when the batch is written


def _csv_row(text: str) -> list[str]:
    try:
        return next(csv.reader([text], strict=True))
    except (csv.Error, StopIteration) as exc:
        raise LineError(_("not a CSV record: %(error)s") % {"error": exc}) from None


def _local(value: str, zone: ZoneInfo, column: str, *, required: bool) -> datetime | None:
    if not value:
        if required:
            raise LineError(_("%(column)s is empty") % {"column": column})
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f"):
        try:
            local = datetime.strptime(value, fmt)  # noqa: DTZ007 - made aware on the next line
        except ValueError:
            continue
        return local.replace(tzinfo=zone).astimezone(UTC)
    raise LineError(
        _("%(column)s '%(value)s' is not a time 'YYYY-MM-DD HH:MM:SS'")
        % {"column": column, "value": value[:40]}
    )


def _required(value: str, zone: ZoneInfo, column: str) -> datetime:
    moment = _local(value, zone, column, required=True)
    assert moment is not None  # noqa: S101 - required=True raises instead
    return moment


def _whole(value: str, column: str) -> int:
    if not value.isdigit() or len(value) > _MAX_DIGITS:
        raise LineError(
            _("%(column)s must be a whole number of seconds, found '%(value)s'")
            % {"column": column, "value": value[:40]}
        )
    return int(value)


def _fingerprint(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:20]


def parse_asterisk_csv(text: str, zone: ZoneInfo) -> LegRecord:
    """One Master.csv record: 16 default columns, + uniqueid, + userfield, + peeraccount,
    linkedid, sequence (21)."""
    row = _csv_row(text)
    if row and row[0] in _HEADERS:
        raise HeaderLine
    if not 16 <= len(row) <= 21 or len(row) in (19, 20):
        raise LineError(
            _("expected 16, 17, 18 or 21 columns, found %(count)d") % {"count": len(row)}
        )
    account, src, dst, dcontext, clid, channel, dst_channel, app, data = row[:9]
    start, answer, end, duration, billsec, disposition, amaflags = row[9:16]
    unique_id = row[16] if len(row) > 16 else ""
    userfield = row[17] if len(row) > 17 else ""
    linked_id, sequence = (row[19], row[20]) if len(row) == 21 else ("", "")
    if disposition not in ASTERISK_DISPOSITIONS:
        raise LineError(_("unknown disposition '%(value)s'") % {"value": disposition[:40]})
    if unique_id and sequence:
        leg_key = f"{unique_id}:{sequence}"
    elif unique_id:
        leg_key = f"{unique_id}:{_fingerprint(text)}"
    else:
        leg_key = f"sha1:{_fingerprint(text)}"
    is_local = channel.startswith("Local/")
    variables = {"amaflags": amaflags}
    if userfield:
        variables["userfield"] = userfield
    return LegRecord(
        leg_key=leg_key,
        source=CallSource.CDR_ASTERISK.value,
        # a Local-channel leg without linkedid belongs to no call we can name (deduplicated)
        parent_key=linked_id or ("" if is_local else unique_id or leg_key),
        channel=channel[:120],
        dst_channel=dst_channel[:120],
        src=src[:80],
        dst=dst[:80],
        context=dcontext[:80],
        caller_id=clid[:120],
        last_app=app[:40],
        last_data=data[:200],
        started_at=_required(start, zone, "start"),
        answered_at=_local(answer, zone, "answer", required=False),
        ended_at=_required(end, zone, "end"),
        duration_seconds=_whole(duration, "duration"),
        billable_seconds=_whole(billsec, "billsec"),
        disposition=disposition,
        account_code=account[:80],
        is_local=is_local,
        variables=variables,
    )


def parse_freeswitch_csv(text: str, zone: ZoneInfo) -> LegRecord:
    """One mod_cdr_csv record, `example` template (15 columns) or `asterisk` (18)."""
    row = _csv_row(text)
    if row and row[0] in _HEADERS:
        raise HeaderLine
    if len(row) == len(_FS_EXAMPLE):
        values = dict(zip(_FS_EXAMPLE, row, strict=True))
    elif len(row) == len(_FS_ASTERISK):
        values = dict(zip(_FS_ASTERISK, row, strict=True))
    else:
        raise LineError(
            _("expected 15 columns (example template) or 18 (asterisk template), found %(count)d")
            % {"count": len(row)}
        )
    uuid = values["uuid"]
    if not uuid:
        raise LineError(_("uuid is empty"))
    name = values.get("caller_id_name", "")
    caller_id = values.get("caller_id") or (
        f'"{name}" <{values["caller_id_number"]}>' if name else values["caller_id_number"]
    )
    variables = {
        k: values[k]
        for k in ("read_codec", "write_codec", "amaflags", "userfield")
        if values.get(k)
    }
    return LegRecord(
        leg_key=uuid[:120],
        source=CallSource.CDR_FREESWITCH.value,
        peer_key=values.get("bleg_uuid", "")[:100],
        channel=values.get("channel_name", "")[:120],
        dst_channel=values.get("bridge_channel", "")[:120],
        src=values["caller_id_number"][:80],
        dst=values["destination_number"][:80],
        context=values["context"][:80],
        caller_id=caller_id[:120],
        last_app=values.get("last_app", "")[:40],
        last_data=values.get("last_arg", "")[:200],
        started_at=_required(values["start_stamp"], zone, "start_stamp"),
        answered_at=_local(values["answer_stamp"], zone, "answer_stamp", required=False),
        ended_at=_required(values["end_stamp"], zone, "end_stamp"),
        duration_seconds=_whole(values["duration"], "duration"),
        billable_seconds=_whole(values["billsec"], "billsec"),
        disposition=values["hangup_cause"][:40],
        account_code=values["accountcode"][:80],
        variables=variables,
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return unquote(text) if "%" in text else text


def _epoch(variables: dict[str, Any], name: str) -> datetime | None:
    raw = _text(variables.get(name))
    if not raw or raw == "0":
        return None
    if not raw.isdigit() or not _EPOCH_MIN <= int(raw) < _EPOCH_MAX:
        raise LineError(
            _("variables.%(name)s must be epoch seconds, found '%(value)s'")
            % {"name": name, "value": raw[:40]}
        )
    return datetime.fromtimestamp(int(raw), UTC)


def parse_freeswitch_json(text: str, zone: ZoneInfo) -> LegRecord:
    """One JSON CDR (mod_json_cdr / mod_xml_cdr JSON): `variables` carry the timing and
    mod_callcenter values; `callflow[0].caller_profile` the numbers."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LineError(_("not JSON: %(error)s") % {"error": exc.msg}) from None
    except RecursionError:
        raise LineError(_("nested more than %(n)s levels deep") % {"n": MAX_DEPTH}) from None
    problems = json_problems(document)  # too deep for the checks below, or text not storable
    if problems:
        raise LineError(problems[0].message if problems[0].path == "body" else str(problems[0]))
    if not isinstance(document, dict) or not isinstance(document.get("variables"), dict):
        raise LineError(_("a JSON CDR is an object with a 'variables' object"))
    variables: dict[str, Any] = document["variables"]
    uuid = _text(variables.get("uuid"))
    if not uuid:
        raise LineError(_("variables.uuid is missing"))
    callflow = document.get("callflow")
    flow = callflow[0] if isinstance(callflow, list) and callflow else callflow
    profile = flow.get("caller_profile", {}) if isinstance(flow, dict) else {}
    if not isinstance(profile, dict):
        profile = {}
    channel_data = document.get("channel_data")
    direction = channel_data.get("direction", "") if isinstance(channel_data, dict) else ""
    started = _epoch(variables, "start_epoch") or _required(
        _text(variables.get("start_stamp")), zone, "variables.start_stamp"
    )
    ended = _epoch(variables, "end_epoch") or _required(
        _text(variables.get("end_stamp")), zone, "variables.end_stamp"
    )
    for name in ("duration", "billsec"):
        if variables.get(name) not in (None, ""):
            _whole(_text(variables[name]), f"variables.{name}")
    kept: dict[str, Any] = {"direction": _text(direction)}
    for name in _CC_VARIABLES:
        if variables.get(name) not in (None, ""):
            kept[name] = _text(variables[name])
    for name in ("cc_queue_joined_epoch", "cc_queue_answered_epoch", "cc_queue_canceled_epoch"):
        if name in kept:
            _epoch(kept, name)  # validates
    member_of = kept.get("cc_member_session_uuid", "") if kept.get("cc_side") == "agent" else ""
    caller_name = _text(profile.get("caller_id_name") or variables.get("caller_id_name"))
    caller_number = _text(profile.get("caller_id_number") or variables.get("caller_id_number"))
    return LegRecord(
        leg_key=uuid[:120],
        source=CallSource.CDR_FREESWITCH.value,
        parent_key=(member_of or _text(variables.get("originating_leg_uuid")))[:100],
        peer_key=_text(variables.get("bleg_uuid"))[:100],
        channel=_text(variables.get("channel_name"))[:120],
        src=caller_number[:80],
        dst=_text(profile.get("destination_number") or variables.get("destination_number"))[:80],
        context=_text(profile.get("context") or variables.get("context"))[:80],
        caller_id=(f'"{caller_name}" <{caller_number}>' if caller_name else caller_number)[:120],
        last_app=_text(variables.get("last_app"))[:40],
        last_data=_text(variables.get("last_arg"))[:200],
        started_at=started,
        answered_at=_epoch(variables, "answer_epoch"),
        ended_at=ended,
        duration_seconds=int(_text(variables.get("duration")) or 0),
        billable_seconds=int(_text(variables.get("billsec")) or 0),
        disposition=_text(variables.get("hangup_cause"))[:40],
        account_code=_text(variables.get("accountcode"))[:80],
        variables=kept,
    )


PARSERS = {
    "asterisk": parse_asterisk_csv,
    "freeswitch-csv": parse_freeswitch_csv,
    "freeswitch-json": parse_freeswitch_json,
}
