#!/usr/bin/env bash
# End-to-end speed benchmark (issue 5): `serlab run` with a cold feature cache against the librosa +
# PyTorch pipeline tools/peer_pipeline.py doing the same work, in one run, both pinned to the same
# 2 cores (taskset -c 0,1).
#
#   tools/bench_pipeline.sh [--corpus savee|ravdess] [--model mlp|cnn] [--epochs 30] [--seed 0] [--omp-wait-policy PASSIVE]
#
# Same work on both sides: every file decoded, resampled to 16 kHz and turned into 40 MFCCs
# (n_fft 512, hop 160, 64 mels); the folds of configs/folds/<corpus>_*.csv; per test fold a
# speaker-disjoint validation part, the network trained for exactly --epochs epochs (no early stop
# on either side) and the best validation-UAR epoch evaluated on the test fold. The serlab side is
# configs/bench/<model>_<corpus>.json with training.epochs and training.seed set from the options.
# Both times are wall-clock times of the whole command (process start, imports and the librosa
# worker processes included for the peer; the run folder and bootstrap included for serlab).
# serlab's feature cache is a fresh empty folder; the audio files are read once beforehand so that
# neither side pays for the first disk read (page cache) and the order does not favour one side.
#
# Needs the release binary (.build/release/serlab, or $SERLAB) and python3 with librosa 0.11 and
# torch (the peer). Prints one line per side and a ratio line; exit 1 when a side failed.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=savee model=mlp epochs=30 seed=0
# PyTorch's OpenMP threads spin while waiting by default, which steals the cores from everything else on a
# shared machine; PASSIVE is its best setting there (as in tools/bench_net.py). --omp-wait-policy ACTIVE restores the default.
omp_wait_policy=PASSIVE
while [ $# -gt 0 ]; do
  case "$1" in
    --corpus) corpus=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --omp-wait-policy) omp_wait_policy=$2; shift 2 ;;
    *) echo "usage: $0 [--corpus savee|ravdess] [--model mlp|cnn] [--epochs N] [--seed N] [--omp-wait-policy PASSIVE|ACTIVE]" >&2; exit 2 ;;
  esac
done
serlab="${SERLAB:-.build/release/serlab}"
config="configs/bench/${model}_${corpus}.json"
[ -x "$serlab" ] || { echo "bench: $serlab is missing; build it with swift build -c release --product serlab" >&2; exit 1; }
[ -f "$config" ] || { echo "bench: no serlab twin config $config for --corpus $corpus --model $model" >&2; exit 2; }
export SERLAB_CORPORA="${SERLAB_CORPORA:-$(pwd)/corpora}"
export SERLAB_FOLDS="${SERLAB_FOLDS:-$(pwd)/configs/folds}"
[ -d "$SERLAB_CORPORA" ] || { echo "bench: no corpora at $SERLAB_CORPORA; set SERLAB_CORPORA (docs/corpora.md)" >&2; exit 2; }
pin=(taskset -c 0,1)
work=$(mktemp -d "${TMPDIR:-/tmp}/serlab-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Warm the page cache for both sides alike.
find "$SERLAB_CORPORA/$corpus" -type f -exec cat {} + > /dev/null

now() { date +%s.%N; }

load_before=$(cut -d' ' -f1 /proc/loadavg)
start=$(now)
"${pin[@]}" "$serlab" run "$config" --set training.epochs="$epochs" --set training.seed="$seed" \
  --results "$work/results" --cache "$work/cache" --run-id bench > "$work/serlab.log" 2>&1 \
  || { tail -20 "$work/serlab.log" >&2; echo "bench: serlab run failed" >&2; exit 1; }
serlab_seconds=$(python3 -c "print(f'{$(now) - $start:.1f}')")
metrics=$(find "$work/results" -name metrics.json -path '*/bench/*' | head -1)
serlab_uar=$(python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print(f\"{100*m['mean']['uar']:.1f}\")" "$metrics")
serlab_folds=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['folds']))" "$metrics")

start=$(now)
OMP_NUM_THREADS=2 OMP_WAIT_POLICY="$omp_wait_policy" "${pin[@]}" python3 tools/peer_pipeline.py --corpus "$corpus" --model "$model" --epochs "$epochs" \
  --seed "$seed" > "$work/peer.json" 2> "$work/peer.log" \
  || { tail -20 "$work/peer.log" >&2; echo "bench: peer pipeline failed" >&2; exit 1; }
peer_seconds=$(python3 -c "print(f'{$(now) - $start:.1f}')")
read -r peer_uar peer_folds peer_features peer_inner < <(python3 -c "
import json,sys
r=json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
print(f\"{100*r['meanUAR']:.1f} {len(r['folds'])} {r['featureSeconds']} {r['totalSeconds']}\")" "$work/peer.json")

echo "bench $corpus $model, $epochs epochs, seed $seed, 2 cores (taskset -c 0,1), serlab feature cache cold, peer OMP_WAIT_POLICY=$omp_wait_policy, load average before: $load_before:"
echo "serlab run      ${serlab_seconds} s  mean UAR ${serlab_uar}% over ${serlab_folds} folds"
echo "librosa+torch   ${peer_seconds} s  mean UAR ${peer_uar}% over ${peer_folds} folds (its own clock: features ${peer_features} s, features + training ${peer_inner} s)"
python3 -c "print(f'speed-up serlab vs peer: {$peer_seconds / $serlab_seconds:.2f}x (target >= 1.5x)')"
