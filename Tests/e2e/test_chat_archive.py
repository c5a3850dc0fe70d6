"""Chat session archiving: the cleanup's `chat_archive` task, `chat.list {archived: true}`,
`chat.restore`, and `elohim chat list --archived` / `elohim chat restore` against a real daemon
and its real SQLite file. Sessions are made idle by backdating `last_activity` (and messages are
added) with the sqlite3 module in the database file while the daemon is stopped."""

from __future__ import annotations

import json
import os
import random
import sqlite3

import pytest

from elohim_client import RPCFailure, wait_for

OLD = "2020-01-01T00:00:00.000Z"
OTHER_UID = 4242


def database(daemon):
    return os.path.join(daemon.data_dir, "elohim.db")


def restart(daemons, daemon, args=()):
    return daemons.start(list(args), data_dir=daemon.data_dir, socket_path=daemon.socket_path)


def add_messages(db, session_id, count):
    db.executemany(
        "INSERT INTO chat_messages (session_id, role, content, model, prompt_tokens, completion_tokens, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(session_id, "user" if turn % 2 == 0 else "assistant", f"s{session_id} turn {turn}",
          None if turn % 2 == 0 else "tiny", None if turn % 2 == 0 else 10 + turn, None if turn % 2 == 0 else turn, OLD)
         for turn in range(count)])


def seed_idle_sessions(path, uid, count, messages):
    """Inserts `count` sessions of `uid` idle since 2020, each with `messages` messages."""
    with sqlite3.connect(path) as db:
        first = (db.execute("SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'chat_sessions'").fetchone()[0]) + 1
        db.executemany(
            "INSERT INTO chat_sessions (id, user_id, team_id, title, created_at, updated_at, last_activity) "
            "VALUES (?, ?, NULL, ?, ?, ?, ?)",
            [(first + index, uid, f"idle {first + index}", OLD, OLD, OLD) for index in range(count)])
        db.executemany(
            "INSERT INTO chat_messages (session_id, role, content, created_at) VALUES (?, 'user', ?, ?)",
            [(first + index, f"m{turn}", OLD) for index in range(count) for turn in range(messages)])
    return list(range(first, first + count))


def snapshot(path):
    """Every row of the four chat tables."""
    with sqlite3.connect(path) as db:
        return {table: db.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
                for table in ("chat_sessions", "chat_messages", "archived_sessions", "archived_messages")}


def assert_each_row_in_exactly_one_place(path, session_ids, message_count):
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        live = [row[0] for row in db.execute("SELECT id FROM chat_sessions")]
        archived = [row[0] for row in db.execute("SELECT id FROM archived_sessions")]
        assert sorted(live + archived) == sorted(session_ids), "a session is missing or in both tables"
        live_messages = [row[0] for row in db.execute("SELECT id FROM chat_messages")]
        archived_messages = [row[0] for row in db.execute("SELECT id FROM archived_messages")]
        assert len(set(live_messages) | set(archived_messages)) == message_count
        assert len(live_messages) + len(archived_messages) == message_count, "a message is in both tables"
        # A message is always where its session is.
        assert db.execute("SELECT count(*) FROM chat_messages WHERE session_id NOT IN (SELECT id FROM chat_sessions)").fetchone()[0] == 0
        assert db.execute(
            "SELECT count(*) FROM archived_messages WHERE session_id NOT IN (SELECT id FROM archived_sessions)").fetchone()[0] == 0
        return len(archived)


