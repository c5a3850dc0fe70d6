"""Helpers for the process-level end-to-end suite: framing, a small JSON-RPC client, a
managed `elohimd` process, an sd_notify listener and deadline-based polling.

Standard library only. Nothing here sleeps to assert timing: everything polls with a
deadline and fails with a message saying what it was waiting for.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Generous: a debug build on a loaded CI machine can take a while to come up.
START_TIMEOUT = 60.0
IO_TIMEOUT = 30.0


def elohimd_bin() -> str:
    return os.environ.get("ELOHIMD_BIN") or str(REPO / ".build/debug/elohimd")


def elohim_bin() -> str:
    return os.environ.get("ELOHIM_BIN") or str(REPO / ".build/debug/elohim")


def short_tempdir(prefix: str = "eh") -> str:
    """A fresh directory directly under /tmp, so socket paths stay far below 108 bytes."""
    return tempfile.mkdtemp(prefix=prefix, dir="/tmp")


def wait_for(predicate, timeout: float, what: str, interval: float = 0.01):
    """Polls `predicate` until it returns something truthy; returns that value."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except Exception as error:  # noqa: BLE001 - remembered for the failure message
            last_error = error
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error!r})" if last_error else ""
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}{detail}")
        time.sleep(interval)


# --------------------------------------------------------------------------------------------
# Framing


def frame(payload: bytes) -> bytes:
    """One frame: 4-byte big-endian length, then the payload."""
    return struct.pack(">I", len(payload)) + payload


