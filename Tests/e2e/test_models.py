"""Model inventory and fit checks against real GGUF files written by the PyPI `gguf` package
(the reference writer): `models.list`, `models.show`, `models.check_fit` and their CLI."""

from __future__ import annotations

import json
import os
import shutil

import gguf
import pytest

from model_helpers import small_machine, write_config
from elohim_client import RPCFailure, short_tempdir, remove_tree
from gguf_models import make_llama_gguf, parameter_count, write_fuzz_seeds

SHAPE = dict(n_embd=64, n_layer=2, n_head=4, n_head_kv=2, n_ff=128, ctx=2048)


@pytest.fixture(scope="session")
def model_dir():
    """One directory of generated models for the whole session."""
    path = short_tempdir("ehm")
    make_llama_gguf(os.path.join(path, "tiny-f16.gguf"), ftype="f16", **SHAPE)
    make_llama_gguf(os.path.join(path, "tiny-q8.gguf"), ftype="q8_0", n_embd=64, n_layer=3, n_head=4, n_head_kv=1, n_ff=128, ctx=1024)
    yield path
    remove_tree(path)






@pytest.fixture
def models_daemon(daemons, workdir, model_dir):
    config = write_config(workdir, {"model_dirs": [model_dir]})
    return daemons.start(["--config", config])


def cli_json(run_cli, daemon, *args, input=None):
    result = run_cli("--socket", daemon.socket_path, "--json", *args, input=input)
    return result, (json.loads(result.stdout) if result.stdout.strip() else None)


def test_list_describes_every_file_from_its_metadata(models_daemon, run_cli, model_dir):
    result, listing = cli_json(run_cli, models_daemon, "models", "list")
    assert result.returncode == 0, result.stderr
    assert listing["directories"] == [model_dir]
    by_name = {m["name"]: m for m in listing["models"]}
    assert set(by_name) == {"tiny-f16", "tiny-q8"}
    f16 = by_name["tiny-f16"]
    assert f16["architecture"] == "llama"
    assert f16["file_type"] == "F16"
    assert f16["context_length"] == 2048
    assert f16["layers"] == 2 and f16["heads"] == 4 and f16["kv_heads"] == 2 and f16["embedding_size"] == 64
    assert f16["parameter_count"] == parameter_count(**SHAPE)
    assert f16["file_size_bytes"] == os.path.getsize(os.path.join(model_dir, "tiny-f16.gguf"))
    q8 = by_name["tiny-q8"]
    assert (q8["file_type"], q8["layers"], q8["kv_heads"], q8["context_length"]) == ("Q8_0", 3, 1, 1024)


def test_show_matches_the_reference_reader(models_daemon, run_cli, model_dir):
    path = os.path.join(model_dir, "tiny-q8.gguf")
    result, detail = cli_json(run_cli, models_daemon, "models", "show", "tiny-q8")
    assert result.returncode == 0, result.stderr
    reference = gguf.GGUFReader(path)
    assert detail["tensor_count"] == len(reference.tensors)
    assert detail["weights_bytes"] == sum(int(t.n_bytes) for t in reference.tensors)
    assert detail["model"]["parameter_count"] == sum(int(t.n_elements) for t in reference.tensors)
    assert detail["gguf_version"] == 3
    assert detail["vocabulary_size"] == len(reference.fields["tokenizer.ggml.tokens"].data)
    estimate = detail["estimate"]
    # KV cache: context × Σ layers n_head_kv × (key_length + value_length) × 2 bytes (f16).
    assert estimate["context"] == 1024
    assert estimate["kv_cache_bytes"] == 1024 * 3 * 1 * (16 + 16) * 2
    assert estimate["weights_bytes"] == detail["weights_bytes"]
    assert estimate["total_bytes"] == sum(estimate[k] for k in ("weights_bytes", "kv_cache_bytes", "compute_bytes", "runtime_bytes"))
    human = run_cli("--socket", models_daemon.socket_path, "models", "show", path)
    assert human.returncode == 0, human.stderr
    assert "Architecture:   llama" in human.stdout and "KV cache" in human.stdout


