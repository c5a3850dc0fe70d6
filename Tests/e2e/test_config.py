"""Configuration: --check-config, the file, ELOHIMD_* overrides, and SIGHUP reloads."""

import json
import os
import signal
import struct
import subprocess

import pytest


def write_config(workdir, content, name="elohimd.json") -> str:
    path = os.path.join(workdir, name)
    with open(path, "w") as file:
        file.write(content if isinstance(content, str) else json.dumps(content))
    return path


def check_config(daemon_bin, base_env, *args, env=None):
    environment = dict(base_env)
    if env:
        environment.update(env)
    return subprocess.run(
        [daemon_bin, "--check-config", *args],
        env=environment, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
    )


def assert_limit(daemon, limit):
    """The frame limit in force on a new connection is `limit`: a frame of exactly `limit`
    bytes is served, and an oversized one is refused with an error naming `limit`. (The
    one-byte-over boundary is test_hostile_input's business.)"""
    body = b'{"jsonrpc":"2.0","id":1,"method":"daemon.ping"}'
    with daemon.connect() as connection:
        connection.send_frame(body + b" " * (limit - len(body)))
        assert connection.read_json()["result"] == {"pong": True}
    with daemon.connect() as connection:
        try:
            connection.send_raw(struct.pack(">I", 0x7FFFFFFF) + b" " * (limit + 1024))
        except (BrokenPipeError, ConnectionResetError):
            pass
        frames = connection.read_until_eof()
    assert len(frames) == 1, frames
    error = json.loads(frames[0])["error"]
    assert error["data"]["reason"] == "frame_too_large"
    assert error["data"]["limit"] == limit
    assert str(limit) in error["message"]


def test_check_config_accepts_a_valid_file(daemon_bin, base_env, workdir):
    path = write_config(workdir, {"log_level": "debug", "max_frame_bytes": 65536, "shutdown_grace_seconds": 3})
    result = check_config(daemon_bin, base_env, "--config", path)
    assert result.returncode == 0, result.stderr
    assert "65536" in result.stdout
    assert path in result.stdout
    assert "debug" in result.stdout


def test_check_config_without_any_file_runs_on_defaults(daemon_bin, base_env):
    result = check_config(daemon_bin, base_env)
    assert result.returncode == 0, result.stderr
    assert "4194304" in result.stdout


def test_check_config_reads_the_default_file_under_xdg_config_home(daemon_bin, base_env):
    directory = os.path.join(base_env["XDG_CONFIG_HOME"], "elohim")
    os.makedirs(directory)
    path = write_config(directory, {"max_frame_bytes": 12345})
    result = check_config(daemon_bin, base_env)
    assert result.returncode == 0, result.stderr
    assert path in result.stdout and "12345" in result.stdout


def test_check_config_names_an_unknown_key(daemon_bin, base_env, workdir):
    path = write_config(workdir, {"log_level": "info", "max_frame_byte": 65536})
    result = check_config(daemon_bin, base_env, "--config", path)
    assert result.returncode != 0
    assert "max_frame_byte" in result.stderr, result.stderr
    assert path in result.stderr


@pytest.mark.parametrize(
    "settings, key",
    [
        ({"max_frame_bytes": "big"}, "max_frame_bytes"),
        ({"max_frame_bytes": 1.5}, "max_frame_bytes"),
        ({"max_frame_bytes": 10}, "max_frame_bytes"),
        ({"log_level": 3}, "log_level"),
        ({"log_level": "loud"}, "log_level"),
        ({"shutdown_grace_seconds": "soon"}, "shutdown_grace_seconds"),
        ({"shutdown_grace_seconds": -1}, "shutdown_grace_seconds"),
        ({"socket_path": "relative.sock"}, "socket_path"),
        ({"data_dir": 7}, "data_dir"),
    ],
)
def test_check_config_names_a_bad_value(daemon_bin, base_env, workdir, settings, key):
    path = write_config(workdir, settings)
    result = check_config(daemon_bin, base_env, "--config", path)
    assert result.returncode != 0, result.stdout
    assert key in result.stderr, result.stderr


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", ""])
def test_check_config_refuses_a_malformed_file(daemon_bin, base_env, workdir, content):
    path = write_config(workdir, content)
    result = check_config(daemon_bin, base_env, "--config", path)
    assert result.returncode != 0
    assert path in result.stderr, result.stderr


