"""Hot slots against a real llama.cpp server (contrib/llama-server-xllamacpp on the PyPI
`xllamacpp` wheel) serving a real GGUF model: assign → ready with measured RSS, eject stops the
process, the 75% rule, restarts after SIGKILL, and no runtime process outliving the daemon."""

from __future__ import annotations

import json
import os
import re
import signal
import time

import pytest

from model_helpers import small_machine, write_config
from elohim_client import RPCFailure, wait_for






@pytest.fixture
def slots_config(workdir, gguf_model_dir, llama_server_command):
    def make(**extra):
        settings = {"model_dirs": [gguf_model_dir], "llama_server_command": os.path.abspath(llama_server_command)}
        settings.update(extra)
        return write_config(workdir, settings)

    return make


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as handle:
            return "State:\tZ" not in handle.read()
    except FileNotFoundError:
        return False


def vm_rss(pid: int) -> int:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def wait_slot_event(connection, predicate, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        event = connection.next_notification(timeout=max(0.01, deadline - time.monotonic()))
        params = event.get("params", {})
        connection.seen_events = getattr(connection, "seen_events", []) + [params]
        if params.get("topic") == "slots" and predicate(params["data"]):
            return params["data"]
    raise AssertionError("no matching slots event")


def test_assign_serves_a_real_model_and_eject_stops_it(daemons, slots_config, gguf_model_dir, run_cli):
    daemon = daemons.start(["--config", slots_config()])
    with daemon.connect(timeout=180) as events, daemon.connect(timeout=180) as connection:
        subscribed = events.call("events.subscribe", {"topics": ["slots"]})
        assert [s["state"] for s in subscribed["snapshot"]["slots"]["slots"]] == ["empty"] * 4

        result = connection.call("slots.assign", {"slot": 1, "model": "tiny", "context": 1024})
        slot = result["slots"][0]
        assert slot["state"] == "ready" and slot["model"] == "tiny" and slot["context"] == 1024
        pid = slot["pid"]
        assert alive(pid)
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            assert os.path.join(gguf_model_dir, "tiny.gguf").encode() in handle.read()
        # Measured RSS is the process's VmRSS; the estimate (which includes the scratch of a full
        # prompt batch, not yet touched after loading) is not below it and not far above.
        assert slot["rss_bytes"] == pytest.approx(vm_rss(pid), rel=0.05)
        assert slot["rss_bytes"] * 0.95 <= slot["estimate_bytes"] <= slot["rss_bytes"] * 1.3
        assert result["used_bytes"] == slot["estimate_bytes"]
        assert result["limit_bytes"] == int(result["total_bytes"] * 0.75)
        wait_slot_event(events, lambda data: data["slots"][0]["state"] == "ready")

        shown = run_cli("--socket", daemon.socket_path, "slots")
        assert shown.returncode == 0, shown.stderr
        assert re.search(r"Hot Slots RAM Usage: \d+\.\d GB / [\d.]+ GB \(\d+%\)", shown.stdout)
        assert re.search(r"1\s+tiny\s+ready", shown.stdout)
        assert re.search(r"2\s+Empty\s+empty", shown.stdout)

        loaded = connection.call("models.loaded")["models"]
        assert [(m["name"], m["state"], m["pid"], m["context"]) for m in loaded] == [("tiny", "ready", pid, 1024)]
        with pytest.raises(RPCFailure) as pinned:
            connection.call("models.unload", {"model": "tiny"})
        assert pinned.value.data["reason"] == "conflict" and "eject" in pinned.value.error["message"]

        ejected = connection.call("slots.eject", {"slot": 1})
        assert ejected["slots"][0]["state"] == "empty" and ejected["used_bytes"] == 0
        wait_for(lambda: not alive(pid), 30, "the runtime process to stop")
        with pytest.raises(RPCFailure) as again:
            connection.call("slots.eject", {"slot": 1})
        assert again.value.data["reason"] == "conflict"
        assert connection.call("models.loaded")["models"] == []
        with pytest.raises(RPCFailure) as not_loaded:
            connection.call("models.unload", {"model": "tiny"})
        assert not_loaded.value.data["reason"] == "not_found"

        audit = connection.call("admin.audit_log", {"resource_type": "slot"})["events"]
        assert [e["event_type"] for e in audit][:2] == ["slot.ejected", "slot.assigned"]
        assert audit[1]["details"]["model"] == "tiny"


def test_slots_beyond_75_percent_are_refused_with_the_numbers(daemons, workdir, slots_config, run_cli):
    daemon = daemons.start(["--config", slots_config(memory_root=small_machine(workdir))])
    with daemon.connect(timeout=180) as connection:
        # ~36 MiB is more than 50% of 60 MB available: the fit rule refuses without force.
        with pytest.raises(RPCFailure) as unfit:
            connection.call("slots.assign", {"slot": 1, "model": "tiny", "context": 512})
        assert unfit.value.data["reason"] == "memory_limit"
        assert "may exceed available RAM" in unfit.value.error["message"]
        refused_cli = run_cli("--socket", daemon.socket_path, "slots", "assign", "1", "tiny", "--context", "512", input="n\n", timeout=180)
        assert refused_cli.returncode == 1 and "Load anyway? [y/N]" in refused_cli.stderr
        accepted = run_cli("--socket", daemon.socket_path, "slots", "assign", "1", "tiny", "--context", "512", input="y\n", timeout=180)
        assert accepted.returncode == 0, accepted.stderr
        assert re.search(r"1\s+tiny\s+ready", accepted.stdout)

        # Two of them exceed 75% of 64 MiB even with force.
        with pytest.raises(RPCFailure) as over:
            connection.call("slots.assign", {"slot": 2, "model": "tiny", "context": 512, "force": True})
        data = over.value.data
        assert data["reason"] == "memory_limit"
        assert data["total_bytes"] == 65536 * 1024 and data["limit_bytes"] == int(65536 * 1024 * 0.75)
        assert data["proposed_bytes"] > data["limit_bytes"]
        assert re.match(r"Hot slots would use \d+\.\dGB / 0\.1GB RAM\. Limit: 0\.0GB — eject slot 1", over.value.error["message"])
        assert connection.call("slots.list")["slots"][1]["state"] == "empty"
        refusals = connection.call("admin.audit_log", {"event_type": "slot.assign_refused"})["events"]
        assert len(refusals) == 2


def test_a_killed_slot_process_is_restarted_and_announced(daemons, slots_config):
    daemon = daemons.start(["--config", slots_config()])
    with daemon.connect(timeout=180) as events, daemon.connect(timeout=180) as connection:
        events.call("events.subscribe", {"topics": ["slots", "models"]})
        pid = connection.call("slots.assign", {"slot": 2, "model": "tiny", "context": 512})["slots"][1]["pid"]
        os.kill(pid, signal.SIGKILL)
        data = wait_slot_event(events, lambda d: d["slots"][1]["state"] == "ready" and d["slots"][1]["pid"] not in (None, pid))
        assert data["slots"][1]["restarts"] == 1
        assert alive(data["slots"][1]["pid"])
        runtime_events = [e for e in events.seen_events if e.get("type") == "models.runtime"]
        states = [e["data"]["state"] for e in runtime_events]
        assert "restarting" in states
        restarting = next(e["data"] for e in runtime_events if e["data"]["state"] == "restarting")
        assert "killed by signal 9" in restarting["error"]


def test_no_runtime_process_outlives_the_daemon(daemons, slots_config):
    config = slots_config()
    daemon = daemons.start(["--config", config])
    with daemon.connect(timeout=180) as connection:
        pid = connection.call("slots.assign", {"slot": 1, "model": "tiny", "context": 512})["slots"][0]["pid"]
    daemon.signal(signal.SIGTERM)
    assert daemon.wait(60) == 0
    assert not alive(pid)

    # Restored at start from the database; then SIGKILL: PR_SET_PDEATHSIG takes the server down too.
    again = daemons.start(["--config", config], data_dir=daemon.data_dir)
    with again.connect(timeout=180) as connection:
        restored = wait_for(
            lambda: (lambda s: s if s["state"] == "ready" else None)(connection.call("slots.list")["slots"][0]), 120,
            "the slot to be restored")
    assert restored["model"] == "tiny" and restored["pid"] != pid
    again.signal(signal.SIGKILL)
    again.wait(30)
    wait_for(lambda: not alive(restored["pid"]), 30, "the runtime process to die with the daemon")
