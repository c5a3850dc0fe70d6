"""Every example of the JSON-RPC 2.0 specification, section 7, byte for byte as the
specification writes the requests. Runs against a daemon started with
--enable-test-methods (subtract, sum, update, notify_hello, notify_sum, get_data).

Notifications get no response. That is checked without waiting: requests on a connection are
answered in order, so the notification is followed by a ping and the very next frame must be
the ping's response.
"""

import json

import pytest

from elohim_client import frame

PING_ID = "after"


def send(connection, text: str):
    connection.send_frame(text.encode("utf-8"))


def ping_after(connection):
    connection.send_json({"jsonrpc": "2.0", "method": "daemon.ping", "id": PING_ID})


def assert_next_is_ping_response(connection):
    response = connection.read_json()
    assert response == {"jsonrpc": "2.0", "id": PING_ID, "result": {"pong": True}}, (
        f"a notification was answered (or something else arrived first): {response!r}"
    )


def exchange(connection, text: str):
    send(connection, text)
    return connection.read_json()


def assert_error(response, code, id):
    assert isinstance(response, dict), response
    assert response.get("jsonrpc") == "2.0", response
    assert "result" not in response, response
    assert response["id"] == id, response
    assert response["error"]["code"] == code, response
    assert isinstance(response["error"]["message"], str) and response["error"]["message"]


def assert_result(response, result, id):
    assert response == {"jsonrpc": "2.0", "result": result, "id": id}


def test_rpc_call_with_positional_parameters(daemon):
    with daemon.connect() as connection:
        assert_result(exchange(connection, '{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}'), 19, 1)
        assert_result(exchange(connection, '{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}'), -19, 2)


def test_rpc_call_with_named_parameters(daemon):
    with daemon.connect() as connection:
        assert_result(
            exchange(connection, '{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}'),
            19,
            3,
        )
        assert_result(
            exchange(connection, '{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}'),
            19,
            4,
        )


@pytest.mark.parametrize(
    "notification",
    [
        '{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}',
        '{"jsonrpc": "2.0", "method": "foobar"}',
        # Not in section 7 but the same rule: a notification is never answered, even on error.
        '{"jsonrpc": "2.0", "method": "subtract", "params": ["not", "numbers"]}',
        '{"jsonrpc": "2.0", "method": "daemon.hello", "params": {"no_such_field": 1}}',
    ],
)
def test_notification_gets_no_response(daemon, notification):
    with daemon.connect() as connection:
        send(connection, notification)
        ping_after(connection)
        assert_next_is_ping_response(connection)


def test_rpc_call_of_non_existent_method(daemon):
    with daemon.connect() as connection:
        response = exchange(connection, '{"jsonrpc": "2.0", "method": "foobar", "id": "1"}')
    assert_error(response, -32601, "1")
    assert response["error"]["data"]["method"] == "foobar"


def test_rpc_call_with_invalid_json(daemon):
    with daemon.connect() as connection:
        response = exchange(connection, '{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]')
        assert_error(response, -32700, None)
        # One frame is one JSON text: the stream stays in sync and the connection serves on.
        ping_after(connection)
        assert_next_is_ping_response(connection)


def test_rpc_call_with_invalid_request_object(daemon):
    with daemon.connect() as connection:
        response = exchange(connection, '{"jsonrpc": "2.0", "method": 1, "params": "bar"}')
    assert_error(response, -32600, None)


def test_rpc_call_batch_with_invalid_json(daemon):
    with daemon.connect() as connection:
        response = exchange(
            connection,
            """[
  {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
  {"jsonrpc": "2.0", "method"
]""",
        )
    # A single error object, not an array.
    assert_error(response, -32700, None)


def test_rpc_call_with_an_empty_array(daemon):
    with daemon.connect() as connection:
        response = exchange(connection, "[]")
    assert_error(response, -32600, None)


def test_rpc_call_with_an_invalid_batch_of_one(daemon):
    with daemon.connect() as connection:
        response = exchange(connection, "[1]")
    assert isinstance(response, list) and len(response) == 1, response
    assert_error(response[0], -32600, None)


def test_rpc_call_with_an_invalid_batch_of_three(daemon):
    with daemon.connect() as connection:
        response = exchange(connection, "[1,2,3]")
    assert isinstance(response, list) and len(response) == 3, response
    for entry in response:
        assert_error(entry, -32600, None)


def test_rpc_call_batch(daemon):
    with daemon.connect() as connection:
        response = exchange(
            connection,
            """[
        {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
        {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
        {"foo": "boo"},
        {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
        {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
    ]""",
        )
    assert isinstance(response, list), response
    assert len(response) == 5, json.dumps(response, indent=1)
    # PROTOCOL.md promises batch answers in request order (the spec allows any order).
    assert_result(response[0], 7, "1")
    assert_result(response[1], 19, "2")
    assert_error(response[2], -32600, None)
    assert_error(response[3], -32601, "5")
    assert_result(response[4], ["hello", 5], "9")


def test_rpc_call_batch_all_notifications(daemon):
    with daemon.connect() as connection:
        send(
            connection,
            """[
        {"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}
    ]""",
        )
        ping_after(connection)
        assert_next_is_ping_response(connection)


def test_batch_over_the_limit_is_one_invalid_request(daemon):
    with daemon.connect() as connection:
        batch = [{"jsonrpc": "2.0", "method": "daemon.ping", "id": index} for index in range(1001)]
        connection.send_json(batch)
        response = connection.read_json()
    assert_error(response, -32600, None)


def test_batch_of_the_maximum_size_is_answered_in_order(daemon):
    with daemon.connect() as connection:
        batch = [{"jsonrpc": "2.0", "method": "sum", "params": [index, 1], "id": index} for index in range(1000)]
        connection.send_json(batch)
        response = connection.read_json()
    assert [entry["id"] for entry in response] == list(range(1000))
    assert [entry["result"] for entry in response] == [index + 1 for index in range(1000)]


def test_requests_pipelined_on_one_connection_are_answered_in_order(daemon):
    with daemon.connect() as connection:
        payload = b"".join(
            frame(
                json.dumps({"jsonrpc": "2.0", "method": "subtract", "params": [index, 1], "id": index}).encode()
            )
            for index in range(50)
        )
        connection.send_raw(payload)
        for index in range(50):
            assert_result(connection.read_json(), index - 1, index)
