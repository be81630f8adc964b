"""The tests' own PostgreSQL server: what the publish-log tests rely on it to do."""

from __future__ import annotations

import socket
from pathlib import Path

import psycopg
import pytest

from tests.postgres_server import PostgresError, PostgresServer, find_pg_bin


def test_a_fresh_database_takes_a_table_and_gives_the_rows_back(postgres_url: str) -> None:
    with psycopg.connect(postgres_url, connect_timeout=5) as conn:
        assert conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone() == (0,)
        conn.execute("CREATE TABLE deliveries (id SERIAL PRIMARY KEY, state TEXT NOT NULL)")
        conn.execute("INSERT INTO deliveries (state) VALUES ('queued'), ('sent')")
        conn.commit()
    with psycopg.connect(postgres_url, connect_timeout=5) as conn:
        rows = conn.execute("SELECT id, state FROM deliveries ORDER BY id").fetchall()
        encoding = conn.execute("SHOW server_encoding").fetchone()
    assert rows == [(1, "queued"), (2, "sent")]
    assert encoding == ("UTF8",)


def test_two_fresh_databases_are_separate(
    postgres_url: str, postgres_server: PostgresServer
) -> None:
    other_name = "x_other_" + postgres_url.rsplit("/", 1)[1]
    postgres_server.create_database(other_name)
    other_url = postgres_server.url(other_name)
    try:
        assert other_url != postgres_url
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute("CREATE TABLE only_here (x INT)")
        with psycopg.connect(other_url, autocommit=True) as conn:
            found = conn.execute("SELECT to_regclass('only_here')").fetchone()
        assert found == (None,)
    finally:
        postgres_server.drop_database(other_name)


def test_the_fixture_gives_each_test_its_own_database(
    postgres_url: str, postgres_server: PostgresServer
) -> None:
    # The database of an earlier test is gone: only this test's t_ database is left.
    with postgres_server.connect() as conn:
        names = [
            row[0]
            for row in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 't\\_%'")
        ]
    assert names == [postgres_url.rsplit("/", 1)[1]]


def test_a_restart_breaks_open_connections_and_new_ones_work(
    postgres_url: str, postgres_server: PostgresServer
) -> None:
    port = postgres_server.port
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (x INT)")
        conn.execute("INSERT INTO kept VALUES (7)")
        postgres_server.restart()
        with pytest.raises(psycopg.OperationalError):
            conn.execute("SELECT 1")
    assert postgres_server.port == port
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        assert conn.execute("SELECT x FROM kept").fetchall() == [(7,)]


def test_a_killed_server_comes_back_with_its_committed_rows(
    postgres_url: str, postgres_server: PostgresServer
) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (x INT)")
        conn.execute("INSERT INTO kept VALUES (8)")
    postgres_server.kill()
    assert not postgres_server.is_running()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(postgres_url, connect_timeout=2)
    postgres_server.start()
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT x FROM kept").fetchall() == [(8,)]


def test_the_server_listens_on_127_0_0_1_only(postgres_server: PostgresServer) -> None:
    with postgres_server.connect() as conn:
        listen = conn.execute("SHOW listen_addresses").fetchone()
    assert listen == ("127.0.0.1",)
    # Another local address of the loopback range reaches nothing on that port.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(2)
        assert probe.connect_ex(("127.0.0.2", postgres_server.port)) != 0
    if socket.has_ipv6:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.settimeout(2)
            assert probe.connect_ex(("::1", postgres_server.port)) != 0
    with socket.create_connection(("127.0.0.1", postgres_server.port), timeout=2):
        pass


def test_the_password_is_needed_and_never_shown(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    password = postgres_url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
    assert password not in repr(postgres_server)
    wrong = postgres_url.replace(f":{password}@", ":wrong@")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(wrong, connect_timeout=5)
    assert password not in postgres_server.log.read_text(encoding="utf-8", errors="replace")
    assert not list(postgres_server.base.glob("pwfile*"))


def test_a_server_that_cannot_start_says_why(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    pg_bin = find_pg_bin()
    assert pg_bin is not None
    server = PostgresServer(tmp_path / "pg", pg_bin)
    server.init()
    server.port = postgres_server.port  # taken by the session's server
    with pytest.raises(PostgresError) as raised:
        server.start()
    assert "Address already in use" in str(raised.value)
    assert not server.is_running()


def test_a_pytest_session_starting_meanwhile_does_not_hide_the_server(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Another developer's pytest run closes pytest's folders to other users when it
    starts; the server, run as the postgres user, must still be found and stopped: its
    folder is outside them."""
    own = tmp_path_factory.getbasetemp()
    assert not postgres_server.base.is_relative_to(own.parent)  # every session's folders
    own.chmod(own.stat().st_mode & ~0o077)  # as a new pytest session does
    assert postgres_server.is_running()
    postgres_server.restart()
    with postgres_server.connect() as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
