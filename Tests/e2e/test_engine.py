"""The query engine and datasets (issue 6's acceptance), end to end against a real daemon:
cancel and timeout really stop SQLite and leave the worker in service, writes are refused,
a full queue says busy, the status light and its events, an engine failure, CSV imports that
are all or nothing, and the CLI (`elohim query`, `elohim data`, `elohim perf`).

Slow queries are deterministic: an unbounded recursive CTE never ends by itself, so only a
cancel or a timeout can stop it. Nothing asserts how long anything took.
"""

from __future__ import annotations

import glob
import json
import os
import queue
import signal
import sqlite3
import stat
import subprocess
import threading
from contextlib import closing

import pytest

from elohim_client import RPCFailure, wait_for

BUSY = -32003
CANCELLED = -32020
TIMEOUT = -32021
READ_ONLY = -32022
BAD_DATA = -32023
FAILED = -32012

# Counts forever: only a cancel or a timeout ends it.
ENDLESS = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"


def write_config(workdir, name, settings):
    path = os.path.join(workdir, f"{name}.json")
    with open(path, "w") as file:
        json.dump(settings, file)
    return path


def engine_daemon(daemons, workdir, **settings):
    return daemons.start(["--config", write_config(workdir, "engine", settings)])


def write_file(workdir, name, text, encoding="utf-8"):
    path = os.path.join(workdir, name)
    with open(path, "w", encoding=encoding, newline="") as file:
        file.write(text)
    return path


def wait_state(connection, job, state):
    return wait_for(
        lambda: (lambda r: r if r["state"] == state else None)(connection.call("engine.result", {"job": job})),
        30, f"job {job} to be {state}")


def error_of(response, code, reason):
    assert "error" in response, f"expected a {reason} error, got {response!r}"
    error = response["error"]
    assert (error["code"], error["data"]["reason"]) == (code, reason), error
    return error


def dataset_dir(daemon):
    return os.path.join(daemon.data_dir, "datasets", str(os.getuid()))


SALES = (
    "id,region,amount,zip,note\r\n"
    '1,north,10.5,02134,"plain"\r\n'
    '2,south,20,10001,"with, comma"\r\n'
    '3,north,,10002,"two\nlines"\r\n'
    '4,"Zürich",7.25,10003,"say ""hi"" 日本"\r\n'
    '5,east,1e3,10004,""\r\n'
)


def import_sales(connection, workdir, name="sales"):
    return connection.call("data.import", {"path": write_file(workdir, f"{name}.csv", SALES), "name": name})


# --------------------------------------------------------------------------------------------
# Cancel, timeout, worker reuse


def test_a_cancelled_slow_query_reports_cancelled_and_the_same_worker_runs_the_next_job(daemons, workdir):
    daemon = engine_daemon(daemons, workdir, engine_workers=1)
    with daemon.connect() as connection:
        job = connection.call("engine.submit", {"sql": ENDLESS})["job"]
        running = wait_state(connection, job, "running")
        assert running["worker"] == 1, running
        cancelled = connection.call("engine.cancel", {"job": job})
        assert cancelled["state"] == "cancelled" and cancelled["worker"] == 1, cancelled
        assert cancelled["error"]["kind"] == "cancelled", cancelled
        assert connection.call("engine.result", {"job": job})["state"] == "cancelled"

        after = connection.call("engine.run", {"sql": "SELECT 41 + 1 AS answer"})
        assert (after["state"], after["worker"], after["columns"], after["rows"]) == ("succeeded", 1, ["answer"], [[42]]), after
        status = connection.call("engine.status")
        assert (status["queue"]["in_flight"], status["queue"]["pending"], status["status"]) == (0, 0, "idle"), status


def test_a_timeout_stops_a_runaway_query_and_the_worker_runs_the_next_job(daemons, workdir):
    daemon = engine_daemon(daemons, workdir, engine_workers=1)
    with daemon.connect() as connection:
        error = error_of(connection.request("engine.run", {"sql": ENDLESS, "timeout_ms": 300}), TIMEOUT, "timeout")
        assert error["data"]["state"] == "timed_out" and error["data"]["worker"] == 1, error
        assert "timeout" in error["message"], error
        result = connection.call("engine.result", {"job": error["data"]["job"]})
        assert result["state"] == "timed_out" and result["error"]["kind"] == "timeout", result

        after = connection.call("engine.run", {"sql": "SELECT 'still here'"})
        assert (after["worker"], after["rows"]) == (1, [["still here"]]), after


