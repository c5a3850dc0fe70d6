"""Tiny, real GGUF models for tests and benchmarks, written with the PyPI `gguf` package (the
reference writer) and loadable by llama.cpp (checked against the `xllamacpp` wheel).

    from gguf_models import make_llama_gguf
    make_llama_gguf("/tmp/x/tiny.gguf")                      # ~70 KB, f16, ctx 2048
    make_llama_gguf(path, n_embd=256, n_layer=4, ftype="q8_0")

The weights are random (seeded), so the model talks gibberish, but every tensor, every
hyperparameter and the tokenizer are what llama.cpp expects of a llama model: a SentencePiece
("llama") vocabulary with byte fallback — <unk>, <s>, </s>, the 256 <0xNN> byte tokens and the
printable ASCII characters — with scores and token types, and a small chat template.
"""

from __future__ import annotations

import os

import numpy as np

import gguf

BYTE_TOKENS = [f"<0x{value:02X}>" for value in range(256)]
# Printable ASCII as ordinary pieces ("▁" stands for a space in SentencePiece vocabularies).
PIECES = ["\u2581"] + [chr(c) for c in range(33, 127)]
CHAT_TEMPLATE = (
    "{% for message in messages %}{{ '<|' + message['role'] + '|>\\n' + message['content'] + '\\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}"
)

FTYPES = {
    "f32": (gguf.GGMLQuantizationType.F32, gguf.LlamaFileType.ALL_F32),
    "f16": (gguf.GGMLQuantizationType.F16, gguf.LlamaFileType.MOSTLY_F16),
    "q8_0": (gguf.GGMLQuantizationType.Q8_0, gguf.LlamaFileType.MOSTLY_Q8_0),
}


def vocabulary(n_vocab: int | None = None):
    """(tokens, scores, token types) of the byte-fallback SentencePiece vocabulary, padded with
    filler pieces to `n_vocab` tokens when given (real vocabularies have 32k-256k)."""
    pieces = list(PIECES)
    base = 3 + 256 + len(pieces)
    if n_vocab and n_vocab > base:
        pieces += [f"\u2581w{i}" for i in range(n_vocab - base)]
    tokens = ["<unk>", "<s>", "</s>"] + BYTE_TOKENS + pieces
    PIECES_ = pieces  # noqa: N806
    scores = [0.0, 0.0, 0.0] + [0.0] * 256 + [-float(i + 1) for i in range(len(PIECES_))]
    types = (
        [gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL]
        + [gguf.TokenType.BYTE] * 256
        + [gguf.TokenType.NORMAL] * len(PIECES_)
    )
    return tokens, scores, [int(t) for t in types]


