"""Static files for `pactline serve`, which collects them at every start."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from whitenoise.storage import CompressedStaticFilesStorage

COMPRESSED_SUFFIXES = (".gz", ".br")


class IncrementalCompressedStaticFiles(CompressedStaticFilesStorage):  # type: ignore[misc]
    """Whitenoise's compressed storage, compressing only the files whose compressed copies are
    missing or older than the file: re-compressing every file (the API docs' bundles and source
    maps take seconds with Brotli) made each start of `pactline serve` slow."""

    def post_process(
        self, paths: dict[str, Any], dry_run: bool = False, **options: Any
    ) -> Iterator[Any]:
        changed = {path: found for path, found in paths.items() if self._stale(path)}
        yield from super().post_process(changed, dry_run=dry_run, **options)

    def _stale(self, path: str) -> bool:
        source = Path(self.path(path))
        if not source.exists():
            return True
        written = source.stat().st_mtime
        for suffix in COMPRESSED_SUFFIXES:
            compressed = source.with_name(source.name + suffix)
            # A file not worth compressing has no copy; it is small, so trying again is cheap.
            if not compressed.exists() or compressed.stat().st_mtime < written:
                return True
        return False
