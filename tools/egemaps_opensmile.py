#!/usr/bin/env python3
"""serlab's eGeMAPS v02 functionals against openSMILE's, file by file, on the shared corpora.

Run with a Python that has the PyPI `opensmile` package (reference only; serlab never needs it):

    SERLAB_CORPORA=/data/corpora python tools/egemaps_opensmile.py --serlab .build/release/serlab
    python tools/egemaps_opensmile.py --fixture Tests/SERFeaturesTests/Fixtures/egemaps_opensmile.csv

Files: every `--every`-th file (sorted paths) of RAVDESS, SAVEE and TESS under $SERLAB_CORPORA.
Both sides analyse the same 16 kHz signal: serlab resamples with libsoxr HQ
(`{"sampleRate": 16000, "level": "utterance", "features": ["egemaps"]}` through `serlab features`), and
openSMILE gets the file resampled by python-soxr HQ (the same libsoxr setting), so the table compares
the algorithms. `--native` gives openSMILE each file at its own rate instead (48/44.1/24.4 kHz): its
unnormalised FFT magnitudes then grow with the frame length, which moves loudness and flux by a
different factor per corpus (see docs/egemaps.md).
Prints, per functional, the Pearson correlation across files and the mean of each side, sorted by
correlation, and the count at or above 0.9. `--fixture` writes openSMILE's functionals of the fixture
files (the first file of each corpus's selection) as a CSV instead.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import opensmile
import soundfile
import soxr

CORPORA = ("ravdess", "savee", "tess")
FIXTURE_FILES = [
    "ravdess/Actor_01/03-01-01-01-01-01-01.flac",
    "ravdess/Actor_02/03-01-05-02-01-01-02.flac",
    "ravdess/Actor_17/03-01-06-02-01-01-17.flac",
    "savee/AudioData/DC/a01.flac",
    "savee/AudioData/JK/h05.flac",
    "tess/TESS Toronto emotional speech set data/YAF_happy/YAF_ring_happy.flac",
    "tess/TESS Toronto emotional speech set data/OAF_angry/OAF_back_angry.flac",
]


def corpus_files(root, every):
    files = []
    for corpus in CORPORA:
        found = sorted(p for p in (root / corpus).rglob("*") if p.suffix.lower() in (".wav", ".flac"))
        files += found[::every]
    return files


def smile():
    return opensmile.Smile(feature_set=opensmile.FeatureSet.eGeMAPSv02,
                           feature_level=opensmile.FeatureLevel.Functionals)


def opensmile_row(extractor, path, native=False):
    samples, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    mono = samples.mean(axis=1)
    if not native and rate != 16000:
        mono, rate = soxr.resample(mono, rate, 16000, quality="HQ").astype(np.float32), 16000
    return extractor.process_signal(mono, rate).iloc[0]


def serlab_row(binary, spec, path):
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "f.csv"
        subprocess.run([binary, "features", str(path), "--spec", spec, "--output", str(out)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        lines = out.read_text().strip().splitlines()
    names = lines[0].split(",")
    values = [float(v) for v in lines[-1].split(",")]
    return dict(zip(names, values))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--serlab", default=".build/release/serlab")
    parser.add_argument("--every", type=int, default=5, help="take every n-th file of each corpus (default 5)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--fixture", help="write openSMILE's functionals of the fixture files to this CSV and stop")
    parser.add_argument("--csv", help="also write every file's pair of values here")
    parser.add_argument("--native", action="store_true", help="openSMILE at each file's own sample rate")
    args = parser.parse_args()
    root = Path(os.environ.get("SERLAB_CORPORA", "corpora"))
    extractor = smile()
    names = list(extractor.feature_names)

    if args.fixture:
        with open(args.fixture, "w") as out:
            out.write("file," + ",".join(names) + "\n")
            for relative in FIXTURE_FILES:
                row = opensmile_row(extractor, root / relative, args.native)
                out.write(relative + "," + ",".join(f"{row[n]:.6g}" for n in names) + "\n")
        print(f"wrote {len(FIXTURE_FILES)} files x {len(names)} functionals to {args.fixture}")
        return

    files = corpus_files(root, args.every)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as spec:
        json.dump({"sampleRate": 16000, "level": "utterance", "features": ["egemaps"]}, spec)
    with ThreadPoolExecutor(args.threads) as pool:
        ours = list(pool.map(lambda p: serlab_row(args.serlab, spec.name, p), files))
    theirs = [opensmile_row(extractor, p, args.native) for p in files]
    os.unlink(spec.name)

    rows = []
    for name in names:
        a = np.array([r[name] for r in theirs], dtype=float)
        b = np.array([r.get(name, np.nan) for r in ours], dtype=float)
        r = np.corrcoef(a, b)[0, 1] if a.std() > 0 and b.std() > 0 else float("nan")
        rows.append((name, r, a.mean(), b.mean()))
    if args.csv:
        with open(args.csv, "w") as out:
            out.write("file,feature,opensmile,serlab\n")
            for path, t, o in zip(files, theirs, ours):
                for name in names:
                    out.write(f"{path.relative_to(root)},{name},{t[name]:.6g},{o.get(name, float('nan')):.6g}\n")
    side = "openSMILE at each file's own rate" if args.native else "both at 16 kHz"
    print(f"{len(files)} files ({', '.join(CORPORA)}; every {args.every}th; {side}), {len(names)} functionals")
    print(f"{'feature':48s} {'pearson r':>9s} {'openSMILE mean':>15s} {'serlab mean':>12s}")
    for name, r, a, b in sorted(rows, key=lambda row: -np.nan_to_num(row[1], nan=-2)):
        print(f"{name:48s} {r:9.3f} {a:15.4g} {b:12.4g}")
    good = sum(1 for row in rows if row[1] >= 0.9)
    print(f"r >= 0.9: {good} of {len(rows)}; median r {np.nanmedian([row[1] for row in rows]):.3f}")


if __name__ == "__main__":
    sys.exit(main())
