"""The `elohim` command line against a real daemon (and against none)."""

import json
import os
import socket


def test_cli_ping_against_a_daemon(daemon, run_cli):
    result = run_cli("--socket", daemon.socket_path, "ping")
    assert result.returncode == 0, result.stderr
    assert "pong" in result.stdout.lower()
    assert result.stderr == ""


def test_cli_ping_json_prints_the_raw_result(daemon, run_cli):
    result = run_cli("--json", "--socket", daemon.socket_path, "ping")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"pong": True}


def test_cli_status_when_nothing_listens_exits_3_with_one_line(run_cli):
    path = "/tmp/nonexistent/x.sock"
    assert not os.path.exists(path)
    result = run_cli("--socket", path, "status")
    assert result.returncode == 3, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {result.stderr!r}"
    assert path in lines[0]
    assert "elohimd" in lines[0]
    assert "start" in lines[0].lower(), "the line should say how to start the daemon"
    assert result.stdout == ""


def test_cli_reports_a_stale_socket_file_as_not_running(run_cli, workdir):
    path = os.path.join(workdir, "dead.sock")
    leftover = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    leftover.bind(path)
    leftover.close()
    result = run_cli("--socket", path, "ping")
    assert result.returncode == 3, (result.returncode, result.stderr)
    assert len(result.stderr.splitlines()) == 1
    assert path in result.stderr


def test_cli_without_socket_flag_names_every_path_it_looked_at(run_cli, base_env):
    result = run_cli("status")
    assert result.returncode == 3, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    # XDG_RUNTIME_DIR points into the test's temp dir: the user socket is looked for there.
    assert os.path.join(base_env["XDG_RUNTIME_DIR"], "elohim", "elohimd.sock") in lines[0]


def test_cli_uses_elohim_socket_from_the_environment(daemon, run_cli):
    result = run_cli("--json", "status", env={"ELOHIM_SOCKET": daemon.socket_path})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["pid"] == daemon.pid


def test_cli_json_status_has_the_keys_of_daemon_status(daemon, run_cli):
    result = run_cli("--json", "--socket", daemon.socket_path, "status")
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    with daemon.connect() as connection:
        status = connection.call("daemon.status")
    assert set(printed) == set(status)
    assert printed["pid"] == daemon.pid
    assert printed["socket_path"] == daemon.socket_path
    assert printed["data_dir"] == status["data_dir"]


def test_cli_global_options_after_the_subcommand(daemon, run_cli):
    result = run_cli("status", "--json", "--socket", daemon.socket_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["pid"] == daemon.pid


def test_cli_human_status_without_color(daemon, run_cli):
    result = run_cli("--no-color", "--socket", daemon.socket_path, "status")
    assert result.returncode == 0, result.stderr
    assert "\x1b[" not in result.stdout
    assert str(daemon.pid) in result.stdout
    assert daemon.socket_path in result.stdout


def test_cli_call_daemon_ping(daemon, run_cli):
    result = run_cli("--socket", daemon.socket_path, "call", "daemon.ping")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"pong": True}


def test_cli_call_with_named_and_positional_params(daemon, run_cli):
    named = run_cli("--json", "--socket", daemon.socket_path, "call", "daemon.hello", '{"client_name": "e2e-cli"}')
    assert named.returncode == 0, named.stderr
    assert json.loads(named.stdout)["identity"]["uid"] == os.getuid()
    positional = run_cli("--json", "--socket", daemon.socket_path, "call", "subtract", "[42, 23]")
    assert positional.returncode == 0, positional.stderr
    assert json.loads(positional.stdout) == 19


def test_cli_call_with_invalid_json_argument_fails_clearly(daemon, run_cli):
    result = run_cli("--socket", daemon.socket_path, "call", "daemon.hello", "{not json")
    assert result.returncode not in (0, 3), result.returncode
    assert result.stderr.strip(), "expected a message on stderr"
    assert "json" in result.stderr.lower(), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stdout == ""


def test_cli_call_with_scalar_params_is_refused(daemon, run_cli):
    result = run_cli("--socket", daemon.socket_path, "call", "daemon.hello", "42")
    assert result.returncode not in (0, 3)
    assert result.stderr.strip()


def test_cli_call_refused_by_the_daemon_exits_1_with_its_message(daemon, run_cli):
    result = run_cli("--socket", daemon.socket_path, "call", "daemon.hello", '{"bogus_field": 1}')
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert "bogus_field" in result.stderr
    missing = run_cli("--socket", daemon.socket_path, "call", "no.such_method")
    assert missing.returncode == 1
    assert "no.such_method" in missing.stderr


def test_cli_usage_error_exits_2(run_cli):
    result = run_cli("frobnicate")
    assert result.returncode == 2, (result.returncode, result.stderr)
