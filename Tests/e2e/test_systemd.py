"""The daemon's conversation with systemd, with the test playing systemd: a datagram socket
for sd_notify, WATCHDOG_USEC/WATCHDOG_PID, and socket activation via systemd-socket-activate."""

import os
import shutil
import signal
import time

import pytest

from elohim_client import START_TIMEOUT, Closed, NotifyListener, RPCConnection, ServedCounter, wait_for

WATCHDOG_USEC = 200000


@pytest.fixture
def notify(workdir):
    listener = NotifyListener(os.path.join(workdir, "notify.sock"))
    yield listener
    listener.close()


def monotonic_usec() -> int:
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000


def is_ready(fields):
    return fields.get("READY") == "1"


def test_sd_notify_ready_after_listening_then_stopping_on_sigterm(daemons, notify):
    daemon = daemons.spawn(env={"NOTIFY_SOCKET": notify.path})
    ready = notify.wait_for(is_ready, START_TIMEOUT, "READY=1")
    pid, fields, text = notify.messages[ready]
    # READY=1 promises the socket is listening: the very first attempt must be answered.
    try:
        connection = RPCConnection(daemon.socket_path, timeout=30)
    except OSError as error:
        raise AssertionError(f"READY=1 was sent before the socket accepts connections: {error!r}") from None
    with connection:
        assert connection.call("daemon.ping") == {"pong": True}
    assert fields.get("STATUS"), f"READY=1 without a STATUS= line: {text!r}"
    assert pid == daemon.pid, "systemd (NotifyAccess=main) ignores notifications from other pids"
    assert not any(message[1].get("STOPPING") for message in notify.messages[:ready])

    daemon.signal(signal.SIGTERM)
    stopping = notify.wait_for(lambda f: f.get("STOPPING") == "1", 30, "STOPPING=1")
    assert stopping > ready
    assert notify.messages[stopping][0] == daemon.pid
    assert daemon.wait() == 0


def test_sighup_reload_notifies_systemd_and_subscribers_in_order(daemons, notify):
    daemon = daemons.spawn(env={"NOTIFY_SOCKET": notify.path})
    first_ready = notify.wait_for(is_ready, START_TIMEOUT, "READY=1")
    daemon.wait_ready()  # READY=1 itself is checked in the test above
    with daemon.connect() as subscriber:
        subscribed = subscriber.call("events.subscribe", {"topics": ["daemon"]})
        last_seq = subscribed["seq"]
        search_from = first_ready + 1
        for round in range(2):
            before = monotonic_usec()
            daemon.signal(signal.SIGHUP)
            reloading = notify.wait_for(
                lambda f: f.get("RELOADING") == "1", 30, f"RELOADING=1 (round {round})", start=search_from
            )
            after = monotonic_usec()
            pid, fields, text = notify.messages[reloading]
            assert pid == daemon.pid
            assert "MONOTONIC_USEC" in fields, f"RELOADING=1 without MONOTONIC_USEC: {text!r}"
            # Type=notify-reload requires the current CLOCK_MONOTONIC in microseconds.
            assert before <= int(fields["MONOTONIC_USEC"]) <= after, (before, fields["MONOTONIC_USEC"], after)
            ready_again = notify.wait_for(
                is_ready, 30, f"READY=1 after RELOADING=1 (round {round})", start=reloading + 1
            )
            assert ready_again > reloading
            search_from = ready_again + 1

            events = [subscriber.next_notification(timeout=30) for _ in range(2)]
            for event in events:
                assert event["jsonrpc"] == "2.0"
                assert event["method"] == "event"
                assert "id" not in event
                params = event["params"]
                assert params["topic"] == "daemon"
                assert isinstance(params["time"], str) and params["time"]
                assert isinstance(params["data"], dict)
            assert [event["params"]["type"] for event in events] == ["daemon.reloading", "daemon.reloaded"]
            seqs = [event["params"]["seq"] for event in events]
            assert last_seq < seqs[0] < seqs[1], (last_seq, seqs)
            # seq rises by one per event; nothing else was published in between.
            assert seqs[1] == seqs[0] + 1
            last_seq = seqs[1]
        # The connection still answers requests while subscribed.
        assert subscriber.call("daemon.ping") == {"pong": True}
    assert daemon.running()


# systemd may reload or stop a unit as soon as it reports READY=1. Until a signal is trapped its
# default action (to kill the process) applies, so READY=1 must come after the traps. Each test
# runs a few times because the window, when there is one, is short.


@pytest.mark.parametrize("attempt", range(3))
def test_sighup_the_moment_ready_arrives_reloads(daemons, notify, attempt):
    daemon = daemons.spawn(env={"NOTIFY_SOCKET": notify.path})
    ready = notify.wait_for(is_ready, START_TIMEOUT, "READY=1")
    daemon.signal(signal.SIGHUP)
    reloading = notify.wait_for(lambda f: f.get("RELOADING") == "1", 30, "RELOADING=1", start=ready + 1)
    notify.wait_for(is_ready, 30, "READY=1 after the reload", start=reloading + 1)
    assert daemon.running(), "SIGHUP right after READY=1 killed the daemon"


@pytest.mark.parametrize("attempt", range(3))
def test_sigterm_the_moment_ready_arrives_stops_cleanly(daemons, notify, attempt):
    daemon = daemons.spawn(env={"NOTIFY_SOCKET": notify.path})
    ready = notify.wait_for(is_ready, START_TIMEOUT, "READY=1")
    daemon.signal(signal.SIGTERM)
    notify.wait_for(lambda f: f.get("STOPPING") == "1", 30, "STOPPING=1", start=ready + 1)
    assert daemon.wait() == 0, "SIGTERM right after READY=1 must stop the daemon cleanly"


