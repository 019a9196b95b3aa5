"""Test helpers: queue_log files from call specs, imported through the real importer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pactline.channels.voice.importing import ImportOptions, voice_file_import
from pactline.channels.voice.models import ImportRun
from pactline.tenancy.access import system_actor
from pactline.tenancy.models import Client

SYSTEM = system_actor("test")


@dataclass(frozen=True)
class CallSpec:
    call_id: str
    entered: datetime
    outcome: str  # answered, abandoned, callback, timeout
    wait: int
    talk: int = 0
    queue: str = "support"
    agent: str = "Alice"
    caller: str = "15551230000"


def queue_log_lines(calls: list[CallSpec]) -> list[str]:
    lines: list[tuple[int, str]] = []
    for call in calls:
        t = int(call.entered.timestamp())
        head = f"{call.call_id}|{call.queue}"
        lines.append((t, f"{t}|{head}|NONE|ENTERQUEUE||{call.caller}|1"))
        end = t + call.wait
        if call.outcome == "answered":
            lines.append((end, f"{end}|{head}|{call.agent}|CONNECT|{call.wait}|{t}.9|2"))
            done = end + call.talk
            lines.append(
                (done, f"{done}|{head}|{call.agent}|COMPLETECALLER|{call.wait}|{call.talk}|1")
            )
        elif call.outcome == "abandoned":
            lines.append((end, f"{end}|{head}|NONE|ABANDON|1|1|{call.wait}"))
        elif call.outcome == "callback":
            lines.append((end, f"{end}|{head}|NONE|EXITWITHKEY|5|1|1|{call.wait}"))
        else:
            lines.append((end, f"{end}|{head}|NONE|EXITWITHTIMEOUT|1|1|{call.wait}"))
    return [line for _, line in sorted(lines, key=lambda item: item[0])]


def import_calls(
    client: Client, calls: list[CallSpec], directory: Path, name: str = "queue_log"
) -> ImportRun:
    path = directory / name
    path.write_text("\n".join(queue_log_lines(calls)) + "\n", encoding="utf-8")
    return voice_file_import(
        actor=SYSTEM,
        client=client,
        options=ImportOptions(path=path, format="queue_log", timezone="UTC"),
    )
