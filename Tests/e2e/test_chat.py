"""Chat against a real llama.cpp server (the `xllamacpp` wheel) serving tiny random-weight GGUF
models generated with the `gguf` package. Random weights write gibberish, so these tests check
structure — streamed pieces add up to the stored reply, token counts equal what the runtime
reported, rows are stored or not — never the text.

Documented behaviour under test: when the runtime fails or dies mid-reply, the user's message
stays stored, the partial reply is NOT stored, and the session works again once the runtime is back."""

from __future__ import annotations

import json
import os

import pytest

from chat_runtime import LlamaServer, make_llama_gguf
from elohim_client import RPCConnection, RPCFailure
from test_accounts_audit import elohim_group, needs_root, second_user, start_system_daemon, write_config  # noqa: F401

MAX_REPLY = 16


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """Two distinct tiny models, each behind its own llama.cpp server (n_ctx 1024), and a third
    with a small context (256) for the overflow tests."""
    directory = tmp_path_factory.mktemp("gguf")
    servers = {
        "tiny-a": LlamaServer(make_llama_gguf(str(directory / "a.gguf"), seed=1), context=1024),
        "tiny-b": LlamaServer(make_llama_gguf(str(directory / "b.gguf"), seed=2, n_layer=1), context=1024),
        "tiny-small": LlamaServer(make_llama_gguf(str(directory / "s.gguf"), seed=3), context=256),
    }
    try:
        for server in servers.values():
            server.start()
        yield servers
    finally:
        for server in servers.values():
            server.stop()


def chat_config(workdir: str, models: dict, name: str = "chat", **extra) -> str:
    settings = {
        "chat_runtimes": {model: server.url for model, server in models.items()},
        "default_model": "tiny-a",
        "chat_max_reply_tokens": MAX_REPLY,
    }
    settings.update(extra)
    return write_config(workdir, name, settings)


@pytest.fixture
def chat_daemon(daemons, workdir, models):
    return daemons.start(["--config", chat_config(workdir, models)])


def send(connection: RPCConnection, session_id: int, content: str):
    """chat.send; returns (response, the chat.delta params that came before it)."""
    request_id = connection.next_id()
    connection.send_json(
        {"jsonrpc": "2.0", "id": request_id, "method": "chat.send", "params": {"session_id": session_id, "content": content}})
    deltas = []
    while True:
        message = connection.read_json(120)
        if message.get("id") == request_id:
            return message, deltas
        assert message.get("method") == "chat.delta", message
        deltas.append(message["params"])


def sent(connection, session_id, content):
    response, deltas = send(connection, session_id, content)
    assert "result" in response, response
    return response["result"], deltas


def test_a_three_turn_conversation_streams_stores_and_counts(chat_daemon):
    with chat_daemon.connect() as connection:
        session = connection.call("chat.create", {})
        assert session["model"] == "tiny-a" and session["active_model"] is None and session["context"] == "local"
        results = []
        for turn in range(3):
            result, deltas = sent(connection, session["id"], f"turn {turn}: tell me something")
            assert deltas, "the reply did not stream"
            assert [delta["index"] for delta in deltas] == list(range(len(deltas)))
            assert all(delta["session_id"] == session["id"] for delta in deltas)
            assert all(delta["reply_to"] == result["user_message"]["id"] for delta in deltas)
            assert "".join(delta["delta"] for delta in deltas) == result["message"]["content"]
            assert result["model"] == "tiny-a" and result["message"]["model"] == "tiny-a"
            usage = result["usage"]
            assert usage["prompt_tokens"] > 0 and 0 < usage["completion_tokens"] <= MAX_REPLY
            assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
            assert result["message"]["prompt_tokens"] == usage["prompt_tokens"]
            assert result["dropped_turns"] == 0
            results.append(result)
        # Later turns carry the history: their prompts grow.
        prompts = [result["usage"]["prompt_tokens"] for result in results]
        assert prompts[0] < prompts[1] < prompts[2]

        tokens = connection.call("chat.token_count", {"session_id": session["id"]})
        assert tokens["prompt_tokens"] == sum(prompts)
        assert tokens["completion_tokens"] == sum(result["usage"]["completion_tokens"] for result in results)
        assert tokens["total_tokens"] == tokens["prompt_tokens"] + tokens["completion_tokens"]
        last = results[-1]["usage"]
        assert tokens["context"]["used"] == last["prompt_tokens"] + last["completion_tokens"]
        assert tokens["context"]["limit"] == 1024
        assert tokens["context"]["level"] == "ok" and tokens["context"]["warning"] is False
        assert results[-1]["tokens"] == tokens

        page = connection.call("chat.get", {"session_id": session["id"]})
        assert [message["role"] for message in page["messages"]] == ["user", "assistant"] * 3
        assert page["messages"][0]["content"] == "turn 0: tell me something"
        assert page["session"]["title"] == "turn 0: tell me something"
        assert page["session"]["message_count"] == 6
        older = connection.call("chat.get", {"session_id": session["id"], "limit": 4})
        assert len(older["messages"]) == 4 and older["next_before"] == older["messages"][0]["id"]