def watchdog_argv(binary, socket_path, data_dir):
    # sh's $$ is the pid elohimd will have after exec, which is what systemd puts in WATCHDOG_PID.
    return [
        "/bin/sh", "-c", 'WATCHDOG_PID=$$; export WATCHDOG_PID; exec "$0" "$@"',
        binary, "--socket", socket_path, "--data-dir", data_dir, "--enable-test-methods",
    ]


def wait_for_watchdog_pings(notify, daemon, count):
    seen = 0
    position = 0
    while seen < count:
        index = notify.wait_for(
            lambda f: f.get("WATCHDOG") == "1", 30, f"WATCHDOG=1 #{seen + 1}", start=position
        )
        assert notify.messages[index][0] == daemon.pid
        seen += 1
        position = index + 1
    return position


def test_watchdog_pings_when_watchdog_pid_is_the_daemon(daemons, notify):
    socket_path, data_dir = daemons.paths()
    daemon = daemons.spawn(
        argv=watchdog_argv(daemons.binary, socket_path, data_dir),
        socket_path=socket_path,
        data_dir=data_dir,
        env={"NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": str(WATCHDOG_USEC)},
    )
    notify.wait_for(is_ready, START_TIMEOUT, "READY=1")
    wait_for_watchdog_pings(notify, daemon, 3)
    daemon.signal(signal.SIGTERM)
    assert daemon.wait() == 0


def test_watchdog_pings_when_watchdog_pid_is_unset(daemons, notify):
    daemon = daemons.spawn(env={"NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": str(WATCHDOG_USEC)})
    notify.wait_for(is_ready, START_TIMEOUT, "READY=1")
    wait_for_watchdog_pings(notify, daemon, 3)


def test_watchdog_keeps_petting_while_draining_in_flight_requests(daemons, notify):
    daemon = daemons.spawn(env={"NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": str(WATCHDOG_USEC)})
    notify.wait_for(is_ready, START_TIMEOUT, "READY=1")
    daemon.wait_ready()
    with daemon.connect() as observer, daemon.connect() as busy:
        counter = ServedCounter(observer)
        busy.send_json({"jsonrpc": "2.0", "id": "held", "method": "test.sleep", "params": {"ms": 3000}})
        counter.wait_for_others(1)
        daemon.signal(signal.SIGTERM)
        stopping = notify.wait_for(lambda f: f.get("STOPPING") == "1", 30, "STOPPING=1")
        # systemd would kill a daemon that stops petting while it drains.
        notify.wait_for(lambda f: f.get("WATCHDOG") == "1", 30, "WATCHDOG=1 after STOPPING=1", start=stopping + 1)
        try:
            answer = busy.response_for("held")
        except Closed:
            raise AssertionError("the request in flight at SIGTERM was not answered (connection closed)") from None
        assert answer == {"jsonrpc": "2.0", "id": "held", "result": {"slept_ms": 3000}}
    assert daemon.wait() == 0


def test_socket_activation_with_systemd_socket_activate(daemons, notify, base_env):
    activate = shutil.which("systemd-socket-activate")
    assert activate, "systemd-socket-activate is not installed (apt-get install systemd)"
    socket_path, data_dir = daemons.paths("act")
    passthrough = ["XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR"]
    argv = [activate, "-l", socket_path]
    for name in passthrough:
        argv += ["-E", f"{name}={base_env[name]}"]
    argv += ["-E", f"NOTIFY_SOCKET={notify.path}"]
    argv += [daemons.binary, "--data-dir", data_dir, "--enable-test-methods"]
    daemon = daemons.spawn(argv=argv, socket_path=socket_path, data_dir=data_dir)
    # systemd-socket-activate execs elohimd on the first connection; wait_ready connects.
    daemon.wait_ready()
    ready = notify.wait_for(is_ready, START_TIMEOUT, "READY=1 from the activated daemon")
    assert notify.messages[ready][0] == daemon.pid
    with daemon.connect() as connection:
        status = connection.call("daemon.status")
        assert status["socket_activated"] is True
        assert status["socket_path"] == socket_path
        # systemd-socket-activate execs in place: the daemon has the launcher's pid.
        assert status["pid"] == daemon.pid
        assert status["data_dir"] == data_dir
        assert connection.call("subtract", [42, 23]) == 19
    assert os.path.exists(socket_path + ".lock") is False, "an activated daemon must not take the bind lock"
    daemon.signal(signal.SIGTERM)
    assert daemon.wait() == 0


def test_socket_activation_serves_the_connection_that_triggered_it(daemons, base_env):
    activate = shutil.which("systemd-socket-activate")
    assert activate, "systemd-socket-activate is not installed (apt-get install systemd)"
    socket_path, data_dir = daemons.paths("act")
    argv = [activate, "-l", socket_path, "-E", f"XDG_CONFIG_HOME={base_env['XDG_CONFIG_HOME']}",
            daemons.binary, "--data-dir", data_dir]
    daemon = daemons.spawn(argv=argv, socket_path=socket_path, data_dir=data_dir)

    def connect():
        return RPCConnection(socket_path, timeout=START_TIMEOUT)

    connection = wait_for(connect, START_TIMEOUT, "systemd-socket-activate to listen")
    with connection:
        # The request sent on the very connection that started the daemon is answered.
        status = connection.call("daemon.status")
        assert status["socket_activated"] is True
        assert status["pid"] == daemon.pid
