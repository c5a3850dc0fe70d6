"""Fixtures for the install tests: one release build (`make man`, static Swift runtime, in the
`.build-install` scratch path), trees installed with `make install` into temporary
directories, and a daemon started from the installed binary."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INSTALL_BUILD = os.path.join(REPO, ".build-install")
BINARIES = ("elohimd", "elohim", "elohim-status")


def run(argv, *, check=True, timeout=120, **kwargs):
    """Runs a command, capturing text output; on an unexpected exit code the assertion shows both streams."""
    result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, argv))} exited {result.returncode}\n--- stdout\n{result.stdout[-6000:]}\n--- stderr\n{result.stderr[-6000:]}"
        )
    return result


def make(*targets, **variables):
    """`make TARGET… VAR=value…` in the repository."""
    argv = ["make", "--no-print-directory", "-C", REPO, *targets, *(f"{k}={v}" for k, v in variables.items())]
    return run(argv, timeout=1800)


def clean_env(home: str, **extra) -> dict:
    """A minimal environment: HOME and the XDG directories inside `home`, nothing from the
    repository or the build on PATH."""
    env = {
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": home,
        "XDG_RUNTIME_DIR": os.path.join(home, "run"),
        "XDG_CONFIG_HOME": os.path.join(home, "config"),
        "XDG_DATA_HOME": os.path.join(home, "data"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
    }
    for key in ("XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        os.makedirs(env[key], mode=0o700, exist_ok=True)
    env.update(extra)
    return env


def short_tempdir(prefix: str) -> str:
    """A private directory directly under /tmp: socket paths must stay under 108 bytes."""
    return tempfile.mkdtemp(prefix=f"{prefix}-", dir="/tmp")


@dataclass
class Tree:
    """An installed tree: `root` is what the files are under (DESTDIR + PREFIX), `prefix` what the units name."""

    destdir: str
    prefix: str

    @property
    def root(self) -> str:
        return self.destdir + self.prefix

    def path(self, *parts: str) -> str:
        return os.path.join(self.root, *parts)

    def bin(self, name: str) -> str:
        return self.path("bin", name)

    def files(self) -> list[str]:
        """Every file and symlink under DESTDIR, relative to it."""
        found = []
        for directory, _, names in os.walk(self.destdir):
            found += [os.path.relpath(os.path.join(directory, name), self.destdir) for name in names]
        return sorted(found)


@pytest.fixture(scope="session")
def built():
    """The release build and the generated manual pages (`make man`); a few minutes the first time."""
    make("man")
    for binary in BINARIES:
        assert os.access(os.path.join(INSTALL_BUILD, "release", binary), os.X_OK)
    return INSTALL_BUILD


@pytest.fixture(scope="session")
def installed(built):
    """`make install DESTDIR=<tmp>` with the default PREFIX (/usr/local)."""
    destdir = short_tempdir("eh-destdir")
    make("install", DESTDIR=destdir)
    yield Tree(destdir=destdir, prefix="/usr/local")
    shutil.rmtree(destdir, ignore_errors=True)


@pytest.fixture
def workdir():
    path = short_tempdir("eh-inst")
    os.chmod(path, 0o700)
    yield path
    # The doctor tests make directories unwritable or hand them to other users.
    run(["chmod", "-R", "u+rwx", path], check=False)
    shutil.rmtree(path, ignore_errors=True)


def wait_for_socket(path: str, process: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"elohimd exited with {process.returncode} before listening on {path}")
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                probe.connect(path)
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"elohimd did not listen on {path} within {timeout} s")


class Daemon:
    """An installed elohimd on a temporary socket and data directory; always stopped."""

    def __init__(self, binary: str, socket_path: str, data_dir: str, env: dict, log_path: str):
        self.socket_path = socket_path
        self.data_dir = data_dir
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [binary, "--socket", socket_path, "--data-dir", data_dir],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_for_socket(socket_path, self.process)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@pytest.fixture
def start_daemon(installed, workdir):
    """Starts the installed daemon: `start_daemon(env)` with the data directory at
    $XDG_DATA_HOME/elohim, where `elohim doctor` also looks when the daemon is down."""
    daemons: list[Daemon] = []

    def start(env: dict) -> Daemon:
        socket_path = os.path.join(workdir, f"d{len(daemons)}.sock")
        data_dir = os.path.join(env["XDG_DATA_HOME"], "elohim")
        daemon = Daemon(installed.bin("elohimd"), socket_path, data_dir, env, os.path.join(workdir, f"d{len(daemons)}.log"))
        daemons.append(daemon)
        return daemon

    yield start
    for daemon in daemons:
        daemon.stop()
