#!/usr/bin/env python3
"""The librosa + PyTorch pipeline that serlab is measured against (benchmark only, never a dependency).

It does the work `serlab run` does for the same config: decode + resample + MFCC for every file
(librosa, a 2-process pool), then for each test fold trains a model (PyTorch CPU, 2 threads) with a
validation part for early stopping and evaluates UAR and accuracy. It prints one JSON line with its
timings and per-fold results, so tools/bench_pipeline.sh can set it beside serlab's own run.

Several corpora (the protocols of serlab's dataset.corpora, docs/config.md): --corpora names them;
labels are those all of them share, speakers are namespaced by corpus ("savee/DC"), and the folds are
serlab's: --protocol xcorpus (one fold per --directions entry, train:test, validation from the training
corpora only), locorpus (one fold per corpus), or pooled (the test folds of a serlab run, read from its
predictions.csv with --splits, whose paths are namespaced the same way).

Pinned: librosa==0.11.0, torch==2.15 (CPU). Usage:
  tools/peer_pipeline.py --corpus ravdess --model mlp --epochs 60
  tools/peer_pipeline.py --corpora ravdess,savee --protocol xcorpus --directions ravdess:savee,savee:ravdess --model mlp
  tools/peer_pipeline.py --corpora ravdess,savee,tess --protocol locorpus --model cnn
  tools/peer_pipeline.py --corpora ravdess,savee --protocol pooled --splits results/mlp_ravdess_savee/<run>/predictions.csv
"""
import argparse, csv, json, os, sys, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

SHARED = Path(os.environ.get("SERLAB_CORPORA") or Path(__file__).resolve().parents[1] / "corpora")
FOLDS = Path(os.environ.get("SERLAB_FOLDS") or Path(__file__).resolve().parents[1] / "configs" / "folds")

SR, N_MFCC, N_FFT, HOP, N_MELS = 16000, 40, 512, 160, 64


def listing(corpus):
    """(path, speaker, emotion, fold) for the corpus's standard protocol."""
    if corpus in ("ravdess", "savee"):
        name = {"ravdess": "ravdess_spk6.csv", "savee": "savee_loso.csv"}[corpus]
        rows = list(csv.DictReader(open(FOLDS / name)))
        return [(SHARED / corpus / r["path"], r["speaker"], r["emotion"], int(r["fold"])) for r in rows]
    rows = list(csv.DictReader(open(SHARED / "expected" / "tess.csv")))
    if corpus == "tess_xspk":
        return [(SHARED / "tess" / r["path"], r["speaker"], r["emotion"], 0 if r["speaker"] == "YAF" else 1) for r in rows]
    # Stratified 5-fold by emotion, deterministic.
    rng = np.random.default_rng(0)
    out = []
    for emotion in sorted({r["emotion"] for r in rows}):
        group = [r for r in rows if r["emotion"] == emotion]
        order = rng.permutation(len(group))
        for rank, index in enumerate(order):
            r = group[index]
            out.append((SHARED / "tess" / r["path"], r["speaker"], r["emotion"], rank % 5))
    return out


def multi_listing(corpora, protocol, directions, splits):
    """(path, speaker, emotion, corpus) rows on the shared labels, and the folds as (test, pool) index lists
    (pool: the utterances training and validation may use)."""
    per_corpus = {}
    for corpus in corpora:
        rows = list(csv.DictReader(open(SHARED / "expected" / f"{corpus}.csv")))
        per_corpus[corpus] = [(SHARED / corpus / r["path"], f"{corpus}/{r['speaker']}", r["emotion"], corpus, f"{corpus}/{r['path']}") for r in rows]
    shared = set.intersection(*({r[2] for r in rows} for rows in per_corpus.values()))
    rows = [r for corpus in corpora for r in per_corpus[corpus] if r[2] in shared]
    index = range(len(rows))
    if protocol == "locorpus":
        folds = [([i for i in index if rows[i][3] == c], [i for i in index if rows[i][3] != c]) for c in corpora]
    elif protocol == "xcorpus":
        folds = []
        for direction in directions.split(","):
            train, test = (part.split("+") for part in direction.split(":"))
            folds.append(([i for i in index if rows[i][3] in test], [i for i in index if rows[i][3] in train]))
    else:
        if not splits:
            sys.exit("--protocol pooled needs --splits <a serlab run's predictions.csv>")
        stem = lambda p: os.path.splitext(p)[0]
        fold_of = {stem(r["path"]): int(r["fold"]) for r in csv.DictReader(open(splits))}
        missing = [r[4] for r in rows if stem(r[4]) not in fold_of]
        if missing:
            sys.exit(f"{splits}: no fold for {len(missing)} utterances, e.g. {missing[0]}")
        numbers = sorted(set(fold_of.values()))
        folds = [([i for i in index if fold_of[stem(rows[i][4])] == k], [i for i in index if fold_of[stem(rows[i][4])] != k]) for k in numbers]
    return [r[:4] for r in rows], folds


def features(path):
    import librosa
    y, _ = librosa.load(path, sr=SR)
    m = librosa.feature.mfcc(y=y, sr=SR, n_mfcc=N_MFCC, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)
    return m.T.astype(np.float32)


