"""Fixtures for the process-level suite: temporary directories with short socket paths, a
factory that starts `elohimd` processes and always kills them, and the CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from elohim_client import (  # noqa: E402
    DaemonProcess,
    clean_environment,
    elohim_bin,
    elohimd_bin,
    remove_tree,
    short_tempdir,
)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, attach every daemon's stderr to the report."""
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for index, daemon in enumerate(getattr(item, "_elohimd_processes", [])):
            report.sections.append((f"elohimd #{index} stderr ({' '.join(daemon.argv)})", daemon.log()[-20000:]))


@pytest.fixture
def workdir():
    """A private directory directly under /tmp (short paths for sockets); removed afterwards."""
    path = short_tempdir("eh")
    os.chmod(path, 0o700)
    yield path
    remove_tree(path)


@pytest.fixture
def daemon_bin():
    path = elohimd_bin()
    assert os.access(path, os.X_OK), f"elohimd binary not found at {path}: build it (swift build) or set ELOHIMD_BIN"
    return path


@pytest.fixture
def cli_bin():
    path = elohim_bin()
    assert os.access(path, os.X_OK), f"elohim binary not found at {path}: build it (swift build) or set ELOHIM_BIN"
    return path


@pytest.fixture
def base_env(workdir):
    home = os.path.join(workdir, "home")
    os.makedirs(home, mode=0o700)
    return clean_environment(home)


class DaemonFactory:
    def __init__(self, request, workdir, daemon_bin, base_env):
        self.request = request
        self.workdir = workdir
        self.binary = daemon_bin
        self.base_env = base_env
        self.processes: list = []
        self.count = 0
        request.node._elohimd_processes = self.processes

    def paths(self, name: str | None = None):
        self.count += 1
        name = name or f"d{self.count}"
        return os.path.join(self.workdir, f"{name}.sock"), os.path.join(self.workdir, f"{name}-data")

    def spawn(
        self,
        args=(),
        *,
        socket_path: str | None = None,
        data_dir: str | None = None,
        env: dict | None = None,
        test_methods: bool = True,
        argv: list | None = None,
        with_socket_flag: bool = True,
        umask: int = -1,
    ) -> DaemonProcess:
        """Starts a daemon without waiting for it. `argv` replaces the whole command line."""
        default_socket, default_data = self.paths()
        socket_path = socket_path or default_socket
        data_dir = data_dir or default_data
        if argv is None:
            argv = [self.binary]
            if with_socket_flag:
                argv += ["--socket", socket_path]
            argv += ["--data-dir", data_dir]
            if test_methods:
                argv.append("--enable-test-methods")
            argv += list(args)
        environment = dict(self.base_env)
        if env:
            environment.update(env)
        log = os.path.join(self.workdir, f"elohimd-{len(self.processes)}.log")
        process = DaemonProcess(argv, environment, log, socket_path, umask=umask)
        process.data_dir = data_dir
        self.processes.append(process)
        return process

    def start(self, args=(), **kwargs) -> DaemonProcess:
        """Starts a daemon and waits until it answers a ping."""
        return self.spawn(args, **kwargs).wait_ready()

    def cleanup(self):
        for process in self.processes:
            if process.running():
                process.kill()
            else:
                process.stop()


@pytest.fixture
def daemons(request, workdir, daemon_bin, base_env):
    factory = DaemonFactory(request, workdir, daemon_bin, base_env)
    yield factory
    factory.cleanup()


@pytest.fixture
def daemon(daemons):
    """One daemon with the test methods, on its own socket and data directory."""
    return daemons.start()


@pytest.fixture
def run_cli(cli_bin, base_env):
    """Runs `elohim` with a clean environment; returns the CompletedProcess."""

    def run(*args, env: dict | None = None, timeout: float = 60.0, input: str | None = None, user: tuple | None = None):
        """`input` is written to stdin (otherwise /dev/null); `user=(uid, gid)` runs the CLI as
        that uid (with its supplementary groups) through setpriv."""
        environment = dict(base_env)
        if env:
            environment.update(env)
        argv = [cli_bin, *args]
        if user is not None:
            uid, gid = user
            argv = ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--init-groups", *argv]
        return subprocess.run(
            argv,
            env=environment,
            stdin=subprocess.DEVNULL if input is None else None,
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


@pytest.fixture(scope="session")
def gguf_model_dir():
    """A directory holding one tiny real llama model (`tiny.gguf`, f16, ctx 2048, written by the
    PyPI `gguf` package through gguf_models.make_llama_gguf), shared by the whole session."""
    from gguf_models import make_llama_gguf

    path = short_tempdir("ehg")
    make_llama_gguf(os.path.join(path, "tiny.gguf"), ctx=2048, ftype="f16")
    yield path
    remove_tree(path)


@pytest.fixture(scope="session")
def llama_server_command():
    """The llama-server stand-in on the PyPI xllamacpp wheel (contrib/llama-server-xllamacpp)."""
    return os.path.join(os.path.dirname(__file__), "..", "..", "contrib", "llama-server-xllamacpp")
