"""`elohim doctor` from the installed tree, against a healthy daemon and broken setups: each
problem is named with its fix, and the exit code tells scripts whether the install works."""

from __future__ import annotations

import http.server
import json
import os
import pty
import pwd
import socket
import subprocess
import threading
import time

import pytest
from conftest import clean_env, run

CHECKS = ["socket", "service", "data_dir", "llama_cpp", "ollama", "memory"]
ME = pwd.getpwuid(os.geteuid()).pw_name


def doctor(installed, env, *arguments, socket_path=None):
    argv = [installed.bin("elohim"), "doctor", *arguments]
    if socket_path:
        argv += ["--socket", socket_path]
    return run(argv, env=env, cwd="/", check=False, timeout=60)


def doctor_json(installed, env, socket_path=None):
    result = doctor(installed, env, "--json", socket_path=socket_path)
    document = json.loads(result.stdout)
    return result.returncode, document, {check["name"]: check for check in document["checks"]}


def line(output: str, title: str) -> tuple[str, str | None]:
    """The line of the check titled `title`, and the fix line under it (if any)."""
    lines = output.splitlines()
    for index, text in enumerate(lines):
        if f"  {title}  " in text:
            following = lines[index + 1] if index + 1 < len(lines) else ""
            return text, following.strip() if following.strip().startswith("fix:") else None
    raise AssertionError(f"no '{title}' line in:\n{output}")


@pytest.fixture
def home(workdir):
    return os.path.join(workdir, "home")


def test_healthy_daemon_passes_every_critical_check(installed, start_daemon, home):
    env = clean_env(home)
    daemon = start_daemon(env)
    result = doctor(installed, env, socket_path=daemon.socket_path)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    socket_line, fix = line(out, "socket")
    assert socket_line.startswith("✅ ok") and f"answers on {daemon.socket_path}" in socket_line and fix is None
    data_line, fix = line(out, "data dir")
    assert data_line.startswith("✅ ok") and f"{daemon.data_dir} is 0700, owned by {ME}, writable" in data_line
    memory_line, _ = line(out, "memory")
    assert "available of" in memory_line
    # No systemd user manager in this environment: said plainly, not counted as a failure.
    service_line, _ = line(out, "service")
    assert service_line.startswith("➖ skip") and "not using systemd" in service_line
    assert out.rstrip().endswith("elohimd is installed and working") or "elohimd is installed and working (" in out
    assert "\x1b[" not in out  # not a terminal: no colours

    code, document, checks = doctor_json(installed, env, daemon.socket_path)
    assert code == 0 and document["ok"] is True
    assert [check["name"] for check in document["checks"]] == CHECKS
    assert checks["socket"]["status"] == "ok" and checks["socket"]["details"]["path"] == daemon.socket_path
    assert checks["data_dir"]["details"] == {
        "path": daemon.data_dir, "source": "daemon.status", "mode": "0700", "owner_uid": os.geteuid(), "owner": ME
    }
    meminfo = dict(line.split(":", 1) for line in open("/proc/meminfo").read().splitlines())
    assert checks["memory"]["details"]["mem_total_bytes"] == int(meminfo["MemTotal"].split()[0]) * 1024
    for check in document["checks"]:
        assert check["status"] in {"ok", "warn", "fail", "skip"}
        assert (check["fix"] is None) == (check["status"] in {"ok", "skip"}), check


def test_stopped_daemon_is_named_with_how_to_start_it(installed, start_daemon, home):
    env = clean_env(home)
    daemon = start_daemon(env)
    daemon.stop()
    result = doctor(installed, env, socket_path=daemon.socket_path)
    assert result.returncode == 1
    socket_line, fix = line(result.stdout, "socket")
    assert socket_line.startswith("❌ FAIL") and f"no daemon answers on {daemon.socket_path}" in socket_line
    assert fix is not None and f"elohimd --socket {daemon.socket_path}" in fix
    # The data directory is still checked, at the default place the daemon used.
    data_line, _ = line(result.stdout, "data dir")
    assert data_line.startswith("✅ ok") and daemon.data_dir in data_line
    assert "1 problem to fix: socket" in result.stdout

    code, document, checks = doctor_json(installed, env, daemon.socket_path)
    assert code == 1 and document["ok"] is False
    assert checks["socket"]["status"] == "fail" and checks["socket"]["critical"] is True
    assert checks["data_dir"]["details"]["source"] == "default"


