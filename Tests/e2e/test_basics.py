"""The core methods over a real socket: hello, ping, status, discover, params checking."""

import os
import pwd

import pytest

from elohim_client import RPCFailure


def test_hello_ping_status_round_trip(daemon):
    with daemon.connect() as connection:
        hello = connection.call(
            "daemon.hello", {"protocol_version": "1.0", "client_name": "e2e", "client_version": "0.0.1"}
        )
        assert hello["protocol_version"].split(".")[0] == "1"
        assert isinstance(hello["daemon_version"], str) and hello["daemon_version"]
        assert isinstance(hello["capabilities"], list)
        identity = hello["identity"]
        # SO_PEERCRED: the kernel's word on who connected, i.e. this test process.
        assert identity["uid"] == os.getuid()
        assert identity["gid"] == os.getgid()
        assert identity["pid"] == os.getpid()
        assert identity["user_name"] == pwd.getpwuid(os.getuid()).pw_name

        assert connection.call("daemon.ping") == {"pong": True}

        status = connection.call("daemon.status")
    expected_keys = {
        "pid", "uptime_seconds", "socket_path", "data_dir", "config_path", "database_path",
        "database_size_bytes", "connections", "requests_served", "socket_activated", "mode",
    }
    assert expected_keys <= set(status), f"missing: {expected_keys - set(status)}"
    assert status["pid"] == daemon.pid
    assert status["socket_path"] == daemon.socket_path
    assert status["data_dir"] == daemon.data_dir
    assert status["database_path"].startswith(daemon.data_dir + "/")
    assert os.path.exists(status["database_path"])
    assert isinstance(status["database_size_bytes"], int) and status["database_size_bytes"] > 0
    assert isinstance(status["uptime_seconds"], (int, float)) and status["uptime_seconds"] >= 0
    assert status["connections"] >= 1
    # hello, ping and status itself on this connection, plus the readiness ping.
    assert status["requests_served"] >= 3
    assert status["socket_activated"] is False
    assert status["mode"] == "user"
    # HOME and XDG_CONFIG_HOME point at an empty temp dir: no file was read.
    assert status["config_path"] is None


def test_hello_without_params_is_accepted(daemon):
    with daemon.connect() as connection:
        assert connection.call("daemon.hello")["identity"]["pid"] == os.getpid()


def test_hello_with_another_major_protocol_version_is_refused(daemon):
    with daemon.connect() as connection:
        with pytest.raises(RPCFailure) as failure:
            connection.call("daemon.hello", {"protocol_version": "2.0"})
    assert failure.value.code == -32006
    assert failure.value.data["reason"] == "unsupported_protocol"


def test_hello_with_malformed_protocol_version_names_the_field(daemon):
    with daemon.connect() as connection:
        with pytest.raises(RPCFailure) as failure:
            connection.call("daemon.hello", {"protocol_version": "banana"})
    assert failure.value.code == -32602
    assert failure.value.data.get("field") == "protocol_version"


@pytest.mark.parametrize(
    "method, params, field",
    [
        ("daemon.hello", {"client_name": "e2e", "clinet_version": "1"}, "clinet_version"),
        ("daemon.ping", {"verbose": True}, "verbose"),
        ("daemon.status", {"x": 1}, "x"),
        ("events.subscribe", {"topics": ["daemon"], "since": 3}, "since"),
    ],
)
def test_unknown_named_param_is_refused_naming_the_field(daemon, method, params, field):
    with daemon.connect() as connection:
        response = connection.request(method, params)
    assert "result" not in response
    error = response["error"]
    assert error["code"] == -32602
    assert error["data"]["field"] == field
    assert field in error["message"]


def test_wrong_param_type_names_the_field(daemon):
    with daemon.connect() as connection:
        response = connection.request("daemon.hello", {"client_name": 42})
    assert response["error"]["code"] == -32602
    assert response["error"]["data"]["field"] == "client_name"


