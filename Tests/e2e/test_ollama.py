"""Ollama as a runtime, against a replay double (ollama_replay.py): Ollama cannot run in these
tests, so the double answers with responses shaped exactly as Ollama's API documentation shows
(docs/api.md in ollama/ollama) and records what the daemon sent. A real daemon, real socket,
real SQLite; only Ollama is replayed."""

from __future__ import annotations

import json
import socket
import time

import pytest

from elohim_client import RPCFailure
from model_helpers import small_machine, write_config
from ollama_replay import LLAMA_TAG, PROMPT_EVAL_COUNT, REPLY_PIECES, OllamaReplay

MODEL = "ollama:llama3:latest"
# The estimate at the default context (the model's 8192, capped to 4096): KV cache = context ×
# layers × kv heads × (key + value length) × 2 bytes, from /api/show's model_info.
KV_CACHE = 4096 * 32 * 8 * (128 + 128) * 2
BIG_MACHINE_KB = 64 * 1024 * 1024


@pytest.fixture
def ollama():
    with OllamaReplay() as replay:
        yield replay


@pytest.fixture
def ollama_daemon(daemons, workdir, ollama):
    root = small_machine(workdir, total_kb=BIG_MACHINE_KB, available_kb=BIG_MACHINE_KB - 4 * 1024 * 1024)
    config = write_config(workdir, {"ollama_url": ollama.url, "memory_root": root,
                                    "default_model": MODEL, "chat_max_reply_tokens": 16})
    return daemons.start(["--config", config])


def send(connection, session_id, content):
    """chat.send; returns (result, the chat.delta params streamed before it)."""
    request_id = connection.next_id()
    connection.send_json({"jsonrpc": "2.0", "id": request_id, "method": "chat.send",
                          "params": {"session_id": session_id, "content": content}})
    deltas = []
    while True:
        message = connection.read_json(60)
        if message.get("id") == request_id:
            assert "result" in message, message
            return message["result"], deltas
        if message.get("method") == "chat.delta":
            deltas.append(message["params"])


def test_list_show_and_check_fit_describe_ollama_models_from_show(ollama_daemon):
    with ollama_daemon.connect() as connection:
        listing = connection.call("models.list")
        listed = [m for m in listing["models"] if m["source"] == "ollama"]
        assert [(m["name"], m["path"]) for m in listed] == [("llama3:latest", MODEL)]
        for name in (MODEL, "llama3:latest", "llama3"):  # the prefix, the listed name, Ollama's short form
            detail = connection.call("models.show", {"model": name})
            model = detail["model"]
            assert (model["name"], model["path"], model["source"]) == ("llama3:latest", MODEL, "ollama")
            assert (model["architecture"], model["file_type"], model["parameter_count"]) == ("llama", "Q4_0", 8030261248)
            assert (model["context_length"], model["layers"], model["heads"], model["kv_heads"], model["embedding_size"]) == (
                8192, 32, 32, 8, 4096)
            assert model["file_size_bytes"] == LLAMA_TAG["size"]
            assert detail["estimate"]["context"] == 4096 and detail["estimate"]["kv_cache_bytes"] == KV_CACHE
            assert detail["estimate"]["weights_bytes"] == LLAMA_TAG["size"]
        fit = connection.call("models.check_fit", {"model": MODEL})
        assert fit["fits"] is True and fit["model"] == "llama3:latest"
        assert fit["breakdown"]["kv_cache_bytes"] == KV_CACHE


def test_show_is_asked_once_per_listed_model_and_again_after_a_pull_changes_its_digest(ollama_daemon, ollama):
    def shows():
        return [r for r in ollama.requests if r["path"] == "/api/show"]

    with ollama_daemon.connect() as connection:
        for name in (MODEL, "llama3:latest", "llama3", MODEL):
            assert connection.call("models.show", {"model": name})["model"]["layers"] == 32
        assert len(shows()) == 1, "the same digest must not make Ollama read the model again"

        # A pull that changes the model: a new digest and new metadata.
        ollama.tags[0]["digest"] = "0" * 64
        ollama.show["llama3:latest"]["model_info"] = dict(ollama.show["llama3:latest"]["model_info"], **{"llama.block_count": 40})
        assert connection.call("models.show", {"model": MODEL})["model"]["layers"] == 40
        assert len(shows()) == 2

        # A model Ollama does not list is asked about each time, and its error still comes through.
        for _ in range(2):
            with pytest.raises(RPCFailure) as failure:
                connection.call("models.show", {"model": "ollama:nothere"})
            assert failure.value.data["reason"] == "not_found"
            assert "Ollama has no model called nothere" in failure.value.error["message"]
        assert len(shows()) == 4