def train_fold(model_kind, x_train, y_train, x_val, y_val, x_test, classes, epochs, batch, seed):
    import torch
    import torch.nn as nn
    torch.manual_seed(seed)
    if model_kind == "mlp":
        def pool(xs):
            return np.stack([np.concatenate([x.mean(0), x.std(0)]) for x in xs])
        a, b, c = pool(x_train), pool(x_val), pool(x_test)
        mu, sd = a.mean(0), a.std(0) + 1e-6
        a, b, c = [(v - mu) / sd for v in (a, b, c)]
        net = nn.Sequential(nn.Linear(a.shape[1], 256), nn.ReLU(), nn.Dropout(0.3), nn.Linear(256, 128), nn.ReLU(),
                            nn.Dropout(0.3), nn.Linear(128, classes))
        to = lambda v: torch.tensor(v)
    else:
        T = 300
        def pad(xs):
            out = np.zeros((len(xs), N_MFCC, T), np.float32)
            for i, x in enumerate(xs):
                n = min(T, len(x)); out[i, :, :n] = x[:n].T
            return out
        a, b, c = pad(x_train), pad(x_val), pad(x_test)
        mu, sd = a.mean((0, 2), keepdims=True), a.std((0, 2), keepdims=True) + 1e-6
        a, b, c = [(v - mu) / sd for v in (a, b, c)]
        blocks, width = [], N_MFCC
        for ch in (64, 128, 256):
            blocks += [nn.Conv1d(width, ch, 5, padding=2), nn.BatchNorm1d(ch), nn.ReLU(), nn.MaxPool1d(2)]
            width = ch
        net = nn.Sequential(*blocks, nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Dropout(0.3), nn.Linear(width, classes))
        to = lambda v: torch.tensor(v)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    xa, ya, xb = to(a), torch.tensor(y_train), to(b)
    best, best_state = -1.0, None
    for _ in range(epochs):
        net.train()
        perm = torch.randperm(len(xa))
        for i in range(0, len(xa), batch):
            idx = perm[i:i + batch]
            opt.zero_grad(); loss = loss_fn(net(xa[idx]), ya[idx]); loss.backward(); opt.step()
        net.eval()
        with torch.no_grad():
            pred = net(xb).argmax(1).numpy()
        score = uar(y_val, pred, classes)
        if score > best:
            best, best_state = score, {k: v.clone() for k, v in net.state_dict().items()}
    net.load_state_dict(best_state)
    net.eval()
    with torch.no_grad():
        return net(to(c)).argmax(1).numpy()


def uar(y, p, classes):
    recalls = [np.mean(p[y == k] == k) for k in range(classes) if np.any(y == k)]
    return float(np.mean(recalls))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", choices=["ravdess", "savee", "tess", "tess_xspk"])
    ap.add_argument("--corpora", help="several corpora, comma-separated (e.g. ravdess,savee): needs --protocol")
    ap.add_argument("--protocol", choices=["xcorpus", "locorpus", "pooled"])
    ap.add_argument("--directions", default="ravdess:savee,savee:ravdess", help="for xcorpus: train:test pairs, corpora joined by +")
    ap.add_argument("--splits", help="for pooled: a serlab run's predictions.csv, whose test folds are used")
    ap.add_argument("--model", default="mlp", choices=["mlp", "cnn"])
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if bool(args.corpus) == bool(args.corpora) or bool(args.corpora) != bool(args.protocol):
        ap.error("give --corpus, or --corpora with --protocol")
    import torch
    torch.set_num_threads(2)

    if args.corpora:
        rows, fold_sets = multi_listing(args.corpora.split(","), args.protocol, args.directions, args.splits)
    else:
        rows = [r + (args.corpus,) for r in listing(args.corpus)]
        numbers = np.array([r[3] for r in rows])
        fold_sets = [(np.where(numbers == k)[0], np.where(numbers != k)[0]) for k in sorted(set(numbers))]
    start = time.perf_counter()
    with ProcessPoolExecutor(2) as pool:
        feats = list(pool.map(features, [r[0] for r in rows], chunksize=8))
    t_features = time.perf_counter() - start

    labels = sorted({r[2] for r in rows})
    y = np.array([labels.index(r[2]) for r in rows])
    speakers = np.array([r[1] for r in rows])
    corpus_of = np.array([r[-1] for r in rows])
    rng = np.random.default_rng(args.seed)
    results = []
    for k, (test, train_all) in enumerate(fold_sets):
        test, train_all = np.asarray(test), np.asarray(train_all)
        train_speakers = sorted(set(speakers[train_all]))
        if len(train_speakers) >= 3:  # speaker-disjoint validation part
            val_spk = set(rng.choice(train_speakers, max(1, len(train_speakers) // 5), replace=False))
            val = np.array([i for i in train_all if speakers[i] in val_spk])
        else:
            val = rng.choice(train_all, max(1, len(train_all) // 5), replace=False)
        held = set(val)
        train = np.array([i for i in train_all if i not in held])
        pred = train_fold(args.model, [feats[i] for i in train], y[train], [feats[i] for i in val], y[val],
                          [feats[i] for i in test], len(labels), args.epochs, args.batch, args.seed + int(k))
        result = {"fold": int(k), "uar": uar(y[test], pred, len(labels)), "accuracy": float(np.mean(pred == y[test]))}
        if args.corpora:
            result["trainCorpora"] = sorted(set(corpus_of[train_all]))
            result["perCorpus"] = {c: {"testCount": int(np.sum(corpus_of[test] == c)),
                                       "uar": uar(y[test][corpus_of[test] == c], pred[corpus_of[test] == c], len(labels)),
                                       "accuracy": float(np.mean(pred[corpus_of[test] == c] == y[test][corpus_of[test] == c]))}
                                   for c in sorted(set(corpus_of[test]))}
        results.append(result)
    total = time.perf_counter() - start
    print(json.dumps({"corpus": args.corpus or args.corpora, "protocol": args.protocol, "labels": labels, "model": args.model, "epochs": args.epochs,
                      "featureSeconds": round(t_features, 2), "totalSeconds": round(total, 2),
                      "meanUAR": float(np.mean([r["uar"] for r in results])),
                      "meanAccuracy": float(np.mean([r["accuracy"] for r in results])), "folds": results}))


if __name__ == "__main__":
    sys.exit(main())
