"""Faults against the whole daemon: SIGKILL at random points under a mixed write load, and a
mixed load long enough to show leaks (10 minutes with ELOHIM_LONG_TESTS=1, 30 s otherwise).

Every writer records what the daemon acknowledged; after the kill and a restart on the same
data directory, every database passes PRAGMA integrity_check and every acknowledged write is
there (the audit log's asynchronous window is covered by test_accounts_audit.py)."""

import glob
import json
import os
import random
import signal
import sqlite3
import threading
import time

import pytest

LONG = os.environ.get("ELOHIM_LONG_TESTS") == "1"


class Writer:
    """One kind of acknowledged write: `write(connection, n)` returns a key once the daemon
    has answered; `present(connection)` returns the keys found after the restart."""

    name = ""

    def __init__(self, workdir: str):
        self.workdir = workdir
        self.acknowledged = []

    pause = 0.0  # between writes, for writers whose every write is a big job

    def run(self, connection, stop: threading.Event):
        n = 0
        while not stop.is_set():
            n += 1
            try:
                key = self.write(connection, n)
            except Exception:  # noqa: BLE001 - the kill ends every call, whatever it raises
                return
            self.acknowledged.append(key)
            if self.pause:
                stop.wait(self.pause)

    def write(self, connection, n):
        raise NotImplementedError

    def present(self, connection) -> set:
        raise NotImplementedError


class DatasetWriter(Writer):
    name = "datasets"

    def write(self, connection, n):
        path = os.path.join(self.workdir, f"w{n % 4}.csv")
        if not os.path.exists(path):
            with open(path, "w") as out:
                out.write("a,b\n" + "".join(f"{i},row {i}\n" for i in range(200)))
        name = f"ds_{n}"
        connection.call("data.import", {"path": path, "name": name})
        return name

    def present(self, connection):
        return {d["name"] for d in connection.call("data.list")["datasets"]}


class DocumentWriter(Writer):
    name = "documents"

    def write(self, connection, n):
        return connection.call("docs.create", {"title": f"note {n}", "content": f"body {n} " * 50})["id"]

    def present(self, connection):
        found = set()
        for key in self.acknowledged:
            response = connection.request("docs.get", {"id": key})
            if "result" in response:
                found.add(key)
        return found


class VaultWriter(Writer):
    name = "vault"

    def write(self, connection, n):
        connection.call("vault.put", {"name": f"secret-{n}", "value": f"value {n}"})
        return f"secret-{n}"

    def present(self, connection):
        return {key for key in self.acknowledged
                if connection.request("vault.get", {"name": key}).get("result", {}).get("value") == f"value {key[7:]}"}


class QueryLoad(Writer):
    """Not a writer: keeps the engine busy so the kill also lands mid-query."""

    name = "queries"

    def write(self, connection, n):
        connection.call("engine.run", {"sql": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c "
                                              "WHERE x < 20000) SELECT count(*) FROM c"})
        return n

    def present(self, connection):
        return set(self.acknowledged)


class ChatWriter(Writer):
    """A session created, then renamed: acknowledged once the rename is answered."""

    name = "chat"

    def write(self, connection, n):
        session = connection.call("chat.create", {"title": f"chat {n}"})["id"]
        connection.call("chat.rename", {"session_id": session, "title": f"renamed {n}"})
        return (session, f"renamed {n}")

    def present(self, connection):
        found = set()
        for session, title in self.acknowledged:
            response = connection.request("chat.get", {"session_id": session, "limit": 1})
            if response.get("result", {}).get("session", {}).get("title") == title:
                found.add((session, title))
        return found


class AccountWriter(Writer):
    """Audited writes: each account is a row in elohim.db (acknowledged, so it must be there)
    and an audit event (asynchronous: within docs/audit.md's window; the chain must verify)."""

    name = "accounts"

    def write(self, connection, n):
        connection.call("users.add", {"uid": 80000 + n, "role": "guest"})
        return 80000 + n

    def present(self, connection):
        return {account["uid"] for account in connection.call("users.list")["accounts"]}


class CleanupWriter(Writer):
    """Stored cleanup runs (over a temp directory of the test's own, see `cleanup_config`)."""

    name = "cleanup runs"
    pause = 0.1

    def write(self, connection, n):
        return connection.call("admin.cleanup_run", {})["id"]

    def present(self, connection):
        return {run["id"] for run in connection.call("admin.cleanup_status", {"history": 100})["history"]}


