"""Input a careless or hostile client might send. Each case checks the answer (or the clean
close) on the offending connection, then that the daemon still serves a new client."""

import json
import random
import socket
import struct

import pytest

from elohim_client import Closed, RPCConnection, frame, try_ping

LIMIT = 65536


@pytest.fixture
def small_limit_daemon(daemons):
    return daemons.start(["--max-frame-bytes", str(LIMIT)])


def assert_still_serving(daemon):
    assert daemon.running(), f"elohimd died; stderr:\n{daemon.log()}"
    assert try_ping(daemon.socket_path)


def send_ignoring_close(connection, data: bytes):
    """Sends what it can; the daemon may legitimately close before reading it all."""
    try:
        connection.send_raw(data)
    except (BrokenPipeError, ConnectionResetError):
        pass


def half_close(connection):
    """No more input from us: a daemon waiting for the rest of a frame sees EOF instead of
    hanging the test, and anything it sends is still readable."""
    try:
        connection.sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def expect_frame_too_large_then_eof(connection, limit):
    try:
        payload = connection.read_frame()
    except Closed as closed:
        raise AssertionError(f"connection closed without the frame_too_large error ({closed})") from None
    assert_frame_too_large([payload], limit)
    assert connection.at_eof(), "the daemon must close the connection after frame_too_large"


def assert_frame_too_large(frames, limit):
    assert len(frames) == 1, f"expected exactly one error frame before the close, got {frames!r}"
    response = json.loads(frames[0])
    assert "error" in response and response["error"].get("data", {}).get("reason") == "frame_too_large", (
        f"expected the frame_too_large error, got {response!r}"
    )
    assert response["jsonrpc"] == "2.0"
    assert response["id"] is None
    error = response["error"]
    assert error["code"] == -32600
    assert error["data"]["reason"] == "frame_too_large"
    assert error["data"]["limit"] == limit
    assert str(limit) in error["message"], error["message"]


def padded_ping(size: int, id=1) -> bytes:
    body = json.dumps({"jsonrpc": "2.0", "id": id, "method": "daemon.ping"}).encode()
    assert len(body) <= size
    return body + b" " * (size - len(body))


def test_frame_of_exactly_the_limit_is_served(small_limit_daemon):
    with small_limit_daemon.connect() as connection:
        connection.send_frame(padded_ping(LIMIT))
        assert connection.read_json() == {"jsonrpc": "2.0", "id": 1, "result": {"pong": True}}
        assert connection.call("daemon.ping") == {"pong": True}


def test_oversized_frame_gets_frame_too_large_then_close(small_limit_daemon):
    with small_limit_daemon.connect() as connection:
        send_ignoring_close(connection, struct.pack(">I", LIMIT + 1))
        send_ignoring_close(connection, padded_ping(LIMIT + 1))
        expect_frame_too_large_then_eof(connection, LIMIT)
    assert_still_serving(small_limit_daemon)


@pytest.mark.parametrize("announced", [LIMIT + 2, 2 * LIMIT, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF])
def test_oversized_length_header_is_refused_with_frame_too_large(small_limit_daemon, announced):
    with small_limit_daemon.connect() as connection:
        send_ignoring_close(connection, struct.pack(">I", announced))
        send_ignoring_close(connection, b"x" * (LIMIT + 8))
        expect_frame_too_large_then_eof(connection, LIMIT)
    assert_still_serving(small_limit_daemon)


def test_oversized_frame_with_default_limit_names_4_mib(daemon):
    limit = 4 * 1024 * 1024
    with daemon.connect() as connection:
        send_ignoring_close(connection, struct.pack(">I", limit + 1) + padded_ping(limit + 1))
        expect_frame_too_large_then_eof(connection, limit)
    assert_still_serving(daemon)


def test_truncated_frame_then_close_leaves_the_daemon_serving(daemon):
    with daemon.connect() as connection:
        connection.send_raw(struct.pack(">I", 100) + b"{" * 50)
    # Closed mid-frame: dropped silently. Other clients are unaffected.
    assert_still_serving(daemon)
    with daemon.connect() as connection:
        assert connection.call("daemon.status")["pid"] == daemon.pid


def test_truncated_frame_with_half_shutdown_gets_a_clean_close(daemon):
    with daemon.connect() as connection:
        connection.send_raw(struct.pack(">I", 100) + b"{" * 50)
        connection.sock.shutdown(socket.SHUT_WR)
        assert connection.read_until_eof() == []
    assert_still_serving(daemon)


def test_truncated_length_header_is_dropped(daemon):
    with daemon.connect() as connection:
        connection.send_raw(b"\x00\x00")
        connection.sock.shutdown(socket.SHUT_WR)
        assert connection.read_until_eof() == []
    assert_still_serving(daemon)


@pytest.mark.parametrize(
    "payload",
    [
        b'{"jsonrpc":"2.0","id":1,"method":"daemon.ping","params":{"x":"\xff\xfe"}}',
        b'{"jsonrpc":"2.0","id":1,"method":"daemon.\xc0\xafping"}',  # overlong encoding of '/'
        b'{"jsonrpc":"2.0","id":1,"method":"\xed\xa0\x80"}',  # a UTF-16 surrogate in UTF-8
        b"\xff",
    ],
)
def test_invalid_utf8_payload_is_a_parse_error(daemon, payload):
    with daemon.connect() as connection:
        connection.send_frame(payload)
        response = connection.read_json()
        assert response["jsonrpc"] == "2.0"
        assert response["id"] is None
        assert response["error"]["code"] == -32700
        assert connection.call("daemon.ping") == {"pong": True}