def test_check_config_refuses_a_missing_named_file(daemon_bin, base_env, workdir):
    path = os.path.join(workdir, "missing.json")
    result = check_config(daemon_bin, base_env, "--config", path)
    assert result.returncode != 0
    assert path in result.stderr


def test_check_config_names_a_bad_environment_variable(daemon_bin, base_env):
    result = check_config(daemon_bin, base_env, env={"ELOHIMD_MAX_FRAME_BYTES": "lots"})
    assert result.returncode != 0
    assert "ELOHIMD_MAX_FRAME_BYTES" in result.stderr


def test_daemon_refuses_to_start_with_an_unknown_key(daemons, workdir):
    path = write_config(workdir, {"bogus_setting": True})
    daemon = daemons.spawn(["--config", path])
    assert daemon.wait() != 0
    assert "bogus_setting" in daemon.log()
    assert not os.path.exists(daemon.socket_path)


def test_env_override_of_max_frame_bytes_takes_effect(daemons):
    daemon = daemons.start(env={"ELOHIMD_MAX_FRAME_BYTES": "2048"})
    assert_limit(daemon, 2048)


def test_env_beats_file_and_flag_beats_env(daemons, daemon_bin, base_env, workdir):
    path = write_config(workdir, {"max_frame_bytes": 8192})
    from_file = daemons.start(["--config", path])
    assert_limit(from_file, 8192)
    from_env = daemons.start(["--config", path], env={"ELOHIMD_MAX_FRAME_BYTES": "4096"})
    assert_limit(from_env, 4096)
    from_flag = daemons.start(["--config", path, "--max-frame-bytes", "3000"], env={"ELOHIMD_MAX_FRAME_BYTES": "4096"})
    assert_limit(from_flag, 3000)
    with from_file.connect() as connection:
        assert connection.call("daemon.status")["config_path"] == path


def test_env_socket_and_data_dir_are_used(daemons, workdir):
    socket_path = os.path.join(workdir, "envsock.sock")
    data_dir = os.path.join(workdir, "envdata")
    daemon = daemons.spawn(
        env={"ELOHIMD_SOCKET": socket_path, "ELOHIMD_DATA_DIR": data_dir},
        argv=[daemons.binary],
        socket_path=socket_path,
    )
    daemon.wait_ready()
    with daemon.connect() as connection:
        status = connection.call("daemon.status")
    assert status["socket_path"] == socket_path
    assert status["data_dir"] == data_dir


def test_sighup_applies_a_new_frame_limit_to_new_connections(daemons, workdir):
    path = write_config(workdir, {"max_frame_bytes": 8192})
    daemon = daemons.start(["--config", path])
    assert_limit(daemon, 8192)
    with daemon.connect() as subscriber:
        subscriber.call("events.subscribe", {"topics": ["daemon"]})
        write_config(workdir, {"max_frame_bytes": 16384})
        daemon.signal(signal.SIGHUP)
        types = [subscriber.next_notification(timeout=30)["params"]["type"] for _ in range(2)]
        assert types == ["daemon.reloading", "daemon.reloaded"]
    assert_limit(daemon, 16384)


def test_sighup_with_a_broken_file_keeps_the_previous_settings(daemons, workdir):
    path = write_config(workdir, {"max_frame_bytes": 8192})
    daemon = daemons.start(["--config", path])
    with daemon.connect() as subscriber:
        subscriber.call("events.subscribe", {"topics": ["daemon"]})
        write_config(workdir, {"max_frame_bytes": 16384, "typo_key": 1})
        daemon.signal(signal.SIGHUP)
        events = [subscriber.next_notification(timeout=30)["params"] for _ in range(2)]
        assert [event["type"] for event in events] == ["daemon.reloading", "daemon.reload_failed"]
        assert "typo_key" in events[1]["data"]["error"]
    assert daemon.running()
    assert_limit(daemon, 8192)
