#!/usr/bin/env python3
"""The table of a hyperparameter search: for every finished run under RESULTS (the newest run of each
experiment), its mean validation UAR (metrics.json `validationUAR`: what the search ranks by), then its
mean test UAR over folds (reported, never used to choose). Rows are sorted by validation UAR.

    python3 tools/search_table.py RESULTS [--prefix cnn_savee_]

Standard library only; prints a Markdown table.
"""

import argparse
import json
from pathlib import Path


def newest_runs(results: Path, prefix: str):
    for experiment in sorted(p for p in results.iterdir() if p.is_dir() and p.name.startswith(prefix)):
        finished = sorted(run for run in experiment.iterdir() if (run / "metrics.json").is_file())
        if finished:
            yield experiment.name, finished[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("results", type=Path)
    parser.add_argument("--prefix", default="", help="only experiments whose name starts with this")
    args = parser.parse_args()
    rows = []
    for name, run in newest_runs(args.results, args.prefix):
        metrics = json.loads((run / "metrics.json").read_text())
        validation = metrics.get("validationUAR")
        rows.append((validation, name, metrics["mean"]["uar"], metrics["std"]["uar"], len(metrics["folds"]), run.name))
    if not rows:
        raise SystemExit(f"no finished runs under {args.results} (prefix {args.prefix!r})")
    rows.sort(key=lambda row: -1 if row[0] is None else row[0], reverse=True)
    print("| config | validation UAR (ranks) | test UAR, mean ± sd over folds | folds | run |")
    print("|---|---|---|---|---|")
    for validation, name, uar, std, folds, run in rows:
        shown = "n/a" if validation is None else f"{100 * validation:.1f}"
        print(f"| {name} | {shown} | {100 * uar:.1f} ± {100 * std:.1f} | {folds} | {run} |")


if __name__ == "__main__":
    main()