def test_cancelling_a_queued_job_drops_it_before_it_runs(daemons, workdir):
    daemon = engine_daemon(daemons, workdir, engine_workers=1)
    with daemon.connect() as connection:
        first = connection.call("engine.submit", {"sql": ENDLESS})["job"]
        wait_state(connection, first, "running")
        second = connection.call("engine.submit", {"sql": "SELECT 1"})["job"]
        dropped = connection.call("engine.cancel", {"job": second})
        assert dropped["state"] == "cancelled" and dropped["worker"] is None, dropped
        assert connection.call("engine.cancel", {"job": first})["state"] == "cancelled"


# --------------------------------------------------------------------------------------------
# Read-only


@pytest.mark.parametrize("sql", [
    "INSERT INTO sales (id) VALUES (99)",
    "UPDATE sales SET amount = 0",
    "DELETE FROM sales",
    "DROP TABLE sales",
    "CREATE TABLE evil (x)",
    "CREATE TEMP TABLE evil (x)",
    "ALTER TABLE sales ADD COLUMN y",
    "ATTACH DATABASE '/tmp/elohim-e2e-attached.db' AS other",
    "PRAGMA writable_schema = 1",
    "PRAGMA query_only = 0",
    "BEGIN IMMEDIATE",
    "VACUUM",
    "REPLACE INTO sales (id) VALUES (1)",
    "WITH x AS (SELECT 1) INSERT INTO sales (id) SELECT * FROM x",
])
def test_a_write_statement_is_refused_and_changes_nothing(daemons, workdir, sql):
    daemon = engine_daemon(daemons, workdir)
    with daemon.connect() as connection:
        import_sales(connection, workdir)
        error = error_of(connection.request("engine.run", {"sql": sql, "dataset": "sales"}), READ_ONLY, "read_only")
        assert "only reads" in error["message"], error
        assert error["data"]["kind"] == "read_only", error
        rows = connection.call("engine.run", {"sql": "SELECT count(*), sum(amount) FROM sales", "dataset": "sales"})["rows"]
        assert rows == [[5, 1037.75]], rows
        tables = connection.call("engine.run", {"sql": "SELECT name FROM sqlite_schema", "dataset": "sales"})["rows"]
        assert tables == [["sales"]], tables
    assert not os.path.exists("/tmp/elohim-e2e-attached.db")


def test_a_second_statement_is_refused(daemons, workdir):
    daemon = engine_daemon(daemons, workdir)
    with daemon.connect() as connection:
        import_sales(connection, workdir)
        response = connection.request("engine.run", {"sql": "SELECT 1; DELETE FROM sales", "dataset": "sales"})
        error = error_of(response, FAILED, "failed")
        assert "one statement" in error["message"], error
        assert connection.call("engine.run", {"sql": "SELECT count(*) FROM sales", "dataset": "sales"})["rows"] == [[5]]


# --------------------------------------------------------------------------------------------
# The queue


def test_a_full_queue_answers_busy_with_the_queue_depth(daemons, workdir):
    daemon = engine_daemon(daemons, workdir, engine_workers=1, engine_queue_limit=2)
    with daemon.connect() as connection:
        running = connection.call("engine.submit", {"sql": ENDLESS})
        wait_state(connection, running["job"], "running")
        waiting = [connection.call("engine.submit", {"sql": "SELECT 1"}) for _ in range(2)]
        assert [item["queue_depth"] for item in waiting] == [2, 3], waiting
        error = error_of(connection.request("engine.submit", {"sql": "SELECT 1"}), BUSY, "busy")
        assert (error["data"]["queue_depth"], error["data"]["queue_limit"]) == (3, 2), error
        assert "busy" in error["message"], error
        status = connection.call("engine.status")
        assert (status["queue_depth"], status["queue"]["pending"], status["queue"]["in_flight"]) == (3, 2, 1), status
        assert status["status"] == "processing", status

        # Once the worker is free, the waiting jobs run in order and the queue takes work again.
        connection.call("engine.cancel", {"job": running["job"]})
        for item in waiting:
            assert wait_state(connection, item["job"], "succeeded")["rows"] == [[1]]
        assert connection.call("engine.run", {"sql": "SELECT 2"})["rows"] == [[2]]


