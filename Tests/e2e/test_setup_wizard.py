"""`elohim setup` choosing a default model and hot slots: every model goes through the fit check
(the seed's warning; `Load anyway? [y/N]` on a terminal; refused in scripts unless --force) and
hot slots go through `slots.assign` (the 75% rule). GGUF models are generated with the PyPI
`gguf` package; the hot-slot cases use the Ollama replay double (ollama_replay.py, responses
shaped as Ollama's API documentation shows) so no model process is needed."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import time

import pytest

from model_helpers import small_machine, write_config
from ollama_replay import OllamaReplay

PASSWORD = "correct horse battery"
WARNING = re.compile(r"This model \(\d+\.\dGB\) may exceed available RAM \(\d+\.\dGB\)\. Loading may cause system slowdown\.")
GIB_KB = 1024 * 1024


def status(daemon):
    with daemon.connect() as connection:
        return connection.call("setup.status")


@pytest.fixture
def tight_daemon(daemons, workdir, gguf_model_dir):
    """The generated tiny model on a machine with almost no available memory: it does not fit."""
    root = small_machine(workdir, total_kb=65536, available_kb=1000)
    return daemons.start(["--config", write_config(workdir, {"model_dirs": [gguf_model_dir], "memory_root": root})])


def test_scripted_setup_refuses_a_default_model_that_may_not_fit_unless_forced(tight_daemon, run_cli):
    refused = run_cli("--socket", tight_daemon.socket_path, "setup", "--founder-password-stdin", "--default-model", "tiny",
                      input=PASSWORD + "\n")
    assert refused.returncode == 1, (refused.stdout, refused.stderr)
    assert WARNING.search(refused.stderr), refused.stderr
    assert "--force" in refused.stderr and "Setup was not completed" in refused.stderr
    assert status(tight_daemon)["completed"] is False

    unknown = run_cli("--socket", tight_daemon.socket_path, "setup", "--founder-password-stdin", "--default-model", "nope",
                      input=PASSWORD + "\n")
    assert unknown.returncode == 1 and "no model called nope" in unknown.stderr, unknown.stderr
    assert status(tight_daemon)["completed"] is False

    forced = run_cli("--socket", tight_daemon.socket_path, "setup", "--founder-password-stdin", "--default-model", "tiny", "--force",
                     input=PASSWORD + "\n")
    assert forced.returncode == 0, forced.stderr
    assert WARNING.search(forced.stderr) and "default model tiny" in forced.stdout
    done = status(tight_daemon)
    assert done["completed"] is True and done["default_model"] == "tiny"


class Terminal:
    """`elohim` on a pseudo-terminal, answering its prompts."""

    def __init__(self, argv, env):
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
        os.close(slave)
        self.output = ""

    def expect(self, text, timeout=30.0):
        deadline = time.monotonic() + timeout
        while text not in self.output:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no {text!r} in {self.output!r}"
            ready, _, _ = select.select([self.master], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:
                    chunk = b""
                assert chunk, f"the CLI ended without {text!r}: {self.output!r}"
                self.output += chunk.decode(errors="replace")

    def answer(self, line):
        os.write(self.master, (line + "\n").encode())

    def finish(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    break  # the CLI closed the terminal: it has exited
                self.output += chunk.decode(errors="replace")
            elif self.process.poll() is not None:
                break
        os.close(self.master)
        return self.process.wait(timeout=5)


def test_interactive_setup_shows_the_warning_and_asks_load_anyway(tight_daemon, cli_bin, base_env):
    declined = Terminal([cli_bin, "--socket", tight_daemon.socket_path, "--no-color", "setup"], base_env)
    for _ in range(2):
        declined.expect(":")
        declined.answer(PASSWORD)
        declined.output = declined.output.replace(":", ";")  # wait for the next prompt, not this one
    declined.expect("Default model")
    declined.answer("tiny")
    declined.expect("Load anyway? [y/N]")
    assert WARNING.search(declined.output), declined.output
    declined.answer("")
    assert declined.finish() == 1
    assert status(tight_daemon)["completed"] is False

    accepted = Terminal([cli_bin, "--socket", tight_daemon.socket_path, "--no-color", "setup"], base_env)
    for _ in range(2):
        accepted.expect(":")
        accepted.answer(PASSWORD)
        accepted.output = accepted.output.replace(":", ";")
    accepted.expect("Default model")
    accepted.answer("tiny")
    accepted.expect("Load anyway? [y/N]")
    accepted.answer("y")
    accepted.expect("Hot slot 1 model (empty to finish)")
    accepted.answer("")
    assert accepted.finish() == 0, accepted.output
    assert "default model tiny" in accepted.output
    done = status(tight_daemon)
    assert done["completed"] is True and done["default_model"] == "tiny"


def test_scripted_setup_assigns_hot_slots_through_the_fit_check_and_the_75_percent_rule(daemons, workdir, run_cli):
    # 8 GiB total, 6 GiB available: the replayed llama3 (~4.2 GB estimated) fails the fit rule
    # (≤ 50% of available), and two of it exceed the slots' 75% of total (6.0 GB).
    root = small_machine(workdir, total_kb=8 * GIB_KB, available_kb=6 * GIB_KB)
    with OllamaReplay() as ollama:
        daemon = daemons.start(["--config", write_config(workdir, {"ollama_url": ollama.url, "memory_root": root})])
        socket_path = daemon.socket_path

        refused = run_cli("--socket", socket_path, "setup", "--founder-password-stdin", "--hot-slot", "ollama:llama3:latest",
                          input=PASSWORD + "\n")
        assert refused.returncode == 1 and WARNING.search(refused.stderr), refused.stderr
        assert ollama.chats() == [] and status(daemon)["completed"] is False

        too_many = run_cli("--socket", socket_path, "setup", "--founder-password-stdin", "--force",
                           "--hot-slot", "ollama:llama3:latest", "--hot-slot", "llama3:latest", input=PASSWORD + "\n")
        assert too_many.returncode == 1, too_many.stderr
        assert "Hot slots would use 8.5GB / 8.0GB RAM. Limit: 6.0GB" in too_many.stderr
        assert "hot slot 2" in too_many.stderr and "setup was not completed" in too_many.stderr
        assert status(daemon)["completed"] is False

        done = run_cli("--socket", socket_path, "setup", "--founder-password-stdin", "--force", "--hot-slot", "ollama:llama3:latest",
                       input=PASSWORD + "\n")
        assert done.returncode == 0, done.stderr
        assert "hot slot 1: ollama:llama3:latest" in done.stdout
        with daemon.connect() as connection:
            slots = connection.call("slots.list")["slots"]
            assert [(s["model"], s["state"]) for s in slots] == [("llama3:latest", "ready"), (None, "empty"), (None, "empty"),
                                                                 (None, "empty")]
            assert connection.call("setup.status")["completed"] is True
            audit = [e["event_type"] for e in connection.call("admin.audit_log", {})["events"]]
            assert "setup.completed" in audit and "slot.assigned" in audit
        pins = [c for c in ollama.chats() if not c["messages"] and c.get("keep_alive") == -1]
        assert pins and pins[-1]["options"] == {"num_ctx": 4096}
