#!/usr/bin/env python3
"""Checks that HDF5 files written by serlab's SERHDF5 read correctly in h5py, and writes the h5py-made
fixture SERHDF5's tests read (the other direction), embedded base64 in a Swift file so that SwiftPM needs no
resource declaration.

    python3 tools/hdf5_h5py_interop.py write-fixture Tests/SERHDF5Tests/H5pyFixture.swift
    python3 tools/hdf5_h5py_interop.py check <folder holding the swift_sample*.h5 files>
    python3 tools/hdf5_h5py_interop.py check-export <folder holding frames.h5, table.csv, spec.json, single/*.csv>

`tools/check-hdf5-h5py` runs the Swift test that writes swift_sample.h5 and then `check`. The expected
values are recomputed here from the same formulas the Swift test uses (HDF5InteropTests.swift).
It then exports the synthetic corpus with the built serlab (`serlab features synthetic --output
frames.h5` and `--output table.csv`, docs/features.md) and runs `check-export`: h5py reads the frames,
their attributes agree with the table's metadata columns, the frames equal `serlab features FILE` of
the same files (single/<index>.csv), and the table's columns are the spec's functionals of those frames
recomputed here with numpy.
"""
import csv
import json
import math
import sys

import h5py
import numpy as np


def expected_values():
    return (np.arange(15, dtype=np.float32) * np.float32(0.25) - np.float32(1)).reshape(5, 3)


def check(folder):
    return max(check_file(f"{folder}/swift_sample.h5"), check_file(f"{folder}/swift_sample_checksummed.h5"),
               check_sealed(f"{folder}/swift_sample_sealed.h5"))


def check_sealed(path):
    """A sealed file (HDF5File.writeSealed): h5py reads it; the trailer verifies with hashlib."""
    import hashlib
    data = open(path, "rb").read()
    n = int.from_bytes(data[-40:-32], "little")
    seal_ok = data[-48:-40] == b"SERLABCK" and n == len(data) - 48 and hashlib.sha256(data[:n]).digest() == data[-32:]
    with h5py.File(path, "r") as f:
        values_ok = np.array_equal(f["features/values"][()], expected_values()) and f.attrs["title"] == "serlab interop sample"
    print(f"{'ok  ' if seal_ok else 'FAIL'} seal trailer verified with hashlib")
    print(f"{'ok  ' if values_ok else 'FAIL'} sealed file read by h5py")
    print(f"h5py read {path}: {'all checks passed' if seal_ok and values_ok else 'FAILED'}")
    return 0 if seal_ok and values_ok else 1


def check_file(path):
    failures = []

    def same(name, found, expected):
        ok = np.array_equal(np.asarray(found), np.asarray(expected))
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {np.asarray(found).tolist() if np.asarray(found).size < 20 else np.asarray(found).shape}")
        if not ok:
            failures.append(name)

    with h5py.File(path, "r") as f:
        values = f["features/values"]
        same("features/values dtype", str(values.dtype), "float32")
        same("features/values", values[()], expected_values())
        same("features/values@unit", values.attrs["unit"], "dB")
        doubles = f["doubles"][()]
        same("doubles dtype", str(doubles.dtype), "float64")
        same("doubles bits", doubles.view(np.uint64), np.array([math.pi, -0.0, 1e300, 5e-324]).view(np.uint64))
        same("ints", f["ints"][()], np.array([[-2**31, 2**31 - 1], [0, -1]], dtype=np.int32))
        same("ints dtype", str(f["ints"].dtype), "int32")
        same("longs", f["longs"][()], np.array([-2**63, 2**63 - 1, 123456789012345], dtype=np.int64))
        same("names (variable-length)", [s.decode() for s in f["names"][()]], ["mfcc_0", "Fröhlich 😀", ""])
        same("names.asstr()", list(f["names"].asstr()[()]), ["mfcc_0", "Fröhlich 😀", ""])
        same("fixed (S4)", list(f["fixed"][()]), [b"ab", b"", b"wxyz"])
        same("fixed dtype", str(f["fixed"].dtype), "|S4")
        rows = f["rows"]
        same("rows (extendable)", rows[()], np.arange(14, dtype=np.float32).reshape(7, 2))
        same("rows maxshape", rows.maxshape, (None, 2))
        same("rows compression", rows.compression, "gzip")
        same("empty shape", f["empty"].shape, (0, 5))
        same("@title", f.attrs["title"], "serlab interop sample")
        same("@count", f.attrs["count"], 1440)
        same("@count dtype", str(f.attrs["count"].dtype), "int64")
        same("@rate", f.attrs["rate"], 16000.5)
        same("@labels", list(f.attrs["labels"]), ["neutral", "calm", "happy"])
        same("@window", f.attrs["window"], np.array([0.25, 0.5], dtype=np.float32))
    print(f"h5py {h5py.__version__} (HDF5 {h5py.version.hdf5_version}) read {path}: "
          f"{'all checks passed' if not failures else 'FAILED: ' + ', '.join(failures)}")
    return 1 if failures else 0


