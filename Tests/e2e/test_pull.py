"""models.pull against a loopback HTTP server (Python's http.server) serving a real GGUF file
written by the PyPI `gguf` package: progress events, resume with Range after an interrupted
transfer (within one pull and across pulls), SHA-256 verification, atomic placement."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import threading

import pytest

from elohim_client import RPCFailure


class ModelServer:
    """Serves files from a directory with Range support; `cut` makes the next N responses stop
    after half of their body (the connection is closed, as a dropped transfer would be)."""

    def __init__(self, directory):
        self.directory = directory
        self.cut = 0
        self.ranges = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                path = os.path.join(owner.directory, os.path.basename(self.path))
                if not os.path.isfile(path):
                    self.send_error(404)
                    return
                with open(path, "rb") as handle:
                    data = handle.read()
                start = 0
                header = self.headers.get("Range")
                owner.ranges.append(header)
                if header:
                    start = int(header.split("=")[1].split("-")[0])
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                body = data[start:]
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if owner.cut > 0:
                    owner.cut -= 1
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name):
        return f"http://127.0.0.1:{self.server.server_address[1]}/{name}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def served(workdir, gguf_model_dir):
    directory = os.path.join(workdir, "served")
    os.makedirs(directory)
    with open(os.path.join(gguf_model_dir, "tiny.gguf"), "rb") as handle:
        data = handle.read()
    # A bigger file than the tiny model so the transfer spans many reads.
    from gguf_models import make_llama_gguf

    make_llama_gguf(os.path.join(directory, "medium.gguf"), n_embd=256, n_layer=2, n_head=4, n_head_kv=2, n_ff=512, ftype="f16")
    with open(os.path.join(directory, "notamodel.gguf"), "wb") as handle:
        handle.write(b"<html>not found</html>" * 100)
    server = ModelServer(directory)
    yield server, directory
    server.close()


@pytest.fixture
def pull_daemon(daemons, workdir):
    models = os.path.join(workdir, "models")
    os.makedirs(models, mode=0o700)
    config = os.path.join(workdir, "pull.json")
    with open(config, "w") as handle:
        json.dump({"model_dirs": [models]}, handle)
    daemon = daemons.start(["--config", config])
    daemon.models = models
    return daemon


def sha256(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def test_an_interrupted_transfer_resumes_with_range_and_is_verified(pull_daemon, served):
    server, directory = served
    source = os.path.join(directory, "medium.gguf")
    digest = sha256(source)
    server.cut = 1
    with pull_daemon.connect(timeout=120) as events, pull_daemon.connect(timeout=120) as connection:
        events.call("events.subscribe", {"topics": ["models"]})
        result = connection.call("models.pull", {"url": server.url("medium.gguf"), "sha256": digest})
        assert result["resumed"] is True and result["attempts"] == 2
        assert result["sha256"] == digest and result["bytes"] == os.path.getsize(source)
        assert result["path"] == os.path.join(pull_daemon.models, "medium.gguf")
        assert sha256(result["path"]) == digest
        assert oct(os.stat(result["path"]).st_mode & 0o777) == "0o600"
        assert server.ranges[0] is None and server.ranges[1].startswith("bytes=") and server.ranges[1] != "bytes=0-"
        assert [name for name in os.listdir(pull_daemon.models)] == ["medium.gguf"]  # no .part left
        types = []
        while "models.pulled" not in types:
            event = events.next_notification(timeout=30)["params"]
            types.append(event["type"])
            if event["type"] == "models.pull_progress":
                assert event["data"]["total"] == os.path.getsize(source)
                assert 0 < event["data"]["bytes"] <= event["data"]["total"]
        assert types[0] == "models.pull_started" and "models.pull_progress" in types
        listed = [m["name"] for m in connection.call("models.list")["models"]]
        assert listed == ["medium"]
        audit = connection.call("admin.audit_log", {"event_type": "model.pulled"})["events"]
        assert audit[0]["details"]["sha256"] == digest


def test_a_pull_that_keeps_failing_resumes_on_the_next_call(pull_daemon, served, run_cli):
    server, directory = served
    server.cut = 4  # every attempt of the first pull is cut
    with pull_daemon.connect(timeout=120) as connection:
        with pytest.raises(RPCFailure) as failure:
            connection.call("models.pull", {"url": server.url("medium.gguf")})
        assert "run the same pull again to resume" in failure.value.error["message"]
        partial = os.path.join(pull_daemon.models, ".medium.gguf.part")
        kept = os.path.getsize(partial)
        assert kept > 0
        assert not os.path.exists(os.path.join(pull_daemon.models, "medium.gguf"))
    result = run_cli("--socket", pull_daemon.socket_path, "models", "pull", server.url("medium.gguf"), timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Downloaded medium" in result.stdout and "resumed" in result.stdout
    assert server.ranges[-1] == f"bytes={kept}-"
    assert sha256(os.path.join(pull_daemon.models, "medium.gguf")) == sha256(os.path.join(directory, "medium.gguf"))


def test_a_wrong_checksum_or_a_non_model_keeps_nothing(pull_daemon, served):
    server, _ = served
    with pull_daemon.connect(timeout=120) as connection:
        with pytest.raises(RPCFailure) as mismatch:
            connection.call("models.pull", {"url": server.url("medium.gguf"), "sha256": "0" * 64})
        assert mismatch.value.code == -32015 and mismatch.value.data["reason"] == "checksum_mismatch"
        assert mismatch.value.data["expected"] == "0" * 64
        with pytest.raises(RPCFailure) as invalid:
            connection.call("models.pull", {"url": server.url("notamodel.gguf")})
        assert invalid.value.data["reason"] == "invalid_model"
        with pytest.raises(RPCFailure) as missing:
            connection.call("models.pull", {"url": server.url("absent.gguf")})
        assert "HTTP 404" in missing.value.error["message"]
        with pytest.raises(RPCFailure) as bad:
            connection.call("models.pull", {"url": server.url("medium.gguf"), "sha256": "xyz"})
        assert "64 hexadecimal" in bad.value.error["message"]
        assert os.listdir(pull_daemon.models) == []