def make_llama_gguf(
    path: str,
    n_embd: int = 64,
    n_layer: int = 2,
    n_head: int = 4,
    n_head_kv: int = 2,
    n_ff: int = 128,
    ctx: int = 2048,
    ftype: str = "f16",
    seed: int = 1234,
    name: str = "elohim-tiny-llama",
    n_vocab: int | None = None,
) -> str:
    """Writes a random-weight llama model to `path` and returns `path`.

    `ftype` is 'f16', 'q8_0' or 'f32' for the 2-D weight matrices (norms stay F32, as llama.cpp
    writes them). For 'q8_0', `n_embd` and `n_ff` must be multiples of 32.
    """
    if ftype not in FTYPES:
        raise ValueError(f"ftype must be one of {sorted(FTYPES)}, not {ftype!r}")
    if n_embd % n_head or n_head % n_head_kv:
        raise ValueError("n_embd must divide by n_head and n_head by n_head_kv")
    qtype, file_type = FTYPES[ftype]
    if qtype == gguf.GGMLQuantizationType.Q8_0 and (n_embd % 32 or n_ff % 32):
        raise ValueError("q8_0 needs n_embd and n_ff to be multiples of 32")
    head_dim = n_embd // n_head
    n_embd_kv = head_dim * n_head_kv
    tokens, scores, types = vocabulary(n_vocab)
    n_vocab = len(tokens)
    rng = np.random.default_rng(seed)

    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    writer = gguf.GGUFWriter(path, "llama")
    writer.add_name(name)
    writer.add_context_length(ctx)
    writer.add_embedding_length(n_embd)
    writer.add_block_count(n_layer)
    writer.add_feed_forward_length(n_ff)
    writer.add_head_count(n_head)
    writer.add_head_count_kv(n_head_kv)
    writer.add_rope_dimension_count(head_dim)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_rope_freq_base(10000.0)
    writer.add_vocab_size(n_vocab)
    writer.add_file_type(int(file_type))
    writer.add_tokenizer_model("llama")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
    writer.add_chat_template(CHAT_TEMPLATE)

    def matrix(name: str, rows: int, cols: int):
        data = rng.standard_normal((rows, cols), dtype=np.float32) * np.float32(0.02)
        if qtype == gguf.GGMLQuantizationType.F32:
            writer.add_tensor(name, data)
        elif qtype == gguf.GGMLQuantizationType.F16:
            writer.add_tensor(name, data.astype(np.float16))
        else:
            writer.add_tensor(name, gguf.quants.quantize(data, qtype), raw_dtype=qtype)

    def norm(name: str, size: int):
        writer.add_tensor(name, np.ones(size, dtype=np.float32))

    matrix("token_embd.weight", n_vocab, n_embd)
    for layer in range(n_layer):
        prefix = f"blk.{layer}."
        norm(prefix + "attn_norm.weight", n_embd)
        matrix(prefix + "attn_q.weight", n_embd, n_embd)
        matrix(prefix + "attn_k.weight", n_embd_kv, n_embd)
        matrix(prefix + "attn_v.weight", n_embd_kv, n_embd)
        matrix(prefix + "attn_output.weight", n_embd, n_embd)
        norm(prefix + "ffn_norm.weight", n_embd)
        matrix(prefix + "ffn_gate.weight", n_ff, n_embd)
        matrix(prefix + "ffn_up.weight", n_ff, n_embd)
        matrix(prefix + "ffn_down.weight", n_embd, n_ff)
    norm("output_norm.weight", n_embd)
    matrix("output.weight", n_vocab, n_embd)

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def write_fuzz_seeds(directory: str) -> list[str]:
    """Writes the `gguf` fuzz target's seed inputs into `directory` and returns their paths.

    Generated rather than committed: every metadata value type (with nested arrays) and two
    tensors; a file with no tensors and one key; and a real tiny llama model cut where its
    tensor data begins, so a reader must stop with a clean "incomplete" error. The names end in
    `.gguf` so the daemon's model inventory picks them up (`test_models.py` replays them there).
    """
    os.makedirs(directory, exist_ok=True)
    paths = []

    path = os.path.join(directory, "all-types.gguf")
    writer = gguf.GGUFWriter(path, "llama")
    writer.add_uint8("t.u8", 7)
    writer.add_int8("t.i8", -7)
    writer.add_uint16("t.u16", 700)
    writer.add_int16("t.i16", -700)
    writer.add_uint32("t.u32", 70000)
    writer.add_int32("t.i32", -70000)
    writer.add_float32("t.f32", 1.5)
    writer.add_uint64("t.u64", 1 << 40)
    writer.add_int64("t.i64", -(1 << 40))
    writer.add_float64("t.f64", 2.25)
    writer.add_bool("t.bool", True)
    writer.add_string("t.str", "h\u00e9llo")
    writer.add_array("t.arr_i32", [1, 2, 3])
    writer.add_array("t.arr_str", ["a", "bc"])
    writer.add_array("t.arr_nested", [[1, 2], [3]])
    writer.add_context_length(128)
    writer.add_embedding_length(8)
    writer.add_block_count(1)
    writer.add_head_count(2)
    writer.add_head_count_kv(1)
    writer.add_feed_forward_length(16)
    writer.add_file_type(int(gguf.LlamaFileType.ALL_F32))
    writer.add_tensor("token_embd.weight", np.ones((4, 8), dtype=np.float32))
    writer.add_tensor("output_norm.weight", np.ones(8, dtype=np.float16))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    paths.append(path)

    path = os.path.join(directory, "empty.gguf")
    writer = gguf.GGUFWriter(path, "llama")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    paths.append(path)

    whole = make_llama_gguf(os.path.join(directory, "whole.tmp"), n_embd=32, n_layer=1, n_head=2, n_head_kv=1, n_ff=32, ctx=256)
    data_offset = gguf.GGUFReader(whole).data_offset
    path = os.path.join(directory, "tiny-llama-header.gguf")
    with open(whole, "rb") as source, open(path, "wb") as header:
        header.write(source.read(data_offset))
    os.remove(whole)
    paths.append(path)
    return paths


def parameter_count(n_embd=64, n_layer=2, n_head=4, n_head_kv=2, n_ff=128, n_vocab=None, **_):
    """The number of weights `make_llama_gguf` writes for these shapes."""
    n_vocab = len(vocabulary(n_vocab)[0])
    n_embd_kv = n_embd // n_head * n_head_kv
    per_layer = 2 * n_embd + 2 * n_embd * n_embd + 2 * n_embd_kv * n_embd + 3 * n_ff * n_embd
    return 2 * n_vocab * n_embd + n_embd + n_layer * per_layer


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Write a tiny random-weight llama GGUF model.")
    parser.add_argument("path", help="the model to write (with --fuzz-seeds: the directory for the seeds)")
    parser.add_argument("--fuzz-seeds", action="store_true", help="write the gguf fuzz target's seed inputs instead")
    parser.add_argument("--n-embd", type=int, default=64)
    parser.add_argument("--n-layer", type=int, default=2)
    parser.add_argument("--n-head", type=int, default=4)
    parser.add_argument("--n-head-kv", type=int, default=2)
    parser.add_argument("--n-ff", type=int, default=128)
    parser.add_argument("--ctx", type=int, default=2048)
    parser.add_argument("--ftype", default="f16", choices=sorted(FTYPES))
    parser.add_argument("--n-vocab", type=int, default=None, help="pad the vocabulary to this many tokens")
    args = parser.parse_args()
    if args.fuzz_seeds:
        print("\n".join(write_fuzz_seeds(args.path)))
    else:
        make_llama_gguf(
            args.path, n_embd=args.n_embd, n_layer=args.n_layer, n_head=args.n_head, n_head_kv=args.n_head_kv,
            n_ff=args.n_ff, ctx=args.ctx, ftype=args.ftype, n_vocab=args.n_vocab,
        )
        print(args.path)
