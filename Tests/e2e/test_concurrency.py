"""Many clients at once, each on its own connection."""

import json
import os
import signal
import socket
import struct
import threading

from elohim_client import RPCConnection, encode, frame, wait_for

CLIENTS = 200
PINGS = 5


def test_200_concurrent_connections_all_answered(daemon):
    # Every client connects and pings once, then all wait until the 200 are open at the same
    # time, the main thread checks the daemon counts them, and they ping some more.
    barrier = threading.Barrier(CLIENTS + 1, timeout=120)
    release = threading.Event()
    results = [None] * CLIENTS
    errors = []

    def client(index):
        connection = None
        try:
            connection = RPCConnection(daemon.socket_path, timeout=60)
            answers = [connection.call("daemon.ping")]
            barrier.wait()
            if not release.wait(timeout=120):
                raise TimeoutError("main thread never released the clients")
            for round in range(PINGS - 1):
                response = connection.request("daemon.ping", id=f"{index}-{round}")
                assert response["id"] == f"{index}-{round}", response
                answers.append(response["result"])
            results[index] = answers
        except BaseException as error:  # noqa: BLE001 - reported below
            if not isinstance(error, threading.BrokenBarrierError):
                errors.append((index, repr(error)))
            try:
                barrier.abort()
            except threading.BrokenBarrierError:
                pass
        finally:
            if connection:
                connection.close()

    threads = [threading.Thread(target=client, args=(index,), daemon=True) for index in range(CLIENTS)]
    for thread in threads:
        thread.start()
    status = None
    try:
        barrier.wait()
        with daemon.connect() as observer:
            status = observer.call("daemon.status")
    except threading.BrokenBarrierError:
        pass  # a client failed: reported below
    finally:
        release.set()
        for thread in threads:
            thread.join(timeout=120)
    assert not errors, f"{len(errors)} of {CLIENTS} clients failed, e.g. {errors[:5]}"
    assert status["connections"] >= CLIENTS + 1, status
    assert all(answers == [{"pong": True}] * PINGS for answers in results)
    assert daemon.running()


def test_concurrent_slow_requests_do_not_block_other_connections(daemon):
    # Connection A holds a long request; B is answered meanwhile (ordering, not timing: B's
    # answer must arrive while A's is still outstanding, observed via A not having answered).
    with daemon.connect() as slow, daemon.connect() as fast:
        slow.send_json({"jsonrpc": "2.0", "id": "slow", "method": "test.sleep", "params": {"ms": 60000}})
        for _ in range(10):
            assert fast.call("daemon.ping") == {"pong": True}
        status = fast.call("daemon.status")
        assert status["connections"] >= 2
        # The slow request is still pending: nothing has arrived on its connection.
        slow.sock.setblocking(False)
        try:
            early = slow.sock.recv(1)
        except BlockingIOError:
            early = None
        finally:
            slow.sock.setblocking(True)
        assert early is None, "the 60 s request was answered while other requests were being served"


def test_listen_backlog_holds_a_burst_of_200_connects(daemon):
    # With the daemon stopped nothing is accepted: each connect() lands in the kernel's listen
    # queue, or fails with EAGAIN once it is full. Clients that connect without blocking (any
    # client with a connect timeout) need room for a burst of 200.
    queued = []
    daemon.signal(signal.SIGSTOP)
    try:
        wait_for(lambda: all_threads_stopped(daemon.pid), 30, "every elohimd thread to stop")
        for _ in range(CLIENTS):
            client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            client.setblocking(False)
            try:
                client.connect(daemon.socket_path)
            except BlockingIOError:
                client.close()
                break
            queued.append(client)
    finally:
        daemon.signal(signal.SIGCONT)
    try:
        assert len(queued) == CLIENTS, f"the listen queue took only {len(queued)} connections"
        # Every queued connection is served once the daemon runs again.
        for client in queued:
            client.settimeout(60)
            client.sendall(frame(encode({"jsonrpc": "2.0", "id": 1, "method": "daemon.ping"})))
        for client in queued:
            assert read_one(client)["result"] == {"pong": True}
    finally:
        for client in queued:
            client.close()


def read_one(client):
    def exactly(count):
        data = b""
        while len(data) < count:
            chunk = client.recv(count - len(data))
            assert chunk, "EOF before a whole frame"
            data += chunk
        return data

    (length,) = struct.unpack(">I", exactly(4))
    return json.loads(exactly(length))


def all_threads_stopped(pid: int) -> bool:
    states = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/stat") as stat:
            states.append(stat.read().rsplit(")", 1)[1].split()[0])
    return bool(states) and all(state in ("T", "t") for state in states)


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_a_client_that_never_reads_its_answers_is_not_buffered_without_bound(daemon):
    # The client pipelines pings and never reads. Unbounded buffering would let it push all
    # 200 MB of requests and make the daemon hold the answers; instead the daemon stops
    # reading, the client's send blocks, and other clients are still answered.
    request = frame(encode({"jsonrpc": "2.0", "method": "daemon.ping", "id": 1}))
    chunk = request * 4096
    total = 200 * 1024 * 1024
    before = _rss_kib(daemon.pid)
    hog = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    hog.connect(daemon.socket_path)
    hog.settimeout(3.0)
    sent = 0
    try:
        while sent < total:
            sent += hog.send(chunk)
    except (socket.timeout, BlockingIOError):
        pass
    assert sent < total, "the daemon read 200 MB from a client that never reads its answers"
    with daemon.connect() as other:
        assert other.call("daemon.ping") == {"pong": True}
    growth_mib = (_rss_kib(daemon.pid) - before) / 1024
    assert growth_mib < 64, f"daemon RSS grew by {growth_mib:.1f} MiB while a client did not read"
    hog.close()
    with daemon.connect() as other:
        assert other.call("daemon.ping") == {"pong": True}