WRITERS = [DatasetWriter, DocumentWriter, VaultWriter, QueryLoad]
# The SIGKILL rounds add chat, audited account and cleanup writes to the mixed load.
KILL_WRITERS = WRITERS + [ChatWriter, AccountWriter, CleanupWriter]


def integrity_of_every_database(data_dir: str) -> dict:
    results = {}
    for path in sorted(glob.glob(os.path.join(data_dir, "**", "*.db"), recursive=True)):
        # Read-write: a WAL left by the kill is recovered on open, as the daemon would.
        with sqlite3.connect(path) as db:
            results[os.path.relpath(path, data_dir)] = db.execute("PRAGMA integrity_check").fetchone()[0]
    return results


def cleanup_config(workdir) -> list:
    """Daemon arguments pointing cleanup at a temp directory of the test's own."""
    temp = os.path.join(workdir, "cleanup-tmp")
    os.makedirs(temp, mode=0o700, exist_ok=True)
    path = os.path.join(workdir, "faults.json")
    with open(path, "w") as config:
        json.dump({"cleanup_temp_dir": temp, "cleanup_temp_prefix": "elohimfault_"}, config)
    return ["--config", path]


def run_mixed_load(daemon, workdir, kinds=WRITERS):
    stop = threading.Event()
    writers = [kind(workdir) for kind in kinds]
    connections = [daemon.connect(timeout=60) for _ in writers]
    threads = [threading.Thread(target=w.run, args=(c, stop), daemon=True) for w, c in zip(writers, connections)]
    for thread in threads:
        thread.start()
    return writers, connections, threads, stop


@pytest.mark.parametrize("round", range(3))
def test_sigkill_at_a_random_point_under_mixed_writes_loses_no_acknowledged_write(daemons, workdir, round):
    config = cleanup_config(workdir)
    daemon = daemons.start(config)
    writers, connections, threads, stop = run_mixed_load(daemon, workdir, KILL_WRITERS)
    time.sleep(random.Random(round).uniform(0.5, 2.5))
    daemon.signal(signal.SIGKILL)
    daemon.wait()
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    for connection in connections:
        connection.close()
    assert writers[0].acknowledged, "no dataset was acknowledged before the kill"

    integrity = integrity_of_every_database(daemon.data_dir)
    assert integrity and all(result == "ok" for result in integrity.values()), integrity
    assert {"elohim.db", "audit.db", "embeddings.db"} <= integrity.keys(), integrity
    assert any(name.startswith("datasets/") for name in integrity), integrity
    restarted = daemons.start(config, data_dir=daemon.data_dir)
    with restarted.connect() as connection:
        for writer in writers:
            missing = set(writer.acknowledged) - writer.present(connection)
            assert not missing, f"{writer.name}: acknowledged but lost after SIGKILL: {sorted(missing)[:10]}"
        # The audit chain (written asynchronously, killed mid-batch) still verifies.
        verified = connection.call("admin.audit_verify")
        assert verified["ok"] is True and verified["rows_checked"] > 0, verified
    print(f"round {round}: " + ", ".join(f"{w.name} {len(w.acknowledged)}" for w in writers))


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def _fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _children(pid: int) -> list:
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        return children.read().split()


def test_mixed_load_keeps_memory_descriptors_and_processes_stable(daemons, workdir):
    seconds = 600 if LONG else 30
    daemon = daemons.start()
    # Warm up first, so one-time allocations (caches, pools, thread stacks) are in the baseline.
    writers, connections, threads, stop = run_mixed_load(daemon, workdir)
    time.sleep(min(10, seconds / 3))
    start_rss, start_fds = _rss_kib(daemon.pid), _fds(daemon.pid)
    samples = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(min(15, seconds / 6))
        samples.append(_rss_kib(daemon.pid))
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    for connection in connections:
        connection.close()
    time.sleep(1)
    end_rss, end_fds = _rss_kib(daemon.pid), _fds(daemon.pid)
    report = (f"{seconds}s mixed load: RSS {start_rss / 1024:.1f} → {end_rss / 1024:.1f} MiB "
              f"(max {max(samples) / 1024:.1f}), fds {start_fds} → {end_fds}, "
              + ", ".join(f"{w.name} {len(w.acknowledged)}" for w in writers))
    print(report)
    assert all(w.acknowledged for w in writers), report
    assert end_fds <= start_fds + 2, report
    assert end_rss <= start_rss * 1.5 + 16 * 1024, report
    assert _children(daemon.pid) == [], report
    assert daemon.stop() == 0
