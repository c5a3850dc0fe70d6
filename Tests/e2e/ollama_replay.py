"""A replay double of Ollama's HTTP API — Ollama itself cannot run in these tests.

Every response is shaped exactly as Ollama documents it in ollama/ollama `docs/api.md`
(https://github.com/ollama/ollama/blob/main/docs/api.md) and https://docs.ollama.com/api:
`GET /api/tags` ("List Local Models"), `POST /api/show` ("Show Model Information", with
`details` and the GGUF keys of `model_info`), `GET /api/ps` ("List Running Models": size,
size_vram, expires_at, context_length), `POST /api/chat` (streamed NDJSON: one object per
`message.content` piece, then a final object with `done: true`, `done_reason`,
`prompt_eval_count`, `eval_count`; with empty `messages` it loads the model, or unloads it with
`keep_alive: 0`, answering `done_reason` "load" / "unload"), `POST /api/pull` (streamed status
lines: "pulling manifest", "downloading <digest>" with total/completed, "verifying sha256
digest", "writing manifest", "success"), and errors as `{"error": "..."}` with 404 for a model
it does not have. Streams use chunked transfer encoding (as Ollama's server does) and split
every line across two chunks, so the client's line splitting is exercised.

The double records every request (method, path, JSON body) so tests can assert what the daemon
sent: `keep_alive` values, `options.num_ctx`, `options.num_predict`.
"""

from __future__ import annotations

import copy
import http.server
import json
import threading
from datetime import datetime, timedelta, timezone

# From docs/api.md, "Show Model Information" (the llama3.2 example's model_info).
LLAMA_MODEL_INFO = {
    "general.architecture": "llama",
    "general.file_type": 2,
    "general.parameter_count": 8030261248,
    "general.quantization_version": 2,
    "llama.attention.head_count": 32,
    "llama.attention.head_count_kv": 8,
    "llama.attention.layer_norm_rms_epsilon": 0.00001,
    "llama.block_count": 32,
    "llama.context_length": 8192,
    "llama.embedding_length": 4096,
    "llama.feed_forward_length": 14336,
    "llama.rope.dimension_count": 128,
    "llama.rope.freq_base": 500000,
    "llama.vocab_size": 128256,
    "tokenizer.ggml.bos_token_id": 128000,
    "tokenizer.ggml.eos_token_id": 128009,
    "tokenizer.ggml.merges": [],
    "tokenizer.ggml.model": "gpt2",
    "tokenizer.ggml.pre": "llama-bpe",
    "tokenizer.ggml.token_type": [],
    "tokenizer.ggml.tokens": [],
}

# From docs/api.md, "List Local Models".
LLAMA_TAG = {
    "name": "llama3:latest",
    "model": "llama3:latest",
    "modified_at": "2023-12-07T09:32:18.757212583-08:00",
    "size": 3825819519,
    "digest": "fe938a131f40e6f6d40083c9f0f430a515233eb2edaa6d72eb85c50d64f2300e",
    "details": {"format": "gguf", "family": "llama", "families": None, "parameter_size": "8.0B", "quantization_level": "Q4_0"},
}

# What the chat stream says (pieces) and counts, per docs/api.md "Chat Request (Streaming)".
REPLY_PIECES = ["The", " sky", " is", " blue", " because", " of", " Rayleigh", " scattering", "."]
PROMPT_EVAL_COUNT = 26
# A model the pull "registry" can deliver: two layers, as in the docs' pull example.
PULLABLE = {
    "tinyllama": {
        "tag": {
            "name": "tinyllama:latest",
            "model": "tinyllama:latest",
            "modified_at": "2024-01-03T10:00:00.000000000Z",
            "size": 637700138,
            "digest": "2644915ede352ea7bdfaff0bfac0be74c719d5d5202acb63a6fb095b52f394a4",
            "details": {"format": "gguf", "family": "llama", "families": ["llama"], "parameter_size": "1B",
                        "quantization_level": "Q4_0"},
        },
        "layers": [
            ("sha256:2af3b81862c6be03c769683af18efdadb2c33f60ff32ab6f83e42c043d6c7816", 637699456),
            ("sha256:af0ddbdaaa26f30d54d727f9dd944b76bdb926fdaf9a58f63f78c532f57c191f", 682),
        ],
    }
}
PINNED_EXPIRY = "2318-06-12T14:55:41.000000000Z"  # what /api/ps shows for keep_alive -1


def now_text(offset_seconds: float = 0) -> str:
    return (datetime.now(timezone.utc) + timedelta(seconds=offset_seconds)).isoformat().replace("+00:00", "Z")


