"""The results as a markdown table, and both files under benchmarks/results/."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Optional

LABELS = {
    "latency_p50_ms": "turn latency p50 (ms)",
    "latency_p95_ms": "turn latency p95 (ms)",
    "latency_mean_ms": "turn latency mean (ms)",
    "training_s": "training from scratch (s)",
    "start_rasa_s": "start, Rasa server (s)",
    "start_total_s": "start, all servers (s)",
    "peak_rss_rasa_mb": "peak RSS, Rasa server (MB)",
    "peak_rss_actions_mb": "peak RSS, action server (MB)",
    "peak_rss_total_mb": "peak RSS, all servers (MB)",
}


def ratio(ours: Optional[float], baseline: Optional[float]) -> Optional[float]:
    return ours / baseline if ours is not None and baseline else None


def _cell(value: Optional[float], form: str = "{:.1f}") -> str:
    return "–" if value is None else form.format(value)


def markdown(results: Dict[str, Any]) -> str:
    figures, goal = results["figures"], results["goal"]
    lines = [
        f"## Trial bot vs. Rasa starter bot, {results['when']}",
        "",
        f"{results['turns_per_bot']} turns per bot after a warm-up pass; {results['cpus']} CPUs, "
        f"Rasa {results['rasa']}, Python {results['python']}; run took {results['wall_s']:.0f} s"
        + (" (--quick)" if results["quick"] else "") + ".",
        "",
        "| | ours | starter bot | ours / starter |",
        "|---|---:|---:|---:|",
    ]
    for key, label in LABELS.items():
        row = figures[key]
        lines.append(f"| {label} | {_cell(row['ours'])} | {_cell(row['baseline'])} | {_cell(row['ratio'], '{:.2f}x')} |")
    verdict = "met" if goal["met"] else "NOT met"
    lines += [
        "",
        f"Goal: p95 within {goal['p95_ratio_max']}x of the starter bot: **{verdict}** "
        f"({figures['latency_p95_ms']['ratio']:.2f}x).",
        "",
        *(f"- {note}" for note in results["notes"]),
    ]
    return "\n".join(lines) + "\n"


def write(results: Dict[str, Any], directory: Path) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    table = markdown(results)
    (directory / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    (directory / "latest.md").write_text(table)
    return table
