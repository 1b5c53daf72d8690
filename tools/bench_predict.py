#!/usr/bin/env python3
"""Prediction speed: `serlab predict` against a librosa + PyTorch peer doing the same prediction, in one run.

Two measures, both sides alternating run by run (the order flips every repeat), so both see the same
machine load; every repeat prints its ratio with the load average (`/proc/loadavg`, as `uptime` shows it):

  throughput  files per second predicting RAVDESS files (all 1440 by default) with the MLP, CNN and LSTM
              bundles: `serlab predict BUNDLE FILES... --output out.csv` against `peer_predict` below
              (librosa features in a 2-process pool, then the PyTorch network in batches of 32, a CSV of
              label + probabilities). Wall time of the whole command on both sides, process start and
              imports included; the peer's own clock (after its imports) is printed beside it. Target >= 5x.
  cold start  one prediction of one 3-second file, process start included: `serlab predict BUNDLE FILE`
              against `python -c 'import torch, librosa; ...'` loading the same network's weights from a
              file, reading the file, computing the features and printing the label. Target >= 20x.
              Every command runs once untimed first (page cache warm on both sides: "cold" is the process).

Same work: 16 kHz, 40 MFCC (n_fft 512, hop 160, 64 mels, librosa's conventions), the twin configs
configs/bench/{mlp,cnn,lstm}_ravdess.json, whose architectures the peer builds layer for layer:
  mlp:  mean and std of each MFCC over frames (80) -> z-score -> 256 -> ReLU -> 128 -> ReLU -> classes
  cnn:  the first 300 frames, z-score -> 3 x [Conv1d k5 "same" -> BatchNorm -> ReLU -> MaxPool 2]
        (64/128/256 channels) -> mean over time -> classes
  lstm: the first 300 frames, z-score -> LSTM 128 -> LSTM 128 -> last frame -> classes
The script prints both sides' parameter counts (serlab's from the bundle, read with h5py) and stops when
they differ. The weights' values do not change the speed: the bundles come from a short training run
(`serlab train ... --set training.epochs=1`), the peer's weights are PyTorch's seeded initialisation.

Both sides run pinned to the same cores (taskset -c 0,1). Threads, printed by the script: serlab
extracts features on --threads 2 and runs its network with its own GEMM (OpenBLAS single-threaded
inside its parallel chunks); the peer's librosa workers get one BLAS/OpenMP thread each, PyTorch
torch.set_num_threads(2) with OMP_WAIT_POLICY=PASSIVE (see tools/bench_net.py for why).

Needs the release binary (swift build -c release --product serlab) and a Python with torch, librosa
0.11.0 and h5py (a tools venv outside the repository, e.g. python3 -m venv /work/venv-tools &&
/work/venv-tools/bin/pip install torch librosa==0.11.0 h5py):

    /work/venv-tools/bin/python tools/bench_predict.py [--models mlp,cnn,lstm] [--repeats 3] [--limit 0]
"""
import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("SERLAB_CORPORA") or ROOT / "corpora")
SR, N_MFCC, N_FFT, HOP, N_MELS, FRAMES = 16000, 40, 512, 160, 64, 300
PIN = ["taskset", "-c", "0,1"]
PEER_ENV = {"OMP_NUM_THREADS": "2", "OMP_WAIT_POLICY": "PASSIVE", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


# ---------------------------------------------------------------- the peer (runs in its own process)

def build_net(model, classes):
    """The PyTorch twin of configs/bench/<model>_ravdess.json's network."""
    import torch.nn as nn

    class CNN(nn.Module):
        def __init__(self):
            super().__init__()
            layers, width = [], N_MFCC
            for channels in (64, 128, 256):
                layers += [nn.Conv1d(width, channels, 5, padding=2), nn.BatchNorm1d(channels), nn.ReLU(),
                           nn.MaxPool1d(2, ceil_mode=True)]
                width = channels
            self.body, self.out = nn.Sequential(*layers), nn.Linear(width, classes)

        def forward(self, x):  # [N, T, F]
            return self.out(self.body(x.transpose(1, 2)).mean(dim=2))

    class LSTM(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm, self.out = nn.LSTM(N_MFCC, 128, num_layers=2, batch_first=True), nn.Linear(128, classes)

        def forward(self, x):
            h, _ = self.lstm(x)
            return self.out(h[:, -1, :])

    if model == "mlp":
        return nn.Sequential(nn.Linear(2 * N_MFCC, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, classes))
    return CNN() if model == "cnn" else LSTM()


def mfcc_frames(path):
    import librosa
    y, _ = librosa.load(path, sr=SR)
    return librosa.feature.mfcc(y=y, sr=SR, n_mfcc=N_MFCC, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS).T


def peer_input(model, frames):
    """One file's network input: the MLP's 80 functionals, or the first 300 frames (zero-padded)."""
    import numpy as np
    if model == "mlp":
        return np.concatenate([frames.mean(0), frames.std(0)]).astype(np.float32)
    out = np.zeros((FRAMES, N_MFCC), np.float32)
    n = min(FRAMES, len(frames))
    out[:n] = frames[:n]
    return out


def peer_predict(args):
    """Throughput worker: features for every file (2 processes), then the network in batches of 32."""
    start = time.perf_counter()
    from concurrent.futures import ProcessPoolExecutor
    import numpy as np
    import torch
    torch.set_num_threads(2)
    state = torch.load(args.weights)
    labels = state["labels"]
    net = build_net(args.model, len(labels))
    net.load_state_dict(state["net"])
    net.eval()
    files = Path(args.file_list).read_text().splitlines()
    imported = time.perf_counter()
    with ProcessPoolExecutor(2) as pool:
        inputs = np.stack([peer_input(args.model, f) for f in pool.map(mfcc_frames, files, chunksize=8)])
    x = torch.from_numpy((inputs - state["mean"].numpy()) / state["std"].numpy())
    with torch.no_grad():
        probabilities = torch.cat([torch.softmax(net(x[i:i + 32]), dim=1) for i in range(0, len(x), 32)]).numpy()
    with open(args.output, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "label"] + labels)
        for path, p in zip(files, probabilities):
            writer.writerow([path, labels[int(p.argmax())]] + [f"{v:.6f}" for v in p])
    done = time.perf_counter()
    from threadpoolctl import threadpool_info
    print(json.dumps({"seconds": done - imported, "importSeconds": imported - start, "files": len(files),
                      "torchThreads": torch.get_num_threads(), "torch": torch.__version__,
                      "threadpools": [{k: p.get(k) for k in ("internal_api", "num_threads", "architecture")} for p in threadpool_info()]}))


# The cold-start peer: one python -c, as a user would write it.
COLD_PEER = """
import sys, torch, librosa
import numpy as np
torch.set_num_threads(2)
sys.path.insert(0, {tools!r})
from bench_predict import build_net, peer_input
state = torch.load({weights!r})
net = build_net({model!r}, len(state["labels"])); net.load_state_dict(state["net"]); net.eval()
y, _ = librosa.load({file!r}, sr={sr})
m = librosa.feature.mfcc(y=y, sr={sr}, n_mfcc={n_mfcc}, n_fft={n_fft}, hop_length={hop}, n_mels={n_mels}).T
x = (torch.from_numpy(peer_input({model!r}, m))[None] - state["mean"]) / state["std"]
with torch.no_grad():
    p = torch.softmax(net(x), dim=1)[0]
print(state["labels"][int(p.argmax())], " ".join(f"{{v:.4f}}" for v in p.tolist()))
"""


# ---------------------------------------------------------------- the driver

def sh(command, env=None, **kwargs):
    return subprocess.run(command, env=dict(os.environ, **(env or {})), check=True, **kwargs)


def timed(command, env=None):
    """Wall seconds of `command` (stdout kept), failing loudly."""
    start = time.perf_counter()
    result = subprocess.run(command, env=dict(os.environ, **(env or {})), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"bench: {' '.join(map(str, command[:6]))} ... failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return seconds, result.stdout


def load_average():
    return open("/proc/loadavg").read().split()[0]


def bundle_parameters(bundle):
    """Number of weights in the bundle's network(s): every float dataset under its networks."""
    import h5py
    total = 0
    with h5py.File(bundle, "r") as f:
        def visit(name, obj):
            nonlocal total
            if isinstance(obj, h5py.Dataset) and obj.dtype.kind == "f" and "/parameters/" in f"/{name}/":
                total += obj.size
        f.visititems(visit)
    return total


def bundle_labels(bundle):
    import h5py
    with h5py.File(bundle, "r") as f:
        return [s.decode() if isinstance(s, bytes) else s for s in f["labels"][()]]


def make_bundle(serlab, model, path, epochs, work):
    config = ROOT / "configs" / "bench" / f"{model}_ravdess.json"
    print(f"  training {path.name} ({config.relative_to(ROOT)}, {epochs} epoch(s)) ...", flush=True)
    sh(PIN + [serlab, "train", str(config), "--epochs", str(epochs), "--output", str(path), "--cache", str(work / "cache")],
       stdout=subprocess.DEVNULL)


def peer_weights(model, labels, path):
    """The peer's network with seeded initial weights and unit normalisation, saved for its processes.
    Returns its weight count as serlab counts them: parameters and batch-norm running statistics, less
    PyTorch's second LSTM bias (bias_hh: serlab's LSTM has one bias, PyTorch's b_ih + b_hh)."""
    import torch
    torch.manual_seed(0)
    net = build_net(model, len(labels))
    width = 2 * N_MFCC if model == "mlp" else N_MFCC
    torch.save({"net": net.state_dict(), "labels": labels, "mean": torch.zeros(width), "std": torch.ones(width)}, path)
    weights = sum(p.numel() for n, p in net.named_parameters() if "bias_hh" not in n)
    return weights + sum(b.numel() for n, b in net.named_buffers() if "running" in n)


def three_second_file(files):
    import soundfile
    return min(files, key=lambda f: abs(soundfile.info(f).duration - 3.0))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="mlp,cnn,lstm")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--limit", type=int, default=0, help="first N RAVDESS files only (default: all)")
    parser.add_argument("--serlab", default=str(ROOT / ".build" / "release" / "serlab"))
    parser.add_argument("--bundles", default=None, help="folder holding <model>_ravdess.serlab (made there when absent)")
    parser.add_argument("--epochs", type=int, default=1, help="training epochs of bundles made here")
    parser.add_argument("--cold-repeats", type=int, default=5)
    parser.add_argument("--peer-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    parser.add_argument("--weights", help=argparse.SUPPRESS)
    parser.add_argument("--file-list", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peer_worker:
        return peer_predict(args)

    import librosa
    import torch
    assert librosa.__version__ == "0.11.0", f"pinned librosa 0.11.0, found {librosa.__version__}"
    if not os.access(args.serlab, os.X_OK):
        sys.exit(f"bench: {args.serlab} is missing; build it with swift build -c release --product serlab")
    work = Path(tempfile.mkdtemp(prefix="serlab-bench-predict-"))
    bundles = Path(args.bundles) if args.bundles else work
    bundles.mkdir(parents=True, exist_ok=True)
    files = sorted(str(p) for p in (CORPORA / "ravdess").rglob("*.flac"))
    if args.limit:
        files = files[:args.limit]
    if not files:
        sys.exit(f"bench: no RAVDESS files under {CORPORA / 'ravdess'}")
    file_list = work / "files.txt"
    file_list.write_text("\n".join(files) + "\n")
    for f in files:  # page cache warm for both sides
        Path(f).read_bytes()
    clip = three_second_file(files)
    print(f"bench predict: {len(files)} RAVDESS files; cold start on {Path(clip).name}; cores 0,1 (taskset) for both sides; "
          f"load average at start {load_average()}")
    print(f"  serlab: {args.serlab}, feature extraction --threads 2, its own GEMM kernels for the network "
          f"(OpenBLAS single-threaded inside its parallel chunks)")
    print(f"  peer:   torch {torch.__version__} (torch.set_num_threads(2), {PEER_ENV['OMP_WAIT_POLICY']} OpenMP wait), "
          f"librosa {librosa.__version__} in 2 worker processes with OPENBLAS/MKL/OMP threads 1 each (threadpools below)")

    summary = []
    for model in args.models.split(","):
        bundle = bundles / f"{model}_ravdess.serlab"
        if not bundle.exists():
            make_bundle(args.serlab, model, bundle, args.epochs, work)
        labels = bundle_labels(bundle)
        weights = work / f"peer_{model}.pt"
        peer_count = peer_weights(model, labels, weights)
        ours_count = bundle_parameters(bundle)
        print(f"\n{model}: {len(labels)} classes, parameters serlab {ours_count}, PyTorch {peer_count}")
        if ours_count != peer_count:
            sys.exit(f"bench: {model}: the peer's network ({peer_count} weights) is not the bundle's ({ours_count})")

        serlab_cmd = PIN + [args.serlab, "predict", str(bundle), *files, "--output", str(work / "serlab.csv"), "--threads", "2"]
        peer_cmd = PIN + [sys.executable, __file__, "--peer-worker", "--model", model, "--weights", str(weights),
                          "--file-list", str(file_list), "--output", str(work / "peer.csv")]
        # Once each untimed: binaries, Python modules (several GB of torch libraries) and librosa's
        # first-call caches in the page cache, so the first timed side is not charged for the disk.
        timed(serlab_cmd), timed(peer_cmd, PEER_ENV)
        ratios, peer_inner_ratios = [], []
        for repeat in range(args.repeats):
            load = load_average()
            order = ["serlab", "peer"] if repeat % 2 == 0 else ["peer", "serlab"]
            seconds = {}
            for side in order:
                if side == "serlab":
                    seconds["serlab"], _ = timed(serlab_cmd)
                else:
                    seconds["peer"], out = timed(peer_cmd, PEER_ENV)
                    report = json.loads(out.strip().splitlines()[-1])
            ours, theirs = len(files) / seconds["serlab"], len(files) / seconds["peer"]
            inner = len(files) / report["seconds"]
            ratios.append(ours / theirs)
            peer_inner_ratios.append(ours / inner)
            print(f"  repeat {repeat + 1} (load {load}, {order[0]} first): serlab {ours:7.1f} files/s, peer {theirs:6.1f} files/s "
                  f"(its own clock after imports: {inner:6.1f} files/s, imports {report['importSeconds']:.2f} s): "
                  f"{ours / theirs:5.2f}x ({ours / inner:5.2f}x against the peer's own clock)")
            if repeat == 0:
                print(f"    peer threads: torch {report['torchThreads']}; BLAS/OpenMP pools in the torch process: {report['threadpools']}")
        with open(work / "serlab.csv") as a, open(work / "peer.csv") as b:
            ours_rows, theirs_rows = sum(1 for _ in a) - 1, sum(1 for _ in b) - 1
        if ours_rows != len(files) or theirs_rows != len(files):
            sys.exit(f"bench: expected {len(files)} rows from each side, found serlab {ours_rows}, peer {theirs_rows}")

        cold_serlab = PIN + [args.serlab, "predict", str(bundle), clip]
        cold_peer = PIN + [sys.executable, "-c", COLD_PEER.format(tools=str(ROOT / "tools"), weights=str(weights), model=model, file=clip,
                                                                  sr=SR, n_mfcc=N_MFCC, n_fft=N_FFT, hop=HOP, n_mels=N_MELS)]
        timed(cold_serlab), timed(cold_peer, PEER_ENV)  # once each untimed: binaries and modules in the page cache
        cold = {"serlab": [], "peer": []}
        cold_loads = []
        for repeat in range(args.cold_repeats):
            cold_loads.append(load_average())
            for side in (["serlab", "peer"] if repeat % 2 == 0 else ["peer", "serlab"]):
                cold[side].append(timed(cold_serlab)[0] if side == "serlab" else timed(cold_peer, PEER_ENV)[0])
        cold_ratios = [p / s for s, p in zip(cold["serlab"], cold["peer"])]
        print(f"  cold start, {args.cold_repeats} alternating runs (load {', '.join(cold_loads)}): serlab "
              f"{', '.join(f'{s * 1000:.0f}' for s in cold['serlab'])} ms; python -c 'import torch, librosa ...' "
              f"{', '.join(f'{s * 1000:.0f}' for s in cold['peer'])} ms; ratios {', '.join(f'{r:.1f}x' for r in cold_ratios)}")
        summary.append((model, ratios, peer_inner_ratios, cold_ratios))

    print()
    for model, ratios, inner, cold in summary:
        median, cold_median = statistics.median(ratios), statistics.median(cold)
        print(f"{model}: throughput serlab/peer median {median:.2f}x over {len(ratios)} repeats "
              f"({', '.join(f'{r:.2f}' for r in ratios)}; against the peer's own clock {statistics.median(inner):.2f}x) "
              f"target >= 5x: {'meets' if median >= 5 else 'MISSES'}; cold start median {cold_median:.1f}x target >= 20x: "
              f"{'meets' if cold_median >= 20 else 'MISSES'}")
    print(f"load average at the end: {load_average()}")


if __name__ == "__main__":
    sys.exit(main())
