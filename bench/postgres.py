"""Benchmarks create the PostgreSQL database they are pointed at when it does not exist yet."""

from urllib.parse import urlsplit


def ensure_database(url: str) -> None:
    """Create the database named in a postgres:// URL, through the server's maintenance one."""
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    maintenance = urlsplit(url)._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def refresh_planner_statistics() -> None:
    """ANALYZE the database a benchmark has just filled.

    A real assembly registers its delegates days before it votes, and autovacuum has analyzed
    the tables since; a benchmark votes seconds after bulk inserts, when the planner still
    thinks the tables empty (it then scanned every accreditation of the assembly per ballot).
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def database_cpu_seconds() -> float:
    """User + system CPU used so far by every PostgreSQL process on this machine.

    The benchmarks' server is the only client of the database while they run, so the change
    over a phase is the database's share of the work done in it.
    """
    import os
    from pathlib import Path

    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, _, rest = text.partition(" (")[2].partition(") ")
        if name == "postgres":
            fields = rest.split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")
