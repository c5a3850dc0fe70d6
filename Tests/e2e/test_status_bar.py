"""`elohim-status` (the status-bar helper) against a real daemon: every format with the
engine idle, processing (an endless query) and in error (a damaged dataset file), offline,
usage errors, and --follow across engine changes and a daemon stop and restart.

slots.list lands separately: until it does the helper leaves the RAM figure out (a method
the daemon does not have is omitted, not an error), and `percentage` is 0."""

from __future__ import annotations

import glob
import json
import os
import select
import subprocess
import time

import pytest

from elohim_client import REPO


def status_bin() -> str:
    path = os.environ.get("ELOHIM_STATUS_BIN") or str(REPO / ".build/debug/elohim-status")
    assert os.access(path, os.X_OK), f"elohim-status not found at {path}: swift build --product elohim-status"
    return path


def run_status(*args, env=None, timeout=30):
    return subprocess.run([status_bin(), *args], capture_output=True, text=True, timeout=timeout,
                          env=env, stdin=subprocess.DEVNULL)


WORDS = {"idle", "processing", "error", "online"}
COLOURS = {"idle": "#a3be8c", "processing": "#ebcb8b", "error": "#bf616a"}


def check_every_format(daemon, word):
    """Runs each one-shot format and checks it shows `word` (idle, processing, error)."""
    socket = ["--socket", daemon.socket_path]
    waybar = json.loads(run_status("--format", "waybar", *socket).stdout)
    assert waybar["class"] == word and waybar["alt"] == word, waybar
    light = {"idle": "🟢", "processing": "🟡", "error": "🔴"}[word]
    assert waybar["text"].startswith("[Local] " + light), waybar
    assert f"elohimd: {word}" in waybar["tooltip"] and "Queue: " in waybar["tooltip"], waybar
    full, short, colour = run_status("--format", "i3blocks", *socket).stdout.splitlines()
    assert full.startswith("[Local] " + light) and short == light and colour == COLOURS[word]
    polybar = run_status("--format", "polybar", *socket).stdout
    assert polybar.startswith("%{F" + COLOURS[word] + "}[Local] " + light)
    i3bar = run_status("--format", "i3bar", *socket).stdout.splitlines()
    assert json.loads("\n".join(i3bar[1:]))[0][0]["color"] == COLOURS[word]
    plain = run_status(*socket).stdout
    assert plain.startswith(f"[Local] {word}")
    return waybar