def test_unwritable_data_dir_is_named_with_the_chmod_that_fixes_it(installed, start_daemon, home):
    env = clean_env(home)
    daemon = start_daemon(env)
    os.chmod(daemon.data_dir, 0o555)
    # Reported whether the daemon is up (the path comes from daemon.status)…
    result = doctor(installed, env, socket_path=daemon.socket_path)
    assert result.returncode == 1
    data_line, fix = line(result.stdout, "data dir")
    assert data_line.startswith("❌ FAIL")
    assert f"{daemon.data_dir} has mode 0555, expected 0700 (its owner cannot write it; other users can read it)" in data_line
    assert fix == f"fix: chmod 0700 {daemon.data_dir}"
    assert "1 problem to fix: data dir" in result.stdout
    # …or down (the default path), together with the socket.
    daemon.stop()
    result = doctor(installed, env, socket_path=daemon.socket_path)
    assert result.returncode == 1
    assert "2 problems to fix: socket, data dir" in result.stdout
    assert line(result.stdout, "data dir")[1] == f"fix: chmod 0700 {daemon.data_dir}"

    os.chmod(daemon.data_dir, 0o755)
    data_line, fix = line(doctor(installed, env, socket_path=daemon.socket_path).stdout, "data dir")
    assert "has mode 0755, expected 0700 (other users can read it)" in data_line
    assert fix == f"fix: chmod 0700 {daemon.data_dir}"


@pytest.mark.skipif(os.geteuid() != 0, reason="handing a directory to another user needs root (CI runs as root)")
def test_data_dir_owned_by_someone_else_is_named_with_the_chown(installed, start_daemon, home):
    env = clean_env(home)
    daemon = start_daemon(env)
    daemon.stop()
    os.chown(daemon.data_dir, 65534, 65534)
    result = doctor(installed, env, socket_path=daemon.socket_path)
    assert result.returncode == 1
    data_line, fix = line(result.stdout, "data dir")
    assert data_line.startswith("❌ FAIL") and "owned by nobody (uid 65534), not by you (root)" in data_line
    assert fix == f"fix: sudo chown -R root: {daemon.data_dir}"


def test_missing_data_dir_before_first_start_is_only_a_warning(installed, home, workdir):
    env = clean_env(home)
    result = doctor(installed, env, socket_path=os.path.join(workdir, "none.sock"))
    data_line, fix = line(result.stdout, "data dir")
    assert data_line.startswith("⚠️") and "does not exist yet; elohimd creates it (mode 0700)" in data_line
    assert fix is not None


def fake_systemctl(directory: str, socket_state: str, service_state: str) -> str:
    """A `systemctl` answering `show` like systemd 252 does. There is no systemd user manager in
    this environment, so the unit check's reading of systemctl is exercised through this stand-in."""
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "systemctl")
    with open(path, "w") as script:
        script.write(
            "#!/bin/sh\n"
            f'echo "$@" >> {directory}/calls\n'
            f"printf 'LoadState=loaded\\nActiveState={socket_state}\\nUnitFileState=enabled\\n\\n"
            f"LoadState=loaded\\nActiveState={service_state}\\nUnitFileState=disabled\\n'\n"
        )
    os.chmod(path, 0o755)
    return directory