@pytest.mark.parametrize("payload", [b"42", b'"x"', b"null", b"true", b"3.5"])
def test_non_object_json_is_an_invalid_request(daemon, payload):
    with daemon.connect() as connection:
        connection.send_frame(payload)
        response = connection.read_json()
        assert response["jsonrpc"] == "2.0"
        assert response["id"] is None
        assert response["error"]["code"] == -32600
        assert connection.call("daemon.ping") == {"pong": True}


@pytest.mark.parametrize("payload", [b"", b"   ", b"{", b'{"jsonrpc":"2.0","id":1,"method":"daemon.ping"} trailing'])
def test_empty_or_incomplete_json_is_a_parse_error(daemon, payload):
    with daemon.connect() as connection:
        connection.send_frame(payload)
        response = connection.read_json()
        assert response["id"] is None
        assert response["error"]["code"] == -32700
        assert connection.call("daemon.ping") == {"pong": True}


def test_number_out_of_range_is_a_parse_error(daemon):
    with daemon.connect() as connection:
        connection.send_frame(b'{"jsonrpc":"2.0","id":1,"method":"sum","params":[1e999]}')
        response = connection.read_json()
        assert response["error"]["code"] == -32700, response
        assert connection.call("daemon.ping") == {"pong": True}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_garbage_stream_gets_an_error_or_a_clean_close(daemon, seed):
    garbage = random.Random(seed).randbytes(64 * 1024)
    with daemon.connect() as connection:
        send_ignoring_close(connection, garbage)
        half_close(connection)
        frames = connection.read_until_eof()
    # Unframed bytes: the first four are read as a length. Whatever the daemon makes of it,
    # anything it sends must be a well-formed JSON-RPC error, and then it closes.
    for payload in frames:
        response = json.loads(payload)
        assert response["jsonrpc"] == "2.0" and "error" in response and "result" not in response, response
    assert_still_serving(daemon)


@pytest.mark.parametrize("seed", [4, 5])
def test_random_garbage_inside_a_frame_is_a_parse_error(daemon, seed):
    garbage = random.Random(seed).randbytes(64 * 1024)
    with daemon.connect() as connection:
        connection.send_frame(garbage)
        response = connection.read_json()
        assert response["error"]["code"] == -32700
        assert connection.call("daemon.ping") == {"pong": True}
    assert_still_serving(daemon)


def test_ten_thousand_open_brackets_are_a_parse_error(daemon):
    with daemon.connect() as connection:
        connection.send_frame(b"[" * 10000)
        response = connection.read_json()
        assert response["id"] is None
        assert response["error"]["code"] == -32700
        assert connection.call("daemon.ping") == {"pong": True}
    assert_still_serving(daemon)


def test_deeply_nested_balanced_json_is_a_parse_error(daemon):
    with daemon.connect() as connection:
        connection.send_frame(b"[" * 10000 + b"]" * 10000)
        assert connection.read_json()["error"]["code"] == -32700
        nested_params = b'{"jsonrpc":"2.0","id":1,"method":"sum","params":' + b"[" * 5000 + b"]" * 5000 + b"}"
        connection.send_frame(nested_params)
        assert connection.read_json()["error"]["code"] == -32700
        connection.send_frame(b'{"a":' * 10000 + b"1" + b"}" * 10000)
        assert connection.read_json()["error"]["code"] == -32700
        assert connection.call("daemon.ping") == {"pong": True}
    assert_still_serving(daemon)


def test_client_that_disconnects_before_reading_its_response(daemon):
    for _ in range(20):
        connection = RPCConnection(daemon.socket_path)
        connection.send_frame(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "rpc.discover"}).encode())
        connection.close()
    assert_still_serving(daemon)


def test_one_bad_connection_does_not_disturb_another(daemon, daemons):
    with daemon.connect() as good, daemon.connect() as bad:
        assert good.call("daemon.ping") == {"pong": True}
        send_ignoring_close(bad, b"\xff\xff\xff\xff" + b"z" * 4096)
        bad.sock.shutdown(socket.SHUT_WR)
        try:
            bad.read_until_eof()
        except Closed:
            pass
        assert good.call("daemon.ping") == {"pong": True}


def test_oversized_frame_then_half_close_still_gets_the_error(small_limit_daemon):
    # Like `printf ... | socat - UNIX-CONNECT:...`: send everything, shut down writing, read.
    with small_limit_daemon.connect() as connection:
        send_ignoring_close(connection, struct.pack(">I", 2 * LIMIT) + b"x" * (LIMIT + 8))
        half_close(connection)
        expect_frame_too_large_then_eof(connection, LIMIT)


def test_request_then_half_close_is_still_answered(daemon):
    # A client may shut down its writing side once it has sent its last request; the daemon
    # has read the request and owes it an answer before closing.
    with daemon.connect() as connection:
        connection.send_json({"jsonrpc": "2.0", "id": 1, "method": "daemon.ping"})
        half_close(connection)
        frames = connection.read_until_eof()
    assert [json.loads(frame) for frame in frames] == [{"jsonrpc": "2.0", "id": 1, "result": {"pong": True}}]
