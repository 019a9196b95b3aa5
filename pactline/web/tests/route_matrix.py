"""The authorization matrix, generated: every route of the URL configuration and every
operation of the OpenAPI document × every persona, with the route's parameters filled by real
objects of one client (the demo's). What is expected comes from `route_rules`; a route nobody
declared is a failure naming it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Model
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver

from pactline.agreements.models import Agreement, AgreementVersion
from pactline.audit.models import AuditEvent
from pactline.billing.models import (
    CreditExclusion,
    DiversionEntry,
    Invoice,
    InvoiceLine,
    Payment,
    UsageRecord,
    VolumeForecast,
)
from pactline.cases.models import Case, TimelineEntry
from pactline.channels.chat.models import ChatMessage, ChatSession
from pactline.channels.email.models import EmailAttachment, EmailMessage
from pactline.channels.outbound.models import CallListEntry, Campaign
from pactline.channels.recordings.models import Recording
from pactline.channels.social.models import SocialMessage
from pactline.channels.voice.models import Call
from pactline.knowledge.models import KnowledgeArticle, KnowledgeAttachment
from pactline.metrics.models import Statement
from pactline.privacy.models import MaterialRequest
from pactline.reports.models import GeneratedReport
from pactline.tenancy.models import ApiToken, Client, Membership, Role
from pactline.web.tests.route_rules import API, PAGES, Rule

DEFAULT_CLIENT = "kestrel-energy"
OTHER_CLIENT = {"huaxin-home": "kestrel-energy"}  # else huaxin-home
GLOBAL = {"admin": "admin", "supervisor": "supervisor", "qa": "qa", "billing": "billing"}
_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>|\{(?P<api>[^}]+)\}")

# Parameter name → the model whose first row (by id) fills it; per-route exceptions below.
MODELS: dict[str, type[Model]] = {
    "case_id": Case,
    "version_id": AgreementVersion,
    "agreement_id": Agreement,
    "token_id": ApiToken,
    "session_id": ChatSession,
    "message_id": EmailMessage,
    "attachment_id": EmailAttachment,
    "campaign_id": Campaign,
    "entry_id": CallListEntry,
    "article_id": KnowledgeArticle,
    "request_id": MaterialRequest,
    "recording_id": Recording,
    "statement_id": Statement,
    "report_id": GeneratedReport,
    "call_pk": Call,
    "invoice_id": Invoice,
    "line_id": InvoiceLine,
}
ROUTE_MODELS: dict[tuple[str, str], type[Model]] = {
    ("knowledge:attachment", "attachment_id"): KnowledgeAttachment,
    ("POST /api/v1/social/{client_code}/outbox/{message_id}/ack", "message_id"): SocialMessage,
}
FORMATS = {"agreements:version-export": "yaml"}
# Rows a route's parameter may take: an issued document (a draft is the provider's alone, so
# the client's users would rightly not find it).
ROW_FILTERS: dict[type[Model], dict[str, str]] = {
    Invoice: {"status": "issued"},
    InvoiceLine: {"invoice__status": "issued"},
}


@dataclass(frozen=True)
class Route:
    key: str  # URL name, or "METHOD /path" for the API
    template: str  # with <conv:name> or {name} placeholders
    api: bool
    method: str  # "get", "post", or "" (pages: found out by asking)


@dataclass(frozen=True)
class Outcome:
    route: str
    persona: str
    method: str
    url: str
    status: int
    expected: str

    def __str__(self) -> str:
        return (
            f"{self.route}: {self.persona} {self.method.upper()} {self.url} -> {self.status}, "
            f"expected {self.expected}"
        )


def page_routes() -> Iterator[Route]:
    """Every named page route except the API (checked from its document) and the admin's
    object pages (the admin is checked by its index and change lists)."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[Route]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
                yield Route(name, prefix + str(pattern.pattern), api=False, method="")

    for route in walk(get_resolver().url_patterns, "/", ""):
        if route.template.startswith("/api/"):
            continue
        yield route


