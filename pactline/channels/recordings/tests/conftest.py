from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django.fixtures import Settings


@pytest.fixture(autouse=True)
def media_root(settings: Settings, tmp_path: Path) -> Path:
    """Every test stores files under its own temporary MEDIA_ROOT."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root
