#!/usr/bin/env python3
"""The peer run of issue 15: nkululeko (PyPI) with its eGeMAPS + SVM and eGeMAPS + MLP recipes on
serlab's folds, printing the mean UAR over folds and the wall time of each whole experiment.

Run it with a Python that has nkululeko (a tools venv, never serlab's runtime):

    SERLAB_CORPORA=/data/corpora /path/to/venv/bin/python tools/peer_nkululeko.py [--corpus savee] [--model svm] \
        [--serlab .build/release/serlab [--serlab-config savee=configs/svm_savee.json ...]]

With --serlab, the same run also runs serlab's configs of each setting (by default the SVM and MLP configs
shipped for it) from a cold feature cache, so both pipelines' wall times include feature extraction and
are measured on the same machine minutes apart; serlab's UAR is metrics.json's mean over folds.

Folds: ravdess and savee use configs/folds/ravdess_spk6.csv and savee_loso.csv (the shipped configs'
folds); tess_xspk puts YAF in fold 0 and OAF in fold 1 (serlab's configs/*_tess_xspk.json test YAF
in fold 0). Features: openSMILE eGeMAPSv02 functionals (`[FEATS] type = ['os']`), scaled per speaker
(`scale = speaker`, as the shipped serlab configs normalise per speaker).

- svm: one nkululeko experiment with `[MODEL] logo` and a `fold` column: leave one fold out, which
  reproduces the folds exactly; nkululeko's SVM (scikit-learn SVC, rbf, C_val 1, balanced class
  weights). UAR: the mean of nkululeko's per-fold UARs (logo_results.txt).
- mlp: nkululeko's MLP has no `logo`, so one experiment per fold (train = the other folds, test =
  this fold), each with the recipe's layers and fixed epochs; the UAR is that of the last epoch
  (nkululeko also reports the best epoch on the test part, which would be model selection on test
  data), averaged over folds; the wall time is the sum of the fold experiments.
"""

import argparse
import configparser
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLD_FILES = {"ravdess": "ravdess_spk6.csv", "savee": "savee_loso.csv"}
AUDIO_SUFFIXES = (".wav", ".flac")


def find_audio(corpus_root: Path, relative: str) -> Path:
    """The file a folds-file path names, matched without its extension (as serlab does)."""
    stem = corpus_root / Path(relative).with_suffix("")
    for suffix in AUDIO_SUFFIXES:
        if stem.with_suffix(suffix).exists():
            return stem.with_suffix(suffix)
    raise SystemExit(f"{relative}: no audio file under {corpus_root} (tried {', '.join(AUDIO_SUFFIXES)})")


def table(corpus: str, corpora: Path):
    """Rows (file, speaker, emotion, fold) of the corpus setting."""
    if corpus in FOLD_FILES:
        root = corpora / corpus
        folds_file = os.environ.get("SERLAB_FOLDS")
        path = Path(folds_file) / FOLD_FILES[corpus] if folds_file else ROOT / "configs" / "folds" / FOLD_FILES[corpus]
        with open(path, newline="") as handle:
            return [(str(find_audio(root, row["path"])), row["speaker"], row["emotion"], int(row["fold"]))
                    for row in csv.DictReader(handle)]
    if corpus == "tess_xspk":
        rows = []
        for path in sorted((corpora / "tess").rglob("*")):
            if path.suffix.lower() not in AUDIO_SUFFIXES:
                continue
            speaker = path.name[:3].upper()
            emotion = path.stem.split("_")[-1].lower()
            emotion = {"ps": "surprise", "surprised": "surprise"}.get(emotion, emotion)
            rows.append((str(path), speaker, emotion, 0 if speaker == "YAF" else 1))
        return rows
    raise SystemExit(f"unknown corpus setting {corpus}")


def write_csv(path: Path, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "speaker", "emotion", "fold"])
        writer.writerows(rows)


def config(work: Path, name: str, databases: dict, labels, model: dict) -> Path:
    """An nkululeko INI: `databases` maps a name to (csv, split_strategy)."""
    parser = configparser.ConfigParser()
    parser["EXP"] = {"root": str(work) + "/", "name": name, "runs": "1", "epochs": model.pop("epochs", "1"), "save": "False"}
    data = {"databases": str(list(databases)), "target": "emotion", "labels": str(sorted(labels))}
    for db, (csv_path, strategy) in databases.items():
        data[db] = str(csv_path)
        data[f"{db}.type"] = "csv"
        data[f"{db}.absolute_path"] = "True"
        data[f"{db}.split_strategy"] = strategy
    parser["DATA"] = data
    parser["FEATS"] = {"type": "['os']", "set": "eGeMAPSv02", "scale": "speaker"}
    parser["MODEL"] = model
    parser["PLOT"] = {"do_plots": "False"}
    path = work / f"{name}.ini"
    with open(path, "w") as handle:
        parser.write(handle)
    return path


