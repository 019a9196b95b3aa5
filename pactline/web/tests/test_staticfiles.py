"""Static files are compressed once: a start of `pactline serve` re-compresses only what
changed since the last."""

from __future__ import annotations

import os
from pathlib import Path

from pactline.web.staticfiles import IncrementalCompressedStaticFiles

STYLE = "body { color: #123456; margin: 0 auto; }\n" * 400  # worth compressing


def _compressed(storage: IncrementalCompressedStaticFiles, names: list[str]) -> list[str]:
    paths = {name: (storage, name) for name in names}
    return sorted(compressed for _path, compressed, _done in storage.post_process(paths))


def test_only_new_or_changed_files_are_compressed(tmp_path: Path) -> None:
    (tmp_path / "app.css").write_text(STYLE)
    (tmp_path / "other.css").write_text(STYLE.replace("auto", "1em"))
    storage = IncrementalCompressedStaticFiles(location=str(tmp_path))

    assert _compressed(storage, ["app.css", "other.css"]) == [
        "app.css.br",
        "app.css.gz",
        "other.css.br",
        "other.css.gz",
    ]
    assert _compressed(storage, ["app.css", "other.css"]) == []

    # A newer copy of one file (as collectstatic writes it) is compressed again, alone.
    changed = tmp_path / "app.css"
    changed.write_text(STYLE + "p { margin: 0; }\n")
    later = (tmp_path / "app.css.gz").stat().st_mtime + 5
    os.utime(changed, (later, later))
    assert _compressed(storage, ["app.css", "other.css"]) == ["app.css.br", "app.css.gz"]

    # A compressed copy that went missing is written again.
    (tmp_path / "other.css.br").unlink()
    assert _compressed(storage, ["app.css", "other.css"]) == ["other.css.br", "other.css.gz"]
