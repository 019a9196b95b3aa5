"""`pactline smtpd` as a real process: it listens, refuses strangers, and stops on Ctrl-C."""

from __future__ import annotations

import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.timeout_sensitive
def test_smtpd_listens_refuses_unknown_mailboxes_and_stops_on_interrupt(tmp_path: Path) -> None:
    # Never the database the tests run on: a fresh SQLite file in a scratch directory.
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["PACTLINE_VAR_DIR"] = str(tmp_path)
    pactline = [sys.executable, "-m", "pactline.cli"]
    subprocess.run([*pactline, "migrate", "--no-input", "-v", "0"], env=env, check=True)  # noqa: S603
    port = _free_port()
    log = tmp_path / "smtpd.log"
    with log.open("w") as output:
        server = subprocess.Popen(  # noqa: S603
            [*pactline, "smtpd", "--port", str(port), "--max-bytes", "100000"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        for _ in range(120):
            if "listening" in log.read_text():
                break
            time.sleep(0.1)
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            code, _ = smtp.ehlo()
            assert code == 250
            assert smtp.esmtp_features["size"] == "100000"
            smtp.mail("someone@example.com")
            code, _ = smtp.rcpt("care@northwind-retail.example")  # no agreement loaded here
            assert code == 550
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    output_text = log.read_text()
    assert server.returncode == 0, output_text
    assert f"Pactline SMTP is listening on 127.0.0.1:{port}" in output_text
    assert "Stopped." in output_text