class OllamaReplay:
    """`with OllamaReplay() as ollama:` serves on 127.0.0.1:<free port>; `ollama.url`."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests: list[dict] = []
        self.tags = [copy.deepcopy(LLAMA_TAG)]
        self.show = {LLAMA_TAG["name"]: {"details": dict(LLAMA_TAG["details"], parent_model="", families=["llama"]),
                                         "model_info": LLAMA_MODEL_INFO}}
        self.loaded: dict[str, dict] = {}
        replay = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def body(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                return json.loads(raw) if raw else None

            def do_GET(self):
                replay.record("GET", self.path, None)
                if self.path == "/api/tags":
                    return self.json(200, {"models": replay.tags})
                if self.path == "/api/ps":
                    return self.json(200, {"models": replay.running()})
                return self.json(404, {"error": "404 page not found"})

            def do_POST(self):
                body = self.body()
                replay.record("POST", self.path, body)
                if self.path == "/api/show":
                    name = replay.canonical(body.get("model", ""))
                    if name not in replay.show:
                        return self.json(404, {"error": f"model '{body.get('model')}' not found"})
                    shown = replay.show[name]
                    return self.json(200, {"modelfile": f"FROM {name}\n", "parameters": "num_keep 24", "template": "{{ .Prompt }}",
                                           "details": shown["details"], "model_info": shown["model_info"]})
                if self.path == "/api/chat":
                    return self.chat(body)
                if self.path == "/api/pull":
                    return self.pull(body)
                return self.json(404, {"error": "404 page not found"})

            def chat(self, body):
                name = replay.canonical(body.get("model", ""))
                if name not in replay.show:
                    return self.json(404, {"error": f"model \"{body.get('model')}\" not found, try pulling it first"})
                keep_alive = body.get("keep_alive", "5m")
                if not body.get("messages"):
                    if keep_alive == 0:
                        replay.loaded.pop(name, None)
                        return self.json(200, {"model": body["model"], "created_at": now_text(), "message": {"role": "assistant", "content": ""},
                                               "done_reason": "unload", "done": True})
                    replay.load(name, keep_alive, body.get("options", {}).get("num_ctx", 2048))
                    return self.json(200, {"model": body["model"], "created_at": now_text(), "message": {"role": "assistant", "content": ""},
                                           "done_reason": "load", "done": True})
                replay.load(name, keep_alive, body.get("options", {}).get("num_ctx", 2048))
                limit = body.get("options", {}).get("num_predict")
                pieces = REPLY_PIECES[:limit] if limit else REPLY_PIECES
                lines = [{"model": body["model"], "created_at": now_text(), "message": {"role": "assistant", "content": piece},
                          "done": False} for piece in pieces]
                lines.append({"model": body["model"], "created_at": now_text(), "message": {"role": "assistant", "content": ""},
                              "done_reason": "stop" if len(pieces) == len(REPLY_PIECES) else "length", "done": True,
                              "total_duration": 4883583458, "load_duration": 1334875,
                              "prompt_eval_count": PROMPT_EVAL_COUNT + 10 * (len(body["messages"]) - 1),
                              "prompt_eval_duration": 342546000, "eval_count": len(pieces), "eval_duration": 4535599000})
                self.stream(lines)

            def pull(self, body):
                wanted = body.get("model", "")
                base = wanted.split(":")[0]
                if base not in PULLABLE:
                    return self.stream([{"status": "pulling manifest"}, {"error": "pull model manifest: file does not exist"}])
                entry = PULLABLE[base]
                lines = [{"status": "pulling manifest"}]
                for digest, total in entry["layers"]:
                    lines.append({"status": f"pulling {digest[7:19]}", "digest": digest, "total": total})
                    for completed in (total // 4, total // 2, total):
                        lines.append({"status": f"pulling {digest[7:19]}", "digest": digest, "total": total, "completed": completed})
                lines += [{"status": "verifying sha256 digest"}, {"status": "writing manifest"}, {"status": "success"}]
                tag = copy.deepcopy(entry["tag"])
                replay.tags.append(tag)
                replay.show[tag["name"]] = {"details": dict(tag["details"], parent_model=""), "model_info": LLAMA_MODEL_INFO}
                self.stream(lines)

            def json(self, status, document):
                data = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def stream(self, lines):
                self.send_response(200)
                self.send_header("Content-Type", "application/x-ndjson")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for line in lines:
                    data = (json.dumps(line) + "\n").encode()
                    for piece in (data[: len(data) // 2], data[len(data) // 2:]):
                        self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                        self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def record(self, method, path, body):
        with self.lock:
            self.requests.append({"method": method, "path": path, "body": body})

    def canonical(self, name: str) -> str:
        return name if ":" in name else name + ":latest"

    def load(self, name, keep_alive, num_ctx):
        size = next((t["size"] for t in self.tags if t["name"] == name), 0)
        expires = PINNED_EXPIRY if keep_alive in (-1, "-1") else now_text(300)
        self.loaded[name] = {"size": size + 300 * 1024 * 1024, "expires_at": expires, "context_length": num_ctx}

    def running(self):
        models = []
        for name, state in self.loaded.items():
            tag = next(t for t in self.tags if t["name"] == name)
            models.append({"name": name, "model": name, "size": state["size"], "digest": tag["digest"],
                           "details": dict(tag["details"], parent_model="", families=["llama"]),
                           "expires_at": state["expires_at"], "size_vram": 0, "context_length": state["context_length"]})
        return models

    def chats(self, model=None):
        """The /api/chat request bodies, optionally for one model."""
        with self.lock:
            return [r["body"] for r in self.requests
                    if r["path"] == "/api/chat" and (model is None or self.canonical(r["body"]["model"]) == model)]

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
