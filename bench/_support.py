"""What the benchmarks share: the `--smoke` size, the databases to run on, throwaway
PostgreSQL databases and child processes (one per database: Django settings are per process).

`--smoke` runs a benchmark at a size that takes seconds, so CI proves every script still runs
against today's schema and code (`make bench-smoke`). BENCH_DATABASES (default
"sqlite,postgresql") names the databases; BENCH_DATABASE_URL (default the local server) is
where throwaway PostgreSQL databases are created and dropped."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SMOKE = "--smoke" in sys.argv


def size(full: int, smoke: int, variable: str | None = None) -> int:
    """`full`, or `smoke` with --smoke; an environment variable overrides both."""
    if variable and os.environ.get(variable):
        return int(os.environ[variable])
    return smoke if SMOKE else full


def databases() -> list[str]:
    return [
        name for name in os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",") if name
    ]


def admin_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def _admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def _migrations_key() -> str:
    """Names the schema: every migration of the project and the locked dependencies."""
    digest = hashlib.sha256((ROOT / "uv.lock").read_bytes())
    for path in sorted(ROOT.glob("pactline/**/migrations/*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _migrate(url: str | None, var_dir: Path) -> None:
    env = {**os.environ, "PACTLINE_VAR_DIR": str(var_dir)}
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    env.pop("DATABASE_URL", None)
    if url:
        env["DATABASE_URL"] = url
    command = [sys.executable, "-m", "django", "migrate", "--no-input", "--verbosity", "0"]
    subprocess.run(command, cwd=ROOT, env=env, check=True)  # noqa: S603


def _postgres_template() -> str:
    """A migrated database to copy (`CREATE DATABASE … TEMPLATE`), named by the schema: a
    migration takes a minute here, a copy a second. Templates of older schemas are dropped."""
    import psycopg

    name = f"pactline_bench_tpl_{_migrations_key()}"
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        names = [row[0] for row in conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'pactline_bench_tpl_%%'"
        )]  # fmt: skip
        for old in names:
            if old != name:
                conn.execute(f"DROP DATABASE IF EXISTS {old} WITH (FORCE)")  # type: ignore[arg-type]
        if name in names:
            return name
        building = f"pactline_bench_build_{os.getpid()}"
        conn.execute(f"CREATE DATABASE {building}")  # type: ignore[arg-type]
        try:
            with tempfile.TemporaryDirectory() as tmp:
                _migrate(urlunsplit(urlsplit(admin_url())._replace(path=f"/{building}")), Path(tmp))
            conn.execute(f"ALTER DATABASE {building} RENAME TO {name}")  # type: ignore[arg-type]
        finally:
            conn.execute(f"DROP DATABASE IF EXISTS {building} WITH (FORCE)")  # type: ignore[arg-type]
    return name


def _sqlite_template() -> Path:
    """A migrated SQLite file to copy, named by the schema (kept in the var directory)."""
    folder = Path(os.environ.get("PACTLINE_VAR_DIR", ROOT / "var")) / "bench-templates"
    path = folder / f"{_migrations_key()}.sqlite3"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.sqlite3"):
            old.unlink()
        with tempfile.TemporaryDirectory() as tmp:
            _migrate(None, Path(tmp))
            shutil.copyfile(Path(tmp) / "pactline.sqlite3", path.with_suffix(".part"))
        path.with_suffix(".part").replace(path)
    return path


@contextmanager
def database(kind: str, tag: str, var_dir: Path) -> Iterator[str | None]:
    """The DATABASE_URL of a throwaway, migrated database of `kind` ("sqlite": None, the file
    put in `var_dir`; "postgresql": created now, dropped afterwards)."""
    if kind == "sqlite":
        var_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_sqlite_template(), var_dir / "pactline.sqlite3")
        yield None
        return
    if kind != "postgresql":
        raise SystemExit(f"unknown database {kind!r} in BENCH_DATABASES")
    template = _postgres_template()
    name = f"pactline_bench_{tag}_{os.getpid()}"
    _admin_sql(f"CREATE DATABASE {name} TEMPLATE {template}")
    try:
        yield urlunsplit(urlsplit(admin_url())._replace(path=f"/{name}"))
    finally:
        _admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def setup_django(url: str | None, var_dir: str) -> None:
    """Settings for this process's database, migrated."""
    os.environ["PACTLINE_VAR_DIR"] = var_dir
    os.environ.setdefault("MPLCONFIGDIR", str(Path(var_dir) / "mpl"))
    if url:
        os.environ["DATABASE_URL"] = url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def run_child(script: str, database: str, args: list[str]) -> dict[str, object]:
    """Run `script --child database *args` and return the JSON of its last output line."""
    command = [sys.executable, script, "--child", database, *args]
    if SMOKE:
        command.append("--smoke")
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if os.environ.get("BENCH_PROFILE"):
        sys.stderr.write(done.stderr)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:])
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{database} run of {Path(script).name} failed")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def child_args() -> list[str] | None:
    """The arguments after `--child` when this process is a child, else None."""
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return [arg for arg in sys.argv[2:] if arg != "--smoke"]
    return None


LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def run_per_database(
    script: str,
    tag: str,
    child: Callable[[str], None],
    report: Callable[[dict[str, object]], None],
) -> None:
    """A benchmark's `main`: as a child, set Django up on the given database and run `child`;
    as the parent, run one child per database on a fresh copy of the template, then report
    each result once every run is over (so one report cannot slow the next run)."""
    args = child_args()
    if args is not None:
        name, url, var_dir = args
        setup_django(url or None, var_dir)
        child(name)
        return
    results = []
    with tempfile.TemporaryDirectory(prefix=f"pactline-bench-{tag}-") as tmp:
        for kind in databases():
            var_dir = Path(tmp) / kind
            with database(kind, tag, var_dir) as url:
                results.append(run_child(script, LABELS[kind], [url or "", str(var_dir)]))
    for result in results:
        report(result)
