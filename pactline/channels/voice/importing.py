"""Streaming file imports: one pass over the file in constant memory, batches of ~2,000
records, bad lines to a reject file (`# line N: reason` then the original line, so the file
can be fixed and imported again), an `ImportRun` with the counts.

`--strict` first reads the whole file only to validate it; if any line is bad it writes
nothing to the database (the reject file and the errors say what to fix) and raises
`ImportRejected`. Otherwise each batch commits on its own; a run that stops half-way is
completed by running it again, since records are keyed naturally and re-imports change
nothing.

Outside a transaction (the command line) batches are written on a second thread with its own
connection, so parsing overlaps the database's work; at most two batches wait, so memory stays
flat. Inside one (a caller's atomic block, tests) they are written inline."""

from __future__ import annotations

import codecs
import gc
import hashlib
import json
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import IO, Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pactline.audit.services import audit_record
from pactline.channels.voice.cdr import CdrWriter
from pactline.channels.voice.cdr_formats import PARSERS, HeaderLine, LegRecord
from pactline.channels.voice.models import ImportFormat, ImportRun, ImportStatus
from pactline.channels.voice.phones import region_for_timezone
from pactline.channels.voice.queue_log import QueueLogAssembler, parse_line
from pactline.channels.voice.records import CallRecord, LineError, StateRecord
from pactline.channels.voice.writing import BatchWriter
from pactline.common.errors import FieldError, ValidationFailed
from pactline.core.redact import redact_card_data
from pactline.tenancy.access import Actor, Permission, require
from pactline.tenancy.models import Client

BATCH_SIZE = 2000
ERRORS_KEPT = 100
_SWEEP_EVERY = 8192
_PROGRESS_EVERY = 4096

Progress = Callable[[int], None]


class ImportRejected(ValidationFailed):
    """A strict import found bad lines and wrote nothing."""

    def __init__(self, errors: list[FieldError], *, rejected: int, reject_path: str) -> None:
        super().__init__(errors)
        self.rejected = rejected
        self.reject_path = reject_path


@dataclass(frozen=True)
class ImportOptions:
    path: Path
    format: str
    timezone: str = "UTC"
    strict: bool = False
    reject_path: Path | None = None
    region: str | None = None
    encoding: str = "utf-8"
    batch_size: int = BATCH_SIZE


class _Rejects:
    """The reject file (opened at the first bad line) and the first errors."""

    def __init__(self, path: Path, encoding: str = "utf-8") -> None:
        self.path = path
        self.encoding = encoding
        self.count = 0
        self.errors: list[FieldError] = []
        self._handle: IO[bytes] | None = None

    def add(self, line: int, raw: bytes, reason: str) -> None:
        self.count += 1
        if len(self.errors) < ERRORS_KEPT:
            self.errors.append(FieldError("line", reason, line))
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("wb")
        comment = _("line %(line)d: %(reason)s") % {"line": line, "reason": reason}
        self._handle.write(f"# {comment}\n".encode())
        # The line as read, less card data (decoded and re-encoded byte for byte otherwise).
        line_text = raw.decode(self.encoding, errors="surrogateescape")
        raw = redact_card_data(line_text).text.encode(self.encoding, errors="surrogateescape")
        self._handle.write(raw if raw.endswith(b"\n") else raw + b"\n")

    def close(self) -> str:
        if self._handle is None:
            return ""
        self._handle.close()
        return str(self.path)


class _Feeder(Protocol):
    @property
    def ignored(self) -> int: ...

    @property
    def parse(self) -> Callable[[str], object]: ...

    def feed(self, item: object, line: int) -> None: ...

    def finish(self) -> None: ...

    def abort(self) -> None: ...


