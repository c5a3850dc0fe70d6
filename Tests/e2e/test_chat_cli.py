"""`elohim chat …` against a real daemon and real llama.cpp servers (see test_chat.py), and the
interactive mode in a real terminal through tmux."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import time
import uuid

from test_chat import chat_daemon, models  # noqa: F401 — fixtures
from elohim_client import elohim_bin


def test_one_shot_send_streams_the_reply_and_the_meter(chat_daemon, run_cli):
    socket = chat_daemon.socket_path
    created = run_cli("--json", "--socket", socket, "chat", "new", "--title", "cli")
    assert created.returncode == 0, created.stderr
    session = json.loads(created.stdout)["id"]
    sent = run_cli("--socket", socket, "chat", "send", str(session), "hello there", env={"NO_COLOR": "1"})
    assert sent.returncode == 0, sent.stderr
    shown = json.loads(run_cli("--json", "--socket", socket, "chat", "show", str(session)).stdout)
    reply = shown["messages"][-1]
    assert reply["role"] == "assistant"
    # Streamed pieces, then a newline: nothing else on stdout. Text mode reads \r\n and \r as
    # \n, so a reply ending in \r merges with the CLI's newline: translate the whole line.
    assert sent.stdout == (reply["content"] + "\n").replace("\r\n", "\n").replace("\r", "\n")
    assert re.search(r"tiny-a · \[[█░]{20}\] \d+ / 1,024 tokens \(\d+(\.\d)?%\) ok", sent.stderr), sent.stderr

    scripted = json.loads(run_cli("--json", "--socket", socket, "chat", "send", str(session), "again").stdout)
    assert scripted["message"]["role"] == "assistant" and scripted["usage"]["prompt_tokens"] > 0

    tokens = run_cli("--socket", socket, "chat", "tokens", str(session), env={"NO_COLOR": "1"})
    assert tokens.returncode == 0, tokens.stderr
    assert "prompt " in tokens.stdout and "completion " in tokens.stdout and "/ 1,024 tokens" in tokens.stdout

    listed = run_cli("--socket", socket, "chat", "list", env={"NO_COLOR": "1"})
    assert "[Local]" in listed.stdout and "cli" in listed.stdout


def test_model_rename_delete_and_errors(chat_daemon, run_cli):
    socket = chat_daemon.socket_path
    session = json.loads(run_cli("--json", "--socket", socket, "chat", "new").stdout)["id"]
    switched = run_cli("--socket", socket, "chat", "model", str(session), "tiny-b")
    assert switched.returncode == 0 and "uses tiny-b" in switched.stdout, switched.stderr
    reset = run_cli("--socket", socket, "chat", "model", str(session), "reset")
    assert "uses tiny-a (the default)" in reset.stdout
    renamed = run_cli("--socket", socket, "chat", "rename", str(session), "renamed")
    assert "is now 'renamed'" in renamed.stdout
    refused = run_cli("--socket", socket, "chat", "delete", str(session))
    assert refused.returncode == 2 and "--yes" in refused.stderr
    deleted = run_cli("--socket", socket, "chat", "delete", str(session), "--yes")
    assert deleted.returncode == 0 and "deleted session" in deleted.stdout
    missing = run_cli("--socket", socket, "chat", "send", str(session), "hello?")
    assert missing.returncode == 1 and "no chat session" in missing.stderr


def tmux(*args) -> str:
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def screen(name: str) -> str:
    return tmux("capture-pane", "-p", "-t", name, "-S", "-200")


def wait_screen(name: str, pattern: str, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = screen(name)
        if re.search(pattern, text):
            return text
        time.sleep(0.1)
    raise AssertionError(f"never saw {pattern!r} on the terminal:\n{screen(name)}")


def test_interactive_chat_in_a_real_terminal(chat_daemon):
    name = f"elohim-chat-{uuid.uuid4().hex[:8]}"
    command = f"NO_COLOR=1 {shlex.quote(elohim_bin())} --socket {shlex.quote(chat_daemon.socket_path)} chat; sleep 30"
    tmux("new-session", "-d", "-s", name, "-x", "160", "-y", "50", command)
    try:
        wait_screen(name, r"you>")
        text = screen(name)
        assert re.search(r"Session \d+: New chat · model tiny-a", text), text
        assert "0 / 1,024 tokens (0%) ok" in text, text
        tmux("send-keys", "-t", name, "hello from tmux", "Enter")
        text = wait_screen(name, r"tiny-a · \[[█░]{20}\] [\d,]+ / 1,024 tokens")
        assert "ai>" in text
        tmux("send-keys", "-t", name, "/model tiny-b", "Enter")
        wait_screen(name, r"model: tiny-b")
        tmux("send-keys", "-t", name, "second message", "Enter")
        wait_screen(name, r"tiny-b · \[")
        tmux("send-keys", "-t", name, "/tokens", "Enter")
        wait_screen(name, r"prompt [\d,]+ \+ completion [\d,]+ = [\d,]+ tokens this session")
        tmux("send-keys", "-t", name, "/model reset", "Enter")
        wait_screen(name, r"model: tiny-a \(the default\)")
        tmux("send-keys", "-t", name, "/sessions", "Enter")
        wait_screen(name, r"\[Local\].*hello from tmux")
        tmux("send-keys", "-t", name, "/quit", "Enter")
        text = wait_screen(name, r"/quit\n")
        assert "error" not in text.lower(), text
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def test_switching_to_a_model_that_does_not_fit_asks_load_anyway(daemons, workdir, gguf_model_dir, llama_server_command,
                                                                  run_cli):
    import os

    from test_chat import write_config
    root = os.path.join(workdir, "memroot")
    os.makedirs(os.path.join(root, "proc"), exist_ok=True)
    with open(os.path.join(root, "proc", "meminfo"), "w") as handle:
        handle.write("MemTotal:       65536 kB\nMemFree:        1000 kB\nMemAvailable:   1000 kB\n")
    config = write_config(workdir, "small", {
        "model_dirs": [gguf_model_dir], "llama_server_command": os.path.abspath(llama_server_command),
        "memory_root": root})
    socket = daemons.start(["--config", config]).socket_path
    session = str(json.loads(run_cli("--json", "--socket", socket, "chat", "new").stdout)["id"])
    declined = run_cli("--socket", socket, "chat", "model", session, "tiny", input="n\n")
    assert declined.returncode == 2, declined
    assert "Load anyway? [y/N]" in declined.stderr and "model not changed" in declined.stderr
    assert "uses no model" in run_cli("--socket", socket, "chat", "model", session).stdout
    accepted = run_cli("--socket", socket, "chat", "model", session, "tiny", input="y\n")
    assert accepted.returncode == 0 and "uses tiny" in accepted.stdout, accepted.stderr
    run_cli("--socket", socket, "chat", "model", session, "reset")
    forced = run_cli("--socket", socket, "chat", "model", session, "tiny", "--force")
    assert forced.returncode == 0 and "Load anyway" not in forced.stderr and "uses tiny" in forced.stdout
