"""`python -m benchmarks.languages [--epochs N] [--turns N]`: what reading Chinese costs.

One run trains two models from scratch, one after the other: the bot's own (English and Chinese
training data, as in data/rasa/) and, as the baseline, the same project with the Chinese NLU
examples left out (every example written in Han characters: `english_only`). Then it serves both
(one action server, a Rasa server per model) and measures turn latency through the REST channel,
the streams alternating message by message: the same English conversations with each model, and
Chinese conversations with the bilingual one. Writes benchmarks/results/languages.{json,md}.

``--epochs`` trains both models with fewer DIET epochs than config.yml's: a quick check that the
benchmark runs, not a figure to quote.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from platform import python_version
from typing import Any, Dict, List, Optional

import yaml

from benchmarks import latency, report
from benchmarks.training import train
from bot.parsing.chinese import HAS_HAN
from bot.store import TrialStore
from trialbot.config import PROJECT_ROOT, Settings, load_settings
from trialbot.servers import Server, bot_servers, free_port, on_free_ports, rasa_server_command, started

RESULTS = Path(__file__).resolve().parent / "results"
SERVER_TIMEOUT = 300
RASA_DATA = "data/rasa"
BILINGUAL, ENGLISH = "both languages", "English alone"

# An NLU example line ("      - 你好"); it is Chinese when it holds Han characters
EXAMPLE_LINE = re.compile(r"^\s*- ")

# A screening of the seed trial in Chinese, like latency.OUR_SCRIPT: facts, a date, "why do you
# ask?", "what have you noted?"; then a short one that stops early.
CHINESE_SCRIPT: List[latency.Conversation] = [
    ["你好", "好的", "62岁", "血小板两万二", "是", "是", "是", "六周前", "没做过放疗", "肺癌", "没有",
     "为什么问这个？", "没有", "没有", "没有", "没有", "没有", "是", "是", "没有", "没有", "没有", "是", "没有",
     "不知道", "没有", "不知道", "你记下了什么？", "再见"],
    ["您好", "好的", "我45岁", "血小板八万", "谢谢", "再见"],
]


def progress(message: str) -> None:
    print(f"[languages {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def english_only(nlu_text: str) -> str:
    """The NLU training file without its Chinese examples (every other line kept as it is)."""
    return "".join(line for line in nlu_text.splitlines(keepends=True)
                   if not (EXAMPLE_LINE.match(line) and HAS_HAN.search(line)))


def examples(nlu_text: str) -> List[str]:
    """The training examples of an NLU file, of every intent."""
    return [example.strip()[2:] for item in yaml.safe_load(nlu_text)["nlu"]
            for example in item["examples"].splitlines() if EXAMPLE_LINE.match(example)]


def project_copy(target: Path, english: bool, epochs: Optional[int]) -> Path:
    """The files `rasa train` reads (config, domain, data/rasa), copied into ``target``: with
    ``english``, the training data without its Chinese examples; with ``epochs``, DIET's epochs set."""
    (target / RASA_DATA).mkdir(parents=True)
    shutil.copyfile(PROJECT_ROOT / "domain.yml", target / "domain.yml")
    config = (PROJECT_ROOT / "config.yml").read_text()
    if epochs is not None:
        parsed = yaml.safe_load(config)
        for component in parsed["pipeline"]:
            if component["name"] == "DIETClassifier":
                component["epochs"] = epochs
        config = yaml.safe_dump(parsed, sort_keys=False)
    (target / "config.yml").write_text(config)
    for source in sorted((PROJECT_ROOT / RASA_DATA).glob("*.yml")):
        text = source.read_text()
        (target / RASA_DATA / source.name).write_text(english_only(text) if english else text)
    return target


def train_both(tmp: Path, logs: Path, epochs: Optional[int]) -> Dict[str, Dict[str, Any]]:
    """Both models, the bilingual one first; each with its training time (s) and examples."""
    models: Dict[str, Dict[str, Any]] = {}
    for name, english in ((BILINGUAL, False), (ENGLISH, True)):
        slug = "english" if english else "bilingual"
        project = project_copy(tmp / slug, english, epochs)
        progress(f"training {name}")
        with open(logs / f"train-{slug}.log", "w") as log:
            seconds = train(project, RASA_DATA, tmp / "models", slug, log)
        models[name] = {"model": str(tmp / "models" / f"{slug}.tar.gz"), "training_s": seconds,
                        "examples": len(examples((project / RASA_DATA / "nlu.yml").read_text()))}
    return models