def test_chat_through_a_session_streams_ollama_deltas_and_reports_its_counts(ollama_daemon, ollama):
    with ollama_daemon.connect() as connection:
        session = connection.call("chat.create", {})
        assert session["model"] == MODEL
        first, deltas = send(connection, session["id"], "why is the sky blue?")
        assert [d["delta"] for d in deltas] == REPLY_PIECES
        assert first["message"]["content"] == "".join(REPLY_PIECES)
        assert first["usage"] == {"prompt_tokens": PROMPT_EVAL_COUNT, "completion_tokens": len(REPLY_PIECES),
                                  "total_tokens": PROMPT_EVAL_COUNT + len(REPLY_PIECES)}
        second, _ = send(connection, session["id"], "and at sunset?")
        # The history was sent: the double counts 10 more prompt tokens per earlier message.
        assert second["usage"]["prompt_tokens"] == PROMPT_EVAL_COUNT + 20
        tokens = connection.call("chat.token_count", {"session_id": session["id"]})
        assert tokens["context"]["limit"] == 4096
        assert tokens["prompt_tokens"] == 2 * PROMPT_EVAL_COUNT + 20
        assert tokens["completion_tokens"] == 2 * len(REPLY_PIECES)
        loaded = connection.call("models.loaded")["models"]
        assert [(m["path"], m["runtime"], m["state"], m["context"]) for m in loaded] == [(MODEL, "ollama", "ready", 4096)]
        assert loaded[0]["expires_at"] and loaded[0]["rss_bytes"] > LLAMA_TAG["size"]
    chats = ollama.chats("llama3:latest")
    load, replies = chats[0], [c for c in chats if c["messages"]]
    assert load["messages"] == [] and "keep_alive" not in load and load["options"] == {"num_ctx": 4096}
    assert len(replies) == 2
    for reply in replies:
        assert reply["stream"] is True and "keep_alive" not in reply  # not pinned: Ollama's default keep-alive
        assert reply["options"] == {"num_ctx": 4096, "num_predict": 16}
    assert [m["role"] for m in replies[1]["messages"]] == ["user", "assistant", "user"]
    assert replies[1]["messages"][1]["content"] == "".join(REPLY_PIECES)


def test_a_hot_slot_pins_with_keep_alive_minus_one_and_eject_unloads_with_zero(ollama_daemon, ollama):
    with ollama_daemon.connect() as connection:
        result = connection.call("slots.assign", {"slot": 2, "model": MODEL})
        slot = result["slots"][1]
        assert (slot["model"], slot["state"], slot["context"]) == ("llama3:latest", "ready", 4096)
        assert slot["rss_bytes"] == ollama.running()[0]["size"]  # measured: /api/ps size
        assert slot["estimate_bytes"] > LLAMA_TAG["size"] + KV_CACHE
        load = ollama.chats("llama3:latest")[-1]
        assert load == {"model": "llama3:latest", "messages": [], "stream": False, "keep_alive": -1, "options": {"num_ctx": 4096}}
        loaded = connection.call("models.loaded")["models"]
        assert loaded[0]["expires_at"] is None  # pinned

        # Chat on a pinned model re-sends keep_alive -1 (any request resets Ollama's keep-alive).
        session = connection.call("chat.create", {})
        send(connection, session["id"], "hello")
        reply = ollama.chats("llama3:latest")[-1]
        assert reply["messages"] and reply["keep_alive"] == -1 and reply["options"]["num_ctx"] == 4096

        with pytest.raises(RPCFailure) as pinned:
            connection.call("models.unload", {"model": MODEL})
        assert pinned.value.data["reason"] == "conflict"

        result = connection.call("slots.eject", {"slot": 2})
        assert result["slots"][1]["state"] == "empty"
        unload = ollama.chats("llama3:latest")[-1]
        assert unload == {"model": "llama3:latest", "messages": [], "keep_alive": 0}
        assert ollama.running() == [] and connection.call("models.loaded")["models"] == []
        audit = connection.call("admin.audit_log", {"resource_type": "slot"})["events"]
        assert [e["event_type"] for e in audit][:2] == ["slot.ejected", "slot.assigned"]


