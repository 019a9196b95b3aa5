"""Which of the agreement's service types a call, case or agent hour belongs to."""

from __future__ import annotations

from pactline.core.agreement.parties import Scope


def service_type_of(
    scope: Scope,
    *,
    channel: str,
    direction: str | None = None,
    queue: str | None = None,
    number: str | None = None,
    category: str | None = None,
) -> str | None:
    """The service type ``scope.service_map`` gives to a piece of work, or None.

    The first that applies wins: the ``queue`` it waited in, the ``number`` the customer
    dialled, the case ``category``, ``outbound`` for an outbound phone call, then ``default``.
    A queue, number or category the map does not name falls through to the next step.
    """
    service_map = scope.service_map
    if service_map is None:
        return None
    if queue and queue.strip() in service_map.queues:
        return service_map.queues[queue.strip()]
    if number:
        found = service_map.by_number(number)
        if found is not None:
            return found
    if category and category in service_map.categories:
        return service_map.categories[category]
    if channel == "phone" and direction == "outbound" and service_map.outbound is not None:
        return service_map.outbound
    return service_map.default
