"""Where `pactline serve` listens, read in one place: the server binds it and the demo prints it."""

from __future__ import annotations

from django.conf import settings

# Listening on every interface: this machine reaches it on the loopback address.
_WILDCARDS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}  # noqa: S104 - names, not binds


def serve_host() -> str:
    return str(settings.PACTLINE_HOST)


def serve_port() -> int:
    return int(settings.PACTLINE_PORT)


def serve_url(host: str | None = None, port: int | None = None) -> str:
    """The address to open in a browser, ending in a slash: `http://127.0.0.1:8000/`."""
    host = serve_host() if host is None else host
    port = serve_port() if port is None else port
    shown = _WILDCARDS.get(host, host)
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"