class _Pipeline:
    """Writes batches in order on a second thread, with its own database connection, while
    the file is read: parsing and the database's work overlap. At most two batches wait, so
    memory stays flat. Runs inline inside a transaction (a caller's atomic block, tests): a
    second connection would not see that transaction's data."""

    def __init__(self, work: Callable[[Any], None]) -> None:
        self.work = work
        self.error: BaseException | None = None
        self.aborted = False
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=2)
        self.thread: threading.Thread | None = None
        if not transaction.get_connection().in_atomic_block:
            self.thread = threading.Thread(
                target=self._run, name="voice-import-writer", daemon=True
            )
            self.thread.start()

    def submit(self, payload: Any) -> None:
        if self.thread is None:
            self.work(payload)
            return
        if self.error is not None:
            self.close()
        self.queue.put(payload)

    def _run(self) -> None:
        try:
            while (payload := self.queue.get()) is not _DONE:
                if self.error is None and not self.aborted:
                    try:
                        self.work(payload)
                    except BaseException as error:  # re-raised on the reading thread by close()
                        self.error = error
        finally:
            connections.close_all()

    def close(self) -> None:
        """Wait for the writes; re-raise the writer's error, if any."""
        if self.thread is not None and self.thread.is_alive():
            self.queue.put(_DONE)
            self.thread.join()
        if self.error is not None:
            raise self.error

    def abort(self) -> None:
        """The reader failed: skip what is queued and stop the thread."""
        self.aborted = True
        if self.thread is not None and self.thread.is_alive():
            self.queue.put(_DONE)
            self.thread.join()


_DONE = object()


class _QueueLogFeeder:
    def __init__(self, zone: ZoneInfo, region: str | None, writer: BatchWriter | None, batch: int):
        self.parse: Callable[[str], object] = partial(parse_line, zone=zone)
        self.assembler = QueueLogAssembler(region=region)
        self.pipeline = _Pipeline(self._write) if writer is not None else None
        self.writer = writer
        self.batch = batch

    @property
    def ignored(self) -> int:
        return self.assembler.ignored

    def feed(self, item: object, line: int) -> None:
        assembler = self.assembler
        assembler.feed(item)  # type: ignore[arg-type]
        if not line & 255:
            if not line % _SWEEP_EVERY:
                assembler.sweep()
            if assembler.pending >= self.batch:
                self._submit()

    def _submit(self) -> None:
        assert self.pipeline is not None  # noqa: S101 - feed() is only called when writing
        self.pipeline.submit((self.assembler.take_calls(), self.assembler.take_states()))

    def _write(self, payload: tuple[list[CallRecord], list[StateRecord]]) -> None:
        assert self.writer is not None  # noqa: S101
        self.writer.flush(*payload)

    def finish(self) -> None:
        self.assembler.finish()
        self._submit()
        assert self.pipeline is not None  # noqa: S101
        self.pipeline.close()

    def abort(self) -> None:
        if self.pipeline is not None:
            self.pipeline.abort()


class _CdrFeeder:
    def __init__(
        self, fmt: str, zone: ZoneInfo, region: str | None, writer: BatchWriter | None, batch: int
    ):
        self.parse: Callable[[str], object] = partial(PARSERS[fmt], zone=zone)
        self.batch = batch
        self.legs: dict[str, LegRecord] = {}
        self.duplicates = 0
        self.ignored = 0
        self.cdr = CdrWriter(writer, region=region) if writer is not None else None
        self.pipeline = _Pipeline(self._write) if writer is not None else None

    def feed(self, item: object, line: int) -> None:
        leg: LegRecord = item  # type: ignore[assignment]
        if leg.leg_key in self.legs:
            self.duplicates += 1  # the same record twice in one batch
        self.legs[leg.leg_key] = leg
        if len(self.legs) >= self.batch:
            self._submit()

    def _submit(self) -> None:
        assert self.pipeline is not None  # noqa: S101 - feed() is only called when writing
        self.pipeline.submit((list(self.legs.values()), self.duplicates))
        self.legs, self.duplicates = {}, 0

    def _write(self, payload: tuple[list[LegRecord], int]) -> None:
        assert self.cdr is not None  # noqa: S101
        self.cdr.write(*payload)

    def finish(self) -> None:
        if self.pipeline is not None:
            if self.legs:
                self._submit()
            self.pipeline.close()

    def abort(self) -> None:
        if self.pipeline is not None:
            self.pipeline.abort()