def api_routes(http: HttpClient) -> Iterator[Route]:
    document = http.get("/api/v1/openapi.json").json()
    for path, operations in document["paths"].items():
        for method in operations:
            yield Route(f"{method.upper()} {path}", path, api=True, method=method)


def personas(client: Client) -> dict[str, User]:
    """The matrix's users for `client`: its demo agent, a manager and a viewer made for the
    matrix, the provider-wide demo users, and another client's manager."""
    users = get_user_model().objects
    found: dict[str, User] = {key: users.get(username=name) for key, name in GLOBAL.items()}
    agent = Membership.objects.filter(client=client, role=Role.AGENT).select_related("user")
    found["agent"] = agent.earliest("id").user
    for role, key in ((Role.CLIENT_MANAGER, "manager"), (Role.CLIENT_VIEWER, "viewer")):
        found[key] = member(client, role, key)
    other = Client.objects.get(code=OTHER_CLIENT.get(client.code, "huaxin-home"))
    found["other"] = member(other, Role.CLIENT_MANAGER, "manager")
    return found


def member(client: Client, role: Role, key: str) -> User:
    user, _created = get_user_model().objects.get_or_create(username=f"matrix-{key}-{client.code}")
    Membership.objects.get_or_create(user=user, client=client, role=role)
    return user


def fill(route: Route) -> tuple[str, Client] | str:
    """The route's address with real ids, and the client they belong to; or why not."""
    client: Client | None = None
    values: dict[str, str] = {}
    for match in _PARAM.finditer(route.template):
        name = match.group("name") or match.group("api")
        if name in ("code", "client_code"):
            continue
        if name == "fmt":
            values[name] = FORMATS.get(route.key, "csv")
            continue
        model = ROUTE_MODELS.get((route.key, name)) or MODELS.get(name)
        if model is None:
            return f"no rule fills the parameter {name!r} (add it to MODELS in route_matrix)"
        rows = model._default_manager.filter(**ROW_FILTERS.get(model, {})).order_by("id")
        if client is not None:
            rows = rows.filter(client=client)
        row = rows.first()
        if row is None:
            return f"the demo has no {model.__name__} to fill {name!r}"
        values[name] = str(row.pk)
        client = row.client  # type: ignore[attr-defined]
    client = client or Client.objects.get(code=DEFAULT_CLIENT)
    values["code"] = values["client_code"] = client.code

    def value(match: re.Match[str]) -> str:
        return values[match.group("name") or match.group("api")]

    return _PARAM.sub(value, route.template), client


def state() -> tuple[int, ...]:
    """What a write would change, counted cheaply."""
    return (
        AuditEvent.objects.count(),
        TimelineEntry.objects.count(),
        ChatMessage.objects.count(),
        MaterialRequest.objects.count(),
        ApiToken.objects.filter(revoked_at__isnull=True).count(),
        AgreementVersion.objects.filter(status="active").count(),
        Statement.objects.count(),
        GeneratedReport.objects.count(),
        KnowledgeArticle.objects.count(),
        Invoice.objects.filter(status="issued").count(),
        Invoice.objects.count(),
        Payment.objects.count(),
        DiversionEntry.objects.count(),
        CreditExclusion.objects.count(),
        VolumeForecast.objects.count(),
        UsageRecord.objects.count(),
    )


def _send(http: HttpClient, method: str, url: str, api: bool) -> int:
    if method == "get":
        return http.get(url).status_code
    if api:
        return http.post(url, data="{}", content_type="application/json").status_code
    return http.post(url, {}).status_code


@dataclass(frozen=True)
class Checked:
    failures: list[Outcome]
    allowed_write: Callable[[], Outcome | None] | None  # done after every route's other checks