def encode(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode("utf-8")


class Closed(Exception):
    """The peer closed the connection."""


class RPCConnection:
    """A blocking client connection speaking the daemon's framing."""

    def __init__(self, path: str, timeout: float = IO_TIMEOUT):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    self.sock.connect(path)
                    break
                except BlockingIOError:
                    # EAGAIN: the listen backlog is full. A blocking client would wait in
                    # connect(2); this one waits here, up to its timeout.
                    if time.monotonic() >= deadline:
                        raise
                    time.sleep(0.005)
        except BaseException:
            self.sock.close()
            raise
        self.timeout = timeout
        self._buffer = bytearray()
        self._next_id = 1
        # Frames read while looking for something else (events, other ids).
        self.pending: list = []

    @classmethod
    def from_socket(cls, sock: socket.socket, path: str = "", timeout: float = IO_TIMEOUT) -> "RPCConnection":
        """Wraps a socket that is already connected (e.g. one another uid connected, see
        `connect_as`)."""
        self = cls.__new__(cls)
        self.path = path
        self.sock = sock
        self.sock.settimeout(timeout)
        self.timeout = timeout
        self._buffer = bytearray()
        self._next_id = 1
        self.pending = []
        return self

    # -- context manager
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    # -- raw bytes
    def send_raw(self, data: bytes):
        self.sock.sendall(data)

    def send_frame(self, payload: bytes):
        self.send_raw(frame(payload))

    def send_json(self, obj):
        self.send_frame(encode(obj))

    def _fill(self, deadline: float) -> bool:
        """Reads more bytes; False on EOF."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("timed out reading from the daemon")
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(1 << 16)
        except socket.timeout:
            raise TimeoutError("timed out reading from the daemon") from None
        except ConnectionResetError:
            return False
        if not chunk:
            return False
        self._buffer += chunk
        return True

    def read_frame(self, timeout: float | None = None) -> bytes:
        """The next frame's payload. Raises `Closed` on EOF (clean or mid-frame)."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while len(self._buffer) < 4:
            if not self._fill(deadline):
                raise Closed(f"EOF with {len(self._buffer)} stray bytes")
        (length,) = struct.unpack(">I", self._buffer[:4])
        while len(self._buffer) < 4 + length:
            if not self._fill(deadline):
                raise Closed(f"EOF inside a frame of {length} bytes")
        payload = bytes(self._buffer[4 : 4 + length])
        del self._buffer[: 4 + length]
        return payload

    def read_json(self, timeout: float | None = None):
        payload = self.read_frame(timeout)
        try:
            return json.loads(payload.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise AssertionError(f"daemon sent a frame that is not UTF-8 JSON: {payload[:200]!r}") from error

    def read_until_eof(self, timeout: float | None = None) -> list:
        """Every frame until the daemon closes the connection."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        frames = []
        while True:
            try:
                frames.append(self.read_frame(max(0.001, deadline - time.monotonic())))
            except Closed:
                return frames

    def at_eof(self, timeout: float | None = None) -> bool:
        """True when the daemon closed the connection without sending anything more."""
        try:
            payload = self.read_frame(timeout)
        except Closed:
            return True
        raise AssertionError(f"expected EOF, got a frame: {payload[:200]!r}")

    # -- JSON-RPC
    def next_id(self) -> int:
        value = self._next_id
        self._next_id += 1
        return value

    def request(self, method: str, params=None, id=None) -> dict:
        """Sends a request and returns the whole response object (result or error)."""
        if id is None:
            id = self.next_id()
        message = {"jsonrpc": "2.0", "id": id, "method": method}
        if params is not None:
            message["params"] = params
        self.send_json(message)
        return self.response_for(id)

    def response_for(self, id, timeout: float | None = None) -> dict:
        for index, message in enumerate(self.pending):
            if isinstance(message, dict) and "id" in message and message["id"] == id:
                return self.pending.pop(index)
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            message = self.read_json(max(0.001, deadline - time.monotonic()))
            if isinstance(message, dict) and "id" in message and message["id"] == id:
                return message
            self.pending.append(message)

    def call(self, method: str, params=None):
        """The result of a request; raises `RPCFailure` on an error response."""
        response = self.request(method, params)
        if "error" in response:
            raise RPCFailure(response["error"])
        return response["result"]

    def notify(self, method: str, params=None):
        message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.send_json(message)

    def next_notification(self, timeout: float | None = None) -> dict:
        """The next id-less frame (an event), keeping responses for `response_for`."""
        for index, message in enumerate(self.pending):
            if isinstance(message, dict) and "id" not in message:
                return self.pending.pop(index)
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            message = self.read_json(max(0.001, deadline - time.monotonic()))
            if isinstance(message, dict) and "id" not in message:
                return message
            self.pending.append(message)


class RPCFailure(Exception):
    def __init__(self, error: dict):
        super().__init__(f"{error.get('code')}: {error.get('message')}")
        self.error = error
        self.code = error.get("code")
        self.data = error.get("data") or {}


class ServedCounter:
    """Counts requests the daemon has read from *other* connections, using `requests_served`
    from daemon.status (which counts each request when the daemon starts handling it, before
    it runs, and counts the status calls made here too; batch members are counted one by one
    as each starts)."""

    def __init__(self, connection: RPCConnection):
        self.connection = connection
        self.calls = 0
        self.base = self._read()

    def _read(self) -> int:
        self.calls += 1
        return self.connection.call("daemon.status")["requests_served"]

    def others(self) -> int:
        value = self._read()
        return value - self.base - (self.calls - 1)

    def wait_for_others(self, count: int, timeout: float = IO_TIMEOUT):
        wait_for(lambda: self.others() >= count, timeout, f"the daemon to read {count} requests")


# A process running as another uid connects and hands the socket back over SCM_RIGHTS. The
# daemon reads the peer's credentials (SO_PEERCRED) as they were at connect(2): that uid and
# that process's pid, whoever uses the descriptor afterwards.
_CONNECT_AS_SCRIPT = """
import os, socket, sys
channel = socket.socket(fileno=int(sys.argv[1]))
client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    client.connect(sys.argv[2])
except OSError as error:
    sys.stderr.write("connect as uid %d failed: %r\\n" % (os.getuid(), error))
    sys.exit(3)
socket.send_fds(channel, [b"ok"], [client.fileno()])
"""


def connect_as(path: str, uid: int, gid: int, timeout: float = IO_TIMEOUT) -> RPCConnection:
    """A connection to `path` made by a process running as `uid`/`gid` (with its
    supplementary groups), via `setpriv`; returned as an ordinary `RPCConnection`."""
    mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        result = subprocess.run(
            ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--init-groups", "python3", "-c", _CONNECT_AS_SCRIPT,
             str(theirs.fileno()), path],
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout,
        )
        theirs.close()
        if result.returncode != 0:
            raise AssertionError(f"could not connect to {path} as uid {uid}: {result.stderr.strip()}")
        mine.settimeout(timeout)
        _message, fds, _flags, _address = socket.recv_fds(mine, 16, 1)
        if len(fds) != 1:
            raise AssertionError(f"expected one descriptor from the uid {uid} helper, got {fds!r}")
        return RPCConnection.from_socket(socket.socket(fileno=fds[0]), path, timeout)
    finally:
        theirs.close()
        mine.close()


def try_ping(path: str, timeout: float = 5.0) -> bool:
    """True when a fresh connection to `path` gets a pong."""
    with RPCConnection(path, timeout=timeout) as connection:
        return connection.call("daemon.ping") == {"pong": True}


# --------------------------------------------------------------------------------------------
# Environment and processes


def clean_environment(home: str, extra: dict | None = None) -> dict:
    """The environment the daemon and CLI run with: nothing inherited that could point them at
    a real user's config, socket or systemd."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ELOHIM", "LISTEN_", "WATCHDOG_", "XDG_"))
        and key not in ("NOTIFY_SOCKET", "NO_COLOR")
    }
    env["HOME"] = home
    env["XDG_CONFIG_HOME"] = os.path.join(home, "config")
    env["XDG_DATA_HOME"] = os.path.join(home, "data-home")
    env["XDG_RUNTIME_DIR"] = os.path.join(home, "runtime")
    if extra:
        env.update(extra)
    return env


class DaemonProcess:
    """A running `elohimd` (or a wrapper that execs it), its stderr in a file."""

    def __init__(self, argv: list, env: dict, log_path: str, socket_path: str | None, umask: int = -1):
        self.argv = argv
        self.socket_path = socket_path
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.stdout_path = log_path + ".stdout"
        self._stdout = open(self.stdout_path, "wb")
        self.process = subprocess.Popen(
            argv, env=env, stdin=subprocess.DEVNULL, stdout=self._stdout, stderr=self._log, start_new_session=True,
            umask=umask,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        try:
            return Path(self.log_path).read_text(errors="replace")
        except OSError:
            return ""

    def wait_ready(self, timeout: float = START_TIMEOUT):
        """Polls the socket until a ping is answered; fails early if the process exits."""

        def ready():
            if not self.running():
                raise AssertionError(
                    f"elohimd exited with {self.process.returncode} before serving; stderr:\n{self.log()}"
                )
            try:
                return try_ping(self.socket_path, timeout=5.0)
            except (FileNotFoundError, ConnectionRefusedError, Closed, OSError):
                return False

        try:
            wait_for(ready, timeout, f"elohimd to answer on {self.socket_path}", interval=0.02)
        except AssertionError:
            raise
        except TimeoutError as error:
            raise AssertionError(f"{error}; stderr:\n{self.log()}") from None
        return self

    def connect(self, timeout: float = IO_TIMEOUT) -> RPCConnection:
        return RPCConnection(self.socket_path, timeout=timeout)

    def signal(self, signum: int):
        if self.running():
            os.kill(self.process.pid, signum)

    def wait(self, timeout: float = 60.0) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"elohimd (pid {self.pid}) did not exit within {timeout}s; stderr:\n{self.log()}"
            ) from None

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, then SIGKILL when it does not go; always reaps. Returns the exit status."""
        if self.running():
            try:
                os.kill(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
            except ProcessLookupError:
                pass
        self.process.wait()
        self._close_files()
        return self.process.returncode

    def kill(self):
        if self.running():
            try:
                # The whole session: a wrapper (sh, systemd-socket-activate) and what it started.
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()
        self._close_files()

    def _close_files(self):
        for handle in (self._log, self._stdout):
            try:
                handle.close()
            except OSError:
                pass


# --------------------------------------------------------------------------------------------
# sd_notify


class NotifyListener:
    """The datagram socket systemd would own: NOTIFY_SOCKET points here. Records each message
    with the sender's pid (SO_PASSCRED), as systemd checks NotifyAccess=main."""

    def __init__(self, path: str):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.sock.bind(path)
        self.messages: list = []  # (pid or None, {key: value}, raw text)

    def close(self):
        self.sock.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass

    def _receive(self, deadline: float) -> bool:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        self.sock.settimeout(remaining)
        try:
            data, ancillary, _flags, _address = self.sock.recvmsg(4096, socket.CMSG_SPACE(12))
        except socket.timeout:
            return False
        pid = None
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS and len(payload) >= 12:
                pid, _uid, _gid = struct.unpack("iII", payload[:12])
        text = data.decode("utf-8", errors="replace")
        fields = {}
        for line in text.split("\n"):
            if "=" in line:
                key, value = line.split("=", 1)
                fields[key] = value
        self.messages.append((pid, fields, text))
        return True

    def wait_for(self, predicate, timeout: float, what: str, start: int = 0):
        """Reads messages until one at index >= `start` satisfies `predicate(fields)`;
        returns its index."""
        deadline = time.monotonic() + timeout
        checked = start
        while True:
            while checked < len(self.messages):
                if predicate(self.messages[checked][1]):
                    return checked
                checked += 1
            if not self._receive(deadline):
                seen = [m[2] for m in self.messages]
                raise AssertionError(f"timed out waiting for sd_notify {what}; received: {seen!r}")

    def drain(self, timeout: float = 0.0):
        deadline = time.monotonic() + timeout
        while self._receive(deadline):
            pass


def remove_tree(path: str):
    shutil.rmtree(path, ignore_errors=True)


def is_connection_refused(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in (errno.ECONNREFUSED, errno.ENOENT)