def _records(handle: Any, fmt: str) -> Iterator[tuple[int, bytes]]:
    """Numbered records: lines, except a FreeSWITCH JSON file holding one pretty-printed
    document or an array (read whole: such files hold one or a few CDRs)."""
    if fmt == "json":
        head = handle.read(1)
        while head.isspace():
            head = handle.read(1)
        rest = handle.readline()
        first = head + rest
        if head == b"[" or not _is_json(first):
            text = first + handle.read()
            try:
                document = json.loads(text)
                items = document if isinstance(document, list) else [document]
                records = [json.dumps(item, ensure_ascii=False).encode() + b"\n" for item in items]
            except (json.JSONDecodeError, RecursionError):
                rest = text[len(first) :]
                if rest.strip() and _is_json(first):  # lines, the first of them an array
                    yield from enumerate([first, *rest.splitlines(keepends=True)], start=1)
                else:
                    yield 1, text  # the parser rejects it with the reason
                return
            yield from enumerate(records, start=1)
            return
        yield 1, first
        number = 1
        for raw in handle:
            number += 1
            yield number, raw
        return
    yield from enumerate(handle, start=1)


def _is_json(raw: bytes) -> bool:
    try:
        json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False
    except RecursionError:  # a whole value, nested too deeply: a line the parser rejects
        return True
    return True


class _Reader:
    """Reads the file once, feeding a checksum and the progress callback."""

    def __init__(self, options: ImportOptions, progress: Progress | None, offset: int = 0) -> None:
        self.options = options
        self.progress = progress
        self.offset = offset
        self.sha = hashlib.sha256()
        self.lines = 0
        self.blank = 0

    def run(self, feeder: _Feeder, rejects: _Rejects, *, write: bool) -> None:
        encoding, progress, offset = self.options.encoding, self.progress, self.offset
        parse, feed = feeder.parse, feeder.feed
        done = lines = blank = 0
        with self.options.path.open("rb") as handle, _fewer_collections():
            if self.options.format == ImportFormat.FREESWITCH_JSON:
                records: Iterable[tuple[int, bytes]] = _records(_Hashing(handle, self), "json")
            else:
                records = enumerate(_hashed(handle, self.sha), start=1)
            for line, raw in records:
                lines += 1
                done += len(raw)
                if progress is not None and not line % _PROGRESS_EVERY:
                    progress(offset + done)
                try:
                    text = raw.decode(encoding).rstrip("\r\n")
                except UnicodeDecodeError:
                    rejects.add(line, raw, _("not valid %(encoding)s") % {"encoding": encoding})
                    continue
                if not text or text[0] == "#" or text.isspace():
                    blank += 1
                    continue
                try:
                    item = parse(text)
                except HeaderLine:
                    blank += 1
                    continue
                except LineError as error:
                    rejects.add(line, raw, str(error))
                    continue
                if write:
                    feed(item, line)
            if write:
                feeder.finish()
        self.lines, self.blank = lines, blank
        if progress is not None:
            progress(offset + self.options.path.stat().st_size)


def _hashed(handle: IO[bytes], sha: Any) -> Iterator[bytes]:
    update = sha.update
    for raw in handle:
        update(raw)
        yield raw


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Parsing allocates millions of short-lived containers, freed by reference counting; at
    the default gen-0 threshold (700) the cycle collector would also walk them thousands of
    times (a third of the parse time). Raised while a file is read, then restored."""
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], 100_000), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


class _Hashing:
    """A binary file that feeds what is read into the reader's checksum."""

    def __init__(self, handle: IO[bytes], reader: _Reader) -> None:
        self.handle = handle
        self.reader = reader

    def __iter__(self) -> Iterator[bytes]:
        update = self.reader.sha.update
        for raw in self.handle:
            update(raw)
            yield raw

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.reader.sha.update(data)
        return data

    def readline(self) -> bytes:
        data = self.handle.readline()
        self.reader.sha.update(data)
        return data


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(
            [FieldError("timezone", _("unknown time zone '%(zone)s'") % {"zone": name})]
        ) from None