def test_the_token_meter_is_published_as_a_chat_event(chat_daemon):
    with chat_daemon.connect() as listener, chat_daemon.connect() as connection:
        listener.call("events.subscribe", {"topics": ["chat"]})
        session = connection.call("chat.create", {"title": "events"})
        result, _ = sent(connection, session["id"], "hello")
        event = listener.next_notification(30)
        while event["params"]["type"] != "chat.tokens":
            event = listener.next_notification(30)
        data = event["params"]["data"]
        assert data["session_id"] == session["id"]
        assert data["context"] == result["tokens"]["context"]
        assert data["total_tokens"] == result["usage"]["total_tokens"]


def test_switching_the_model_mid_session_and_resetting_to_the_default(chat_daemon):
    with chat_daemon.connect() as connection:
        session = connection.call("chat.create", {})
        first, _ = sent(connection, session["id"], "one")
        assert first["message"]["model"] == "tiny-a"
        switched = connection.call("chat.set_model", {"session_id": session["id"], "model": "tiny-b"})
        assert switched["active_model"] == "tiny-b" and switched["model"] == "tiny-b"
        second, _ = sent(connection, session["id"], "two")
        assert second["model"] == "tiny-b" and second["message"]["model"] == "tiny-b"
        reset = connection.call("chat.set_model", {"session_id": session["id"], "model": None})
        assert reset["active_model"] is None and reset["model"] == "tiny-a"
        third, _ = sent(connection, session["id"], "three")
        assert third["message"]["model"] == "tiny-a"
        stored = connection.call("chat.get", {"session_id": session["id"]})["messages"]
        assert [m["model"] for m in stored if m["role"] == "assistant"] == ["tiny-a", "tiny-b", "tiny-a"]


def test_a_full_context_warns_at_90_percent_then_drops_the_oldest_turns(chat_daemon):
    with chat_daemon.connect() as connection:
        session = connection.call("chat.create", {})
        warned_at = dropped_at = None
        percent = 0
        history = []
        for turn in range(80):
            # Big steps while the context is far from full, then one-character messages: each
            # exchange then adds under 5% of the 1,024-token window, so the meter must pass
            # through 90–98% (the reply's reserve is 16 tokens) before anything is dropped.
            result, deltas = sent(connection, session["id"], "7" * (40 if percent < 70 else 1))
            assert "".join(d["delta"] for d in deltas) == result["message"]["content"]
            meter = result["tokens"]["context"]
            percent = meter["percent"]
            history.append((result["usage"], percent, result["dropped_turns"]))
            assert meter["limit"] == 1024 and meter["used"] <= 1024
            assert meter["warning"] == (percent >= 90)
            assert meter["level"] == ("critical" if percent >= 85 else "warn" if percent >= 60 else "ok")
            if meter["warning"] and warned_at is None:
                warned_at = turn
            if result["dropped_turns"] > 0:
                dropped_at = turn
                assert result["message"]["dropped_turns"] == result["dropped_turns"]
                break
        assert warned_at is not None, f"the meter never reached the 90% warning: {history}"
        assert dropped_at is not None and dropped_at > warned_at, history
        # The stored history is complete; only what was sent was trimmed.
        messages = connection.call("chat.get", {"session_id": session["id"], "limit": 500})["messages"]
        assert len(messages) == 2 * (dropped_at + 1)


def test_a_message_larger_than_the_context_is_refused_but_kept(chat_daemon):
    with chat_daemon.connect() as connection:
        session = connection.call("chat.create", {"model": "tiny-small"})
        response, deltas = send(connection, session["id"], "9" * 400)
        assert deltas == []
        error = response["error"]
        assert error["code"] == -32035 and error["data"]["reason"] == "context_too_small", error
        assert "256" in error["message"] and "shorten" in error["message"]
        messages = connection.call("chat.get", {"session_id": session["id"]})["messages"]
        assert [m["role"] for m in messages] == ["user"]
        # The session is still usable.
        result, _ = sent(connection, session["id"], "short")
        assert result["message"]["role"] == "assistant"


