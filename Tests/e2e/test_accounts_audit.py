"""Accounts, RBAC, founder elevation, setup and the audit log (issue 3's acceptance), end to end:
a second real uid refused and then granted, tampering with audit.db, SIGTERM and SIGKILL under
a stream of audited calls, founder password throttling across a restart, founder-only
operations.

Tests that need a second real uid run the daemon with `--system` (socket 0660, group
`elohim`), create a throwaway system user in that group and connect as it through `setpriv`
(`connect_as`, `run_cli(user=...)`). They need root, `setpriv`, `useradd` and `sqlite3`.
Nothing asserts how long anything took: waits poll with deadlines. The one bound on time is
the documented SIGKILL loss window (see `test_sigkill_under_audited_load_*`).
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass

import pytest

from elohim_client import Closed, RPCConnection, connect_as, wait_for

FORBIDDEN = -32001
NO_ACCOUNT = -32005
SHUTTING_DOWN = -32007
CONFLICT = -32009
THROTTLED = -32013

PASSWORD = "correct horse battery staple"
WRONG = "definitely not the password"

# The founder throttle base used by the throttling test. After the n-th failure the daemon
# refuses attempts for BASE·2^(n-1) ms counted from when the failed attempt *started* (before
# the ~50 ms password hash), so the base must leave room for "an immediate retry is still
# inside the window": 200 ms leaves ~150 ms after the first failure.
THROTTLE_BASE_MS = 200

# SIGKILL may lose the asynchronously recorded events of the last batch window (50 ms) plus
# the batch being written (docs/audit.md). An event the client saw acknowledged more than
# this long before the kill must be in audit.db.
LOSS_WINDOW_S = 0.2

needs_root = pytest.mark.skipif(
    os.geteuid() != 0 or not all(shutil.which(tool) for tool in ("setpriv", "useradd", "userdel", "groupadd")),
    reason="needs root, setpriv, useradd and groupadd to create a second real uid",
)
needs_sqlite3 = pytest.mark.skipif(shutil.which("sqlite3") is None, reason="needs the sqlite3 command line tool")


# --------------------------------------------------------------------------------------------
# Fixtures and helpers


@dataclass
class User:
    name: str
    uid: int
    gid: int

    @property
    def ids(self) -> tuple:
        return (self.uid, self.gid)


@pytest.fixture(scope="module")
def elohim_group():
    """The `elohim` group the system socket belongs to; removed afterwards only if created here."""
    existed = subprocess.run(["getent", "group", "elohim"], capture_output=True).returncode == 0
    if not existed:
        subprocess.run(["groupadd", "-f", "elohim"], check=True, capture_output=True)
    yield "elohim"
    if not existed:
        subprocess.run(["groupdel", "elohim"], capture_output=True)


@pytest.fixture
def second_user(elohim_group):
    """A throwaway system user in the `elohim` group; deleted afterwards."""
    name = f"elohim-e2e-{secrets.token_hex(4)}"
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "-G", elohim_group, name],
        check=True, capture_output=True,
    )
    try:
        entry = pwd.getpwnam(name)
        yield User(name, entry.pw_uid, entry.pw_gid)
    finally:
        subprocess.run(["userdel", name], capture_output=True)


def write_config(workdir: str, name: str, settings: dict) -> str:
    path = os.path.join(workdir, f"{name}.json")
    with open(path, "w") as file:
        json.dump(settings, file)
    return path


def start_system_daemon(daemons, workdir: str, config: str, data_dir: str | None = None):
    """`elohimd --system` on a socket in the test's directory (made traversable: the socket's
    own 0660/group elohim is the gate)."""
    os.chmod(workdir, 0o755)
    return daemons.start(["--system", "--config", config], data_dir=data_dir)


def error_of(response: dict, code: int, reason: str) -> dict:
    assert "error" in response, f"expected a {reason} error, got {response!r}"
    error = response["error"]
    assert error["code"] == code, error
    assert error.get("data", {}).get("reason") == reason, error
    return error


def audit_events(connection: RPCConnection, **filters) -> list:
    """Every audit event matching `filters`, newest first, following `next_cursor`."""
    events, params = [], dict(filters, limit=1000)
    while True:
        page = connection.call("admin.audit_log", params)
        events += page["events"]
        if page.get("next_cursor") is None:
            return events
        params["before"] = page["next_cursor"]


def cli_ok(result) -> str:
    assert result.returncode == 0, f"exit {result.returncode}; stderr: {result.stderr}; stdout: {result.stdout}"
    return result.stdout


def table_rows(text: str) -> list:
    """`elohim audit`'s table as lists of cells: ID TIME USER EVENT RESOURCE ACTION DETAILS
    (DETAILS is compact JSON, the rest have no spaces)."""
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines and lines[0].split()[:7] == ["ID", "TIME", "USER", "EVENT", "RESOURCE", "ACTION", "DETAILS"], text
    return [line.split(None, 6) for line in lines[1:] if line.split()[0].isdigit()]


def sqlite_rows(path: str, sql: str, args=()) -> list:
    with closing(sqlite3.connect(path, timeout=10)) as db:
        return db.execute(sql, args).fetchall()


def integrity(path: str) -> str:
    return sqlite_rows(path, "PRAGMA integrity_check")[0][0]


# --------------------------------------------------------------------------------------------
# 1. A second real uid


@needs_root
def test_second_uid_is_refused_then_granted_and_every_step_is_audited(daemons, workdir, second_user, run_cli):
    daemon = start_system_daemon(daemons, workdir, write_config(workdir, "sys", {}))
    socket_path = daemon.socket_path
    user = second_user
    # The CLI as the second uid (its HOME: the test's HOME is root's private directory).
    as_user = {"user": user.ids, "env": {"HOME": "/"}}

    with connect_as(socket_path, user.uid, user.gid) as guest, daemon.connect() as admin:
        # No account yet: hello, ping and discover work; everything else is no_account.
        hello = guest.call("daemon.hello", {"client_name": "e2e-guest", "client_version": "3.0"})
        assert hello["identity"]["uid"] == user.uid, hello
        assert guest.call("daemon.ping") == {"pong": True}
        assert "methods" in guest.call("rpc.discover")
        for method in ("admin.audit_log", "auth.effective_permissions", "daemon.status", "users.list"):
            error = error_of(guest.request(method), NO_ACCOUNT, "no_account")
            assert str(user.uid) in error["message"], error
            assert "elohim users add" in error["message"], error
        refused = run_cli("--socket", socket_path, "perms", **as_user)
        assert refused.returncode == 1, (refused.returncode, refused.stdout, refused.stderr)
        assert "no account" in refused.stderr and str(user.uid) in refused.stderr, refused.stderr

        # An admin (root is super_admin) adds it as a guest.
        added = admin.call("users.add", {"uid": user.uid, "role": "guest"})
        assert (added["uid"], added["role"], added["grants"]) == (user.uid, "guest", []), added

        # The same connection is now judged by the guest role: forbidden, naming the permission.
        denied = error_of(guest.request("admin.audit_log", {"limit": 5}), FORBIDDEN, "forbidden")
        assert denied["data"]["permission"] == "admin.view_audit", denied
        assert "admin.view_audit" in denied["message"], denied
        # What the guest role does hold keeps working.
        assert guest.call("daemon.status")["pid"] == daemon.pid

        granted = admin.call("users.grant", {"uid": user.uid, "permission": "admin.view_audit"})
        assert granted["grants"] == ["admin.view_audit"], granted

        page = guest.call("admin.audit_log", {"limit": 20})
        ids = [event["id"] for event in page["events"]]
        assert ids == sorted(ids, reverse=True), "newest first"
        assert any(
            event["event_type"] == "permission.granted" and event["resource_id"] == str(user.uid)
            for event in page["events"]
        ), page

    # `elohim audit --json` (as root) shows the creation, the denial and the grant, in order.
    events = json.loads(cli_ok(run_cli("--json", "--socket", socket_path, "audit")))["events"]

    def one(event_type, **expected):
        matches = [
            event for event in events
            if event["event_type"] == event_type and all(event.get(key) == value for key, value in expected.items())
        ]
        assert len(matches) == 1, f"expected one {event_type} {expected}, got {matches!r} in {events!r}"
        return matches[0]

    created = one("account.created", resource_type="account", resource_id=str(user.uid), user_id="0", peer_uid=0)
    assert created["details"] == {"role": "guest"}, created
    refusal = one("auth.denied", resource_type="method", resource_id="admin.audit_log", user_id=str(user.uid))
    assert refusal["peer_uid"] == user.uid, refusal
    assert refusal["details"]["permission"] == "admin.view_audit", refusal
    assert refusal["details"]["role"] == "guest", refusal
    grant = one("permission.granted", resource_type="account", resource_id=str(user.uid), user_id="0")
    assert grant["details"] == {"permission": "admin.view_audit"}, grant
    assert created["id"] < refusal["id"] < grant["id"], (created, refusal, grant)

    # Filtered by user: only the second uid's own events.
    mine = json.loads(cli_ok(run_cli("--json", "--socket", socket_path, "audit", "--user", str(user.uid))))["events"]
    assert mine and all(event["user_id"] == str(user.uid) for event in mine), mine
    assert refusal["id"] in [event["id"] for event in mine]

    # The human table shows the same three rows with the right uids.
    rows = table_rows(cli_ok(run_cli("--no-color", "--socket", socket_path, "audit")))
    by_id = {int(row[0]): row for row in rows}
    for event, user_column, resource in (
        (created, "0", f"account:{user.uid}"),
        (refusal, str(user.uid), "method:admin.audit_log"),
        (grant, "0", f"account:{user.uid}"),
    ):
        assert event["id"] in by_id, f"row {event['id']} missing from the table:\n{rows!r}"
        row = by_id[event["id"]]
        assert row[2:5] == [user_column, event["event_type"], resource], row
    assert "admin.view_audit" in by_id[grant["id"]][6]

    # `elohim perms --uid N --json` (as root): the grant and where it came from.
    theirs = json.loads(cli_ok(run_cli("--json", "--socket", socket_path, "perms", "--uid", str(user.uid))))
    decisions = {entry["key"]: entry for entry in theirs["permissions"]}
    assert theirs["uid"] == user.uid and theirs["role"] == "guest", theirs
    assert (decisions["admin.view_audit"]["granted"], decisions["admin.view_audit"]["source"]) == (True, "grant")
    assert (decisions["admin.manage_users"]["granted"], decisions["admin.manage_users"]["source"]) == (False, "not_granted")
    assert (decisions["chat.use"]["granted"], decisions["chat.use"]["source"]) == (True, "role_baseline")
    assert decisions["founder.all"]["granted"] is False
    assert sorted(theirs["role_baseline"]) == ["chat.use", "daemon.status", "docs.read", "events.subscribe"]

    # `elohim perms` as the second uid: ✅/❌ per permission, and the role baseline.
    text = cli_ok(run_cli("--no-color", "--socket", socket_path, "perms", **as_user))
    assert f"uid {user.uid}" in text and "role guest" in text, text
    for key, entry in decisions.items():
        mark = "✅" if entry["granted"] else "❌"
        lines = [line for line in text.splitlines() if line.split()[:2] == [mark, key]]
        assert len(lines) == 1, f"expected one line '{mark} {key}' in:\n{text}"
    assert "granted to this account" in next(line for line in text.splitlines() if "admin.view_audit" in line)
    assert "Role baseline: guest (4 permissions)" in text, text
    assert "docs/permissions.md" in text

    # And the CLI as the second uid can now read the audit log too.
    cli_ok(run_cli("--json", "--socket", socket_path, "audit", "--limit", "5", **as_user))


@pytest.fixture
def guest_session(daemons, workdir, second_user):
    """A system daemon after setup (root is the founder), the second uid added as a guest and
    connected (it said hello as e2e-guest 3.0), and a root connection."""
    daemon = start_system_daemon(daemons, workdir, write_config(workdir, "sys", {}))
    admin = daemon.connect()
    guest = None
    try:
        admin.call("setup.complete", {"founder_password": PASSWORD})
        admin.call("users.add", {"uid": second_user.uid, "role": "guest"})
        guest = connect_as(daemon.socket_path, second_user.uid, second_user.gid)
        guest.call("daemon.hello", {"client_name": "e2e-guest", "client_version": "3.0"})
        yield daemon, guest, admin, second_user
    finally:
        admin.close()
        if guest is not None:
            guest.close()


@needs_root
def test_denial_rows_carry_the_client_identity_from_hello(guest_session):
    """docs/audit.md: every row holds the client_name/client_version the client gave in
    daemon.hello (in place of the seed's user agent) — refusals included."""
    _daemon, guest, admin, user = guest_session
    error = error_of(guest.request("users.list"), FORBIDDEN, "forbidden")
    assert error["data"]["permission"] == "admin.manage_users"
    (row,) = audit_events(admin, event_type="auth.denied", resource_id="users.list")
    assert (row["user_id"], row["peer_uid"]) == (str(user.uid), user.uid), row
    assert (row["client_name"], row["client_version"]) == ("e2e-guest", "3.0"), (
        f"the auth.denied row lacks the identity the client gave in daemon.hello: {row}")


@needs_root
def test_a_refusal_for_a_missing_permission_inside_a_handler_is_audited(guest_session):
    """auth.effective_permissions for another uid needs admin.manage_users; refused, it is a
    call refused for a missing permission, which docs/audit.md says auth.denied records."""
    _daemon, guest, admin, user = guest_session
    error = error_of(guest.request("auth.effective_permissions", {"uid": 0}), FORBIDDEN, "forbidden")
    assert error["data"]["permission"] == "admin.manage_users", error
    denials = audit_events(admin, event_type="auth.denied", user_id=str(user.uid))
    assert any(
        event["resource_id"] == "auth.effective_permissions" and event["details"].get("permission") == "admin.manage_users"
        for event in denials
    ), f"refused with {error!r} but no auth.denied row; the uid's denials: {denials!r}"


def test_a_refusal_for_missing_founder_rights_is_audited(daemon):
    """Creating an admin without founder elevation is refused naming founder.all: a call refused
    for a missing permission, which auth.denied records (docs/audit.md)."""
    with daemon.connect() as root:
        root.call("setup.complete", {"founder_password": PASSWORD})
        error = error_of(root.request("users.add", {"uid": 70400, "role": "admin"}), FORBIDDEN, "forbidden")
        assert error["data"]["permission"] == "founder.all", error
        denials = audit_events(root, event_type="auth.denied")
        assert any(
            event["resource_id"] == "users.add" and event["details"].get("permission") == "founder.all"
            for event in denials
        ), f"refused with {error!r} but no auth.denied row; denials on record: {denials!r}"


@needs_root
def test_a_founder_password_attempt_by_another_uid_is_audited(guest_session):
    """Every founder verification attempt is on record (the issue: founder verification,
    success and failure, is committed before the answer) — also one by a uid that is not the
    founder, which is refused before any password check."""
    _daemon, guest, admin, user = guest_session
    response = guest.request("auth.founder_verify", {"password": WRONG})
    error = error_of(response, FORBIDDEN, "forbidden")
    recorded = [event for event in audit_events(admin, user_id=str(user.uid))
                if event["event_type"] in ("founder.verify", "auth.denied")]
    assert recorded, (
        f"auth.founder_verify by non-founder uid {user.uid} was refused ({error['message']!r}) "
        "but left no founder.verify (or auth.denied) audit row")


# --------------------------------------------------------------------------------------------
# 2. Tamper evidence


@needs_sqlite3
@pytest.mark.parametrize("tamper", ["edit_details", "delete_row"])
def test_audit_verify_names_the_row_edited_with_the_sqlite3_cli(daemons, run_cli, tamper):
    first = daemons.start()
    with first.connect() as connection:
        for uid in (70001, 70002, 70003):
            connection.call("users.add", {"uid": uid, "role": "member"})
            connection.call("users.grant", {"uid": uid, "permission": "models.manage"})
        (target,) = audit_events(connection, event_type="account.created", resource_id="70002")
    assert target["details"] == {"role": "member"}

    verified = run_cli("--no-color", "--socket", first.socket_path, "audit", "verify")
    assert cli_ok(verified).startswith("ok"), verified.stdout
    assert first.stop() == 0, first.log()

    # Untampered, the chain verifies across a restart (the new daemon continues it).
    second = daemons.start(data_dir=first.data_dir)
    result = json.loads(cli_ok(run_cli("--json", "--socket", second.socket_path, "audit", "verify")))
    assert result["ok"] is True and result["first_broken_id"] is None, result
    assert result["rows_checked"] > target["id"], result
    assert second.stop() == 0, second.log()

    database = os.path.join(first.data_dir, "audit.db")
    row = target["id"]
    if tamper == "edit_details":
        statement = f"""UPDATE audit_log SET details = '{{"role":"admin"}}' WHERE id = {row};"""
        broken, named = row, f"row {row}"
    else:
        statement = f"DELETE FROM audit_log WHERE id = {row};"
        broken, named = row + 1, f"row {row} is missing"
    subprocess.run(["sqlite3", database, statement], check=True, capture_output=True, timeout=30)
    check = subprocess.run(
        ["sqlite3", database, f"SELECT count(*), max(details) FROM audit_log WHERE id = {row};"],
        check=True, capture_output=True, text=True, timeout=30,
    ).stdout.strip()
    assert check == ('1|{"role":"admin"}' if tamper == "edit_details" else "0|"), check

    third = daemons.start(data_dir=first.data_dir)
    human = run_cli("--no-color", "--socket", third.socket_path, "audit", "verify")
    assert human.returncode != 0, human.stdout
    assert f"row {broken}" in human.stdout and named in human.stdout, human.stdout
    assert not human.stdout.lower().startswith("ok"), human.stdout
    scripted = run_cli("--json", "--socket", third.socket_path, "audit", "verify")
    assert scripted.returncode != 0
    result = json.loads(scripted.stdout)
    assert (result["ok"], result["first_broken_id"]) == (False, broken), result
    assert result["problem"], result
    with third.connect() as connection:
        assert connection.call("admin.audit_verify")["first_broken_id"] == broken
    assert third.stop() == 0


# --------------------------------------------------------------------------------------------
# 3. Durability under load


class LoadWorker(threading.Thread):
    """Calls `requests` in a loop on its own connection until the connection ends. Requests on
    one connection are handled one after another, so what this connection got recorded is a
    prefix of what it sent; `acks` keeps the arrival time of each acknowledged answer, in
    order."""

    def __init__(self, connection: RPCConnection, requests: list, acknowledged):
        super().__init__(daemon=True)
        self.connection = connection
        self.requests = requests
        self.acknowledged = acknowledged
        self.sent = Counter()
        self.acked = Counter()
        self.acks: list = []  # (monotonic time, method)
        self.unexpected: list = []
        self.ended = None

    def run(self):
        index = 0
        try:
            while True:
                method, params = self.requests[index % len(self.requests)]
                index += 1
                self.sent[method] += 1
                response = self.connection.request(method, params)
                if self.acknowledged(response):
                    self.acks.append((time.monotonic(), method))
                    self.acked[method] += 1
                elif response.get("error", {}).get("code") == SHUTTING_DOWN:
                    self.ended = "shutting_down"
                    return
                else:
                    self.unexpected.append(response)
                    return
        except (Closed, OSError) as error:  # EOF, reset, broken pipe, timeout: the daemon went away
            self.ended = error
        finally:
            self.connection.close()


GUEST_CONNECTIONS = 6
ADMIN_CONNECTIONS = 3
TARGET_UID = 72000


def run_audited_load(daemons, workdir, user: User, stop_signal: int) -> dict:
    """A guest calls a forbidden method on several connections (auth.denied, recorded
    asynchronously) while root grants and resets a permission on member accounts
    (permission.granted/permission.reset, committed before the answer); then `stop_signal`."""
    daemon = start_system_daemon(daemons, workdir, write_config(workdir, "sys", {}))
    with daemon.connect() as admin:
        admin.call("users.add", {"uid": user.uid, "role": "guest"})
        for index in range(ADMIN_CONNECTIONS):
            admin.call("users.add", {"uid": TARGET_UID + index, "role": "member"})

    guests, pids = [], []
    for _ in range(GUEST_CONNECTIONS):
        connection = connect_as(daemon.socket_path, user.uid, user.gid)
        pids.append(connection.call("daemon.hello", {"client_name": "e2e-load"})["identity"]["pid"])
        guests.append(LoadWorker(
            connection, [("admin.audit_log", {"limit": 1})],
            lambda r: r.get("error", {}).get("code") == FORBIDDEN and r["error"]["data"].get("permission") == "admin.view_audit",
        ))
    assert len(set(pids)) == GUEST_CONNECTIONS, f"each guest connection should come from its own process: {pids}"
    admins = [
        LoadWorker(
            daemon.connect(),
            [("users.grant", {"uid": TARGET_UID + index, "permission": "models.manage"}),
             ("users.reset", {"uid": TARGET_UID + index, "permission": "models.manage"})],
            lambda r: "result" in r,
        )
        for index in range(ADMIN_CONNECTIONS)
    ]
    workers = guests + admins
    for worker in workers:
        worker.start()

    def loaded():
        for worker in workers:
            assert not worker.unexpected, worker.unexpected[:3]
            assert worker.is_alive(), f"a load connection ended early: {worker.ended!r}\n{daemon.log()[-3000:]}"
        return sum(len(w.acks) for w in guests) >= 3000 and sum(len(w.acks) for w in admins) >= 60

    wait_for(loaded, 120, "the audited load to build up")
    signal_time = time.monotonic()
    daemon.signal(stop_signal)
    for worker in workers:
        worker.join(60)
        assert not worker.is_alive(), "a load connection kept going after the daemon was signalled"
        assert not worker.unexpected, worker.unexpected[:3]
    status = daemon.wait()

    audit_db = os.path.join(daemon.data_dir, "audit.db")
    main_db = os.path.join(daemon.data_dir, "elohim.db")
    denied_by_pid = dict(sqlite_rows(
        audit_db,
        "SELECT peer_pid, count(*) FROM audit_log WHERE event_type = 'auth.denied' AND user_id = ? GROUP BY peer_pid",
        (str(user.uid),),
    ))
    overrides = Counter({
        (resource, event_type): count
        for resource, event_type, count in sqlite_rows(
            audit_db,
            "SELECT resource_id, event_type, count(*) FROM audit_log "
            "WHERE event_type IN ('permission.granted', 'permission.reset') GROUP BY resource_id, event_type",
        )
    })
    dropped = sqlite_rows(audit_db, "SELECT count(*) FROM audit_log WHERE event_type = 'audit.dropped'")[0][0]

    # Asynchronous: per guest connection, the committed denials are a prefix of its requests.
    guest_report, lost = [], []
    for worker, pid in zip(guests, pids):
        committed = denied_by_pid.get(pid, 0)
        acked = len(worker.acks)
        sent = worker.sent["admin.audit_log"]
        assert committed <= sent, f"pid {pid}: {committed} auth.denied rows but only {sent} requests sent"
        guest_report.append({"pid": pid, "sent": sent, "acked": acked, "committed": committed})
        lost += [arrived for arrived, _method in worker.acks[committed:]]

    # Synchronous: committed before the answer, so never missing, whatever the signal.
    sync_report = []
    for index, worker in enumerate(admins):
        target = str(TARGET_UID + index)
        for method, event_type in (("users.grant", "permission.granted"), ("users.reset", "permission.reset")):
            committed = overrides[(target, event_type)]
            entry = {"target": target, "event": event_type, "sent": worker.sent[method],
                     "acked": worker.acked[method], "committed": committed}
            sync_report.append(entry)
            assert worker.acked[method] <= committed <= worker.sent[method], f"acknowledged {event_type} missing: {entry}"

    return {
        "daemon": daemon, "status": status, "signal_time": signal_time, "lost_ack_times": lost,
        "guests": guest_report, "sync": sync_report, "dropped": dropped,
        "integrity": {"audit.db": integrity(audit_db), "elohim.db": integrity(main_db)},
    }


@needs_root
def test_sigterm_under_audited_load_keeps_every_acknowledged_event(daemons, workdir, second_user, run_cli):
    outcome = run_audited_load(daemons, workdir, second_user, signal.SIGTERM)
    daemon = outcome["daemon"]
    assert outcome["status"] == 0, daemon.log()[-3000:]
    assert outcome["lost_ack_times"] == [], (
        f"acknowledged auth.denied events missing from audit.db after SIGTERM: {outcome['guests']}")
    assert outcome["dropped"] == 0
    assert outcome["integrity"] == {"audit.db": "ok", "elohim.db": "ok"}
    restarted = start_system_daemon(daemons, workdir, write_config(workdir, "sys", {}), data_dir=daemon.data_dir)
    result = json.loads(cli_ok(run_cli("--json", "--socket", restarted.socket_path, "audit", "verify")))
    assert result["ok"] is True, result
    print(f"SIGTERM load: guests {outcome['guests']}; sync {outcome['sync']}")


@needs_root
def test_sigkill_under_audited_load_loses_at_most_the_last_batch_window(daemons, workdir, second_user, run_cli):
    """The bound: per connection the committed denials are a prefix, so the lost acknowledged
    ones are exactly identified; each must have been acknowledged within LOSS_WINDOW_S (200 ms:
    the 50 ms batch window plus the batch being written, with room for scheduling) of the
    SIGKILL. Synchronous events (grants/resets) are never missing; both databases pass
    PRAGMA integrity_check and the chain verifies after a restart."""
    outcome = run_audited_load(daemons, workdir, second_user, signal.SIGKILL)
    daemon = outcome["daemon"]
    assert outcome["status"] == -signal.SIGKILL
    late = [round(outcome["signal_time"] - arrived, 3) for arrived in outcome["lost_ack_times"]
            if arrived < outcome["signal_time"] - LOSS_WINDOW_S]
    assert not late, (
        f"{len(late)} acknowledged auth.denied events lost although acknowledged more than {LOSS_WINDOW_S}s "
        f"before SIGKILL (seconds before the kill: {late[:20]}); per connection: {outcome['guests']}")
    assert outcome["dropped"] == 0
    assert outcome["integrity"] == {"audit.db": "ok", "elohim.db": "ok"}
    restarted = start_system_daemon(daemons, workdir, write_config(workdir, "sys", {}), data_dir=daemon.data_dir)
    result = json.loads(cli_ok(run_cli("--json", "--socket", restarted.socket_path, "audit", "verify")))
    assert result["ok"] is True, result
    print(f"SIGKILL load: lost {len(outcome['lost_ack_times'])} acknowledged async events; guests {outcome['guests']}")


# --------------------------------------------------------------------------------------------
# 4. Setup and founder password throttling


class FounderAttempts:
    """auth.founder_verify calls, classified and counted by the outcome the audit log should show."""

    def __init__(self, connection: RPCConnection):
        self.connection = connection
        self.counts = Counter()

    def attempt(self, password: str) -> tuple:
        response = self.connection.request("auth.founder_verify", {"password": password})
        if "result" in response:
            kind, value = "success", response["result"]
        elif response["error"]["code"] == THROTTLED:
            error = error_of(response, THROTTLED, "throttled")
            kind, value = "throttled", error["data"]["retry_after_ms"]
            assert isinstance(value, int) and value > 0, error
        else:
            error = error_of(response, FORBIDDEN, "forbidden")
            assert {"failures", "retry_after_ms"} <= set(error["data"]), error
            kind, value = "wrong_password", error["data"]
        self.counts[kind] += 1
        return kind, value

    def until_not_throttled(self, password: str, ceiling_ms: int, timeout: float = 60.0) -> tuple:
        """Attempts until the answer is not `throttled`, pausing as the daemon says. Each
        throttled answer leaves less time than the one before (and no more than `ceiling_ms`)."""
        deadline = time.monotonic() + timeout
        previous = ceiling_ms
        while True:
            kind, value = self.attempt(password)
            if kind != "throttled":
                return kind, value
            assert value <= previous, f"retry_after_ms grew while waiting: {value} > {previous}"
            previous = value
            assert time.monotonic() < deadline, "still throttled at the deadline"
            time.sleep(value / 1000)


def test_setup_then_founder_throttling_survives_a_restart_and_elevation_shows_in_perms(daemons, workdir, run_cli):
    config = write_config(workdir, "founder", {"founder_throttle_base_ms": THROTTLE_BASE_MS})
    daemon = daemons.start(["--config", config])
    me = os.geteuid()

    # Scripted setup: the password on stdin; the caller (the daemon's owner) becomes founder.
    done = run_cli("--socket", daemon.socket_path, "setup", "--founder-password-stdin", input=PASSWORD + "\n")
    assert f"uid {me} is the founder" in cli_ok(done), done.stdout
    again = run_cli("--socket", daemon.socket_path, "setup", "--founder-password-stdin", input="another password\n")
    assert again.returncode not in (0, 3), (again.returncode, again.stdout, again.stderr)
    assert "already done" in again.stderr, again.stderr

    connection = daemon.connect()
    try:
        status = connection.call("setup.status")
        assert (status["completed"], status["founder_uid"], status["completed_by"]) == (True, me, me), status
        error = error_of(connection.request("setup.complete", {"founder_password": "another password"}), CONFLICT, "conflict")
        assert "already done" in error["message"], error
        before = connection.call("auth.effective_permissions")
        assert before["founder"]["is_founder"] is True and before["founder"]["elevated"] is False, before["founder"]

        # Five wrong passwords: each refused, the delay doubling; an attempt inside the delay
        # is throttled (nothing checked) with no more than that delay left.
        attempts = FounderAttempts(connection)
        delays = []
        for failure in range(1, 6):
            kind, data = attempts.until_not_throttled(WRONG, ceiling_ms=delays[-1] if delays else 0)
            assert kind == "wrong_password", (kind, data)
            assert data["failures"] == failure, data
            delays.append(data["retry_after_ms"])
            kind, left = attempts.attempt(WRONG)
            assert kind == "throttled", f"an attempt right after failure {failure} (delay {data['retry_after_ms']} ms) was {kind}: {left}"
            assert left <= data["retry_after_ms"], (left, data)
        assert delays == [THROTTLE_BASE_MS * 2**n for n in range(5)], delays
        last_left = left
    finally:
        connection.close()

    # The failure count lives in the database: after a restart the next wrong attempt is
    # still throttled (with less left than before), or, if the delay ran out meanwhile,
    # counted as the sixth failure, never the first.
    assert daemon.stop() == 0, daemon.log()
    daemon = daemons.start(["--config", config], data_dir=daemon.data_dir)
    connection = daemon.connect()
    try:
        attempts.connection = connection
        kind, value = attempts.attempt(WRONG)
        if kind == "throttled":
            assert value <= last_left, (value, last_left)
            ceiling = value
        else:
            assert kind == "wrong_password" and value["failures"] == 6, (kind, value)
            ceiling = value["retry_after_ms"]
        kind, state = attempts.until_not_throttled(PASSWORD, ceiling_ms=ceiling)
        assert kind == "success", (kind, state)
        assert (state["is_founder"], state["elevated"]) == (True, True), state
        assert 0 < state["remaining_seconds"] <= 300, state

        # Every attempt, in both daemon lifetimes, is in the audit log with its outcome.
        verifications = audit_events(connection, event_type="founder.verify")
        recorded = Counter(event["details"]["outcome"] for event in verifications)
        assert recorded == attempts.counts, (recorded, attempts.counts)
        assert all(event["user_id"] == str(me) for event in verifications)
        failures = sorted(e["details"]["failures"] for e in verifications if e["details"]["outcome"] == "wrong_password")
        assert failures[:5] == [1, 2, 3, 4, 5], failures
        assert len(audit_events(connection, event_type="setup.completed")) == 1
    finally:
        connection.close()

    # Founder rights are visible in `elohim perms`.
    shown = json.loads(cli_ok(run_cli("--json", "--socket", daemon.socket_path, "perms")))
    founder_all = next(entry for entry in shown["permissions"] if entry["key"] == "founder.all")
    assert (founder_all["granted"], founder_all["source"], founder_all["category"]) == (True, "founder_elevation", "founder")
    assert shown["founder"]["elevated"] is True and shown["founder"]["is_founder"] is True, shown["founder"]
    only_founder = json.loads(cli_ok(run_cli("--json", "--socket", daemon.socket_path, "perms", "--category", "founder")))
    assert [entry["key"] for entry in only_founder["permissions"]] == ["founder.all"]
    text = cli_ok(run_cli("--no-color", "--socket", daemon.socket_path, "perms"))
    line = next(line for line in text.splitlines() if line.split()[:2] == ["✅", "founder.all"])
    assert "founder elevation" in line, line
    assert "unlocked" in text, text


# --------------------------------------------------------------------------------------------
# 5. Founder-only operations


def test_creating_an_admin_needs_founder_elevation_which_expires(daemons, workdir):
    config = write_config(workdir, "short", {"founder_elevation_seconds": 10})
    daemon = daemons.start(["--config", config])
    with daemon.connect() as root:
        root.call("setup.complete", {"founder_password": PASSWORD})
        assert root.call("auth.effective_permissions")["role"] == "super_admin"

        # A super_admin without elevation: no admin (or super_admin) accounts, no promotions.
        for uid, role in ((70300, "admin"), (70301, "super_admin")):
            error = error_of(root.request("users.add", {"uid": uid, "role": role}), FORBIDDEN, "forbidden")
            assert error["data"]["permission"] == "founder.all", error
            assert "founder" in error["message"], error
        assert root.call("users.add", {"uid": 70302, "role": "member"})["role"] == "member"
        error = error_of(root.request("users.set_role", {"uid": 70302, "role": "admin"}), FORBIDDEN, "forbidden")
        assert error["data"]["permission"] == "founder.all", error
        accounts = {account["uid"]: account["role"] for account in root.call("users.list")["accounts"]}
        assert 70300 not in accounts and 70301 not in accounts and accounts[70302] == "member", accounts

        # After auth.founder_verify it can.
        state = root.call("auth.founder_verify", {"password": PASSWORD})
        assert state["elevated"] is True and 0 < state["remaining_seconds"] <= 10, state
        assert root.call("users.add", {"uid": 70300, "role": "admin"})["role"] == "admin"
        assert root.call("users.set_role", {"uid": 70302, "role": "admin"})["role"] == "admin"
        (created,) = audit_events(root, event_type="account.created", resource_id="70300")
        assert created["details"] == {"role": "admin"}, created
        (changed,) = audit_events(root, event_type="role.changed", resource_id="70302")
        assert changed["details"] == {"from": "member", "to": "admin"}, changed

        # Dropping founder rights ends them at once.
        assert root.call("auth.founder_drop")["elevated"] is False
        error_of(root.request("users.add", {"uid": 70303, "role": "admin"}), FORBIDDEN, "forbidden")

        # And they end by themselves after founder_elevation_seconds.
        assert root.call("auth.founder_verify", {"password": PASSWORD})["elevated"] is True
        assert root.call("users.add", {"uid": 70303, "role": "admin"})["role"] == "admin"
        wait_for(
            lambda: root.call("auth.effective_permissions")["founder"]["elevated"] is False,
            60, "founder rights to expire after founder_elevation_seconds", interval=0.25,
        )
        error = error_of(root.request("users.add", {"uid": 70304, "role": "admin"}), FORBIDDEN, "forbidden")
        assert error["data"]["permission"] == "founder.all", error


def canonical_hash(row: dict) -> str:
    """Recomputes a row's hash the way docs/audit.md defines it: SHA-256 of the sorted-key,
    compact JSON of every field but `hash`, with `details` as its stored text."""
    import hashlib

    entry = row["entry"]
    fields = {
        "id": entry["id"], "timestamp": entry["timestamp"], "event_type": entry["event_type"],
        "action": entry["action"], "prev_hash": row["prev_hash"],
        "details": json.dumps(entry["details"], sort_keys=True, separators=(",", ":"), ensure_ascii=False),
        "user_id": entry.get("user_id"), "resource_type": entry.get("resource_type"),
        "resource_id": entry.get("resource_id"), "peer_uid": entry.get("peer_uid"), "peer_pid": entry.get("peer_pid"),
        "client_name": entry.get("client_name"), "client_version": entry.get("client_version"),
    }
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def test_export_is_founder_only_and_verifiable_offline(daemon, run_cli, workdir):
    with daemon.connect() as root:
        root.call("daemon.hello", {"client_name": "export-test", "client_version": "1"})
        root.call("setup.complete", {"founder_password": PASSWORD})
        for uid in range(71000, 71005):
            root.call("users.add", {"uid": uid, "role": "guest"})
        error = error_of(root.request("admin.audit_export", {}), FORBIDDEN, "forbidden")
        assert error["data"]["permission"] == "founder.all"
        root.call("auth.founder_verify", {"password": PASSWORD})
    # Founder rights belong to the uid (like a sudo timestamp), so the CLI is elevated too.
    out = os.path.join(workdir, "audit-export.jsonl")
    result = run_cli("--socket", daemon.socket_path, "audit", "export", "--output", out)
    assert result.returncode == 0, result.stderr
    assert oct(os.stat(out).st_mode & 0o777) == "0o600"
    with open(out) as exported:
        lines = [json.loads(line) for line in exported]
    assert "anchor_hash" in lines[0]
    assert len(lines) - 1 >= 7, lines
    again = run_cli("--socket", daemon.socket_path, "audit", "export", "--output", out)
    assert again.returncode != 0 and out in again.stderr, "an existing file must not be overwritten"
    with daemon.connect() as root:
        page = root.call("admin.audit_export", {"limit": 3})
        rows = page["rows"]
        while page["next_after"] is not None:
            page = root.call("admin.audit_export", {"after": page["next_after"], "limit": 3})
            rows += page["rows"]
    assert len(rows) >= 7
    previous = page["anchor_hash"]
    for row in rows:
        assert row["prev_hash"] == previous, f"row {row['entry']['id']} does not link to its predecessor"
        assert canonical_hash(row) == row["entry"]["hash"], f"row {row['entry']['id']} does not match its hash"
        previous = row["entry"]["hash"]