def test_hot_slots_beyond_75_percent_of_memory_are_refused_before_ollama_loads_anything(daemons, workdir, ollama):
    root = small_machine(workdir, total_kb=4 * 1024 * 1024, available_kb=4 * 1024 * 1024)
    daemon = daemons.start(["--config", write_config(workdir, {"ollama_url": ollama.url, "memory_root": root})])
    with daemon.connect() as connection:
        with pytest.raises(RPCFailure) as refused:
            connection.call("slots.assign", {"slot": 1, "model": MODEL, "force": True})
    assert refused.value.data["reason"] == "memory_limit"
    assert "Hot slots would use 4.2GB / 4.0GB RAM. Limit: 3.0GB" in refused.value.error["message"]
    assert ollama.chats() == []


def test_pull_through_ollama_streams_its_progress_as_pull_events(ollama_daemon, ollama, run_cli):
    with ollama_daemon.connect() as events, ollama_daemon.connect() as connection:
        events.call("events.subscribe", {"topics": ["models"]})
        result = connection.call("models.pull", {"name": "tinyllama"})
        assert result["path"] == "ollama:tinyllama:latest" and result["name"] == "tinyllama:latest"
        assert result["bytes"] == 637700138 and len(result["sha256"]) == 64
        seen = []
        while not seen or seen[-1]["type"] != "models.pulled":
            seen.append(events.next_notification(timeout=30)["params"])
        assert seen[0]["type"] == "models.pull_started" and seen[0]["data"]["name"] == "tinyllama"
        progress = [e["data"] for e in seen if e["type"] == "models.pull_progress"]
        statuses = [p["status"] for p in progress]
        assert statuses[0] == "pulling manifest" and statuses[-1] == "success" and "verifying sha256 digest" in statuses
        counted = [p for p in progress if "total" in p]
        assert counted and all(0 <= p["bytes"] <= p["total"] for p in counted)
        assert (counted[-1]["bytes"], counted[-1]["total"]) == (682, 682)
        assert any(p["total"] == 637699456 and p["bytes"] == 637699456 for p in counted)
        assert "ollama:tinyllama:latest" in [m["path"] for m in connection.call("models.list")["models"]]
        assert connection.call("admin.audit_log", {"event_type": "model.pulled"})["events"][0]["resource_id"] == "ollama:tinyllama:latest"

        with pytest.raises(RPCFailure) as missing:
            connection.call("models.pull", {"name": "no-such-model"})
        assert missing.value.data["reason"] == "failed"
        assert "no-such-model" in missing.value.error["message"] and "file does not exist" in missing.value.error["message"]
    cli = run_cli("--socket", ollama_daemon.socket_path, "models", "pull", "ollama:tinyllama")
    assert cli.returncode == 0, cli.stderr
    assert "Ollama pulled tinyllama:latest" in cli.stdout and "ollama:tinyllama:latest" in cli.stdout
    assert json.dumps({"model": "tinyllama", "stream": True}) in [json.dumps(r["body"]) for r in ollama.requests if r["path"] == "/api/pull"]