# --------------------------------------------------------------------------------------------
# Status light and events


def test_status_goes_idle_processing_idle_and_events_arrive_in_order(daemons, workdir):
    daemon = engine_daemon(daemons, workdir, engine_workers=1)
    with daemon.connect() as subscriber, daemon.connect() as client:
        subscribed = subscriber.call("events.subscribe", {"topics": ["engine"]})
        snapshot = subscribed["snapshot"]["engine"]
        assert snapshot["status"] == "idle" and snapshot["queue_depth"] == 0, snapshot
        assert set(snapshot) >= {"status", "queue_depth", "last_activity", "queue", "workers", "throughput_per_min",
                                 "p50_ms", "p95_ms", "error"}, snapshot
        assert client.call("engine.status")["status"] == "idle"

        job = client.call("engine.submit", {"sql": ENDLESS})["job"]
        wait_state(client, job, "running")
        seen = []

        def collect_until(predicate):
            while True:
                params = subscriber.next_notification(timeout=30)["params"]
                if params["topic"] == "engine":
                    assert params["type"] == "engine.status", params
                    seen.append(params)
                    if predicate(params["data"]):
                        return params

        # The job is running: an event says so (an earlier one may show it still pending).
        processing = collect_until(lambda data: data["queue"]["in_flight"] == 1)
        assert processing["data"]["status"] == "processing", processing
        assert client.call("engine.status")["status"] == "processing"
        client.call("engine.cancel", {"job": job})
        idle = collect_until(lambda data: data["status"] == "idle")
        assert idle["data"]["queue_depth"] == 0 and idle["data"]["last_activity"], idle
        assert client.call("engine.status")["status"] == "idle"

        sequence = [event["seq"] for event in seen]
        assert sequence == sorted(sequence) and len(set(sequence)) == len(sequence), sequence
        assert sequence[0] > subscribed["seq"], (sequence, subscribed["seq"])
        statuses = [event["data"]["status"] for event in seen]
        assert statuses.index("processing") < len(statuses) - 1 and statuses[-1] == "idle", statuses


def test_an_engine_failure_turns_the_light_to_error_until_a_query_succeeds(daemons, workdir):
    daemon = engine_daemon(daemons, workdir, engine_workers=1)
    with daemon.connect() as subscriber, daemon.connect() as client:
        import_sales(client, workdir)
        subscriber.call("events.subscribe", {"topics": ["engine"]})
        (path,) = glob.glob(os.path.join(dataset_dir(daemon), "sales.*.sqlite"))
        with open(path, "r+b") as file:  # the dataset's file is damaged behind the daemon's back
            file.write(b"this is no longer an SQLite database" * 200)

        error = error_of(client.request("engine.run", {"sql": "SELECT count(*) FROM sales", "dataset": "sales"}), FAILED, "failed")
        assert error["data"]["kind"] == "engine" and "sales" in error["message"], error
        status = client.call("engine.status")
        assert status["status"] == "error", status
        assert "sales" in status["error"]["message"] and status["error"]["at"], status

        def until(wanted):
            while True:
                params = subscriber.next_notification(timeout=30)["params"]
                if params["topic"] == "engine" and params["data"]["status"] == wanted:
                    return params["data"]

        assert until("error")["error"]["message"] == status["error"]["message"]
        # A user's own mistake is not an engine failure: the light stays on error…
        error_of(client.request("engine.run", {"sql": "SELECT * FROM no_such_table"}), FAILED, "failed")
        assert client.call("engine.status")["status"] == "error"
        # …until a query succeeds.
        client.call("engine.run", {"sql": "SELECT 1"})
        assert client.call("engine.status")["status"] == "idle"
        assert until("idle")["error"] is None