def test_check_fit_on_a_roomy_machine_fits(models_daemon, run_cli):
    result, fit = cli_json(run_cli, models_daemon, "models", "check-fit", "tiny-f16", "--context", "2048")
    assert result.returncode == 0, result.stderr
    assert fit["fits"] is True and fit["recommendation"] == "OK" and fit["warning"] is None
    for key in ("model_size_gb", "estimated_gb", "available_gb", "total_gb"):
        assert isinstance(fit[key], (int, float))
    assert fit["breakdown"]["context"] == 2048
    assert fit["available_gb"] <= fit["total_gb"]


def test_check_fit_on_a_small_machine_warns_asks_and_honours_force(daemons, workdir, model_dir, run_cli):
    config = write_config(workdir, {"model_dirs": [model_dir], "memory_root": small_machine(workdir, available_kb=50000)})
    daemon = daemons.start(["--config", config])
    with daemon.connect() as connection:
        fit = connection.call("models.check_fit", {"model": "tiny-f16", "context": 2048})
    assert fit["fits"] is False
    assert fit["available_gb"] == pytest.approx(50000 / 1024 / 1024, abs=0.001)
    assert fit["warning"].startswith("This model (0.0GB) may exceed available RAM (0.0GB). Loading may cause system slowdown.")
    assert fit["recommendation"].startswith("May cause system slowdown")

    refused = run_cli("--socket", daemon.socket_path, "models", "check-fit", "tiny-f16", input="n\n")
    assert refused.returncode == 1
    assert "may exceed available RAM" in refused.stderr and "Load anyway? [y/N]" in refused.stderr
    accepted = run_cli("--socket", daemon.socket_path, "models", "check-fit", "tiny-f16", input="y\n")
    assert accepted.returncode == 0, accepted.stderr
    forced = run_cli("--socket", daemon.socket_path, "models", "check-fit", "tiny-f16", "--force")
    assert forced.returncode == 0 and "Load anyway" not in forced.stderr


