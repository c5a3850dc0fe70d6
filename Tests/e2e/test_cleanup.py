"""`admin.cleanup_run` / `admin.cleanup_status` and `elohim cleanup` against a real daemon,
reaping a real temp directory (configured through cleanup_temp_dir / cleanup_temp_prefix)."""

from __future__ import annotations

import json
import os
import time

import pytest

from elohim_client import RPCFailure

DAY = 86400


def write_config(workdir, **settings):
    path = os.path.join(workdir, "elohimd.json")
    with open(path, "w") as handle:
        json.dump(settings, handle)
    return path


def aged(path, days):
    """Backdates atime and mtime. ctime cannot be set, so a file made here is never old by every
    timestamp: deletion itself is covered by TempFileReaperTests, which moves the reaper's clock."""
    then = time.time() - days * DAY
    os.utime(path, (then, then), follow_symlinks=False)


@pytest.fixture
def tempdir(workdir):
    path = os.path.join(workdir, "tmp")
    os.makedirs(path, mode=0o700)
    return path


def start(daemons, workdir, tempdir, **extra):
    config = write_config(workdir, cleanup_temp_dir=tempdir, cleanup_temp_prefix="elohimtest_", **extra)
    return daemons.start(["--config", config])


def test_dry_run_then_run_reports_stats_and_is_stored(daemons, workdir, tempdir):
    daemon = start(daemons, workdir, tempdir)
    fresh = os.path.join(tempdir, "elohimtest_fresh")
    with open(fresh, "w") as handle:
        handle.write("x" * 10)
    other = os.path.join(tempdir, "unrelated")
    open(other, "w").close()
    with daemon.connect() as connection:
        dry = connection.call("admin.cleanup_run", {"dry_run": True})
        assert dry["dry_run"] is True and dry["id"] is None
        assert dry["files_scanned"] == 1 and dry["files_deleted"] == 0
        assert [task["name"] for task in dry["tasks"]] == ["temp_files", "chat_archive", "orphan_embeddings", "model_cache"]
        assert dry["tasks"][0]["kept"] == {"recent": 1} and dry["orphans_removed"] == 0
        status = connection.call("admin.cleanup_status")
        assert status["last_run"] is None, "dry runs are not stored"
        run = connection.call("admin.cleanup_run")
        assert run["id"] == 1 and run["trigger"] == "manual" and run["status"] == "ok"
        status = connection.call("admin.cleanup_status", {"history": 5})
        assert status["last_run"]["id"] == 1 and [r["id"] for r in status["history"]] == [1]
        assert status["time"] == "02:00" and status["next_run"] and status["running"] is False
        log = connection.call("admin.audit_log", {"event_type": "cleanup.run"})["events"]
        assert [e["action"] for e in log] == ["run", "dry_run"]
        assert log[0]["details"]["files_scanned"] == 1
    assert os.path.exists(fresh) and os.path.exists(other)
    # The run survives a restart: the schedule reads its last run from the database. The
    # schedule's service stops cleanly with the rest (exit 0).
    assert daemon.stop() == 0
    again = daemons.start(["--config", os.path.join(workdir, "elohimd.json")], data_dir=daemon.data_dir)
    with again.connect() as connection:
        assert connection.call("admin.cleanup_status")["last_run"]["id"] == 1


def test_run_removes_old_files_and_keeps_links_targets(daemons, workdir, tempdir):
    daemon = start(daemons, workdir, tempdir)
    outside = os.path.join(workdir, "precious")
    with open(outside, "w") as handle:
        handle.write("keep")
    aged(outside, 30)
    link = os.path.join(tempdir, "elohimtest_link")
    os.symlink(outside, link)
    aged(link, 30)
    with daemon.connect() as connection:
        # ctime of the link is now: with a 7-day rule nothing goes yet.
        run = connection.call("admin.cleanup_run")
    assert run["files_deleted"] == 0 and os.path.lexists(link)
    assert open(outside).read() == "keep"


def test_cleanup_events_and_permission(daemons, workdir, tempdir):
    daemon = start(daemons, workdir, tempdir)
    with daemon.connect() as follower, daemon.connect() as caller:
        subscribed = follower.call("events.subscribe", {"topics": ["cleanup"]})
        assert subscribed["snapshot"]["cleanup"]["time"] == "02:00"
        caller.call("admin.cleanup_run", {"dry_run": True})
        started = follower.next_notification()
        finished = follower.next_notification()
        assert started["params"]["type"] == "cleanup.started" and started["params"]["data"]["dry_run"] is True
        assert finished["params"]["type"] == "cleanup.finished" and finished["params"]["data"]["trigger"] == "manual"


def test_cli_cleanup_run_status_history(daemons, workdir, tempdir, run_cli):
    daemon = start(daemons, workdir, tempdir)
    socket = ["--socket", daemon.socket_path]
    dry = run_cli("cleanup", "run", "--dry-run", *socket)
    assert dry.returncode == 0, dry.stderr
    assert "dry run" in dry.stdout and "temp_files" in dry.stdout
    run = run_cli("--json", "cleanup", *socket)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["trigger"] == "manual"
    status = run_cli("cleanup", "status", *socket)
    assert status.returncode == 0 and "daily at 02:00" in status.stdout and "next run" in status.stdout
    history = run_cli("--json", "cleanup", "history", *socket)
    assert [r["trigger"] for r in json.loads(history.stdout)] == ["manual"]


def test_bad_cleanup_settings_are_refused_at_start(daemons, workdir, tempdir):
    for key, value in [("cleanup_time", "25:00"), ("cleanup_temp_prefix", "x"), ("cleanup_temp_prefix", "../etc"),
                       ("cleanup_temp_dir", "relative"), ("cleanup_temp_max_age_days", 0)]:
        config = write_config(workdir, **{key: value})
        process = daemons.spawn(["--config", config])
        assert process.wait() == 78, f"{key}={value!r} should be refused"
        assert key in process.log()


def test_history_limit_is_checked(daemon):
    with daemon.connect() as connection:
        with pytest.raises(RPCFailure) as failure:
            connection.call("admin.cleanup_status", {"history": 101})
        assert failure.value.code == -32602


def test_a_run_missed_while_stopped_is_caught_up_soon_after_start(daemons, workdir, tempdir):
    import datetime
    import sqlite3

    daemon = start(daemons, workdir, tempdir)
    assert daemon.stop() == 0
    # The last run was three days ago: daily times have passed while the daemon was stopped.
    three_days_ago = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=3)
    stamp = three_days_ago.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    with sqlite3.connect(os.path.join(daemon.data_dir, "elohim.db")) as db:
        db.execute("INSERT INTO cleanup_runs (trigger, started_at, finished_at, duration_ms, status, stats) "
                   "VALUES ('schedule', ?, ?, 1.0, 'ok', '[]')", (stamp, stamp))
    before = datetime.datetime.now(datetime.timezone.utc)
    again = daemons.start(["--config", os.path.join(workdir, "elohimd.json")], data_dir=daemon.data_dir)
    with again.connect() as connection:
        status = connection.call("admin.cleanup_status")
    assert status["last_run"]["started_at"] == stamp
    assert status["catch_up"] is True, status
    next_run = datetime.datetime.strptime(status["next_run"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    # Soon: within the random catch-up delay (at most 2 minutes) after the daemon came up (up
    # to a minute on a loaded machine), not at the next daily time.
    assert before - datetime.timedelta(seconds=1) <= next_run <= before + datetime.timedelta(seconds=185), status
