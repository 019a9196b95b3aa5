"""`pactline serve` — web + API and the background worker, started and stopped together."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from pactline.web.serving import serve_host, serve_port, serve_url


class Command(BaseCommand):
    help = (
        "Serve Pactline: web pages and API (granian), the task worker, the SLA clock loop, the "
        "metrics consumer and the SMTP listener. Ctrl-C stops all."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default=serve_host())
        parser.add_argument("--port", type=int, default=serve_port())
        parser.add_argument("--workers", type=int, default=1, help="web worker processes")
        parser.add_argument("--threads", type=int, default=4, help="threads per web worker")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="run neither the task worker, the SLA clock loop nor the metrics consumer",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"),
        }
        commands: dict[str, list[str]] = {
            "web": [
                sys.executable,
                "-m",
                "granian",
                "--interface",
                "wsgi",
                "--host",
                options["host"],
                "--port",
                str(options["port"]),
                "--workers",
                str(options["workers"]),
                "--blocking-threads",
                str(options["threads"]),
                "--log-level",
                "warning",
                "config.wsgi:application",
            ],
            "smtpd": [sys.executable, "-m", "django", "smtpd"],
        }
        if not options["no_worker"]:
            commands["worker"] = [sys.executable, "-m", "django", "db_worker", "--verbosity", "1"]
            commands["clock"] = [sys.executable, "-m", "django", "clock"]
            commands["metrics"] = [sys.executable, "-m", "django", "metrics", "run"]
        # Each child leads its own process group, so stopping it also stops whatever it spawned
        # (granian's worker processes) and a terminal's Ctrl-C reaches only this supervisor.
        processes = {
            name: subprocess.Popen(cmd, env=env, start_new_session=True)  # noqa: S603
            for name, cmd in commands.items()
        }
        self.stdout.write(
            f"Pactline is serving on {serve_url(options['host'], options['port'])} "
            f"({', '.join(processes)}); press Ctrl-C to stop."
        )
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        failed = ""
        while not stopping:
            for name, process in processes.items():
                if process.poll() is not None:
                    failed = f"{name} exited with status {process.returncode}"
                    stopping = True
            time.sleep(0.2)
        for process in processes.values():
            _signal_group(process, signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
            _signal_group(process, signal.SIGKILL)  # stragglers left behind by the child
        if failed:
            raise CommandError(failed)
        self.stdout.write("Stopped.")


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)