def check_export(folder):
    """frames.h5 and table.csv written by `serlab features synthetic` with spec.json (frame level)."""
    failures = []

    def expect(name, ok, detail=""):
        print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}")
        if not ok:
            failures.append(name)

    spec = json.load(open(f"{folder}/spec.json"))
    with open(f"{folder}/table.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    header, rows = rows[0], rows[1:]
    expect("table header starts with path,corpus,speaker,label", header[:4] == ["path", "corpus", "speaker", "label"], ",".join(header[:6]))
    with h5py.File(f"{folder}/frames.h5", "r") as f:
        columns = list(f["column_names"].asstr()[()])
        names = sorted(f["utterances"].keys())
        expect("utterance_count attribute", int(f.attrs["utterance_count"]) == len(names) == len(rows), f"{len(names)} datasets, {len(rows)} table rows")
        expect("spec_json attribute is the spec at frame level",
               json.loads(f.attrs["spec_json"])["mfccCount"] == spec["mfccCount"] and json.loads(f.attrs["spec_json"])["level"] == "frame")
        expected_header = [f"{c}_{fn}" for c in columns for fn in spec["functionals"] + [
            f"p{int(p)}" if float(p).is_integer() else f"p{p}" for p in spec.get("percentiles", [])]]
        expect("table feature columns are <frame column>_<functional>", header[4:] == expected_header, f"{len(header) - 4} columns")
        worst = 0.0
        problems = []
        for name, row in zip(names, rows):
            dataset = f["utterances"][name]
            attributes = [dataset.attrs[key] for key in ("path", "corpus", "speaker", "label")]
            if attributes != row[:4]:
                problems.append(f"{name}: attributes {attributes}, table row {row[:4]}")
            if dataset.dtype != np.float32 or dataset.shape[1] != len(columns):
                problems.append(f"{name}: expected float32 [frames, {len(columns)}], found {dataset.dtype} {dataset.shape}")
            if int(dataset.attrs["sample_rate"]) != spec["sampleRate"] or int(dataset.attrs["hop_length"]) != spec["hopLength"]:
                problems.append(f"{name}: sample_rate {dataset.attrs['sample_rate']}, hop_length {dataset.attrs['hop_length']}")
            frames = dataset[()].astype(np.float64)
            stats = {"mean": frames.mean(axis=0), "std": frames.std(axis=0), "min": frames.min(axis=0), "max": frames.max(axis=0)}
            parts = [stats[fn] for fn in spec["functionals"]] + [np.percentile(frames, p, axis=0) for p in spec.get("percentiles", [])]
            # Column by column: c_f1, c_f2, ..., then the next column.
            expected = np.stack(parts, axis=1).reshape(-1)
            found = np.array([float(v) for v in row[4:]])
            difference = np.abs(found - expected) / (1e-6 + np.abs(expected))
            worst = max(worst, float(difference.max()))
        expect("every dataset's path, corpus, speaker, label (= its table row), float32 shape, sample_rate, hop_length",
               not problems, "; ".join(problems[:3]))
        expect("table values are the functionals of the frames (numpy, float64)", worst < 1e-5, f"worst relative difference {worst:.2e}")
        import glob
        import os
        singles = sorted(glob.glob(f"{folder}/single/*.csv"))
        expect("single-file outputs to compare", len(singles) >= 2, f"{len(singles)} files")
        for single in singles:
            index = int(os.path.basename(single).split(".")[0])
            with open(single, newline="") as handle:
                text = list(csv.reader(handle))
            values = np.array([[np.float32(v) for v in line] for line in text[1:]], dtype=np.float32)
            stored = f["utterances"][names[index]][()]
            expect(f"utterance {index} ({rows[index][0]}) frames equal `serlab features FILE`",
                   text[0] == columns and np.array_equal(values, stored), f"{stored.shape}")
    print(f"h5py {h5py.__version__} read {folder}/frames.h5 and table.csv: "
          f"{'all checks passed' if not failures else 'FAILED: ' + ', '.join(failures)}")
    return 1 if failures else 0


def write_fixture(swift_path):
    import base64
    import os
    import tempfile
    path = os.path.join(tempfile.mkdtemp(), "from_h5py.h5")
    with h5py.File(path, "w") as f:  # libver earliest: readable by HDF5 1.8+
        f.create_dataset("matrix", data=np.arange(6, dtype=np.float32).reshape(2, 3) / np.float32(3))
        f.create_dataset("doubles", data=np.array([math.e, -1.5]))
        f.create_dataset("int64s", data=np.array([-7, 2**40], dtype=np.int64))
        f.create_dataset("names", data=["alpha", "βeta"], dtype=h5py.string_dtype())
        f.create_dataset("fixed", data=np.array([b"xy", b"z"], dtype="S3"))
        f.create_dataset("chunked", data=np.arange(10, dtype=np.int32), chunks=(4,), compression="gzip", maxshape=(None,))
        g = f.create_group("group/nested")
        g.attrs["text"] = "written by h5py"
        g.attrs["number"] = np.int64(42)
        g.attrs["floats"] = np.array([1.5, 2.5], dtype=np.float32)
        f.attrs["fixed_text"] = np.bytes_(b"fixed-length attribute")
    encoded = base64.b64encode(open(path, "rb").read()).decode()
    lines = [encoded[i:i + 100] for i in range(0, len(encoded), 100)]
    with open(swift_path, "w") as out:
        out.write("// Generated by tools/hdf5_h5py_interop.py write-fixture with h5py %s (HDF5 %s). Do not edit.\n"
                  % (h5py.__version__, h5py.version.hdf5_version))
        out.write("import Foundation\n\n/// An HDF5 file written by h5py, base64.\nenum H5pyFixture {\n    static let base64 = \"\"\"\n")
        for line in lines:
            out.write("        " + line + "\n")
        out.write("        \"\"\"\n\n    static var data: Data { Data(base64Encoded: base64.replacingOccurrences(of: \"\\n\", with: \"\"))! }\n}\n")
    print(f"wrote {swift_path} ({len(encoded)} base64 characters) with h5py {h5py.__version__}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2]))
    if len(sys.argv) == 3 and sys.argv[1] == "check-export":
        sys.exit(check_export(sys.argv[2]))
    if len(sys.argv) == 3 and sys.argv[1] == "write-fixture":
        sys.exit(write_fixture(sys.argv[2]))
    print(__doc__)
    sys.exit(2)
