"""The daemon as a whole under slow and crowded clients, a full disk and a read-only data dir."""

import os
import resource
import socket
import subprocess
import threading
import time

import pytest

from elohim_client import RPCConnection, encode, frame, wait_for

STORAGE_FULL = -32008


def _mount_tmpfs(path: str, options: str):
    os.makedirs(path, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", path], check=True)


def _umount(path: str):
    subprocess.run(["umount", "-l", path], check=False)


def test_a_one_byte_at_a_time_client_does_not_hold_up_others(daemon):
    # The slow client trickles one request a byte at a time; meanwhile another connection gets
    # every answer at once, and the slow one still gets its own answer at the end.
    request = frame(encode({"jsonrpc": "2.0", "method": "daemon.ping", "id": "slow"}))
    slow = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    slow.connect(daemon.socket_path)
    slow.settimeout(30)
    answered = []

    def trickle():
        for byte in request:
            slow.send(bytes([byte]))
            time.sleep(0.05)

    sender = threading.Thread(target=trickle)
    sender.start()
    with daemon.connect() as other:
        while sender.is_alive():
            answered.append(other.call("daemon.ping"))
    sender.join()
    with RPCConnection.from_socket(slow, daemon.socket_path) as connection:
        assert connection.read_json(timeout=30) == {"jsonrpc": "2.0", "result": {"pong": True}, "id": "slow"}
    assert len(answered) > 10 and all(answer == {"pong": True} for answer in answered)


def test_a_thousand_open_connections_and_a_normal_client_is_still_served(daemon):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    connections = []
    try:
        for index in range(1000):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(30)
            sock.connect(daemon.socket_path)
            connections.append(sock)
            if index % 100 == 0:
                # Half of them send half a frame and stall: the daemon must not wait on them.
                sock.send(frame(encode({"jsonrpc": "2.0", "method": "daemon.ping", "id": index}))[:7])
        with daemon.connect() as normal:
            wait_for(lambda: normal.call("daemon.status")["connections"] >= 1001, 60, "1001 connections counted")
            for _ in range(20):
                assert normal.call("daemon.ping") == {"pong": True}
        # Every idle connection is still served.
        for index in (1, 501, 999):
            sock = connections[index]
            sock.send(frame(encode({"jsonrpc": "2.0", "method": "daemon.ping", "id": index})))
            with RPCConnection.from_socket(sock.dup(), daemon.socket_path) as connection:
                assert connection.read_json(timeout=30)["result"] == {"pong": True}
    finally:
        for sock in connections:
            sock.close()
    with daemon.connect() as normal:
        wait_for(lambda: normal.call("daemon.status")["connections"] <= 2, 60, "closed connections reaped")


def test_clients_that_hang_up_mid_request_do_not_disturb_a_normal_client(daemon):
    """Two hundred clients hang up mid-request — half a frame then close, or a whole request (a
    query, a discover) then close before the answer — while a normal client keeps writing
    documents: every one of its requests is answered, its writes are all there, and the
    daemon lets go of every abandoned connection."""
    stop = threading.Event()
    answered, errors = [], []

    def normal():
        with daemon.connect() as connection:
            while not stop.is_set():
                try:
                    answered.append(connection.call("docs.create", {"title": f"n{len(answered)}", "content": "x"})["id"])
                    assert connection.call("daemon.ping") == {"pong": True}
                except Exception as error:  # noqa: BLE001 - reported below
                    errors.append(error)
                    return

    worker = threading.Thread(target=normal, daemon=True)
    worker.start()
    wait_for(lambda: len(answered) >= 5, 30, "the normal client's first answers")
    before = len(answered)
    whole = [
        {"jsonrpc": "2.0", "id": 1, "method": "engine.run",
         "params": {"sql": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 50000) SELECT count(*) FROM c"}},
        {"jsonrpc": "2.0", "id": 2, "method": "rpc.discover"},
    ]
    for index in range(200):
        connection = RPCConnection(daemon.socket_path)
        request = frame(encode(whole[index % 4 // 2]))
        connection.send_raw(request[: len(request) // 2] if index % 2 else request)
        connection.close()
    wait_for(lambda: len(answered) >= before + 20, 60, "the normal client answered after the hang-ups")
    stop.set()
    worker.join(timeout=60)
    assert not errors, errors
    with daemon.connect() as connection:
        # Every acknowledged document is stored; only this connection is left.
        listed = set()
        cursor = None
        while True:
            page = connection.call("docs.list", {"limit": 200, **({"before": cursor} if cursor else {})})
            listed |= {document["id"] for document in page["documents"]}
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert set(answered) <= listed
        wait_for(lambda: connection.call("daemon.status")["connections"] == 1, 60, "abandoned connections let go")


def test_a_full_disk_gives_storage_full_and_the_daemon_recovers_once_space_is_freed(daemons, workdir):
    data_dir = os.path.join(workdir, "small-disk")
    _mount_tmpfs(data_dir, "size=4m,mode=0700")
    try:
        daemon = daemons.start(data_dir=data_dir)
        csv = os.path.join(workdir, "rows.csv")
        with open(csv, "w") as out:
            out.write("id,text\n")
            for row in range(20_000):
                out.write(f"{row},{'x' * 40}\n")
        # Fill the disk with a file of our own, leaving next to nothing.
        filler = os.path.join(data_dir, "filler")
        with open(filler, "wb", buffering=0) as out:  # unbuffered: nothing left to flush at close
            try:
                while True:
                    out.write(b"\0" * 65536)
                    out.flush()
            except OSError:
                pass
        with daemon.connect() as connection:
            response = connection.request("data.import", {"path": csv, "name": "rows"})
            error = response.get("error")
            assert error and error["code"] == STORAGE_FULL, response
            assert error["data"]["reason"] == "storage_full", error
            assert "free some space" in error["message"], error
            # The daemon keeps serving, and once space is freed nothing was half-imported.
            assert connection.call("daemon.ping") == {"pong": True}
            assert connection.call("daemon.status")["pid"] == daemon.pid
            os.unlink(filler)
            assert all(d["name"] != "rows" for d in connection.call("data.list")["datasets"])
            imported = connection.call("data.import", {"path": csv, "name": "rows"})
            assert imported["rows"] == 20_000, imported
        assert daemon.running()
    finally:
        for process in daemons.processes:
            if process.running():
                process.stop()
        _umount(data_dir)


def test_a_read_only_data_dir_stops_the_daemon_with_a_message_naming_it(daemons, workdir):
    data_dir = os.path.join(workdir, "ro-data")
    _mount_tmpfs(data_dir, "ro,mode=0700")
    try:
        process = daemons.spawn(data_dir=data_dir)
        status = process.wait(timeout=60)
        assert status != 0
        log = process.log()
        assert data_dir in log, log
        assert "not writable" in log or "read-only" in log, log
    finally:
        _umount(data_dir)


def test_a_subscriber_that_stops_reading_loses_events_not_the_daemon(daemon):
    """Events for a client that has stopped reading are dropped once its socket is full: never
    buffered without bound, never holding up the publisher. Everyone else is served meanwhile,
    and when the client reads again its events are in order with the loss showing as a gap in
    `seq`."""
    with daemon.connect() as subscriber, daemon.connect() as worker:
        assert subscriber.call("events.subscribe", {"topics": ["audit"]})["topics"] == ["audit"]
        calls = 3000
        for _ in range(calls):
            worker.call("test.audit")
        assert worker.call("daemon.ping") == {"pong": True}
        with daemon.connect() as other:
            assert other.call("daemon.ping") == {"pong": True}
        seqs = []
        while True:
            try:
                event = subscriber.next_notification(timeout=3)
            except (TimeoutError, socket.timeout):
                break
            assert event["params"]["topic"] == "audit"
            seqs.append(event["params"]["seq"])
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
        assert 0 < len(seqs) < calls, f"expected some but not all of {calls} events, got {len(seqs)}"
        assert any(later - earlier > 1 for earlier, later in zip(seqs, seqs[1:])), "no gap in seq"
        # The connection itself is still good.
        assert subscriber.call("daemon.ping") == {"pong": True}
