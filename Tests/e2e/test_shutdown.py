"""SIGTERM/SIGINT: stop accepting, answer every request already read, close, exit 0."""

import os
import signal

import pytest

from elohim_client import Closed, ServedCounter, try_ping

IN_FLIGHT = 6
SLEEP_MS = 1500


def test_sigterm_with_requests_in_flight_answers_them_all_and_exits_0(daemon):
    connections = [daemon.connect() for _ in range(IN_FLIGHT)]
    observer = daemon.connect()
    try:
        counter = ServedCounter(observer)
        for index, connection in enumerate(connections[:-1]):
            connection.send_json(
                {"jsonrpc": "2.0", "id": f"sleep-{index}", "method": "test.sleep", "params": {"ms": SLEEP_MS}}
            )
        # The last connection has a batch in flight: it is answered as a whole.
        connections[-1].send_json(
            [
                {"jsonrpc": "2.0", "id": "batch-sleep", "method": "test.sleep", "params": {"ms": SLEEP_MS}},
                {"jsonrpc": "2.0", "id": "batch-ping", "method": "daemon.ping"},
            ]
        )
        # Only requests the daemon has read are promised an answer: wait until every
        # connection's request is being handled (a batch is counted member by member as each
        # starts, so it counts once here: its first member is sleeping).
        counter.wait_for_others(IN_FLIGHT)
        daemon.signal(signal.SIGTERM)

        answers = []
        for connection in connections:
            try:
                answers.append(connection.read_json())
            except Closed as closed:
                answers.append(f"closed without an answer ({closed})")
        expected = [
            {"jsonrpc": "2.0", "id": f"sleep-{index}", "result": {"slept_ms": SLEEP_MS}}
            for index in range(IN_FLIGHT - 1)
        ] + [[
            {"jsonrpc": "2.0", "id": "batch-sleep", "result": {"slept_ms": SLEEP_MS}},
            {"jsonrpc": "2.0", "id": "batch-ping", "result": {"pong": True}},
        ]]
        assert answers == expected, "requests in flight at SIGTERM must all be answered"
        for connection in connections:
            assert connection.at_eof(), "the connection should close after its last response"
        assert observer.at_eof()
    finally:
        for connection in connections + [observer]:
            connection.close()
    assert daemon.wait() == 0
    assert not os.path.exists(daemon.socket_path), "the socket file should be removed on exit"


def test_sigterm_sends_stopping_event_to_subscribers_then_closes(daemon):
    with daemon.connect() as subscriber:
        seq = subscriber.call("events.subscribe", {"topics": ["daemon"]})["seq"]
        daemon.signal(signal.SIGTERM)
        try:
            event = subscriber.next_notification(timeout=30)
        except Closed:
            raise AssertionError("the subscriber's connection closed before daemon.stopping reached it") from None
        assert event["method"] == "event"
        assert event["params"]["topic"] == "daemon"
        assert event["params"]["type"] == "daemon.stopping"
        assert event["params"]["seq"] > seq
        assert subscriber.at_eof(timeout=30)
    assert daemon.wait() == 0


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_idle_daemon_exits_0_removes_socket_and_frees_the_path(daemons, signum):
    first = daemons.start()
    first.signal(signum)
    assert first.wait() == 0
    assert not os.path.exists(first.socket_path)
    # The path (and its lock) is free again: a new daemon takes it over at once.
    second = daemons.start(socket_path=first.socket_path, data_dir=first.data_dir)
    assert try_ping(second.socket_path)
    with second.connect() as connection:
        assert connection.call("daemon.status")["pid"] == second.pid


def test_data_survives_a_restart(daemons):
    first = daemons.start()
    with first.connect() as connection:
        database = connection.call("daemon.status")["database_path"]
    first.signal(signal.SIGTERM)
    assert first.wait() == 0
    assert os.path.exists(database)
    second = daemons.start(socket_path=first.socket_path, data_dir=first.data_dir)
    with second.connect() as connection:
        status = connection.call("daemon.status")
    assert status["database_path"] == database
    assert status["database_size_bytes"] > 0