def serve_and_measure(settings: Settings, english_model: str, logs: Path, turns: int) -> Dict[str, List[float]]:
    """Turn latencies (ms): English with both models, Chinese with the bilingual one."""
    english = replace(settings, model=english_model, rasa_port=free_port())
    with open(logs / "languages-servers.log", "w") as log:
        # The English-only model's Rasa server calls the same action server as the bilingual one's.
        english_server = Server("rasa-english", rasa_server_command(english), settings.rasa_environment(),
                                f"{english.rasa_url}/webhooks/rest/", log)
        with started(bot_servers(settings, log) + [english_server], SERVER_TIMEOUT):
            progress(f"{turns} turns per stream")
            return latency.measure([latency.Bot(f"{BILINGUAL}, English", settings.rasa_url, latency.OUR_SCRIPT),
                                    latency.Bot(f"{ENGLISH}, English", english.rasa_url, latency.OUR_SCRIPT),
                                    latency.Bot(f"{BILINGUAL}, Chinese", settings.rasa_url, CHINESE_SCRIPT)],
                                   turns)


def run(tmp: Path, logs: Path, epochs: Optional[int], turns: int) -> Dict[str, Any]:
    models = train_both(tmp, logs, epochs)
    settings = on_free_ports(replace(load_settings(), model=models[BILINGUAL]["model"], log_level="WARNING",
                                     tracker_store_url=f"sqlite:///{tmp / 'conversations.db'}",
                                     database_url=f"sqlite:///{tmp / 'trials.db'}"))
    TrialStore(settings.database_url).load_directory(PROJECT_ROOT / "data")
    latencies = serve_and_measure(settings, models[ENGLISH]["model"], logs, turns)
    streams = {name: latency.summary(values) for name, values in latencies.items()}
    baseline = streams[f"{ENGLISH}, English"]
    return {
        "when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": len(os.sched_getaffinity(0)), "python": python_version(), "epochs": epochs,
        "training": {name: {"seconds": model["training_s"], "examples": model["examples"],
                            "ratio": report.ratio(model["training_s"], models[ENGLISH]["training_s"])}
                     for name, model in models.items()},
        "latency": {name: {**figures, "p50_ratio": report.ratio(figures["p50"], baseline["p50"]),
                           "p95_ratio": report.ratio(figures["p95"], baseline["p95"])}
                    for name, figures in streams.items()},
        "latencies_ms": {name: [round(ms, 2) for ms in values] for name, values in latencies.items()},
    }


def markdown(results: Dict[str, Any]) -> str:
    epochs = f"DIET epochs {results['epochs']} (a check, not a figure)" if results["epochs"] else "config.yml's DIET epochs"
    lines = [f"# Reading Chinese: training time and turn latency, {results['when']}", "",
             f"{results['cpus']} CPUs, Python {results['python']}, {epochs}; run took {results['wall_s']:.0f} s.", "",
             "| model | NLU examples | training from scratch (s) | / English alone |", "|---|---:|---:|---:|"]
    lines += [f"| {name} | {row['examples']} | {row['seconds']:.1f} | {row['ratio']:.2f}x |"
              for name, row in results["training"].items()]
    lines += ["", "| model, messages | turns | p50 (ms) | p95 (ms) | p50 / English alone | p95 / English alone |",
              "|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {name} | {row['turns']} | {row['p50']:.1f} | {row['p95']:.1f} | {row['p50_ratio']:.2f}x | "
              f"{row['p95_ratio']:.2f}x |" for name, row in results["latency"].items()]
    return "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.languages", description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, help="DIET epochs for both models (default: config.yml's)")
    parser.add_argument("--turns", type=int, default=200, help="turns per stream (default: 200)")
    args = parser.parse_args(argv)
    began = time.monotonic()
    logs = RESULTS / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="trialbot-languages-") as tmp:
        results = run(Path(tmp), logs, args.epochs, args.turns)
    results["wall_s"] = time.monotonic() - began
    name = "languages" if args.epochs is None else "languages-check"
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / f"{name}.md").write_text(markdown(results))
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