def test_hostile_and_missing_models_are_clean_errors(daemons, workdir, model_dir, run_cli):
    hostile_dir = os.path.join(workdir, "hostile")
    os.makedirs(hostile_dir)
    shutil.copy(os.path.join(model_dir, "tiny-f16.gguf"), os.path.join(hostile_dir, "good.gguf"))
    with open(os.path.join(model_dir, "tiny-f16.gguf"), "rb") as handle:
        data = handle.read()
    with open(os.path.join(hostile_dir, "truncated.gguf"), "wb") as handle:
        handle.write(data[: len(data) // 2])
    with open(os.path.join(hostile_dir, "huge-count.gguf"), "wb") as handle:
        handle.write(b"GGUF" + (3).to_bytes(4, "little") + (2**63).to_bytes(8, "little") + (1).to_bytes(8, "little"))
    with open(os.path.join(hostile_dir, "magic.gguf"), "wb") as handle:
        handle.write(b"GGML" + data[4:200])
    config = write_config(workdir, {"model_dirs": [hostile_dir]})
    daemon = daemons.start(["--config", config])
    with daemon.connect() as connection:
        listing = {m["name"]: m for m in connection.call("models.list")["models"]}
        assert listing["good"]["error"] is None
        assert "incomplete" in listing["truncated"]["error"]
        assert "over the limit" in listing["huge-count"]["error"]
        assert "does not start with GGUF" in listing["magic"]["error"]
        with pytest.raises(RPCFailure) as failure:
            connection.call("models.show", {"model": "truncated"})
        assert failure.value.code == -32014
        assert failure.value.data["reason"] == "invalid_model"
        assert "truncated.gguf" in failure.value.error["message"]
        with pytest.raises(RPCFailure) as missing:
            connection.call("models.check_fit", {"model": "nope"})
        assert missing.value.data["reason"] == "not_found"
        assert "good" in missing.value.error["message"]
        assert connection.call("daemon.ping") == {"pong": True}
    result = run_cli("--socket", daemon.socket_path, "models", "show", "magic")
    assert result.returncode == 1 and "not a usable GGUF model" in result.stderr


FUZZ = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Fuzz")


def test_the_gguf_fuzz_seeds_and_regressions_are_listed_or_refused_cleanly(daemons, workdir):
    """The `gguf` fuzz target's inputs (generated seeds, committed regressions) through the
    daemon's real model inventory: each is a model or a clean error, never a crash."""
    seeds = os.path.join(workdir, "seeds")
    write_fuzz_seeds(seeds)
    regressions = os.path.join(FUZZ, "regressions", "gguf")
    names = {"all-types", "empty", "tiny-llama-header"}
    for name in sorted(os.listdir(regressions)) if os.path.isdir(regressions) else []:
        shutil.copy(os.path.join(regressions, name), os.path.join(seeds, f"regression-{name}.gguf"))
        names.add(f"regression-{name}")
    daemon = daemons.start(["--config", write_config(workdir, {"model_dirs": [seeds]})])
    with daemon.connect() as connection:
        listing = {m["name"]: m for m in connection.call("models.list")["models"]}
        assert set(listing) == names
        assert listing["all-types"]["error"] is None
        assert listing["all-types"]["context_length"] == 128 and listing["all-types"]["layers"] == 1
        assert "incomplete" in listing["tiny-llama-header"]["error"]
        for name in sorted(names):
            try:
                connection.call("models.show", {"model": name})
            except RPCFailure as failure:
                assert failure.data["reason"] == "invalid_model", (name, failure.error)
        assert connection.call("daemon.ping") == {"pong": True}


# Ollama cannot run here: this is a replay double. It answers /api/tags with a response shaped
# exactly like the example in Ollama's API documentation (docs/api.md, "List Local Models").
OLLAMA_TAGS = {
    "models": [
        {
            "name": "deepseek-r1:latest",
            "model": "deepseek-r1:latest",
            "modified_at": "2025-05-10T08:06:48.639712648-07:00",
            "size": 4683075271,
            "digest": "0a8c266910232fd3291e71e5ba1e058cc5af9d411192cf88b6d30e92b6e73163",
            "details": {
                "parent_model": "",
                "format": "gguf",
                "family": "qwen2",
                "families": ["qwen2"],
                "parameter_size": "7.6B",
                "quantization_level": "Q4_K_M",
            },
        }
    ]
}


def test_ollama_models_are_listed_when_it_answers_replay_double(daemons, workdir, model_dir):
    import http.server
    import threading

    class Replay(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path != "/api/tags":
                self.send_error(404)
                return
            body = json.dumps(OLLAMA_TAGS).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Replay)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        config = write_config(workdir, {"model_dirs": [model_dir], "ollama_url": url})
        daemon = daemons.start(["--config", config])
        with daemon.connect() as connection:
            listing = connection.call("models.list")
        assert listing["ollama"] == {"url": url, "reachable": True, "error": None}
        ollama = [m for m in listing["models"] if m["source"] == "ollama"]
        assert len(ollama) == 1
        model = ollama[0]
        assert (model["name"], model["file_size_bytes"], model["architecture"]) == ("deepseek-r1:latest", 4683075271, "qwen2")
        assert (model["parameter_count"], model["file_type"]) == (7_600_000_000, "Q4_K_M")
        assert {m["name"] for m in listing["models"] if m["source"] == "gguf"} == {"tiny-f16", "tiny-q8"}
    finally:
        server.shutdown()
        server.server_close()
    # Gone: the GGUF files are still listed, and the listing says Ollama did not answer.
    with daemon.connect() as connection:
        listing = connection.call("models.list")
    assert listing["ollama"]["reachable"] is False and listing["ollama"]["error"]
    assert [m["source"] for m in listing["models"]] == ["gguf", "gguf"]
