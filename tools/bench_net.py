#!/usr/bin/env python3
"""Training-throughput benchmark: serlab's SERNet against PyTorch (CPU), same architecture, in one run.

For each model (lstm, cnn, mlp) it runs `serlab bench net` and a PyTorch worker of this script, each in
its own process (so peak memory is per engine: ru_maxrss from wait4), with the same batch size,
sequence length, features, number of timed batches and threads (2), alternating the engines `--repeats`
times (best throughput of each kept, so both see the same machine load), and prints sequences per second
(forward + backward + Adam step), peak memory and the ratios serlab / PyTorch.

    swift build -c release --product serlab
    python3 tools/bench_net.py                       # all three models
    python3 tools/bench_net.py --models lstm --batches 20

Architectures (identical parameter shapes up to the LSTM's second bias vector, which PyTorch adds):
  lstm: 40 inputs -> LSTM 128 -> LSTM 128 -> last frame -> Linear 8, T = 300, batch 32
  cnn:  40 x 300 -> 3 x [Conv1d k5 "same" -> BatchNorm -> ReLU -> MaxPool 2] (64/128/256) -> mean over time -> Linear 8
  mlp:  80 -> 256 -> ReLU -> 128 -> ReLU -> 8, batch 32
"""
import argparse
import json
import os
import subprocess
import sys
import time


def torch_worker(args):
    import torch
    import torch.nn as nn

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    classes = args.classes

    class LSTMNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(args.features, 128, num_layers=2, batch_first=True)
            self.out = nn.Linear(128, classes)

        def forward(self, x):
            h, _ = self.lstm(x)
            return self.out(h[:, -1, :])

    class CNNNet(nn.Module):
        def __init__(self):
            super().__init__()
            layers, c = [], args.features
            for o in (64, 128, 256):
                layers += [nn.Conv1d(c, o, 5, padding=2), nn.BatchNorm1d(o), nn.ReLU(), nn.MaxPool1d(2, ceil_mode=True)]
                c = o
            self.body = nn.Sequential(*layers)
            self.out = nn.Linear(256, classes)

        def forward(self, x):  # x [N, T, F] -> channels first
            return self.out(self.body(x.transpose(1, 2)).mean(dim=2))

    if args.model == "lstm":
        net, shape = LSTMNet(), (args.batch_size, args.frames, args.features)
    elif args.model == "cnn":
        net, shape = CNNNet(), (args.batch_size, args.frames, args.features)
    else:
        f = args.features * 2
        net, shape = nn.Sequential(nn.Linear(f, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, classes)), (args.batch_size, f)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    count = min(args.batches + args.warmup, 4)
    data = [torch.randn(*shape) for _ in range(count)]
    labels = torch.arange(args.batch_size) % classes

    def step(x):
        optimizer.zero_grad()
        loss = loss_fn(net(x), labels)
        loss.backward()
        optimizer.step()
        return loss.item()

    for i in range(args.warmup):
        step(data[i % count])
    start = time.perf_counter()
    total = 0.0
    for i in range(args.batches):
        total += step(data[(args.warmup + i) % count])
    seconds = time.perf_counter() - start
    import resource
    print(json.dumps({
        "engine": "pytorch " + torch.__version__, "model": args.model,
        "parameters": sum(p.numel() for p in net.parameters()), "threads": args.threads,
        "seconds": seconds, "sequencesPerSecond": args.batches * args.batch_size / seconds,
        "peakMemoryMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "meanLoss": total / args.batches,
    }, sort_keys=True))


def run(command, environment=None):
    """Runs a child, returns (parsed JSON of its last stdout line, its own peak RSS in MB from wait4)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=dict(os.environ, **(environment or {})))
    out = process.stdout.read()
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({process.returncode}):\n{err}")
    result = json.loads(out.strip().splitlines()[-1])
    result["peakMemoryMB"] = usage.ru_maxrss / 1024
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="lstm,cnn,mlp")
    parser.add_argument("--serlab", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "serlab"))
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--features", type=int, default=40)
    parser.add_argument("--batches", type=int, default=0, help="timed batches (default: 5 for lstm, 10 for cnn, 500 for mlp)")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--classes", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=2,
                        help="alternating runs per engine; the best throughput and the largest peak memory are kept")
    parser.add_argument("--omp-wait-policy", default="PASSIVE",
                        help="OMP_WAIT_POLICY for PyTorch (default PASSIVE: with the default active spinning, 2 OpenMP "
                             "threads on a shared 2-core machine ran the MLP 25x slower, 530 vs 13400 seq/s)")
    parser.add_argument("--torch-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--model", default="lstm", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.torch_worker:
        torch_worker(args)
        return
    targets = {"lstm": 1.5, "cnn": 1.5, "mlp": 3.0}
    print(f"PyTorch with OMP_WAIT_POLICY={args.omp_wait_policy}, {args.threads} threads; best of {args.repeats} alternating runs each")
    print(f"{'model':6} {'engine':22} {'params':>8} {'seq/s':>10} {'peak MB':>9}")
    summary = []
    for model in args.models.split(","):
        batches = args.batches or {"lstm": 5, "cnn": 10, "mlp": 500}[model]
        common = ["--batch-size", str(args.batch_size), "--frames", str(args.frames), "--features", str(args.features),
                  "--batches", str(batches), "--warmup", str(args.warmup), "--threads", str(args.threads),
                  "--classes", str(args.classes)]
        runs = {"serlab": [], "torch": []}
        for _ in range(args.repeats):  # alternate, so both engines see the same machine load
            runs["serlab"].append(run([args.serlab, "bench", "net", "--model", model] + common))
            runs["torch"].append(run([sys.executable, __file__, "--torch-worker", "--model", model] + common,
                                     {"OMP_WAIT_POLICY": args.omp_wait_policy}))

        def best(results):
            top = dict(max(results, key=lambda r: r["sequencesPerSecond"]))
            top["peakMemoryMB"] = max(r["peakMemoryMB"] for r in results)
            return top

        ours, theirs = best(runs["serlab"]), best(runs["torch"])
        for r in (ours, theirs):
            print(f"{model:6} {r['engine']:22} {r['parameters']:>8} {r['sequencesPerSecond']:>10.1f} {r['peakMemoryMB']:>9.1f}")
        speed = ours["sequencesPerSecond"] / theirs["sequencesPerSecond"]
        memory = ours["peakMemoryMB"] / theirs["peakMemoryMB"]
        summary.append((model, speed, memory))
    print()
    for model, speed, memory in summary:
        verdict = "meets" if speed >= targets[model] and memory <= 1 else "MISSES"
        print(f"{model}: throughput serlab/pytorch = {speed:.2f}x (target >= {targets[model]}x), "
              f"peak memory serlab/pytorch = {memory:.2f} (target <= 1): {verdict}")


if __name__ == "__main__":
    main()
