"""Domain errors. Views and the API turn them into 404 / 403 / 409 / 422 responses."""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """Base of errors a caller can show to the user."""


class NotFound(DomainError):
    """Missing, or not the actor's to see: the two are deliberately indistinguishable."""


class Forbidden(DomainError):
    """The actor can see the object but lacks the role for this action."""


class Conflict(DomainError):
    """The request is well-formed but the object's state does not allow it."""


@dataclass(frozen=True)
class FieldError:
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line is not None else ""
        return f"{self.path}: {self.message}{where}"


class ValidationFailed(DomainError):
    """Bad input: every problem found, each naming its field (and line, for documents)."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors
