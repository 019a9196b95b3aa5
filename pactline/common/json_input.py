"""JSON request bodies read with limits: nesting depth, and text that can be stored.

`json.loads` recurses once per level and a body of a few kilobytes of `[` exhausts the stack;
pydantic then walks the same depth again. A body is refused (ValidationFailed naming the place)
when it is nested deeper than `MAX_DEPTH`, or when any key or string holds a NUL character or
an unpaired surrogate — so no endpoint sees such input, whatever its schema says."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.parser import Parser

from pactline.common.errors import FieldError, ValidationFailed
from pactline.common.inputs import text_problem

MAX_DEPTH = 64
MAX_REPORTED = 20


def json_loads_checked(body: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """The parsed body, or ValidationFailed naming every problem (path `body` for the whole)."""
    too_deep = _("nested more than %(n)s levels deep") % {"n": max_depth}
    try:
        data = json.loads(body)
    except RecursionError:
        raise ValidationFailed([FieldError("body", too_deep)]) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationFailed([FieldError("body", _("not JSON: %(e)s") % {"e": exc})]) from None
    problems = json_problems(data, max_depth=max_depth)
    if problems:
        raise ValidationFailed(problems)
    return data


def json_problems(data: Any, *, max_depth: int = MAX_DEPTH) -> list[FieldError]:
    """What makes parsed JSON unacceptable (too deep, text that cannot be stored), at most
    `MAX_REPORTED` problems; empty when there is none."""
    too_deep = _("nested more than %(n)s levels deep") % {"n": max_depth}
    problems = []
    for problem in _problems(data, max_depth, too_deep):
        problems.append(problem)
        if len(problems) >= MAX_REPORTED:
            break
    return problems


def _problems(data: Any, max_depth: int, too_deep: str) -> Iterator[FieldError]:
    """Walks the value without recursion: (value, path, depth) on an explicit stack."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            problem = text_problem(value)
            if problem is not None:
                yield FieldError(path or "body", problem)
            continue
        if not isinstance(value, dict | list):
            continue
        if depth >= max_depth:
            yield FieldError("body", too_deep)
            return
        if isinstance(value, list):
            items = [(item, f"{path}.{i}" if path else str(i)) for i, item in enumerate(value)]
        else:
            items = []
            for key, item in value.items():
                problem = text_problem(key) if isinstance(key, str) else None
                if problem is not None:
                    yield FieldError(path or "body", _("a key %(problem)s") % {"problem": problem})
                    continue
                items.append((item, f"{path}.{key}" if path else key))
        stack.extend((item, where, depth + 1) for item, where in reversed(items))


class CheckedJsonParser(Parser):
    """django-ninja's body parser with the limits above. ninja wraps what it raises in a 400
    HttpError; the API's handler answers the ValidationFailed it carries as a 422."""

    def parse_body(self, request: HttpRequest) -> Any:
        return json_loads_checked(request.body)
