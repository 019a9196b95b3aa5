"""Who may use each route: the declaration the generated authorization matrix checks.

Every page route (from the URL configuration) and every API operation (from the OpenAPI
document) must be named here. A route nobody declared fails the matrix with a message saying
so, so a new route cannot ship unchecked.

Personas, relative to the client whose objects fill the route's parameters:
`viewer`, `manager` and `agent` hold that role for the client; `supervisor`, `qa`, `billing`
and `admin` hold theirs provider-wide; `other` manages another client; `anonymous` is not
signed in. `billing` sees every client (its agreements, statements, reports and bills) and
nothing of the work: where it lacks the permission it is among `denied`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """`allowed` succeeds; `denied` (same client, without the role) gets 403/404; `other`
    (another client's user) gets 403/404 when the route is `scoped` to a client; anonymous is
    sent to sign in (pages) or gets 401 (API)."""

    allowed: str
    denied: tuple[str, ...] = ()
    scoped: bool = True
    readers: tuple[str, ...] = ()  # of `denied`, those who may still GET (a form's page)
    query: str = ""  # added to the address; `{code}` is the client's code


PUBLIC = None  # reached without signing in (sign-in, customers' chat, webhooks): not a persona's

SIGNED_IN = Rule("viewer", scoped=False)  # any signed-in user; lists are scoped by the selector
# Anyone who sees the client: its agreements, dashboards, statements and reports (billing
# included: credits are computed from the statements).
VIEW = Rule("viewer")
# A client's cases and what hangs on them (calls, chats, campaigns, materials): its users read
# them, billing sees the client but none of them.
CASES = Rule("viewer", denied=("billing",))
WORK = Rule("agent", denied=("viewer", "manager", "billing"))  # who work the client's cases
# The provider's side of a client's programme: raw mail, training material, recordings (the
# client receives those through a material request).
PROVIDER_READ = Rule("agent", denied=("viewer", "manager", "billing"))
ADMIN = Rule("admin", denied=("agent", "manager", "viewer", "billing"))
ADMIN_ONLY = Rule("admin", denied=("agent", "manager", "viewer", "billing"), scoped=False)
TOKENS = Rule("manager", denied=("agent", "viewer", "billing"))
ACCEPT = Rule("manager", denied=("agent", "viewer", "billing"))
REQUEST_MATERIAL = Rule("viewer", denied=("agent", "billing"))
APPROVE_MATERIAL = Rule("supervisor", denied=("agent", "manager", "viewer", "billing"))
SUPERVISE = Rule("supervisor", denied=("agent", "manager", "viewer", "billing"))
PROVIDER_DESK = Rule("agent", denied=("viewer", "manager", "billing"), scoped=False)
PROVIDER_WATCH = Rule("qa", denied=("viewer", "manager", "billing"), scoped=False)
MANAGE_PROGRAMME = Rule("supervisor", denied=("agent", "viewer", "manager", "billing"))
# Billing: the client's users and the provider's billing roles read it; an agent does not.
BILLING_READ = Rule("viewer", denied=("agent",))
# Close, issue, payments, top-ups, exclusions: the billing role (and the provider admin).
BILLING_MANAGE = Rule("billing", denied=("agent", "manager", "viewer"))

PAGES: dict[str, Rule | None] = {
    "set_language": PUBLIC,
    "login": PUBLIC,
    "logout": PUBLIC,
    "account:sign-in-code": PUBLIC,  # the second step of signing in, before a session is whole
    "account:two-factor": SIGNED_IN,
    "home": SIGNED_IN,
    "tenancy:clients": SIGNED_IN,
    "tenancy:tokens": TOKENS,
    "tenancy:token-revoke": TOKENS,
    "agreements:client": VIEW,
    "agreements:version-new": ADMIN,
    "agreements:onboard": ADMIN_ONLY,
    "agreements:agreement": VIEW,
    "agreements:version": VIEW,
    "agreements:version-propose": ADMIN,
    "agreements:version-accept": ACCEPT,
    "agreements:version-activate": ADMIN,
    "agreements:version-export": VIEW,
    "cases:list": SIGNED_IN,
    "cases:case": CASES,
    "cases:case-reply": WORK,
    "cases:case-status": WORK,
    "cases:case-priority": WORK,
    "cases:case-resolve": WORK,
    "cases:case-reopen": WORK,
    "cases:at-risk": PROVIDER_WATCH,
    "cases:at-risk-rows": PROVIDER_WATCH,
    "channels_chat:desk": PROVIDER_DESK,
    "channels_chat:desk-rows": PROVIDER_DESK,
    "channels_chat:session": WORK,
    "channels_chat:session-log": WORK,
    "channels_chat:session-reply": WORK,
    "channels_chat:session-end": WORK,
    "channels_chat:start": PUBLIC,
    "channels_chat:customer": PUBLIC,
    "channels_chat:customer-log": PUBLIC,
    "channels_chat:customer-send": PUBLIC,
    "channels_chat:customer-end": PUBLIC,
    "channels_email:source": PROVIDER_READ,
    "channels_email:attachment": PROVIDER_READ,
    "outbound:campaigns": SIGNED_IN,
    "outbound:campaign": CASES,
    "outbound:call-list": WORK,
    "outbound:next-call": WORK,
    "outbound:attempt": WORK,
    "outbound:do-not-call": Rule(
        "agent", denied=("viewer", "manager", "billing"), readers=("viewer", "manager")
    ),
    "knowledge:index": PROVIDER_READ,
    "knowledge:new": MANAGE_PROGRAMME,
    "knowledge:article": PROVIDER_READ,
    "knowledge:article-edit": MANAGE_PROGRAMME,
    "knowledge:article-publish": MANAGE_PROGRAMME,
    "knowledge:article-withdraw": MANAGE_PROGRAMME,
    "knowledge:attachment": PROVIDER_READ,
    "privacy:client-materials": Rule("viewer", denied=("agent", "billing")),
    "privacy:desk": PROVIDER_DESK,
    "privacy:request-approve": APPROVE_MATERIAL,
    "privacy:request-reject": APPROVE_MATERIAL,
    "privacy:recording": PROVIDER_READ,
    "privacy:file": PROVIDER_READ,
    "privacy:request": REQUEST_MATERIAL,
    "privacy:download": PUBLIC,  # the link's token is the credential
    "privacy:attach": WORK,
    "metrics:wallboard-overview": Rule(
        "supervisor", denied=("viewer", "manager", "billing"), scoped=False
    ),
    "metrics:wallboard-overview-rows": Rule(
        "supervisor", denied=("viewer", "manager", "billing"), scoped=False
    ),
    "metrics:wallboard": SUPERVISE,
    "metrics:wallboard-tiles": SUPERVISE,
    "metrics:dashboard": VIEW,
    "metrics:dashboard-today": VIEW,
    "metrics:statements": VIEW,
    "metrics:statement-issue": ADMIN,
    "metrics:statement": VIEW,
    "metrics:statement-reissue": ADMIN,
    "reports:index": SIGNED_IN,
    "reports:client": VIEW,
    "reports:generate": ADMIN,
    "reports:latest": VIEW,
    "reports:report": VIEW,
    "reports:download": VIEW,
    "console:queue": PROVIDER_DESK,
    "console:queue-rows": PROVIDER_DESK,
    "console:case": WORK,
    **{
        f"console:case-{action}": WORK
        for action in (
            "take",
            "reply",
            "note",
            "status",
            "priority",
            "classify",
            "escalate",
            "assign",
            "route",
            "resolve",
            "reopen",
        )
    },
    "console:client-tags": MANAGE_PROGRAMME,
    "console:queues": SUPERVISE,
    "console:queues-rows": SUPERVISE,
    "console:queue-cases": Rule(
        "supervisor", denied=("agent", "manager", "viewer", "billing"), query="?client={code}"
    ),
    "console:queue-cases-rows": Rule(
        "supervisor", denied=("agent", "manager", "viewer", "billing"), query="?client={code}"
    ),
    "billing:workspace": Rule("billing", denied=("agent", "manager", "viewer"), scoped=False),
    "billing:client": BILLING_READ,
    "billing:account": BILLING_READ,
    "billing:diversion": BILLING_READ,
    "billing:diversion-top-up": BILLING_MANAGE,
    "billing:close": BILLING_MANAGE,
    "billing:late-fees": BILLING_MANAGE,
    "billing:exclusions": BILLING_MANAGE,
    "billing:forecasts": Rule("manager", denied=("agent", "viewer")),  # client or provider
    "billing:forecasts-upload": Rule("manager", denied=("agent", "viewer")),
    "billing:charges": BILLING_MANAGE,
    "billing:invoice": BILLING_READ,
    "billing:invoice-issue": BILLING_MANAGE,
    "billing:invoice-payment": BILLING_MANAGE,
    "billing:invoice-download": BILLING_READ,
    "billing:line-usage": BILLING_READ,
    "billing:line-usage-csv": BILLING_READ,
    "case_related:calls": CASES,
    "case_related:materials": CASES,
}

API: dict[str, Rule | None] = {
    "GET /api/v1/clients": SIGNED_IN,
    "GET /api/v1/clients/{code}": VIEW,
    "GET /api/v1/agreements": SIGNED_IN,
    "GET /api/v1/agreements/{agreement_id}": VIEW,
    "POST /api/v1/agreements/versions": ADMIN_ONLY,
    "GET /api/v1/agreements/versions/{version_id}": VIEW,
    "POST /api/v1/agreements/versions/{version_id}/propose": ADMIN,
    "POST /api/v1/agreements/versions/{version_id}/accept": ACCEPT,
    "POST /api/v1/agreements/versions/{version_id}/activate": ADMIN,
    "GET /api/v1/agreements/versions/{version_id}/export": VIEW,
    "GET /api/v1/clients/{code}/agreement-in-force": VIEW,
    "GET /api/v1/cases/{case_id}/clocks": CASES,
    "GET /api/v1/sla/at-risk": PROVIDER_WATCH,
    "POST /api/v1/cases/{case_id}/surveys": WORK,
    "POST /api/v1/cases/{case_id}/replies": WORK,
    "POST /api/v1/cases/{case_id}/notes": WORK,
    "POST /api/v1/cases/{case_id}/status": WORK,
    "POST /api/v1/cases/{case_id}/assignee": WORK,
    "POST /api/v1/cases/{case_id}/escalation": WORK,
    "POST /api/v1/chats/sessions": SIGNED_IN,
    "GET /api/v1/chats/sessions/{session_id}": CASES,
    "POST /api/v1/chats/sessions/{session_id}/messages": WORK,
    "GET /api/v1/chats/sessions/{session_id}/messages": CASES,
    "POST /api/v1/chats/sessions/{session_id}/end": WORK,
    "POST /api/v1/social/{client_code}/messages": PUBLIC,  # signed webhook
    "GET /api/v1/social/{client_code}/outbox": WORK,
    "POST /api/v1/social/{client_code}/outbox/{message_id}/ack": WORK,
    "POST /api/v1/social/cases/{case_id}/replies": WORK,
    "GET /api/v1/social/cases/{case_id}/messages": CASES,
    "POST /api/v1/calls/events": SIGNED_IN,
    "POST /api/v1/calls/twilio/{client_code}/status": PUBLIC,  # signed webhook
    "GET /api/v1/calls": Rule("viewer", denied=("billing",), query="?client={code}"),
    "GET /api/v1/calls/agent-states": Rule("viewer", denied=("billing",), query="?client={code}"),
    "GET /api/v1/calls/{call_pk}": CASES,
    "POST /api/v1/calls/{call_pk}/case": WORK,
    "GET /api/v1/campaigns": SIGNED_IN,
    "POST /api/v1/campaigns": SIGNED_IN,
    "GET /api/v1/campaigns/{campaign_id}": CASES,
    "POST /api/v1/campaigns/{campaign_id}/call-list": WORK,
    "POST /api/v1/campaigns/{campaign_id}/next-call": WORK,
    "POST /api/v1/call-list-entries/{entry_id}/attempts": WORK,
    "POST /api/v1/clients/{code}/do-not-call": WORK,
    "GET /api/v1/statements": SIGNED_IN,
    "POST /api/v1/statements": SIGNED_IN,
    "GET /api/v1/statements/{statement_id}": VIEW,
    "POST /api/v1/statements/{statement_id}/reissue": ADMIN,
    "GET /api/v1/invoices": SIGNED_IN,
    "GET /api/v1/invoices/{invoice_id}": BILLING_READ,
    "GET /api/v1/usage": Rule("viewer", denied=("agent",), query="?client={code}"),
    "GET /api/v1/diversion": Rule("viewer", denied=("agent",), query="?client={code}"),
    "GET /api/v1/credits": SIGNED_IN,
    "POST /api/v1/forecasts": Rule("manager", denied=("agent", "viewer")),
    "GET /api/v1/reports": SIGNED_IN,
    "POST /api/v1/reports": SIGNED_IN,
    "GET /api/v1/reports/{report_id}": VIEW,
    "GET /api/v1/reports/{report_id}/download/{fmt}": VIEW,
}
