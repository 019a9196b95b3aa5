"""Work the `metrics run` loop does once the rollups have caught up, registered by the apps
above metrics (reports) when Django starts: metrics imports nothing above it, and a job that
reads the rollups runs best right after they are current."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# A job returns the lines the loop prints about what it did.
Job = Callable[[], list[str]]


@dataclass(frozen=True)
class Registered:
    name: str
    every: float  # seconds between runs, at least
    job: Job


_JOBS: dict[str, Registered] = {}


def after_rollups_register(name: str, job: Job, *, every: float) -> None:
    """Run `job` from the loop at most once per `every` seconds (the same name replaces)."""
    _JOBS[name] = Registered(name, every, job)


def after_rollups_jobs() -> list[Registered]:
    return list(_JOBS.values())