def check(route: Route, rule: Rule, url: str, users: dict[str, User]) -> Checked:
    """The route as anonymous, another client's user, the same client's users without the
    role (GET and POST; a denied POST changes nothing), and the allowed role. The allowed
    role's write is returned to be done last, so it cannot change what other routes show."""
    failures: list[Outcome] = []
    clients: dict[str, HttpClient] = {}

    def as_(persona: str) -> HttpClient:
        if persona not in clients:
            clients[persona] = HttpClient()
            if persona != "anonymous":
                clients[persona].force_login(users[persona])
        return clients[persona]

    allowed = as_(rule.allowed)
    method = route.method or "get"
    write = method == "post"
    if not write:
        status = _send(allowed, method, url, route.api)
        if status == 405 and not route.api:
            write, method = True, "post"  # a page that only takes a POST
        elif not 200 <= status < 400:
            failures.append(Outcome(route.key, rule.allowed, method, url, status, "2xx/3xx"))

    def allowed_write() -> Outcome | None:
        status = _send(allowed, "post", url, route.api)
        if status >= 500 or status in (401, 403, 404):
            return Outcome(route.key, rule.allowed, "post", url, status, "not denied")
        return None

    denied = ["anonymous", *(["other"] if rule.scoped else []), *rule.denied]
    methods = ["post"] if write else ["get", "post"] if not route.api else [method]
    for persona in denied:
        http = as_(persona)
        for sent in methods:
            before = state()
            response_status = _send(http, sent, url, route.api)
            refused = {401} if route.api and persona == "anonymous" else {403, 404}
            if persona == "anonymous" and not route.api:
                refused = {302}
            if sent == "post" and not write:
                refused |= {405}
            if sent == "post" and route.api:
                refused |= {422}  # the body is validated before the handler asks who it is
            if sent == "get" and persona in rule.readers:
                refused = {200}
            if response_status not in refused:
                expected = "/".join(map(str, sorted(refused)))
                failures.append(Outcome(route.key, persona, sent, url, response_status, expected))
            if state() != before:
                failures.append(
                    Outcome(route.key, persona, sent, url, response_status, "no change")
                )
    return Checked(failures, allowed_write if write else None)


def admin_site(route: Route) -> list[str]:
    """Django's admin, for staff only: its index and every change list open for the provider
    admin and send everyone else to the admin's sign-in. Its object and add pages take the
    same checks (the read-only records refuse adding to everyone)."""
    if route.key != "admin:index" and not route.key.endswith("_changelist"):
        return []
    users = personas(Client.objects.get(code=DEFAULT_CLIENT))
    problems = []
    for persona in ("admin", "supervisor", "manager", "anonymous"):
        http = HttpClient()
        if persona != "anonymous":
            http.force_login(users[persona])
        response = http.get(route.template)
        if persona == "admin":
            good = 200 <= response.status_code < 400
        else:
            good = response.status_code == 302 and "/admin/login/" in response["Location"]
        if not good:
            problems.append(
                f"{route.key}: {persona} GET {route.template} -> {response.status_code}"
            )
    return problems


def matrix(http: HttpClient, only: set[str] | None = None) -> tuple[list[str], int]:
    """Failures (undeclared routes included) and how many routes were checked."""
    problems: list[str] = []
    checked = 0
    routes = [*page_routes(), *api_routes(http)]
    routes = [route for route in routes if only is None or route.key in only]
    writes: list[Callable[[], Outcome | None]] = []
    for route in routes:
        if route.key.startswith("admin:"):
            problems += admin_site(route)
            continue
        rules = API if route.api else PAGES
        if route.key not in rules:
            problems.append(
                f"{route.key} ({route.template}): no rule says who may use it; declare it in "
                "pactline/web/tests/route_rules.py"
            )
            continue
        rule = rules[route.key]
        if rule is None:
            continue
        filled = fill(route)
        if isinstance(filled, str):
            problems.append(f"{route.key}: {filled}")
            continue
        url, client = filled
        url += rule.query.format(code=client.code)
        result = check(route, rule, url, personas(client))
        problems += map(str, result.failures)
        if result.allowed_write is not None:
            writes.append(result.allowed_write)
        checked += 1
    for write in writes:
        failed = write()
        if failed is not None:
            problems.append(str(failed))
    return problems, checked