def test_positional_params_map_onto_declared_fields(daemon):
    with daemon.connect() as connection:
        hello = connection.call("daemon.hello", ["1.0", "e2e-positional"])
        assert hello["identity"]["pid"] == os.getpid()
        too_many = connection.request("daemon.ping", [1])
    assert too_many["error"]["code"] == -32602


def test_events_subscribe_rejects_unknown_topic_with_dotted_field(daemon):
    with daemon.connect() as connection:
        response = connection.request("events.subscribe", {"topics": ["daemon", "nope"]})
    assert response["error"]["code"] == -32602
    assert response["error"]["data"]["field"] == "topics.1"


def test_events_subscribe_returns_snapshot_and_seq(daemon):
    with daemon.connect() as connection:
        result = connection.call("events.subscribe", {"topics": ["daemon"]})
    assert result["topics"] == ["daemon"]
    assert "daemon" in result["snapshot"]
    assert result["snapshot"]["daemon"]["pid"] == daemon.pid
    assert isinstance(result["seq"], int) and result["seq"] >= 1  # daemon.started was published


def test_rpc_discover_lists_every_method(daemon):
    with daemon.connect() as connection:
        document = connection.call("rpc.discover")
    assert document["openrpc"].startswith("1.")
    names = {method["name"] for method in document["methods"]}
    assert {"daemon.hello", "daemon.ping", "daemon.status", "events.subscribe", "rpc.discover"} <= names
    hello = next(method for method in document["methods"] if method["name"] == "daemon.hello")
    assert [param["name"] for param in hello["params"]] == ["protocol_version", "client_name", "client_version"]


def test_test_methods_are_absent_without_the_flag(daemons):
    plain = daemons.start(test_methods=False)
    with plain.connect() as connection:
        for method in ("subtract", "test.sleep", "get_data"):
            response = connection.request(method, [1, 2])
            assert response["error"]["code"] == -32601, response
            assert response["error"]["data"]["method"] == method
        names = {method["name"] for method in connection.call("rpc.discover")["methods"]}
    assert "subtract" not in names and "test.sleep" not in names


def test_request_ids_are_echoed_exactly(daemon):
    with daemon.connect() as connection:
        for request_id in ["abc", 0, -7, 2**53, "", "ünïcødé"]:
            response = connection.request("daemon.ping", id=request_id)
            assert response == {"jsonrpc": "2.0", "id": request_id, "result": {"pong": True}}
        # "id": null is a request, not a notification: answered with id null.
        connection.send_json({"jsonrpc": "2.0", "id": None, "method": "daemon.ping"})
        assert connection.read_json() == {"jsonrpc": "2.0", "id": None, "result": {"pong": True}}


@pytest.mark.parametrize(
    "request_object, answer_id",
    [
        ({"jsonrpc": "1.0", "id": 5, "method": "daemon.ping"}, 5),
        ({"id": 6, "method": "daemon.ping"}, 6),
        ({"jsonrpc": "2.0", "id": 7, "method": "daemon.ping", "extra": 1}, 7),
        ({"jsonrpc": "2.0", "id": 8, "method": "daemon.ping", "params": "scalar"}, 8),
        ({"jsonrpc": "2.0", "id": {"nested": 1}, "method": "daemon.ping"}, None),
        ({"jsonrpc": "2.0", "id": [1], "method": "daemon.ping"}, None),
        ({"jsonrpc": "2.0", "id": 9}, 9),
    ],
)
def test_malformed_request_objects_get_invalid_request(daemon, request_object, answer_id):
    with daemon.connect() as connection:
        connection.send_json(request_object)
        response = connection.read_json()
        assert response["jsonrpc"] == "2.0"
        assert response["id"] == answer_id
        assert response["error"]["code"] == -32600
        assert "result" not in response
        # The connection survives a bad request.
        assert connection.call("daemon.ping") == {"pong": True}