def _check_encoding(name: str) -> None:
    try:
        codecs.lookup(name)
    except LookupError:
        raise ValidationFailed(
            [FieldError("encoding", _("unknown text encoding '%(name)s'") % {"name": name})]
        ) from None


def _feeder(
    options: ImportOptions, zone: ZoneInfo, region: str | None, writer: BatchWriter | None
) -> _Feeder:
    if options.format == ImportFormat.QUEUE_LOG:
        return _QueueLogFeeder(zone, region, writer, options.batch_size)
    return _CdrFeeder(options.format, zone, region, writer, options.batch_size)


def _default_reject_path(client: Client, options: ImportOptions, now: datetime) -> Path:
    name = f"{now:%Y%m%dT%H%M%S}-{client.code}-{options.path.name}.rejects"
    return Path(settings.VAR_DIR) / "imports" / name


def voice_file_import(
    *,
    actor: Actor,
    client: Client,
    options: ImportOptions,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> ImportRun:
    """Import one telephony file for `client` (see the module docstring). `progress` is
    called with the bytes read so far; a strict import reads the file twice, so it counts up
    to twice the file's size."""
    require(actor, Permission.CASE_WORK, client.id)
    if options.format not in ImportFormat.values:
        raise ValidationFailed([FieldError("format", _("unknown format"))])
    zone = _zone(options.timezone)
    _check_encoding(options.encoding)
    region = options.region or region_for_timezone(options.timezone)
    now = now or timezone.now()
    rejects = _Rejects(
        options.reject_path or _default_reject_path(client, options, now), options.encoding
    )
    if options.strict:
        checker = _Reader(options, progress)
        checker.run(_feeder(options, zone, region, None), rejects, write=False)
        if rejects.count:
            path = rejects.close()
            raise ImportRejected(rejects.errors, rejected=rejects.count, reject_path=path)
    run = ImportRun.objects.create(
        client=client,
        format=options.format,
        file_name=str(options.path)[:500],
        size_bytes=options.path.stat().st_size,
        timezone=options.timezone,
        strict=options.strict,
        actor_label=actor.audit_label,
        started_at=now,
    )
    writer = BatchWriter(client.id, now=now, relaxed=True)
    reader = _Reader(options, progress, offset=run.size_bytes if options.strict else 0)
    feeder = _feeder(options, zone, region, writer)
    try:
        reader.run(feeder, rejects, write=True)
    except BaseException:
        feeder.abort()
        rejects.close()
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportStatus.FAILED, finished_at=timezone.now()
        )
        raise
    run.sha256 = reader.sha.hexdigest()
    run.lines_read = reader.lines
    run.lines_rejected = rejects.count
    run.lines_ignored = reader.blank + feeder.ignored
    run.imported = writer.counts.created
    run.updated = writer.counts.updated
    run.duplicates = writer.counts.unchanged
    run.counts = writer.counts.by_kind
    run.errors = [{"line": e.line, "message": e.message} for e in rejects.errors]
    run.reject_path = rejects.close()
    run.status = ImportStatus.FINISHED
    run.finished_at = timezone.now()
    run.save()
    audit_record(
        actor=actor,
        action="voice.file_imported",
        client_id=client.id,
        obj=run,
        payload={
            "format": run.format,
            "file": run.file_name,
            "sha256": run.sha256,
            "lines": run.lines_read,
            "rejected": run.lines_rejected,
            "created": run.imported,
            "updated": run.updated,
            "unchanged": run.duplicates,
        },
        at=run.finished_at,
    )
    return run
