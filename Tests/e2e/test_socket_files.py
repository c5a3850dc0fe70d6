"""Who owns the socket path, and what the files on disk look like."""

import os
import socket
import stat

from elohim_client import RPCConnection, try_ping


def mode_of(path: str) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_stale_socket_file_is_replaced_and_served(daemons, workdir):
    path = os.path.join(workdir, "stale.sock")
    # What a crashed daemon leaves behind: a socket file nobody listens on.
    leftover = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    leftover.bind(path)
    leftover.close()
    assert stat.S_ISSOCK(os.lstat(path).st_mode)
    # ...and its lock file, naming a pid that is long gone (nobody holds the flock).
    with open(path + ".lock", "w") as lock:
        lock.write("999999\n")

    daemon = daemons.start(socket_path=path)
    assert try_ping(path)
    with daemon.connect() as connection:
        assert connection.call("daemon.status")["pid"] == daemon.pid


def test_second_daemon_on_a_live_socket_fails_and_the_first_keeps_serving(daemons):
    first = daemons.start()
    inode_before = os.lstat(first.socket_path).st_ino
    second = daemons.spawn(socket_path=first.socket_path)
    code = second.wait()
    assert code != 0
    message = second.log()
    assert first.socket_path in message, message
    assert "already" in message.lower(), message
    assert "Traceback" not in message and "Fatal error" not in message, message
    # Never a takeover: same socket file, same daemon, new connections still answered.
    assert os.lstat(first.socket_path).st_ino == inode_before
    assert os.path.exists(first.socket_path + ".lock")
    assert first.running()
    with first.connect() as connection:
        assert connection.call("daemon.status")["pid"] == first.pid
    # A third attempt gets the same answer (the lock is still held).
    third = daemons.spawn(socket_path=first.socket_path)
    assert third.wait() != 0
    assert try_ping(first.socket_path)


def test_foreign_listener_on_the_path_is_not_taken_over(daemons, workdir):
    path = os.path.join(workdir, "foreign.sock")
    foreign = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        foreign.bind(path)
        foreign.listen(8)
        daemon = daemons.spawn(socket_path=path)
        assert daemon.wait() != 0
        assert path in daemon.log()
        # The other program's socket is untouched and still reachable.
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        probe.connect(path)
        probe.close()
    finally:
        foreign.close()


def test_regular_file_at_the_socket_path_is_refused_and_kept(daemons, workdir):
    path = os.path.join(workdir, "notasocket")
    with open(path, "w") as file:
        file.write("precious\n")
    daemon = daemons.spawn(socket_path=path)
    assert daemon.wait() != 0
    assert "not a socket" in daemon.log(), daemon.log()
    with open(path) as file:
        assert file.read() == "precious\n"


def test_symlinked_socket_directory_is_refused(daemons, workdir):
    real = os.path.join(workdir, "real")
    os.mkdir(real, 0o700)
    link = os.path.join(workdir, "link")
    os.symlink(real, link)
    daemon = daemons.spawn(socket_path=os.path.join(link, "s.sock"))
    assert daemon.wait() != 0
    assert link in daemon.log(), daemon.log()
    assert not os.path.exists(os.path.join(real, "s.sock"))


def test_socket_path_longer_than_sun_path_is_a_clear_error(daemons, workdir):
    path = os.path.join(workdir, "x" * 120 + ".sock")
    daemon = daemons.spawn(socket_path=path)
    code = daemon.wait()
    assert code != 0
    assert "107" in daemon.log() or "long" in daemon.log(), daemon.log()


def test_socket_and_data_files_are_private_even_with_a_permissive_umask(daemons, workdir):
    runtime = os.path.join(workdir, "run")
    data_dir = os.path.join(workdir, "state", "data")
    socket_path = os.path.join(runtime, "elohimd.sock")
    daemon = daemons.start(socket_path=socket_path, data_dir=data_dir, umask=0o000)

    assert mode_of(runtime) == 0o700, oct(mode_of(runtime))
    assert stat.S_ISSOCK(os.lstat(socket_path).st_mode)
    assert mode_of(socket_path) == 0o600, oct(mode_of(socket_path))
    assert mode_of(socket_path + ".lock") == 0o600
    assert mode_of(data_dir) == 0o700, oct(mode_of(data_dir))
    with daemon.connect() as connection:
        database = connection.call("daemon.status")["database_path"]
    files = [name for name in os.listdir(data_dir)]
    assert os.path.basename(database) in files
    for name in files:
        path = os.path.join(data_dir, name)
        if stat.S_ISREG(os.lstat(path).st_mode):
            assert mode_of(path) == 0o600, f"{name} is {oct(mode_of(path))}"
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(database + suffix):
            assert mode_of(database + suffix) == 0o600


def test_loose_database_file_from_an_older_build_is_tightened(daemons, workdir):
    data_dir = os.path.join(workdir, "olddata")
    os.mkdir(data_dir, 0o700)
    database = os.path.join(data_dir, "elohim.db")
    with open(database, "wb"):
        pass
    os.chmod(database, 0o644)
    daemon = daemons.start(data_dir=data_dir)
    with daemon.connect() as connection:
        assert connection.call("daemon.status")["database_path"] == database
    assert mode_of(database) == 0o600


def test_peer_cannot_spoof_identity_through_params(daemon):
    with RPCConnection(daemon.socket_path) as connection:
        response = connection.request("daemon.hello", {"uid": 0, "pid": 1})
    assert response["error"]["code"] == -32602