def run(ini: Path, log: Path) -> float:
    """Runs one nkululeko experiment; returns its wall time in seconds."""
    clock = time.perf_counter()
    with open(log, "w") as handle:
        done = subprocess.run([sys.executable, "-m", "nkululeko.nkululeko", "--config", str(ini)], stdout=handle, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - clock
    if done.returncode != 0:
        raise SystemExit(f"nkululeko failed ({ini}); see {log}")
    return seconds


def svm(corpus: str, rows, work: Path):
    data = work / f"{corpus}.csv"
    write_csv(data, rows)
    folds = sorted({row[3] for row in rows})
    ini = config(work, f"{corpus}_svm", {"db": (data, "random")}, {row[2] for row in rows},
                 {"type": "svm", "kernel": "rbf", "C_val": "1", "class_weight": "True", "logo": str(len(folds))})
    seconds = run(ini, work / f"{corpus}_svm.log")
    results = list(work.rglob(f"{corpus}_svm/**/logo_results.txt"))
    if not results:
        raise SystemExit(f"no logo_results.txt under {work / (corpus + '_svm')}")
    mean = float(re.search(r"LOGO: mean ([0-9.]+)", results[0].read_text()).group(1))
    return mean, seconds


def mlp(corpus: str, rows, work: Path):
    labels = {row[2] for row in rows}
    uars, seconds = [], 0.0
    for fold in sorted({row[3] for row in rows}):
        train, test = work / f"{corpus}_f{fold}_train.csv", work / f"{corpus}_f{fold}_test.csv"
        write_csv(train, [row for row in rows if row[3] != fold])
        write_csv(test, [row for row in rows if row[3] == fold])
        name = f"{corpus}_mlp_f{fold}"
        ini = config(work, name, {"train": (train, "train"), "test": (test, "test")}, labels,
                     {"type": "mlp", "layers": "{'l1': 64, 'l2': 16}", "drop": "0.1", "epochs": "20", "class_weight": "True"})
        log = work / f"{name}.log"
        seconds += run(ini, log)
        # The last epoch's line "run: 0 epoch: 19: result (TEST): test: 0.5417 UAR".
        found = re.findall(r"epoch: (\d+): result[^\n]*?test: ([0-9.]+) UAR", log.read_text())
        if not found:
            raise SystemExit(f"no per-epoch UAR in {log}")
        uars.append(float(max(found, key=lambda pair: int(pair[0]))[1]))
    return sum(uars) / len(uars), seconds


SERLAB_CONFIGS = {
    "ravdess": ["configs/svm_ravdess.json", "configs/mlp_ravdess.json", "configs/svm_egemaps_ravdess.json"],
    "savee": ["configs/svm_savee.json", "configs/mlp_savee.json", "configs/svm_egemaps_savee.json"],
    "tess_xspk": ["configs/svm_tess_xspk.json", "configs/mlp_tess_xspk.json", "configs/svm_egemaps_tess_xspk.json"],
}


def serlab_run(binary: str, config: str, work: Path):
    """Runs one serlab config from a cold cache; returns (name, mean UAR over folds, wall seconds)."""
    name = Path(config).stem
    results, cache = work / "serlab-results", work / f"serlab-cache-{name}"
    clock = time.perf_counter()
    with open(work / f"serlab-{name}.log", "w") as handle:
        done = subprocess.run([binary, "run", str(ROOT / config), "--results", str(results), "--cache", str(cache), "--fresh"],
                              stdout=handle, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - clock
    if done.returncode != 0:
        raise SystemExit(f"serlab failed on {config}; see {work / f'serlab-{name}.log'}")
    runs = sorted((results / name).glob("*/metrics.json"))
    metrics = json.loads(runs[-1].read_text())
    return name, metrics["mean"]["uar"], seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", action="append", choices=["ravdess", "savee", "tess_xspk"])
    parser.add_argument("--model", action="append", choices=["svm", "mlp"])
    parser.add_argument("--work", help="working folder (default: a new temporary one)")
    parser.add_argument("--serlab", help="a serlab binary: also run serlab's configs of each setting in this run")
    parser.add_argument("--serlab-config", action="append", default=[], metavar="SETTING=CONFIG",
                        help="serlab config for a setting (repeatable; replaces that setting's defaults)")
    args = parser.parse_args()
    chosen = {}
    for item in args.serlab_config:
        setting, _, config = item.partition("=")
        chosen.setdefault(setting, []).append(config)
    corpora = Path(os.environ.get("SERLAB_CORPORA", "corpora"))
    work = Path(args.work or tempfile.mkdtemp(prefix="peer-nkululeko-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"nkululeko peer run in {work}")
    print(f"{'setting':<10} {'recipe':<26} {'UAR':>6} {'wall s':>8}  load (1-min average, after)")
    for corpus in args.corpus or ["ravdess", "savee", "tess_xspk"]:
        rows = table(corpus, corpora)
        for model in args.model or ["svm", "mlp"]:
            uar, seconds = (svm if model == "svm" else mlp)(corpus, rows, work)
            print(f"{corpus:<10} {'nkululeko eGeMAPS+' + model:<26} {100 * uar:6.1f} {seconds:8.1f}  {os.getloadavg()[0]:.1f}", flush=True)
        if args.serlab:
            for config in chosen.get(corpus, SERLAB_CONFIGS[corpus]):
                name, uar, seconds = serlab_run(args.serlab, config, work)
                print(f"{corpus:<10} {'serlab ' + name:<26} {100 * uar:6.1f} {seconds:8.1f}  {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
