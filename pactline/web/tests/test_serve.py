"""`pactline serve` really serves: web + API + worker start together and stop on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
        return response.status, response.read().decode()


@pytest.mark.timeout_sensitive
def test_serve_answers_on_http_and_stops_on_interrupt(tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["PACTLINE_VAR_DIR"] = str(tmp_path)
    env["PACTLINE_SMTP_PORT"] = str(_free_port())
    pactline = [sys.executable, "-m", "pactline.cli"]
    subprocess.run([*pactline, "migrate", "--no-input", "-v", "0"], env=env, check=True)  # noqa: S603
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen(  # noqa: S603
            [*pactline, "serve", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        status, body = 0, ""
        for _ in range(720):  # collectstatic compresses every asset first: slow on a busy machine
            try:
                status, body = _get(f"http://127.0.0.1:{port}/login/")
                break
            except OSError:
                time.sleep(0.25)
        assert status == 200
        assert 'name="password"' in body
        api_status, openapi = _get(f"http://127.0.0.1:{port}/api/v1/openapi.json")
        assert api_status == 200
        assert '"Pactline API"' in openapi
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    output = log.read_text()
    assert server.returncode == 0, output
    assert "Stopped." in output
    with pytest.raises(OSError):
        _get(f"http://127.0.0.1:{port}/login/")
