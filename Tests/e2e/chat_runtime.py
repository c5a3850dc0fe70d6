"""A real llama.cpp server for the chat tests: a tiny random-weight llama GGUF written with the
`gguf` package, served by the `xllamacpp` wheel in a child process (so a test can kill it).

Random weights answer gibberish: tests check structure (deltas add up to the reply, usage is
reported, rows are stored), never the text.

Run as a script: `python3 chat_runtime.py MODEL.gguf PORT CTX` serves until killed."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np


def make_llama_gguf(path: str, *, n_vocab_extra: int = 64, n_embd: int = 64, n_layer: int = 2, n_head: int = 4,
                    n_ff: int = 128, context: int = 2048, seed: int = 7, name: str = "tiny") -> str:
    """Writes a small llama-architecture GGUF with an SPM vocabulary (byte fallback, so any text
    tokenizes) and random f32 weights. Returns `path`."""
    import gguf

    rng = np.random.default_rng(seed)
    tokens: list[bytes] = [b"<unk>", b"<s>", b"</s>"]
    types = [gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL]
    for byte in range(256):
        tokens.append(f"<0x{byte:02X}>".encode())
        types.append(gguf.TokenType.BYTE)
    for index in range(n_vocab_extra):
        piece = "\u2581" + "abcdefghijklmnopqrstuvwxyz"[index % 26] * (1 + index // 26)
        tokens.append(piece.encode())
        types.append(gguf.TokenType.NORMAL)
    scores = [0.0] * 3 + [-1000.0] * 256 + [-float(i) for i in range(n_vocab_extra)]
    n_vocab = len(tokens)

    writer = gguf.GGUFWriter(path, "llama")
    writer.add_name(name)
    writer.add_context_length(context)
    writer.add_embedding_length(n_embd)
    writer.add_block_count(n_layer)
    writer.add_feed_forward_length(n_ff)
    writer.add_head_count(n_head)
    writer.add_head_count_kv(n_head)
    writer.add_rope_dimension_count(n_embd // n_head)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)
    writer.add_add_bos_token(True)
    writer.add_chat_template(
        "{% for m in messages %}{{ m['role'][0] }}:{{ m['content'] }}\n{% endfor %}"
        "{% if add_generation_prompt %}a:{% endif %}")

    def weights(*shape):
        return (rng.standard_normal(shape) * 0.2).astype(np.float32)

    writer.add_tensor("token_embd.weight", weights(n_vocab, n_embd))
    for block in range(n_layer):
        prefix = f"blk.{block}."
        writer.add_tensor(prefix + "attn_norm.weight", np.ones(n_embd, dtype=np.float32))
        for part in ("attn_q", "attn_k", "attn_v", "attn_output"):
            writer.add_tensor(prefix + part + ".weight", weights(n_embd, n_embd))
        writer.add_tensor(prefix + "ffn_norm.weight", np.ones(n_embd, dtype=np.float32))
        writer.add_tensor(prefix + "ffn_gate.weight", weights(n_ff, n_embd))
        writer.add_tensor(prefix + "ffn_up.weight", weights(n_ff, n_embd))
        writer.add_tensor(prefix + "ffn_down.weight", weights(n_embd, n_ff))
    writer.add_tensor("output_norm.weight", np.ones(n_embd, dtype=np.float32))
    # Random weights could pick end-of-sequence at any step; its logit is pinned at 0 while the
    # others spread wide, so replies run to max_tokens and tests know how long a reply is.
    output = weights(n_vocab, n_embd) * 5
    output[2, :] = 0
    writer.add_tensor("output.weight", output)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LlamaServer:
    """`xllamacpp` serving one GGUF on 127.0.0.1 in a child process."""

    def __init__(self, model_path: str, *, context: int = 2048, port: int | None = None, alias: str | None = None):
        self.model_path = model_path
        self.context = context
        self.port = port or free_port()
        self.alias = alias
        self.process: subprocess.Popen | None = None
        self.log_path = model_path + f".{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> "LlamaServer":
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), self.model_path, str(self.port), str(self.context)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"llama server exited: {open(self.log_path, errors='replace').read()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"llama server did not become healthy: {open(self.log_path, errors='replace').read()[-3000:]}")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        self.kill()

    def chat(self, messages: list[dict], max_tokens: int = 8) -> dict:
        body = json.dumps({"messages": messages, "max_tokens": max_tokens, "stream": False}).encode()
        request = urllib.request.Request(self.url + "/v1/chat/completions", data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as answer:
            return json.loads(answer.read())


def _serve(model_path: str, port: int, context: int) -> None:
    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = model_path
    params.port = port
    params.n_ctx = context
    params.n_parallel = 1
    params.cpuparams.n_threads = 1
    params.warmup = False
    server = xlc.Server(params)  # noqa: F841 — serves until the process is killed
    signal.pause()


if __name__ == "__main__":
    _serve(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
