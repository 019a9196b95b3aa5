"""Input types every API schema uses, so bad input is a 422 naming its field, never a 500.

- `SafeStr`: text without NUL (PostgreSQL refuses it) and without unpaired UTF-16 surrogates
  (a JSON body may spell `"\\ud800"`; such text cannot be encoded, stored or rendered).
- `Instant`: a datetime with a UTC offset inside `INSTANT_MIN` ≤ t < `INSTANT_MAX`
  (1970-01-01 to 2100-01-01 UTC), given back in UTC. `QueryInstant` also reads one without an
  offset as UTC (a query parameter typed by hand). Calendars, clocks and pages convert instants to local
  time and add days to them; an instant in year 1 or 9999 overflows there. No call, message or
  agreement Pactline serves is older than the Unix epoch or further away than 2100.
- `Day`: a calendar date inside the same window (periods, effective dates).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pydantic import AfterValidator, AwareDatetime

INSTANT_MIN = datetime(1970, 1, 1, tzinfo=UTC)
INSTANT_MAX = datetime(2100, 1, 1, tzinfo=UTC)  # exclusive
DAY_MIN = INSTANT_MIN.date()
DAY_MAX = date(2099, 12, 31)


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored as text, or None when it can."""
    if "\x00" in value:
        return _("must not contain NUL characters")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return _("must not contain an unpaired surrogate (invalid Unicode)")
    return None


def safe_text(value: str) -> str:
    problem = text_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def validate_text(value: str) -> None:
    """The same rule for a Django form field (`validators=[validate_text]`)."""
    problem = text_problem(value)
    if problem is not None:
        raise ValidationError(problem, code="text")


def bounded_instant(value: datetime) -> datetime:
    """`value` in UTC (naive read as UTC), or ValueError when it lies outside the window."""
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=UTC)
    try:
        inside = INSTANT_MIN <= value < INSTANT_MAX
        utc = value.astimezone(UTC) if inside else value
    except OverflowError:
        inside = False
    if not inside:
        raise ValueError(
            _("must lie between %(start)s and %(end)s UTC")
            % {"start": INSTANT_MIN.date().isoformat(), "end": INSTANT_MAX.date().isoformat()}
        )
    return utc


def bounded_day(value: date) -> date:
    if not DAY_MIN <= value <= DAY_MAX:
        raise ValueError(
            _("must lie between %(start)s and %(end)s")
            % {"start": DAY_MIN.isoformat(), "end": DAY_MAX.isoformat()}
        )
    return value


SafeStr = Annotated[str, AfterValidator(safe_text)]
Instant = Annotated[AwareDatetime, AfterValidator(bounded_instant)]
QueryInstant = Annotated[datetime, AfterValidator(bounded_instant)]
Day = Annotated[date, AfterValidator(bounded_day)]