# --------------------------------------------------------------------------------------------
# Datasets


def test_csv_import_infers_types_and_keeps_quoted_fields_and_utf8(daemons, workdir):
    daemon = engine_daemon(daemons, workdir)
    with daemon.connect() as connection:
        info = import_sales(connection, workdir)
        assert (info["name"], info["kind"], info["tables"], info["rows"]) == ("sales", "csv", 1, 5), info
        described = connection.call("data.describe", {"name": "sales"})
        (table,) = described["tables"]
        assert table["name"] == "sales" and table["rows"] == 5
        assert [(c["name"], c["type"]) for c in table["columns"]] == [
            ("id", "INTEGER"), ("region", "TEXT"), ("amount", "REAL"), ("zip", "TEXT"), ("note", "TEXT")]
        rows = connection.call("engine.run", {"sql": "SELECT * FROM sales ORDER BY id", "dataset": "sales"})["rows"]
        assert rows == [
            [1, "north", 10.5, "02134", "plain"],
            [2, "south", 20.0, "10001", "with, comma"],
            [3, "north", None, "10002", "two\nlines"],
            [4, "Zürich", 7.25, "10003", 'say "hi" 日本'],
            [5, "east", 1000.0, "10004", ""],
        ], rows
        assert [d["name"] for d in connection.call("data.list")["datasets"]] == ["sales"]

    directory = dataset_dir(daemon)
    assert stat.S_IMODE(os.stat(os.path.join(daemon.data_dir, "datasets")).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    for path in glob.glob(os.path.join(directory, "*")):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path


@pytest.mark.parametrize("text,line,words", [
    ("a,b\n1,2\n3,4\n5,6,7\n8,9\n", 4, "3 fields, but the header has 2"),
    ('a,b\n1,"two\nlines"\n3\n', 4, "1 field, but the header has 2"),
    ('a,b\n1,2\n3,"never closed\n4,5\n', 3, "never closed"),
    ('a,b\n1,2\n3,x"y\n', 3, "quote inside unquoted field"),
    ('a,b\n1,"q"x\n', 2, "after the closing quote"),
])
def test_a_bad_csv_row_is_named_by_line_and_nothing_is_imported(daemons, workdir, text, line, words):
    daemon = engine_daemon(daemons, workdir)
    path = write_file(workdir, "bad.csv", text)
    with daemon.connect() as connection:
        error = error_of(connection.request("data.import", {"path": path, "name": "bad"}), BAD_DATA, "bad_data")
        assert error["data"]["line"] == line, error
        assert f"line {line}" in error["message"] and words in error["message"], error
        assert "nothing was imported" in error["message"], error
        assert connection.call("data.list")["datasets"] == []
        missing = connection.request("engine.run", {"sql": "SELECT 1", "dataset": "bad"})
        assert missing["error"]["data"]["reason"] == "not_found", missing
    leftovers = [name for name in os.listdir(dataset_dir(daemon)) if name != "catalog.db"]
    assert leftovers == [], leftovers


def test_invalid_utf8_is_refused_with_its_line(daemons, workdir):
    daemon = engine_daemon(daemons, workdir)
    path = os.path.join(workdir, "latin1.csv")
    with open(path, "wb") as file:
        file.write("name\nok\ncaf\xe9\n".encode("latin-1"))
    with daemon.connect() as connection:
        error = error_of(connection.request("data.import", {"path": path}), BAD_DATA, "bad_data")
        assert error["data"]["line"] == 3 and "UTF-8" in error["message"], error
        assert connection.call("data.list")["datasets"] == []


def test_a_failed_replace_keeps_the_old_dataset(daemons, workdir):
    daemon = engine_daemon(daemons, workdir)
    with daemon.connect() as connection:
        import_sales(connection, workdir)
        again = connection.request("data.import", {"path": write_file(workdir, "x.csv", "a\n1\n"), "name": "sales"})
        assert again["error"]["data"]["reason"] == "conflict", again
        bad = write_file(workdir, "bad.csv", "a,b\n1,2\n3\n")
        error_of(connection.request("data.import", {"path": bad, "name": "sales", "replace": True}), BAD_DATA, "bad_data")
        assert connection.call("engine.run", {"sql": "SELECT count(*) FROM sales", "dataset": "sales"})["rows"] == [[5]]
        replaced = connection.call("data.import", {"path": write_file(workdir, "y.csv", "a\n1\n2\n"), "name": "sales", "replace": True})
        assert replaced["rows"] == 2
        assert connection.call("engine.run", {"sql": "SELECT sum(a) FROM sales", "dataset": "sales"})["rows"] == [[3]]
        assert len(glob.glob(os.path.join(dataset_dir(daemon), "sales.*.sqlite"))) == 1


def test_an_existing_sqlite_file_is_imported_with_all_its_tables(daemons, workdir):
    daemon = engine_daemon(daemons, workdir)
    source = os.path.join(workdir, "shop.db")
    with closing(sqlite3.connect(source)) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer INTEGER, total REAL)")
        db.executemany("INSERT INTO customers VALUES (?, ?)", [(1, "Ann"), (2, "Bo")])
        db.executemany("INSERT INTO orders VALUES (?, ?, ?)", [(1, 1, 9.5), (2, 1, 0.5), (3, 2, 4.0)])
        db.commit()
        with daemon.connect() as connection:
            # Still open: the last commit may live only in the WAL, which is imported too.
            info = connection.call("data.import", {"path": source})
            assert (info["name"], info["kind"], info["tables"], info["rows"]) == ("shop", "sqlite", 2, 5), info
            rows = connection.call("engine.run", {
                "sql": "SELECT c.name, sum(o.total) FROM customers c JOIN orders o ON o.customer = c.id GROUP BY c.name ORDER BY c.name",
                "dataset": "shop"})["rows"]
            assert rows == [["Ann", 10.0], ["Bo", 4.0]], rows
            tables = connection.call("data.describe", {"name": "shop"})["tables"]
            assert [(t["name"], t["rows"]) for t in tables] == [("customers", 2), ("orders", 3)]
            dropped = connection.call("data.drop", {"name": "shop"})
            assert dropped["name"] == "shop"
            assert connection.call("data.list")["datasets"] == []
            assert glob.glob(os.path.join(dataset_dir(daemon), "shop.*")) == []