def test_an_unknown_model_is_an_error_naming_it_and_how_to_get_it(ollama_daemon, ollama):
    with ollama_daemon.connect() as connection:
        with pytest.raises(RPCFailure) as prefixed:
            connection.call("slots.assign", {"slot": 1, "model": "ollama:mistral:7b"})
        assert prefixed.value.data["reason"] == "not_found"
        message = prefixed.value.error["message"]
        assert "Ollama has no model called mistral:7b" in message and "elohim models pull ollama:mistral:7b" in message
        session = connection.call("chat.create", {})
        with pytest.raises(RPCFailure) as bare:
            connection.call("chat.set_model", {"session_id": session["id"], "model": "mistral"})
        assert bare.value.data["reason"] == "not_found"
        assert "no model called mistral" in bare.value.error["message"]
        assert f"Ollama at {ollama.url} has no model called mistral either" in bare.value.error["message"]
        assert connection.call("slots.list")["slots"][0]["state"] == "empty"
    assert ollama.chats() == []


def test_ollama_down_is_unavailable_with_how_to_start_it(daemons, workdir):
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    root = small_machine(workdir, total_kb=BIG_MACHINE_KB, available_kb=BIG_MACHINE_KB)
    daemon = daemons.start(["--config", write_config(workdir, {"ollama_url": url, "memory_root": root})])
    with daemon.connect() as connection:
        for method, params in [
            ("slots.assign", {"slot": 1, "model": MODEL}),
            ("models.show", {"model": MODEL}),
            ("models.check_fit", {"model": MODEL}),
            ("models.pull", {"name": "llama3"}),
        ]:
            with pytest.raises(RPCFailure) as down:
                connection.call(method, params)
            assert down.value.data["reason"] == "unavailable", (method, down.value.error)
            assert f"Ollama at {url} is not reachable" in down.value.error["message"]
            assert "ollama serve" in down.value.error["message"]
        session = connection.call("chat.create", {})
        with pytest.raises(RPCFailure) as chat:
            connection.call("chat.set_model", {"session_id": session["id"], "model": MODEL})
        assert chat.value.data["reason"] == "unavailable" and "ollama serve" in chat.value.error["message"]
        assert connection.call("models.list")["ollama"]["reachable"] is False


def test_pinned_slots_are_released_at_shutdown_pinned_again_at_start_and_a_dropped_pin_shows_failed(daemons, workdir, ollama):
    root = small_machine(workdir, total_kb=BIG_MACHINE_KB, available_kb=BIG_MACHINE_KB)
    args = ["--config", write_config(workdir, {"ollama_url": ollama.url, "memory_root": root})]
    daemon = daemons.start(args)
    with daemon.connect() as connection:
        connection.call("slots.assign", {"slot": 1, "model": MODEL})
    assert daemon.stop() == 0
    assert ollama.chats()[-1] == {"model": "llama3:latest", "messages": [], "keep_alive": 0}  # nothing left pinned
    assert ollama.running() == []

    again = daemons.start(args, data_dir=daemon.data_dir, socket_path=daemon.socket_path)
    with again.connect() as connection:
        slots = None
        for _ in range(200):
            slots = connection.call("slots.list")["slots"]
            if slots[0]["state"] == "ready":
                break
            time.sleep(0.05)
        assert (slots[0]["model"], slots[0]["state"]) == ("llama3:latest", "ready")
        assert ollama.chats()[-1]["keep_alive"] == -1

        ollama.loaded.clear()  # Ollama restarted: the pin is gone
        slot = connection.call("slots.list")["slots"][0]
        assert slot["state"] == "failed" and "Ollama no longer holds it" in slot["error"]


def test_ollama_turned_off_says_so(daemons, workdir):
    daemon = daemons.start(["--config", write_config(workdir, {"ollama_url": ""})])
    with daemon.connect() as connection:
        with pytest.raises(RPCFailure) as off:
            connection.call("slots.assign", {"slot": 1, "model": MODEL})
        assert off.value.data["reason"] == "unavailable"
        assert 'Ollama is turned off (ollama_url is "")' in off.value.error["message"]
        with pytest.raises(RPCFailure) as pull:
            connection.call("models.pull", {"name": "llama3"})
        assert pull.value.data["reason"] == "unavailable" and "ollama_url" in pull.value.error["message"]
        assert "ollama" not in connection.call("models.list") or connection.call("models.list")["ollama"] is None
