"""A crawler for the pages a signed-in user can reach: every `href`, `hx-get`, `<form
method="get">` and same-origin `src` the app shows, followed breadth-first from the home page.

What it records is every request: who asked, what, the answer's status and the page that showed
the link, so a test can assert on the whole list and name every failure at once. It only reads:
`hx-post` and POST forms are writes and are not followed, nor are sign-out and the language
switch. Each route (URL name) is visited a bounded number of times, so a page listing
hundreds of cases costs a few requests, not hundreds."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.test import Client as HttpClient
from django.urls import Resolver404, resolve

# Per route (URL name): how many different addresses are fetched; the admin's generic pages
# (a change list, a change form per model) once each.
PER_ROUTE = 3
PER_ADMIN_ROUTE = 1
# Not followed: leaving the session, switching language, and files served by the web server.
SKIPPED_PREFIXES = ("/logout/", "/i18n/", "/static/", "/media/")


@dataclass(frozen=True)
class Visit:
    user: str
    url: str
    status: int
    referrer: str
    error: str = ""

    def __str__(self) -> str:
        error = f" {self.error}" if self.error else ""
        return f"{self.user}: GET {self.url} -> {self.status}{error} (linked from {self.referrer})"


@dataclass(frozen=True)
class Link:
    url: str
    htmx: bool  # an htmx source: requested as htmx requests it


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        if tag in ("a", "area") and "href" in values:
            self.found.append((values["href"], False))
        if "hx-get" in values:
            self.found.append((values["hx-get"], True))
        reads = values.get("method", "get").lower() == "get" and "hx-post" not in values
        if tag == "form" and reads:
            self.found.append((values.get("action", ""), False))
        if tag in ("iframe", "img", "embed", "source", "audio", "video") and "src" in values:
            self.found.append((values["src"], False))


def links(html: str, base: str) -> list[Link]:
    """Same-origin addresses a page links to, absolute-path, without fragments."""
    parser = _Links()
    parser.feed(html)
    found = []
    for raw, htmx in parser.found:
        url = urldefrag(urljoin(base, raw.strip()))[0]
        parts = urlsplit(url)
        if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path and not path.startswith(SKIPPED_PREFIXES):
            found.append(Link(path, htmx))
    return found


def _route(url: str) -> str:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return url
    return match.view_name


def crawl(http: HttpClient, *, user: str, start: str = "/", limit: int = 2000) -> list[Visit]:
    """Every page reachable from `start` for the signed-in `http` client, bounded."""
    queue: deque[tuple[Link, str]] = deque([(Link(start, False), "(start)")])
    seen: set[str] = set()
    per_route: Counter[str] = Counter()
    visits: list[Visit] = []
    while queue and len(visits) < limit:
        link, referrer = queue.popleft()
        if link.url in seen:
            continue
        seen.add(link.url)
        route = _route(link.url)
        if per_route[route] >= (PER_ADMIN_ROUTE if route.startswith("admin:") else PER_ROUTE):
            continue
        per_route[route] += 1
        headers = {"HX-Request": "true"} if link.htmx else {}
        try:
            response = http.get(link.url, headers=headers)
        except Exception as error:
            visits.append(Visit(user, link.url, 500, referrer, f"{type(error).__name__}: {error}"))
            continue
        visits.append(Visit(user, link.url, response.status_code, referrer))
        if 300 <= response.status_code < 400 and response.has_header("Location"):
            queue.append((Link(urljoin(link.url, response["Location"]), False), link.url))
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue  # a download is fetched, not parsed
        if getattr(response, "streaming", False):
            continue
        for found in links(response.content.decode(response.charset or "utf-8"), link.url):
            if found.url not in seen:
                queue.append((found, link.url))
    return visits