def test_import_refuses_what_it_cannot_use(daemons, workdir):
    daemon = engine_daemon(daemons, workdir)
    with daemon.connect() as connection:
        missing = connection.request("data.import", {"path": os.path.join(workdir, "nope.csv")})
        assert missing["error"]["data"]["reason"] == "not_found", missing
        relative = connection.request("data.import", {"path": "relative.csv"})
        assert "absolute" in relative["error"]["message"], relative
        directory = connection.request("data.import", {"path": workdir})
        assert "regular file" in directory["error"]["message"], directory
        bad_name = connection.request("data.import", {"path": write_file(workdir, "ok.csv", "a\n1\n"), "name": "no-dashes"})
        assert bad_name["error"]["data"]["reason"] == "bad_data" and "dataset name" in bad_name["error"]["message"], bad_name
        empty = connection.request("data.import", {"path": write_file(workdir, "empty.csv", "")})
        assert empty["error"]["data"]["reason"] == "bad_data" and "header" in empty["error"]["message"], empty
        assert connection.call("data.list")["datasets"] == []


def test_a_large_import_reports_progress_events(daemons, workdir):
    daemon = engine_daemon(daemons, workdir)
    path = os.path.join(workdir, "big.csv")
    with open(path, "w") as file:
        file.write("n,square\n")
        for n in range(200_000):
            file.write(f"{n},{n * n}\n")
    with daemon.connect() as connection:
        connection.call("events.subscribe", {"topics": ["data"]})
        info = connection.call("data.import", {"path": path, "progress_id": "p1"})
        assert info["rows"] == 200_000
        events = []
        while connection.pending:
            message = connection.pending.pop(0)
            if "id" not in message:
                events.append(message["params"])
        progress = [e["data"] for e in events if e["type"] == "data.import_progress" and e["data"]["progress_id"] == "p1"]
        assert progress, events
        assert {p["phase"] for p in progress} >= {"loading"}, progress
        last = progress[-1]
        assert (last["bytes_done"], last["rows"]) == (last["bytes_total"], 200_000), last
        while not any(e["type"] == "data.imported" for e in events):  # events may trail the answer
            events.append(connection.next_notification(timeout=30)["params"])
        assert [e["data"] for e in events if e["type"] == "data.imported"] == [{"uid": os.getuid()}], events