def test_idle_sessions_are_archived_listed_and_restored_with_their_messages(daemons, run_cli):
    daemon = daemons.start()
    with daemon.connect() as connection:
        idle = [connection.call("chat.create", {"title": f"old {n}"})["id"] for n in range(2)]
        fresh = connection.call("chat.create", {"title": "fresh"})["id"]
    assert daemon.stop() == 0
    path = database(daemon)
    with sqlite3.connect(path) as db:
        uid = db.execute("SELECT user_id FROM chat_sessions WHERE id = ?", (fresh,)).fetchone()[0]
        for session in idle + [fresh]:
            add_messages(db, session, 4)
        db.executemany("UPDATE chat_sessions SET last_activity = ? WHERE id = ?", [(OLD, s) for s in idle])
    [theirs] = seed_idle_sessions(path, OTHER_UID, 1, 3)
    assert uid != OTHER_UID
    before = snapshot(path)
    daemon = restart(daemons, daemon)
    socket = ["--socket", daemon.socket_path]

    # A dry run reports and changes nothing.
    dry = run_cli("--json", "cleanup", "run", "--dry-run", *socket)
    assert dry.returncode == 0, dry.stderr
    dry = json.loads(dry.stdout)
    task = next(t for t in dry["tasks"] if t["name"] == "chat_archive")
    assert task["unit"] == "sessions" and task["scanned"] == 3 and task["removed"] == 3
    assert dry["sessions_archived"] == 3 and dry["messages_archived"] == 11
    assert snapshot(path) == before

    run = run_cli("cleanup", *socket)
    assert run.returncode == 0, run.stderr
    assert "3 sessions (11 messages) archived" in run.stdout and "chat_archive" in run.stdout
    history = run_cli("--json", "cleanup", "history", *socket)
    [stored] = json.loads(history.stdout)
    assert stored["sessions_archived"] == 3 and stored["messages_archived"] == 11 and stored["status"] == "ok"
    table = run_cli("cleanup", "history", *socket)
    assert "MESSAGES" in table.stdout and " 11 " in table.stdout

    with daemon.connect() as connection:
        live = connection.call("chat.list", {})
        assert [s["id"] for s in live["sessions"]] == [fresh] and live["total"] == 1
        archived = connection.call("chat.list", {"archived": True, "limit": 1})
        assert archived["total"] == 2 and len(archived["sessions"]) == 1
        page2 = connection.call("chat.list", {"archived": True, "limit": 1, "offset": 1})
        assert sorted([archived["sessions"][0]["id"], page2["sessions"][0]["id"]]) == sorted(idle), "another user's session listed"
        assert all(s["archived_at"] and s["message_count"] == 4 for s in archived["sessions"] + page2["sessions"])
        for method, params in [("chat.get", {"session_id": idle[0]}), ("chat.send", {"session_id": idle[0], "content": "hi"})]:
            with pytest.raises(RPCFailure) as failure:
                connection.call(method, params)
            assert failure.value.data["reason"] == "not_found"
            assert f"elohim chat restore {idle[0]}" in failure.value.error["message"], failure.value.error
        # Another user's archived session: not visible, not restorable.
        with pytest.raises(RPCFailure) as failure:
            connection.call("chat.restore", {"session_id": theirs})
        assert failure.value.data["reason"] == "not_found" and "--archived" in failure.value.error["message"]
        with pytest.raises(RPCFailure) as failure:
            connection.call("chat.restore", {"session_id": fresh})
        assert failure.value.data["reason"] == "conflict"

    listed = run_cli("chat", "list", "--archived", *socket)
    assert listed.returncode == 0, listed.stderr
    assert "old 0" in listed.stdout and "old 1" in listed.stdout and "ARCHIVED" in listed.stdout
    assert "idle" not in listed.stdout and "fresh" not in listed.stdout
    missing = run_cli("chat", "restore", "999999", *socket)
    assert missing.returncode != 0 and "999999" in missing.stderr and "--archived" in missing.stderr

    restored = run_cli("chat", "restore", str(idle[0]), *socket)
    assert restored.returncode == 0, restored.stderr
    assert f"restored session {idle[0]}" in restored.stdout and "4 messages" in restored.stdout
    with daemon.connect() as connection:
        messages = connection.call("chat.get", {"session_id": idle[0]})["messages"]
        assert [m["content"] for m in messages] == [f"s{idle[0]} turn {t}" for t in range(4)]
        assert [m["prompt_tokens"] for m in messages] == [None, 11, None, 13]
        assert {s["id"] for s in connection.call("chat.list", {})["sessions"]} == {fresh, idle[0]}
        assert [s["id"] for s in connection.call("chat.list", {"archived": True})["sessions"]] == [idle[1]]
        log = connection.call("admin.audit_log", {"event_type": "chat.session_restored"})["events"]
        assert [e["resource_id"] for e in log] == [str(idle[0])]
    # The restored session's rows are byte-for-byte the ones archived (last_activity aside).
    after = snapshot(path)
    assert [m for m in after["chat_messages"] if m[1] == idle[0]] == [m for m in before["chat_messages"] if m[1] == idle[0]]
    # A second run leaves the restored session alone: restoring counts as activity.
    again = run_cli("--json", "cleanup", *socket)
    assert json.loads(again.stdout)["sessions_archived"] == 0