def test_waybar_is_one_json_object_with_the_fields_waybar_reads(daemon):
    result = run_status("--format", "waybar", "--socket", daemon.socket_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    output = json.loads(lines[0])
    assert set(output) == {"text", "alt", "tooltip", "class", "percentage"}
    assert output["text"].startswith("[Local] ") and output["class"] in WORDS and output["alt"] == output["class"]
    assert isinstance(output["percentage"], int)
    assert output["tooltip"].startswith("elohimd: ")


def test_i3bar_is_the_json_block_protocol(daemon):
    result = run_status("--format", "i3bar", "--socket", daemon.socket_path)
    assert result.returncode == 0, result.stderr
    header, *rest = result.stdout.splitlines()
    assert json.loads(header) == {"version": 1}
    blocks = json.loads("\n".join(rest))  # "[", one block array, "]": a complete JSON array
    assert len(blocks) == 1 and len(blocks[0]) == 1
    block = blocks[0][0]
    assert block["full_text"].startswith("[Local]") and block["color"] == "#a3be8c" and block["name"] == "elohim"


def test_i3blocks_prints_full_short_and_colour_lines(daemon):
    result = run_status("--format", "i3blocks", "--socket", daemon.socket_path)
    assert result.returncode == 0, result.stderr
    full, short, colour = result.stdout.splitlines()
    assert full.startswith("[Local] ") and short and colour == "#a3be8c"


def test_polybar_and_plain(daemon):
    polybar = run_status("--format", "polybar", "--socket", daemon.socket_path)
    assert polybar.returncode == 0 and polybar.stdout.startswith("%{F#a3be8c}[Local] ")
    assert polybar.stdout.rstrip("\n").endswith("%{F-}") and polybar.stdout.count("\n") == 1
    plain = run_status("--socket", daemon.socket_path)
    assert plain.returncode == 0 and plain.stdout.split()[0] == "[Local]" and plain.stdout.split()[1] in WORDS


@pytest.mark.parametrize("fmt", ["waybar", "i3blocks", "polybar", "i3bar", "plain"])
def test_offline_is_grey_and_exits_zero(workdir, fmt):
    result = run_status("--format", fmt, "--socket", os.path.join(workdir, "nobody.sock"))
    assert result.returncode == 0 and result.stderr == ""
    assert "offline" in result.stdout
    if fmt == "waybar":
        output = json.loads(result.stdout)
        assert output["class"] == "offline" and output["alt"] == "offline"
    elif fmt in ("i3blocks", "polybar"):
        assert "#888888" in result.stdout
    elif fmt == "i3bar":
        assert json.loads("\n".join(result.stdout.splitlines()[1:]))[0][0]["color"] == "#888888"


@pytest.mark.parametrize("args", [["--bogus"], ["--format", "xml"], ["--format"], ["--follow=yes"], ["extra"]])
def test_bad_flags_print_usage_on_stderr_and_exit_2(args):
    result = run_status(*args)
    assert result.returncode == 2
    assert result.stdout == "" and "usage: elohim-status" in result.stderr


def test_help_goes_to_stdout():
    result = run_status("--help")
    assert result.returncode == 0 and "usage: elohim-status" in result.stdout and result.stderr == ""


class Follower:
    """`elohim-status --follow` with its stdout read line by line, with timeouts."""

    def __init__(self, *args):
        self.process = subprocess.Popen([status_bin(), "--follow", *args], stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        self.buffer = b""

    def line(self, timeout=30.0) -> str:
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no line from elohim-status --follow within {timeout}s (have {self.buffer!r})"
            ready, _, _ = select.select([self.process.stdout], [], [], remaining)
            if ready:
                chunk = os.read(self.process.stdout.fileno(), 65536)
                assert chunk, f"elohim-status exited: {self.process.poll()} {self.process.stderr.read()!r}"
                self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()

    def quiet_for(self, seconds) -> bool:
        ready, _, _ = select.select([self.process.stdout], [], [], seconds)
        return not ready and b"\n" not in self.buffer

    def close(self):
        self.process.kill()
        self.process.wait()
        self.process.stdout.close()
        self.process.stderr.close()


def engine_daemon(daemons, workdir):
    from test_engine import engine_daemon as start

    return start(daemons, workdir, engine_workers=1)


def test_every_format_shows_the_engine_idle_processing_and_in_error(daemons, workdir):
    from test_engine import ENDLESS, FAILED, dataset_dir, error_of, import_sales, wait_state

    daemon = engine_daemon(daemons, workdir)
    with daemon.connect() as client:
        idle = check_every_format(daemon, "idle")
        assert "Queue: 0 (0 pending, 0 in flight)" in idle["tooltip"] and "Last activity: none" in idle["tooltip"]
        job = client.call("engine.submit", {"sql": ENDLESS})["job"]
        wait_state(client, job, "running")
        busy = check_every_format(daemon, "processing")
        assert "Queue: 1 (0 pending, 1 in flight)" in busy["tooltip"], busy
        client.call("engine.cancel", {"job": job})
        wait_for_status(client, "idle")
        after = check_every_format(daemon, "idle")
        assert " s ago" in after["tooltip"], after  # last activity, relative

        import_sales(client, workdir)
        (path,) = glob.glob(os.path.join(dataset_dir(daemon), "sales.*.sqlite"))
        with open(path, "r+b") as file:
            file.write(b"this is no longer an SQLite database" * 200)
        error_of(client.request("engine.run", {"sql": "SELECT count(*) FROM sales", "dataset": "sales"}), FAILED, "failed")
        failed = check_every_format(daemon, "error")
        assert "Error: " in failed["tooltip"] and "sales" in failed["tooltip"], failed


def wait_for_status(client, word):
    deadline = time.monotonic() + 30
    while client.call("engine.status")["status"] != word:
        assert time.monotonic() < deadline, f"engine never became {word}"
        time.sleep(0.02)


def test_follow_prints_a_new_line_within_one_event_of_an_engine_change(daemons, workdir):
    from test_engine import ENDLESS, wait_state

    daemon = engine_daemon(daemons, workdir)
    follower = Follower("--format", "waybar", "--socket", daemon.socket_path)
    try:
        assert json.loads(follower.line())["class"] == "idle"
        with daemon.connect() as client:
            job = client.call("engine.submit", {"sql": ENDLESS})["job"]
            wait_state(client, job, "running")
            # The engine's event (debounced, at most one per 100 ms) gives one new line.
            line = json.loads(follower.line())
            while "1 in flight" not in line["tooltip"]:  # an earlier event may show it pending
                line = json.loads(follower.line())
            assert line["class"] == "processing", line
            client.call("engine.cancel", {"job": job})
            classes = [json.loads(follower.line())["class"]]
            while classes[-1] != "idle" and len(classes) < 3:  # at most a debounced in-between state
                classes.append(json.loads(follower.line())["class"])
            assert classes[-1] == "idle", classes
        assert follower.quiet_for(1.0), "no change, no line"
    finally:
        follower.close()


def test_follow_prints_a_line_per_change_offline_when_stopped_and_recovers(daemons):
    daemon = daemons.start(test_methods=False)
    follower = Follower("--format", "waybar", "--socket", daemon.socket_path)
    try:
        first = json.loads(follower.line())
        assert first["class"] in WORDS
        # Nothing changes: nothing is printed (no polling, no repeated lines).
        assert follower.quiet_for(1.0)
        # The daemon stops: its daemon.stopping event (or the closed connection) gives one offline line.
        daemon.stop()
        offline = json.loads(follower.line())
        assert offline["class"] == "offline" and offline["text"] == "[Local] offline"
        # It comes back on the same socket: the follower reconnects by itself.
        again = daemons.start(test_methods=False, socket_path=daemon.socket_path, data_dir=daemon.data_dir)
        back = json.loads(follower.line(timeout=60))
        assert back["class"] in WORDS
        again.stop()
        assert json.loads(follower.line())["class"] == "offline"
    finally:
        follower.close()


def test_follow_starting_offline_prints_offline_once_then_the_daemon(daemons, workdir):
    socket_path = os.path.join(workdir, "later.sock")
    follower = Follower("--format", "i3bar", "--socket", socket_path)
    try:
        assert json.loads(follower.line()) == {"version": 1}
        assert follower.line() == "["
        assert json.loads(follower.line())[0]["full_text"] == "[Local] offline"
        assert follower.quiet_for(1.0), "offline is printed once, not per retry"
        daemons.start(test_methods=False, socket_path=socket_path)
        line = follower.line(timeout=60)
        assert line.startswith(",[")  # later i3bar blocks continue the infinite array
        assert json.loads(line[1:])[0]["full_text"].startswith("[Local] ")
    finally:
        follower.close()
