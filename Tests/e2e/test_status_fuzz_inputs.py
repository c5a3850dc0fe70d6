"""The `status` fuzz target's inputs (Fuzz/corpus/status: real daemon replies and events;
Fuzz/regressions/status: what once trapped the helper) fed to the real `elohim-status` binary,
so a fixed crasher stays fixed without the sanitizer build.

The peer on the socket is not a daemon stand-in: it plays back the fuzz input as the reply to
the helper's poll, and as the answer to its subscription and as an event in `--follow`, then
closes. The helper must print its usual shape (never trap) and, following, go on to the
offline line when the peer goes."""

from __future__ import annotations

import glob
import json
import os
import signal
import socket
import struct
import subprocess
import threading

import pytest

from elohim_client import REPO, remove_tree, short_tempdir
from test_status_bar import run_status, status_bin

FUZZ = REPO / "Fuzz"
INPUTS = sorted(glob.glob(str(FUZZ / "corpus/status/*")) + glob.glob(str(FUZZ / "regressions/status/*")))
SUBSCRIBED = (FUZZ / "corpus/status/subscribe-reply.json").read_bytes()


def read_frame(connection) -> bytes:
    header = b""
    while len(header) < 4:
        chunk = connection.recv(4 - len(header))
        if not chunk:
            return b""
        header += chunk
    (length,) = struct.unpack(">I", header)
    payload = b""
    while len(payload) < length:
        chunk = connection.recv(length - len(payload))
        if not chunk:
            break
        payload += chunk
    return payload


class PlayBack:
    """Accepts connections on a fresh socket; answers each one's first frame with `replies`."""

    def __init__(self, replies: list):
        self.directory = short_tempdir("ehs")
        self.path = os.path.join(self.directory, "s.sock")
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(8)
        self.replies = replies
        self.served = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            # One thread each: --follow polls on a second connection while the first is open.
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection):
        with connection:
            if not read_frame(connection):
                return
            for reply in self.replies:
                connection.sendall(struct.pack(">I", len(reply)) + reply)
            self.served += 1
            # Half-close, then wait for the helper to hang up: nothing sent is cut off.
            connection.shutdown(socket.SHUT_WR)
            try:
                connection.recv(1)
            except OSError:
                pass

    def close(self):
        self.server.close()
        remove_tree(self.directory)


@pytest.fixture
def playback():
    servers = []

    def start(replies):
        server = PlayBack(replies)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def test_there_are_inputs_and_regressions():
    assert any("/regressions/status/" in path for path in INPUTS)
    assert len(INPUTS) >= 8


@pytest.mark.parametrize("path", INPUTS, ids=os.path.basename)
def test_a_poll_answered_with_the_input_prints_each_format(playback, path):
    server = playback([open(path, "rb").read()])
    for fmt in ("plain", "waybar", "i3blocks", "polybar", "i3bar"):
        result = run_status("--format", fmt, "--socket", server.path)
        assert result.returncode == 0, f"{fmt}: exit {result.returncode}; stderr:\n{result.stderr[-2000:]}"
        lines = result.stdout.splitlines()
        if fmt == "waybar":
            assert len(lines) == 1 and json.loads(lines[0])["text"].startswith("[Local]"), result.stdout
        elif fmt == "i3blocks":
            assert len(lines) == 3, result.stdout
        elif fmt == "i3bar":
            assert lines[:2] == ['{"version":1}', "["] and lines[-1] == "]", result.stdout
            json.loads("[" + "".join(lines[2:-1]) + "]")
        else:
            assert len(lines) == 1 and "[Local]" in lines[0], result.stdout


@pytest.mark.parametrize("path", INPUTS, ids=os.path.basename)
def test_following_with_the_input_as_subscription_answer_and_as_event(playback, path):
    data = open(path, "rb").read()
    for replies in ([data], [SUBSCRIBED, data]):
        server = playback(replies)
        helper = subprocess.Popen([status_bin(), "--follow", "--format", "waybar", "--socket", server.path],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        try:
            lines = []
            for line in helper.stdout:
                lines.append(line)
                assert json.loads(line)["text"].startswith("[Local]"), line
                if json.loads(line)["class"] == "offline":
                    break
            assert lines and json.loads(lines[-1])["class"] == "offline", (lines, helper.stderr.read() if helper.poll() is not None else "")
            assert helper.poll() is None, f"the helper exited ({helper.returncode}) instead of waiting to reconnect"
        finally:
            helper.send_signal(signal.SIGTERM)
            helper.wait(timeout=10)
            helper.stdout.close()
            helper.stderr.close()