def test_zero_days_never_archives_and_bad_values_are_refused(daemons, workdir):
    daemon = daemons.start()
    assert daemon.stop() == 0
    seed_idle_sessions(database(daemon), OTHER_UID, 3, 1)
    daemon = restart(daemons, daemon)
    assert daemon.stop() == 0
    never = daemons.start(data_dir=daemon.data_dir, env={"ELOHIMD_CHAT_ARCHIVE_AFTER_DAYS": "0"})
    with never.connect() as connection:
        run = connection.call("admin.cleanup_run")
    assert run["sessions_archived"] == 0 and run["status"] == "ok"
    assert never.stop() == 0
    with sqlite3.connect(database(daemon)) as db:
        assert db.execute("SELECT count(*) FROM chat_sessions").fetchone()[0] == 3
    config = os.path.join(workdir, "bad.json")
    for value in (-1, 36501, "90"):
        with open(config, "w") as handle:
            json.dump({"chat_archive_after_days": value}, handle)
        process = daemons.spawn(["--config", config])
        assert process.wait() == 78, f"chat_archive_after_days={value!r} should be refused"
        assert "chat_archive_after_days" in process.log()
    process = daemons.spawn(env={"ELOHIMD_CHAT_ARCHIVE_AFTER_DAYS": "soon"})
    assert process.wait() == 78 and "ELOHIMD_CHAT_ARCHIVE_AFTER_DAYS" in process.log()


def test_sigkill_while_archiving_leaves_every_session_in_exactly_one_table(daemons):
    """20 000 idle sessions with 3 messages each; the daemon is SIGKILLed at a random point of
    the archiving run (once a random number of sessions has been committed), twice, then the
    run completes. After each kill every session and every message is in exactly one of the
    live and archive tables, next to its session, and the database passes integrity_check."""
    sessions, per_session = 20_000, 3
    daemon = daemons.start()
    assert daemon.stop() == 0
    path = database(daemon)
    ids = seed_idle_sessions(path, OTHER_UID, sessions, per_session)
    total_messages = sessions * per_session
    archived = 0
    rng = random.Random()
    for attempt in range(2):
        daemon = restart(daemons, daemon)
        connection = daemon.connect()
        connection.send_json({"jsonrpc": "2.0", "id": 1, "method": "admin.cleanup_run", "params": {}})
        # Kill once at least `target` sessions are archived: after the run started, before it ends.
        target = archived + rng.randint(1, (sessions - archived) // 2)

        def reached():
            with sqlite3.connect(path, timeout=30) as db:
                return db.execute("SELECT count(*) FROM archived_sessions").fetchone()[0] >= target

        wait_for(reached, 300, f"{target} sessions archived", interval=0.005)
        daemon.kill()
        connection.close()
        now = assert_each_row_in_exactly_one_place(path, ids, total_messages)
        assert now >= target, "a committed batch was lost"
        archived = now
        print(f"kill {attempt}: target {target}, archived {now}")
    daemon = restart(daemons, daemon)
    with daemon.connect(timeout=600) as connection:
        run = connection.call("admin.cleanup_run")
    assert run["status"] == "ok", run
    assert run["sessions_archived"] == sessions - archived
    assert assert_each_row_in_exactly_one_place(path, ids, total_messages) == sessions
    assert daemon.stop() == 0