# --------------------------------------------------------------------------------------------
# The CLI


def cli_ok(result):
    assert result.returncode == 0, f"exit {result.returncode}; stderr: {result.stderr}; stdout: {result.stdout}"
    return result.stdout


def test_cli_query_data_and_perf(daemons, workdir, run_cli):
    daemon = engine_daemon(daemons, workdir, engine_workers=2)
    sock = ["--socket", daemon.socket_path]
    csv_path = write_file(workdir, "sales.csv", SALES)

    imported = cli_ok(run_cli(*sock, "--no-color", "data", "import", csv_path))
    assert "imported sales: 5 rows" in imported, imported
    listed = cli_ok(run_cli(*sock, "--no-color", "data", "list"))
    assert listed.splitlines()[0].split()[:4] == ["NAME", "KIND", "TABLES", "ROWS"] and "sales" in listed, listed
    described = cli_ok(run_cli(*sock, "--no-color", "data", "describe", "sales"))
    assert "amount" in described and "REAL" in described, described

    table = cli_ok(run_cli(*sock, "--no-color", "query", "SELECT region, count(*) AS n FROM sales GROUP BY region ORDER BY region",
                           "--dataset", "sales"))
    lines = table.splitlines()
    assert lines[0].split() == ["region", "n"], table
    assert lines[1].split() == ["Zürich", "1"] and lines[2].split() == ["east", "1"] and lines[3].split() == ["north", "2"], table
    assert "4 rows" in lines[-1], table

    as_csv = cli_ok(run_cli(*sock, "query", "SELECT id, note FROM sales WHERE id IN (2, 3, 4) ORDER BY id", "--dataset", "sales", "--csv"))
    # (run_cli reads text with universal newlines: the CRLF record ends read as \n.)
    assert as_csv == 'id,note\n2,"with, comma"\n3,"two\nlines"\n4,"say ""hi"" 日本"\n', repr(as_csv)
    as_json = json.loads(cli_ok(run_cli(*sock, "--json", "query", "SELECT 1 AS one")))
    assert (as_json["columns"], as_json["rows"], as_json["state"]) == (["one"], [[1]], "succeeded"), as_json

    # Every page, not just the first 1000 rows.
    many = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 2500) SELECT x FROM c"
    paged = json.loads(cli_ok(run_cli(*sock, "--json", "query", many)))
    assert [row[0] for row in paged["rows"]] == list(range(1, 2501)), len(paged["rows"])
    assert cli_ok(run_cli(*sock, "--no-color", "query", many)).splitlines()[-1].startswith("2500 rows")

    refused = run_cli(*sock, "query", "DELETE FROM sales", "--dataset", "sales")
    assert refused.returncode == 1 and "only reads" in refused.stderr, refused

    perf = cli_ok(run_cli(*sock, "--no-color", "perf"))
    assert "🟢 idle" in perf and "Queue Status" in perf, perf
    for words in ("Pending: 0 queries", "In Flight: 0", "Avg Wait:", "Last activity", "Throughput"):
        assert words in perf, perf
    # The hot-slot meter comes from slots.list: no slot assigned, nothing in use.
    assert "Hot slots RAM" in perf and "0 slots in use" in perf, perf
    perf_json = json.loads(cli_ok(run_cli(*sock, "--json", "perf")))
    assert perf_json["engine"]["status"] == "idle", perf_json
    assert perf_json["slots"]["used_bytes"] == 0 and len(perf_json["slots"]["slots"]) == 4, perf_json

    dropped = cli_ok(run_cli(*sock, "data", "drop", "sales"))
    assert "dropped sales" in dropped
    missing = run_cli(*sock, "query", "SELECT 1", "--dataset", "sales")
    assert missing.returncode == 1 and "no dataset named 'sales'" in missing.stderr, missing


