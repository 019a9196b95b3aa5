"""Files of recordings and transcripts in Django's default storage, named
`recordings/<client code>/<sha256>.<ext>` by the digest of the bytes as stored: the same content
is written once, and a file is written before the row that names it (a failed transaction leaves
at most an unreferenced file, which `recording_attach` removes)."""

from __future__ import annotations

from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from pactline.channels.recordings.models import Recording
from pactline.common.errors import NotFound

DIRECTORY = "recordings"


class RecordingFileMissing(NotFound):
    """The stored file is gone (e.g. purged); the record remains."""


def recording_path(client_code: str, digest: str, extension: str) -> str:
    return f"{DIRECTORY}/{client_code}/{digest}.{extension}"


def store(path: str, data: bytes) -> bool:
    """Write `data` at `path` unless it is there (the name is the content's digest).
    True when this call created the file."""
    if default_storage.exists(path):
        return False
    saved = default_storage.save(path, ContentFile(data))
    if saved != path:  # a concurrent writer stored the same content first
        default_storage.delete(saved)
        return False
    return True


def discard_unreferenced(path: str) -> None:
    """Remove a file this process wrote when no recording names it."""
    if not Recording.objects.filter(file=path).exists():
        default_storage.delete(path)


def open_stored(recording: Recording) -> IO[bytes]:
    """The recording's file as stored, for a caller that audits the read."""
    try:
        handle: IO[bytes] = default_storage.open(str(recording.file.name), "rb")
    except OSError:
        raise RecordingFileMissing from None
    return handle