def test_an_unknown_model_and_no_session_are_clear_errors(chat_daemon):
    with chat_daemon.connect() as connection:
        session = connection.call("chat.create", {"model": "no-such-model"})
        response, _ = send(connection, session["id"], "hello")
        assert response["error"]["data"]["reason"] == "not_found"
        assert "no-such-model" in response["error"]["message"]
        assert [m["role"] for m in connection.call("chat.get", {"session_id": session["id"]})["messages"]] == ["user"]
        response, _ = send(connection, 999999, "hello")
        assert response["error"]["data"]["reason"] == "not_found"
        assert "elohim chat list" in response["error"]["message"]
        response, _ = send(connection, session["id"], "   ")
        assert "empty" in response["error"]["message"]


def test_a_runtime_that_is_down_is_an_error_and_the_message_is_kept(daemons, workdir, tmp_path):
    model = make_llama_gguf(str(tmp_path / "down.gguf"), seed=5)
    server = LlamaServer(model, context=512)
    daemon = daemons.start(["--config", chat_config(workdir, {"tiny-a": server})])
    try:
        with daemon.connect() as connection:
            session = connection.call("chat.create", {})
            response, deltas = send(connection, session["id"], "anyone there?")
            assert deltas == []
            assert response["error"]["data"]["reason"] == "unavailable", response
            assert "not answering" in response["error"]["message"]
            server.start()
            result, _ = sent(connection, session["id"], "now?")
            messages = connection.call("chat.get", {"session_id": session["id"]})["messages"]
            assert [m["role"] for m in messages] == ["user", "user", "assistant"]
            assert result["message"]["id"] == messages[-1]["id"]
    finally:
        server.stop()


def test_killing_the_runtime_mid_stream_stores_no_partial_reply(daemons, workdir, tmp_path, models):
    # A bigger model and a long reply (up to 4000 tokens), so the stream is still running when
    # the runtime dies right after the first piece.
    model = make_llama_gguf(str(tmp_path / "long.gguf"), seed=6, n_embd=256, n_layer=4, n_ff=512, context=4096)
    server = LlamaServer(model, context=4096).start()
    runtimes = {"tiny-a": server, "tiny-small": models["tiny-small"]}
    daemon = daemons.start(
        ["--config", chat_config(workdir, runtimes, name="long", chat_max_reply_tokens=4000)])
    try:
        with daemon.connect() as connection:
            session = connection.call("chat.create", {})
            request_id = connection.next_id()
            connection.send_json({"jsonrpc": "2.0", "id": request_id, "method": "chat.send",
                                  "params": {"session_id": session["id"], "content": "write a lot"}})
            first = connection.read_json(120)
            assert first.get("method") == "chat.delta", first
            server.kill()
            response = connection.response_for(request_id, 120)
            assert "error" in response, "the reply finished before the runtime was killed"
            assert response["error"]["data"]["reason"] in ("failed", "unavailable"), response
            messages = connection.call("chat.get", {"session_id": session["id"]})["messages"]
            assert [m["role"] for m in messages] == ["user"]
            tokens = connection.call("chat.token_count", {"session_id": session["id"]})
            assert tokens["total_tokens"] == 0
            # The session is usable again (with a model whose replies are short).
            connection.call("chat.set_model", {"session_id": session["id"], "model": "tiny-small"})
            result, _ = sent(connection, session["id"], "again")
            messages = connection.call("chat.get", {"session_id": session["id"]})["messages"]
            assert [m["role"] for m in messages] == ["user", "user", "assistant"]
            assert result["message"]["model"] == "tiny-small"
    finally:
        server.stop()