@pytest.mark.parametrize(
    "socket_state, service_state, status, fix_words",
    [
        ("active", "inactive", "ok", None),
        ("inactive", "inactive", "warn", "systemctl --user enable --now elohimd.socket"),
        ("failed", "failed", "warn", "journalctl --user -u elohimd.service"),
    ],
)
def test_unit_states_and_their_fixes(installed, home, workdir, socket_state, service_state, status, fix_words):
    fake = fake_systemctl(os.path.join(workdir, "fakebin"), socket_state, service_state)
    env = clean_env(home)
    env["PATH"] = f"{fake}:{env['PATH']}"
    code, _, checks = doctor_json(installed, env, os.path.join(workdir, "none.sock"))
    service = checks["service"]
    assert service["status"] == status, service
    assert f"elohimd.socket {socket_state}, elohimd.service {service_state}" in service["summary"]
    if fix_words:
        assert fix_words in service["fix"]
        assert fix_words.split(" -u")[0] in checks["socket"]["fix"]
    assert open(os.path.join(fake, "calls")).read().split()[:2] == ["--user", "show"]
    assert code == 1  # the socket itself is not reachable


def test_runtimes_found_on_path_and_over_http(installed, home, workdir):
    bin_dir = os.path.join(workdir, "runtimes")
    os.makedirs(bin_dir)
    with open(os.path.join(bin_dir, "llama-server"), "w") as server:
        server.write("#!/bin/sh\nexit 0\n")
    os.chmod(os.path.join(bin_dir, "llama-server"), 0o755)
    env = clean_env(home)
    env["PATH"] = f"{bin_dir}:{env['PATH']}"

    class Version(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b'{"version":"0.5.7"}' if self.path == "/api/version" else b"{}"
            self.send_response(200 if self.path == "/api/version" else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    try:
        server = http.server.HTTPServer(("127.0.0.1", 11434), Version)
    except OSError as error:
        pytest.skip(f"port 11434 is taken here ({error})")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        _, _, checks = doctor_json(installed, env, os.path.join(workdir, "none.sock"))
    finally:
        server.shutdown()
        server.server_close()
    assert checks["llama_cpp"]["status"] == "ok"
    assert checks["llama_cpp"]["details"]["llama_server"] == os.path.join(bin_dir, "llama-server")
    assert checks["ollama"] == {
        "name": "ollama", "status": "ok", "critical": False, "fix": None,
        "summary": "Ollama 0.5.7 answers on 127.0.0.1:11434",
        "details": {"url": "http://127.0.0.1:11434/api/version", "version": "0.5.7"},
    }


def test_a_silent_ollama_port_costs_one_second_not_a_hang(installed, home, workdir):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(("127.0.0.1", 11434))
    except OSError as error:
        pytest.skip(f"port 11434 is taken here ({error})")
    listener.listen(8)  # accepts connections (the kernel does) but never answers
    try:
        start = time.monotonic()
        _, _, checks = doctor_json(installed, clean_env(home), os.path.join(workdir, "none.sock"))
        elapsed = time.monotonic() - start
    finally:
        listener.close()
    assert checks["ollama"]["status"] == "warn"
    assert "no answer within 1000 ms" in checks["ollama"]["summary"]
    assert "ollama serve" in checks["ollama"]["fix"]
    assert elapsed < 5, f"doctor took {elapsed:.1f} s"


def run_in_terminal(argv, env) -> str:
    """Runs with stdout on a pseudo-terminal, as a person would see it."""
    master, slave = pty.openpty()
    process = subprocess.Popen(argv, stdout=slave, stderr=subprocess.DEVNULL, env=env, cwd="/")
    os.close(slave)
    output = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=60)
    os.close(master)
    return output.decode()


def test_colours_on_a_terminal_unless_no_color(installed, home, workdir):
    env = clean_env(home)
    argv = [installed.bin("elohim"), "doctor", "--socket", os.path.join(workdir, "none.sock")]
    coloured = run_in_terminal(argv, env)
    assert "\x1b[31mFAIL\x1b[0m" in coloured
    for plain in (run_in_terminal(argv, dict(env, NO_COLOR="1")), run_in_terminal(argv + ["--no-color"], env)):
        assert "\x1b[" not in plain
        assert "❌ FAIL" in plain and "fix:" in plain
