"""`elohim-bench all` writes one Markdown table — benchmark, metric, baseline, daemon, ratio,
goal, met? — to stdout. A real (short) benchmark run on the debug build checks the shape; the
figures themselves are the benchmark's business, not a test's (no test asserts timings)."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import subprocess
import sys

from elohim_client import REPO

BENCH = REPO / "Benchmarks" / "elohim-bench"
HEADER = "| benchmark | metric | baseline | daemon | ratio | goal | met? |"


def load_bench():
    loader = importlib.machinery.SourceFileLoader("elohim_bench", str(BENCH))
    spec = importlib.util.spec_from_loader("elohim_bench", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_all_prints_one_markdown_table_with_a_row_per_goal():
    result = subprocess.run(
        [sys.executable, str(BENCH), "all", "--only", "status", "--skip-build", "--bin-dir", str(REPO / ".build/debug")],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert HEADER in lines, result.stdout
    start = lines.index(HEADER)
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    assert rows, result.stdout
    for row in rows:
        assert len(row) == 7 and row[0] == "status", row
        assert row[6] in ("yes", "**no**"), row
        assert row[3] != "–" or row[4] != "–", f"a row with neither a daemon figure nor a ratio: {row}"
    assert any(line.endswith("goals met.") for line in lines), result.stdout


def test_a_goal_against_a_baseline_shows_both_figures_and_their_ratio():
    bench = load_bench()
    compared = bench.normalise_goal(bench.goal("`daemon.ping` at 32 clients: daemon/baseline throughput", 0.6, ">=", 0.5,
                                               baseline="1000 rps", daemon="600 rps"))
    assert bench.report_row("rpc", compared) == [
        "rpc", "`daemon.ping` at 32 clients: daemon/baseline throughput", "1000 rps", "600 rps", "0.6", "≥ 0.5", "yes"]
    absolute = bench.normalise_goal(bench.goal("idle RSS", 41.5, "<=", 30.0, "MiB"))
    assert bench.report_row("rpc", absolute) == ["rpc", "idle RSS", "–", "41.5 MiB", "–", "≤ 30.0 MiB", "**no**"]
    ratio_only = bench.normalise_goal(bench.goal("elohim-status wall time vs C client (median)", 2.6, "<=", 2.0))
    assert bench.report_row("status", ratio_only)[2:5] == ["–", "–", "2.6"]