@needs_root
def test_sessions_are_private_to_their_user(daemons, workdir, models, second_user):
    config = chat_config(workdir, models, name="system")
    daemon = start_system_daemon(daemons, workdir, config)
    with daemon.connect() as owner:
        owner.call("users.add", {"uid": second_user.uid, "role": "member"})
        mine = owner.call("chat.create", {"title": "owner's"})
        from elohim_client import connect_as

        with connect_as(daemon.socket_path, second_user.uid, second_user.gid) as other:
            assert other.call("chat.list", {})["sessions"] == []
            theirs = other.call("chat.create", {"title": "member's"})
            for method, params in [
                ("chat.get", {"session_id": mine["id"]}),
                ("chat.rename", {"session_id": mine["id"], "title": "x"}),
                ("chat.delete", {"session_id": mine["id"]}),
                ("chat.token_count", {"session_id": mine["id"]}),
                ("chat.set_model", {"session_id": mine["id"], "model": "tiny-b"}),
                ("chat.send", {"session_id": mine["id"], "content": "hi"}),
            ]:
                with pytest.raises(RPCFailure) as failure:
                    other.call(method, params)
                assert failure.value.data["reason"] == "not_found", (method, failure.value.error)
            assert [s["title"] for s in other.call("chat.list", {})["sessions"]] == ["member's"]
            # chat events reach only the session's owner.
            other.call("events.subscribe", {"topics": ["chat"]})
            owner.call("events.subscribe", {"topics": ["chat"]})
            owner.call("chat.set_model", {"session_id": mine["id"], "model": "tiny-b"})
            event = owner.next_notification(30)
            assert event["params"]["data"]["session_id"] == mine["id"]
            other.call("chat.set_model", {"session_id": theirs["id"], "model": "tiny-b"})
            event = other.next_notification(30)
            assert event["params"]["data"]["session_id"] == theirs["id"], "the member saw the owner's chat event"
        assert [s["title"] for s in owner.call("chat.list", {})["sessions"]] == ["owner's"]
        assert owner.call("chat.get", {"session_id": mine["id"]})["messages"] == []
        assert theirs["id"] != mine["id"]


def test_models_from_the_inventory_are_loaded_on_demand_by_the_model_manager(
        daemons, workdir, gguf_model_dir, llama_server_command):
    config = write_config(workdir, "managed", {
        "model_dirs": [gguf_model_dir], "llama_server_command": os.path.abspath(llama_server_command),
        "default_model": "tiny", "chat_max_reply_tokens": MAX_REPLY})
    daemon = daemons.start(["--config", config])
    with daemon.connect() as connection:
        session = connection.call("chat.create", {})
        assert session["model"] == "tiny"
        before = connection.call("chat.token_count", {"session_id": session["id"]})
        assert before["context"]["used"] == 0 and before["context"]["limit"] > 0  # from the model's metadata
        results = []
        for turn in range(3):
            result, deltas = sent(connection, session["id"], f"managed turn {turn}")
            assert "".join(d["delta"] for d in deltas) == result["message"]["content"]
            assert result["model"] == "tiny" and result["message"]["model"] == "tiny"
            assert result["usage"]["prompt_tokens"] > 0
            results.append(result)
        tokens = connection.call("chat.token_count", {"session_id": session["id"]})
        assert tokens["prompt_tokens"] == sum(r["usage"]["prompt_tokens"] for r in results)
        assert tokens["completion_tokens"] == sum(r["usage"]["completion_tokens"] for r in results)
        last = results[-1]["usage"]
        assert tokens["context"]["used"] == last["prompt_tokens"] + last["completion_tokens"]
        with pytest.raises(RPCFailure) as failure:
            connection.call("chat.set_model", {"session_id": session["id"], "model": "not-installed"})
        assert failure.value.data["reason"] == "not_found"
        assert connection.call("chat.get", {"session_id": session["id"]})["session"]["active_model"] is None


def test_switching_to_a_model_that_does_not_fit_returns_the_fit_result_unless_forced(
        daemons, workdir, gguf_model_dir, llama_server_command):
    root = os.path.join(workdir, "memroot")
    os.makedirs(os.path.join(root, "proc"), exist_ok=True)
    with open(os.path.join(root, "proc", "meminfo"), "w") as handle:
        handle.write("MemTotal:       65536 kB\nMemFree:        1000 kB\nMemAvailable:   1000 kB\n")
    config = write_config(workdir, "small", {
        "model_dirs": [gguf_model_dir], "llama_server_command": os.path.abspath(llama_server_command),
        "memory_root": root})
    daemon = daemons.start(["--config", config])
    with daemon.connect() as connection:
        session = connection.call("chat.create", {})
        with pytest.raises(RPCFailure) as failure:
            connection.call("chat.set_model", {"session_id": session["id"], "model": "tiny"})
        assert failure.value.data["reason"] == "memory_limit"
        assert failure.value.data["fits"] is False and failure.value.data["estimated_gb"] > 0
        assert connection.call("chat.get", {"session_id": session["id"]})["session"]["active_model"] is None
        forced = connection.call("chat.set_model", {"session_id": session["id"], "model": "tiny", "force": True})
        assert forced["active_model"] == "tiny"
