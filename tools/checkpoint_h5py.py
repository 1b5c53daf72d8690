#!/usr/bin/env python3
"""Opens a serlab checkpoint with h5py: prints its layout, checks the weights' SHA-256 as serlab computes it
(little-endian float32 bytes of every array under /parameters, in the order of /parameters@order), and,
for an MLP checkpoint with a probe file (written by `serlab bench net --checkpoint`), recomputes serlab's class
probabilities with numpy from the stored weights.

    swift build -c release --product serlab
    .build/release/serlab bench net --model lstm --batches 1 --warmup 0 --checkpoint /tmp/lstm.h5
    python3 tools/checkpoint_h5py.py /tmp/lstm.h5
"""
import hashlib
import json
import sys

import h5py
import numpy as np


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def main(path):
    with h5py.File(path, "r") as f:
        print(f"file {path}")
        for key in sorted(f.attrs):
            value = f.attrs[key]
            print(f"  @{key} = {text(value) if key != 'spec' else json.dumps(json.loads(text(value)))}")
        print(f"  labels = {[text(v) for v in f['labels'][()]]}")
        if "input_normalization" in f:
            g = f["input_normalization"]
            print(f"  input_normalization/mean {g['mean'].shape}, standard_deviation {g['standard_deviation'].shape}")
        params = f["parameters"]
        order = [text(v) for v in params.attrs["order"]]
        digest = hashlib.sha256()
        total = 0
        for name in order:
            d = params[name]
            array = d[()]
            assert array.dtype == np.float32, (name, array.dtype)
            digest.update(array.astype("<f4").tobytes())
            trainable = int(d.attrs["trainable"])
            total += array.size if trainable else 0
            print(f"  parameters/{name:34} {str(d.shape):14} float32 trainable={trainable}")
        stored = text(params.attrs["sha256"])
        print(f"  trainable parameters: {total}")
        print(f"  sha256 stored {stored}")
        print(f"  sha256 h5py   {digest.hexdigest()} -> {'MATCH' if stored == digest.hexdigest() else 'MISMATCH'}")
        spec = json.loads(text(f.attrs["spec"]))
        if spec["type"] == "mlp" and spec.get("normalization", "none") == "none" and spec.get("activation", "relu") == "relu":
            import os
            probe_path = path + ".probe.json"
            if not os.path.exists(probe_path):
                return
            probe = json.load(open(probe_path))
            x = np.array(probe["inputs"], dtype=np.float32).reshape(probe["shape"])
            h = x
            for i in range(len(spec.get("hiddenSizes", [256, 128]))):
                h = np.maximum(h @ params[f"hidden{i}.weight"][()].T + params[f"hidden{i}.bias"][()], 0)
            logits = h @ params["classifier.weight"][()].T + params["classifier.bias"][()]
            p = np.exp(logits - logits.max(axis=1, keepdims=True))
            p = p / p.sum(axis=1, keepdims=True)
            serlab = np.array(probe["probabilities"]).reshape(p.shape)
            print(f"  numpy forward from the h5py weights vs serlab's probabilities ({probe_path}):"
                  f" max |difference| = {np.abs(p - serlab).max():.2e}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/serlab-lstm.h5")
