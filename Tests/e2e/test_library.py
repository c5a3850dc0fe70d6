"""Local mode (issue 7) end to end: documents, vault and workflows through the real CLI and
raw JSON-RPC against a real daemon; the [Local] badges; team rows seeded straight into
elohim.db never leak into any local method; the vault's database files hold no secret."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from contextlib import closing

import pytest

from elohim_client import RPCFailure

INVALID_PARAMS = -32602
NOT_FOUND = -32002
TOO_LARGE = -32025

NO_COLOR = {"NO_COLOR": "1"}


def cli(run_cli, daemon, *args, **kwargs):
    return run_cli("--socket", daemon.socket_path, *args, **kwargs)


def ok(result):
    assert result.returncode == 0, f"exit {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    return result.stdout


def test_documents_through_the_cli_with_local_badges(daemon, run_cli, workdir):
    notes = os.path.join(workdir, "notes.txt")
    with open(notes, "w", encoding="utf-8") as handle:
        handle.write("Ship the café release on Friday.\nThen rest.\n")
    created = ok(cli(run_cli, daemon, "docs", "create", "--title", "Meeting notes", "--file", notes, "--tag", "work"))
    assert created.startswith("[Local] created document #1 ")
    ok(cli(run_cli, daemon, "docs", "create", "--title", "Shopping", "--tag", "home", input="milk, eggs\n"))
    ok(cli(run_cli, daemon, "docs", "create", "--title", "Inline", "--content", "hello"))

    listing = ok(cli(run_cli, daemon, "docs", "list", env=NO_COLOR)).splitlines()
    assert listing[0].split() == ["CONTEXT", "ID", "TITLE", "TAGS", "SIZE", "EMBEDDED", "UPDATED"]
    rows = listing[1:]
    assert [row.split()[1] for row in rows] == ["3", "2", "1"]
    assert all(row.startswith("[Local]") for row in rows)
    assert "\x1b[" not in "\n".join(listing), "no colour codes when NO_COLOR is set / not a terminal"

    as_json = json.loads(ok(cli(run_cli, daemon, "--json", "docs", "list", "--limit", "2")))
    assert [d["id"] for d in as_json["documents"]] == [3, 2]
    assert as_json["next_cursor"] == 2
    assert all(d["context"] == {"kind": "local"} for d in as_json["documents"])
    assert as_json["documents"][1]["tags"] == ["home"]
    rest = json.loads(ok(cli(run_cli, daemon, "--json", "docs", "list", "--before", "2")))
    assert [d["id"] for d in rest["documents"]] == [1] and rest["next_cursor"] is None

    shown = ok(cli(run_cli, daemon, "docs", "show", "1", env=NO_COLOR))
    assert shown.splitlines()[0].startswith("[Local] #1 Meeting notes")
    assert shown.endswith("Ship the café release on Friday.\nThen rest.\n")
    assert ok(cli(run_cli, daemon, "docs", "show", "2", "--content-only")) == "milk, eggs\n"

    hits = ok(cli(run_cli, daemon, "docs", "search", "cafe", "relea*", env=NO_COLOR)).splitlines()
    assert len(hits) == 2 and hits[1].startswith("[Local]") and "[release]" in hits[1]

    ok(cli(run_cli, daemon, "docs", "update", "1", "--title", "Old notes", "--clear-tags"))
    updated = json.loads(ok(cli(run_cli, daemon, "--json", "docs", "get", "1")))
    assert updated["title"] == "Old notes" and updated["tags"] == [] and updated["context"] == {"kind": "local"}

    assert ok(cli(run_cli, daemon, "docs", "delete", "1")) == "deleted document #1\n"
    gone = cli(run_cli, daemon, "docs", "show", "1")
    assert gone.returncode == 1
    assert "no local document 1; `elohim docs list` shows yours" in gone.stderr


def test_bad_document_input_gets_clear_errors_and_writes_nothing(daemons, run_cli, workdir):
    daemon = daemons.start(env={"ELOHIMD_LIBRARY_MAX_DOCUMENT_BYTES": "1000"})
    big = cli(run_cli, daemon, "docs", "create", "--title", "big", "--content", "x" * 1001)
    assert big.returncode == 1
    assert "content is 1001 bytes; the limit is 1000 bytes" in big.stderr
    assert "library_max_document_bytes" in big.stderr

    latin1 = os.path.join(workdir, "latin1.txt")
    with open(latin1, "wb") as handle:
        handle.write(b"caf\xe9 au lait")
    bad = cli(run_cli, daemon, "docs", "create", "--title", "t", "--file", latin1)
    assert bad.returncode == 2
    assert "is not valid UTF-8 text (first bad byte at offset 3)" in bad.stderr

    with closing(daemon.connect()) as connection:
        for params, field in [
            ({"title": "", "content": "x"}, "title"),
            ({"title": "t", "content": "x", "tags": ["a,b"]}, "tags.0"),
            ({"title": "t"}, "content"),
            ({"title": "t", "content": 5}, "content"),
        ]:
            with pytest.raises(RPCFailure) as failure:
                connection.call("docs.create", params)
            assert failure.value.code == INVALID_PARAMS and failure.value.data["field"] == field, failure.value.error["message"]
        with pytest.raises(RPCFailure) as failure:
            connection.call("docs.create", {"title": "t", "content": "é" * 501})
        assert failure.value.code == TOO_LARGE and failure.value.data["limit_bytes"] == 1000
        with pytest.raises(RPCFailure) as failure:
            connection.call("docs.update", {"id": 42, "title": "x"})
        assert failure.value.code == NOT_FOUND and "no local document 42" in failure.value.error["message"]
        with pytest.raises(RPCFailure) as failure:
            connection.call("docs.list", {"limit": 1000})
        assert failure.value.code == INVALID_PARAMS and failure.value.data["field"] == "limit"
        # Invalid UTF-8 inside the JSON text is refused before any method runs.
        payload = b'{"jsonrpc":"2.0","id":9,"method":"docs.create","params":{"title":"t","content":"\xff\xfe"}}'
        connection.send_frame(payload)
        refused = connection.read_json()
        assert refused["id"] is None and refused["error"]["code"] == -32700
        assert connection.call("docs.list")["documents"] == []


def test_vault_secrets_never_reach_the_database_files(daemon, run_cli):
    secret = "correct-horse-battery-staple-5c1f"
    stored = ok(cli(run_cli, daemon, "vault", "put", "wifi", input=secret + "\n"))
    assert stored.startswith("[Local] stored 'wifi'") and secret not in stored
    assert ok(cli(run_cli, daemon, "vault", "get", "wifi")) == secret + "\n"

    listing = ok(cli(run_cli, daemon, "vault", "list", env=NO_COLOR))
    assert listing.splitlines()[1].startswith("[Local]") and "wifi" in listing and secret not in listing
    items = json.loads(ok(cli(run_cli, daemon, "--json", "vault", "list")))["items"]
    assert items[0]["context"] == {"kind": "local"} and "value" not in items[0]

    data_dir = daemon.data_dir
    key = os.stat(os.path.join(data_dir, "vault.key"))
    assert stat.S_IMODE(key.st_mode) == 0o600 and key.st_size == 32
    checked = 0
    for directory, _, names in os.walk(data_dir):
        for name in names:
            path = os.path.join(directory, name)
            if path == os.path.join(data_dir, "vault.key"):
                continue
            with open(path, "rb") as handle:
                assert secret.encode() not in handle.read(), f"{path} holds the secret in clear"
            checked += 1
    assert checked >= 2  # elohim.db and its WAL at least

    assert ok(cli(run_cli, daemon, "vault", "delete", "wifi")) == "deleted vault item 'wifi'\n"
    missing = cli(run_cli, daemon, "vault", "get", "wifi")
    assert missing.returncode == 1 and "no local vault item 'wifi'" in missing.stderr


def test_team_rows_in_the_database_never_reach_a_local_method(daemon):
    uid = os.geteuid()
    with closing(daemon.connect()) as connection:
        mine = connection.call("docs.create", {"title": "mine", "content": "local words"})
        # Phase 3 will create team rows; today only the database can, so seed them there.
        with closing(sqlite3.connect(os.path.join(daemon.data_dir, "elohim.db"), timeout=10)) as db:
            db.execute(
                "INSERT INTO documents (user_id, team_id, title, content, size_bytes, created_at, updated_at) "
                "VALUES (?, 'engineering', 'team plan', 'teamsecret roadmap', 18, 't', 't')", (uid,))
            team_doc = db.execute("SELECT max(id) FROM documents").fetchone()[0]
            db.execute(
                "INSERT INTO workflows (user_id, team_id, name, steps, step_count, created_at, updated_at) "
                "VALUES (?, 'engineering', 'team-flow', '[{\"kind\":\"template\",\"text\":\"x\"}]', 1, 't', 't')", (uid,))
            team_flow = db.execute("SELECT max(id) FROM workflows").fetchone()[0]
            db.execute(
                "INSERT INTO vault_items (user_id, team_id, name, sealed, size_bytes, created_at, updated_at) "
                "VALUES (?, 'engineering', 'team-token', x'00', 1, 't', 't')", (uid,))
            db.commit()

        assert [d["id"] for d in connection.call("docs.list")["documents"]] == [mine["id"]]
        assert connection.call("docs.search", {"query": "teamsecret"})["hits"] == []
        assert connection.call("vault.list")["items"] == []
        assert connection.call("workflows.list")["workflows"] == []
        for method, params in [
            ("docs.get", {"id": team_doc}),
            ("docs.update", {"id": team_doc, "title": "hacked"}),
            ("docs.delete", {"id": team_doc}),
            ("vault.get", {"name": "team-token"}),
            ("vault.delete", {"name": "team-token"}),
            ("workflows.get", {"id": team_flow}),
            ("workflows.get", {"name": "team-flow"}),
            ("workflows.update", {"id": team_flow, "name": "hacked"}),
            ("workflows.run", {"id": team_flow}),
            ("workflows.delete", {"name": "team-flow"}),
        ]:
            with pytest.raises(RPCFailure) as failure:
                connection.call(method, params)
            assert failure.value.code == NOT_FOUND, (method, failure.value.error["message"])

    with closing(sqlite3.connect(os.path.join(daemon.data_dir, "elohim.db"), timeout=10)) as db:
        assert db.execute("SELECT title, content FROM documents WHERE id = ?", (team_doc,)).fetchone() == (
            "team plan", "teamsecret roadmap")
        assert db.execute("SELECT name, last_run_at FROM workflows WHERE id = ?", (team_flow,)).fetchone() == (
            "team-flow", None)
        assert db.execute("SELECT count(*) FROM vault_items WHERE team_id = 'engineering'").fetchone() == (1,)


def test_workflows_run_with_progress_events(daemon, run_cli, workdir):
    ok(cli(run_cli, daemon, "docs", "create", "--title", "Ideas", "--content", "solar kettle, wind clock"))
    steps = [
        {"kind": "search_documents", "query": "{{input.topic}}"},
        {"kind": "template", "text": "# {{input.topic}}\n{{steps.1}}"},
        {"kind": "write_document", "title": "Report: {{input.topic}}", "content": "{{previous}}", "tags": "report"},
        {"kind": "append_document", "id": "{{steps.3}}", "text": "\n-- generated"},
    ]
    steps_file = os.path.join(workdir, "steps.json")
    with open(steps_file, "w") as handle:
        json.dump(steps, handle)
    created = ok(cli(run_cli, daemon, "workflows", "create", "--name", "report", "--steps-file", steps_file,
                     "--description", "collect ideas"))
    assert created.startswith("[Local] created workflow #1 'report' (4 steps)")

    with closing(daemon.connect()) as watcher:
        subscribed = watcher.call("events.subscribe", {"topics": ["library"]})
        assert subscribed["snapshot"]["library"] == {"runs": []}
        run = cli(run_cli, daemon, "workflows", "run", "report", "--input", "topic=solar", env=NO_COLOR)
        assert run.returncode == 0, run.stderr
        assert run.stderr.splitlines() == [
            "step 1/4 search_documents: succeeded", "step 2/4 template: succeeded",
            "step 3/4 write_document: succeeded", "step 4/4 append_document: succeeded",
        ]
        assert run.stdout.startswith("[Local] workflow 'report' succeeded (run-")
        events = []
        while not events or events[-1]["type"] != "workflow.finished":
            message = watcher.next_notification()["params"]
            if message["type"].startswith("workflow."):
                events.append(message)
        assert [e["type"] for e in events] == ["workflow.started"] + ["workflow.step"] * 4 + ["workflow.finished"]
        assert [e["data"]["index"] for e in events[1:5]] == [1, 2, 3, 4]
        assert events[-1]["data"]["status"] == "succeeded" and len({e["data"]["run_id"] for e in events}) == 1

    report = json.loads(ok(cli(run_cli, daemon, "--json", "docs", "get", "2")))
    assert report["title"] == "Report: solar" and report["tags"] == ["report"]
    assert report["content"] == "# solar\n1\tIdeas\n-- generated"

    listing = ok(cli(run_cli, daemon, "workflows", "list", env=NO_COLOR)).splitlines()
    assert listing[1].startswith("[Local]") and "succeeded" in listing[1]
    shown = json.loads(ok(cli(run_cli, daemon, "--json", "workflows", "show", "1")))
    assert shown["steps"] == steps and shown["context"] == {"kind": "local"} and shown["last_run_status"] == "succeeded"

    missing_input = cli(run_cli, daemon, "workflows", "run", "report")
    assert missing_input.returncode == 1 and "inputs needs 'topic'" in missing_input.stderr

    ok(cli(run_cli, daemon, "workflows", "update", "1", "--steps", '[{"kind": "read_document", "id": "999"}]'))
    failed = cli(run_cli, daemon, "workflows", "run", "1")
    assert failed.returncode == 1
    assert "step 1/1 read_document: failed: no local document 999" in failed.stderr

    bad = cli(run_cli, daemon, "workflows", "create", "--name", "x", "--steps", '[{"kind": "teleport"}]')
    assert bad.returncode == 1 and "steps.1.kind 'teleport' is not a step kind" in bad.stderr
    assert ok(cli(run_cli, daemon, "workflows", "delete", "report")) == "deleted workflow #1\n"


def test_embeddings_live_in_their_own_private_file(daemon):
    path = os.path.join(daemon.data_dir, "embeddings.db")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall() == [("document_embeddings",)]


def test_status_prints_the_local_header_badge(daemon, run_cli):
    assert ok(cli(run_cli, daemon, "status", env=NO_COLOR)).startswith("[Local] ElohimOS")


# Two real uids on a system daemon: the fixtures of the accounts suite (they need root).
from test_accounts_audit import (  # noqa: E402,F401  (fixtures used by name)
    FORBIDDEN, elohim_group, error_of, guest_session, needs_root, second_user,
)


@needs_root
def test_each_uid_has_its_own_local_library_and_every_method_checks_its_permission(guest_session):
    _daemon, guest, admin, user = guest_session
    mine = admin.call("docs.create", {"title": "root only", "content": "rootsecret"})
    admin.call("vault.put", {"name": "k", "value": "v"})

    # A guest holds docs.read only: it reads its own (empty) library, never root's.
    assert guest.call("docs.list")["documents"] == []
    assert guest.call("docs.search", {"query": "rootsecret"})["hits"] == []
    error_of(guest.request("docs.get", {"id": mine["id"]}), NOT_FOUND, "not_found")
    for method, params, permission in [
        ("docs.create", {"title": "t", "content": "c"}, "docs.write"),
        ("docs.delete", {"id": mine["id"]}, "docs.write"),
        ("vault.get", {"name": "k"}, "vault.read"),
        ("vault.put", {"name": "k", "value": "x"}, "vault.write"),
        ("workflows.list", None, "workflows.execute"),
    ]:
        error = error_of(guest.request(method, params), FORBIDDEN, "forbidden")
        assert error["data"]["permission"] == permission, (method, error)

    # A member without docs.write may keep workflows, but none that writes documents.
    admin.call("users.set_role", {"uid": user.uid, "role": "member"})
    admin.call("users.revoke", {"uid": user.uid, "permission": "docs.write"})
    writing = [{"kind": "write_document", "title": "t", "content": "c"}]
    error = error_of(guest.request("workflows.create", {"name": "w", "steps": writing}), FORBIDDEN, "forbidden")
    assert error["data"]["permission"] == "docs.write" and "needs the 'docs.write' permission" in error["message"]
    flow = guest.call("workflows.create", {"name": "w", "steps": [{"kind": "template", "text": "hi {{input.who}}"}]})
    run = guest.call("workflows.run", {"name": "w", "inputs": {"who": "there"}})
    assert run["status"] == "succeeded" and run["steps"][0]["output"] == "hi there"
    assert run["context"] == {"kind": "local"}
    # Root's local library does not contain the member's workflow, nor the member root's vault.
    error_of(admin.request("workflows.get", {"id": flow["id"]}), NOT_FOUND, "not_found")
    assert [d["id"] for d in admin.call("docs.list")["documents"]] == [mine["id"]]