def test_perf_watch_redraws_on_engine_events(daemons, workdir, cli_bin, base_env):
    daemon = engine_daemon(daemons, workdir, engine_workers=1)
    process = subprocess.Popen(
        [cli_bin, "--socket", daemon.socket_path, "--no-color", "perf", "--watch"],
        env=base_env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()

    def until(words):
        while True:
            try:
                line = lines.get(timeout=30)
            except queue.Empty:
                raise AssertionError(f"perf --watch never printed {words!r}") from None
            if words in line:
                return line

    try:
        until("🟢 idle")
        with daemon.connect() as connection:
            job = connection.call("engine.submit", {"sql": ENDLESS})["job"]
            until("🟡 processing")
            until("In Flight: 1")
            connection.call("engine.cancel", {"job": job})
            until("🟢 idle")
    finally:
        process.kill()
        process.wait()


# --------------------------------------------------------------------------------------------
# A second real uid (system mode): others' jobs, others' datasets, files they cannot read

from elohim_client import connect_as  # noqa: E402
from test_accounts_audit import (  # noqa: E402,F401 - fixtures used by name
    elohim_group,
    needs_root,
    second_user,
    start_system_daemon,
)

FORBIDDEN = -32001


@needs_root
def test_another_users_jobs_and_files_are_out_of_reach_unless_admin(daemons, workdir, second_user):
    daemon = start_system_daemon(daemons, workdir, write_config(workdir, "sys", {"engine_workers": 1}))
    private = write_file(workdir, "private.csv", "secret\n42\n")
    os.chmod(private, 0o600)
    shared = write_file(workdir, "shared.csv", "n\n1\n2\n")
    os.chmod(shared, 0o644)
    with daemon.connect() as admin:
        admin.call("users.add", {"uid": second_user.uid, "role": "member"})
        import_sales(admin, workdir)
        with connect_as(daemon.socket_path, second_user.uid, second_user.gid) as member:
            # The daemon reads files with the caller's rights, not its own.
            refused = error_of(member.request("data.import", {"path": private}), FORBIDDEN, "forbidden")
            assert "permission denied" in refused["message"], refused
            assert member.call("data.import", {"path": shared})["rows"] == 2
            # Datasets are per user.
            assert [d["name"] for d in member.call("data.list")["datasets"]] == ["shared"]
            hidden = member.request("engine.run", {"sql": "SELECT 1", "dataset": "sales"})
            assert hidden["error"]["data"]["reason"] == "not_found", hidden
            assert stat.S_IMODE(os.stat(os.path.join(daemon.data_dir, "datasets", str(second_user.uid))).st_mode) == 0o700

            running = admin.call("engine.submit", {"sql": ENDLESS})["job"]
            wait_state(admin, running, "running")
            # A member can neither see nor stop someone else's job…
            denied = error_of(member.request("engine.cancel", {"job": running}), FORBIDDEN, "forbidden")
            assert denied["data"]["permission"] == "admin.manage_users", denied
            assert member.request("engine.result", {"job": running})["error"]["data"]["reason"] == "not_found"
            # …an admin can stop a member's.
            theirs = member.call("engine.submit", {"sql": ENDLESS})["job"]
            stopped = admin.call("engine.cancel", {"job": theirs})
            assert stopped["state"] == "cancelled", stopped
            seen = member.call("engine.result", {"job": theirs})
            assert seen["state"] == "cancelled" and "cancelled by uid 0" in seen["error"]["message"], seen
            admin.call("engine.cancel", {"job": running})
        events = admin.call("admin.audit_log", {"event_type": "engine.job_cancelled"})["events"]
        assert [(e["resource_id"], e["details"]["owner"]) for e in events] == [(str(theirs), second_user.uid)], events


def test_sigterm_stops_running_queries_and_answers_their_callers(daemons, workdir):
    """A query may run for a long time (here up to 10 minutes); SIGTERM must not wait for it:
    the in-flight engine.run is answered (cancelled, saying why) and the daemon exits 0."""
    daemon = engine_daemon(daemons, workdir, engine_workers=1, engine_timeout_ms=600_000)
    with daemon.connect() as connection, daemon.connect() as other:
        connection.send_json({"jsonrpc": "2.0", "id": 7, "method": "engine.run", "params": {"sql": ENDLESS}})
        wait_for(lambda: other.call("engine.status")["queue"]["in_flight"] == 1, 30, "the query to run")
        daemon.signal(signal.SIGTERM)
        answer = connection.response_for(7, timeout=60)
        error = error_of(answer, CANCELLED, "cancelled")
        assert "shutting down" in error["message"], error
    assert daemon.wait(60) == 0, daemon.log()


def test_results_are_paged_and_capped(daemons, workdir):
    daemon = engine_daemon(daemons, workdir, engine_max_rows=3000)
    many = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c"
    with daemon.connect() as connection:
        first = connection.call("engine.run", {"sql": many, "max_rows": 2500, "limit": 1000})
        assert (first["row_count"], first["truncated"], first["offset"], first["next_offset"]) == (2500, True, 0, 1000), {
            k: v for k, v in first.items() if k != "rows"}
        assert len(first["rows"]) == 1000 and first["rows"][0] == [1]
        last = connection.call("engine.result", {"job": first["job"], "offset": 2000, "limit": 1000})
        assert (len(last["rows"]), last["rows"][-1], last["next_offset"]) == (500, [2500], None)
        # max_rows above the engine's ceiling is capped to it.
        capped = connection.call("engine.run", {"sql": many, "max_rows": 10_000_000, "limit": 1})
        assert (capped["row_count"], capped["truncated"]) == (3000, True), {k: v for k, v in capped.items() if k != "rows"}
        bad = connection.request("engine.result", {"job": first["job"], "limit": 0})
        assert bad["error"]["code"] == -32602 and bad["error"]["data"]["field"] == "limit", bad
        unknown = connection.request("engine.result", {"job": 999999})
        assert unknown["error"]["data"]["reason"] == "not_found", unknown


def test_wide_rows_come_in_pages_that_fit_a_frame(daemons, workdir, run_cli):
    """1500 rows of 10 kB each (15 MB, under the 16 MiB a job keeps) exceed a 4 MiB frame many
    times over: pages shrink to fit and the CLI still prints every row."""
    daemon = engine_daemon(daemons, workdir)
    wide = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 1500) SELECT x, printf('%.10000c', 'w') FROM c"
    with daemon.connect() as connection:
        first = connection.call("engine.run", {"sql": wide, "limit": 10000})
        assert (first["row_count"], first["truncated"]) == (1500, False)
        assert 1 <= len(first["rows"]) < 1500, len(first["rows"])
        assert first["next_offset"] == len(first["rows"])
    lines = cli_ok(run_cli("--socket", daemon.socket_path, "--json", "query", wide))
    rows = json.loads(lines)["rows"]
    assert [row[0] for row in rows] == list(range(1, 1501)) and all(len(row[1]) == 10000 for row in rows)


def test_without_a_dataset_every_dataset_is_a_read_only_schema(daemons, workdir):
    daemon = engine_daemon(daemons, workdir)
    with daemon.connect() as connection:
        import_sales(connection, workdir)
        connection.call("data.import", {"path": write_file(workdir, "regions.csv", "region,manager\nnorth,Ann\nsouth,Bo\n")})
        rows = connection.call("engine.run", {"sql": (
            "SELECT r.manager, sum(s.amount) FROM sales.sales s JOIN regions.regions r ON r.region = s.region "
            "GROUP BY r.manager ORDER BY r.manager")})["rows"]
        assert rows == [["Ann", 10.5], ["Bo", 20.0]], rows
        for sql in ("DELETE FROM sales.sales", "DETACH DATABASE sales", "INSERT INTO regions.regions VALUES ('x', 'y')"):
            error_of(connection.request("engine.run", {"sql": sql}), READ_ONLY, "read_only")
        assert connection.call("engine.run", {"sql": "SELECT count(*) FROM regions.regions"})["rows"] == [[2]]
        assert connection.call("engine.run", {"sql": "SELECT 1"})["rows"] == [[1]]
