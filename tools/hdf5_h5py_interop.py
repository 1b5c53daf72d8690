#!/usr/bin/env python3
"""Checks that HDF5 files written by serlab's SERHDF5 read correctly in h5py, and writes the h5py-made
fixture SERHDF5's tests read (the other direction), embedded base64 in a Swift file so that SwiftPM needs no
resource declaration.

    python3 tools/hdf5_h5py_interop.py write-fixture Tests/SERHDF5Tests/H5pyFixture.swift
    python3 tools/hdf5_h5py_interop.py check <folder holding the swift_sample*.h5 files>

`tools/check-hdf5-h5py` runs the Swift test that writes swift_sample.h5 and then `check`. The expected
values are recomputed here from the same formulas the Swift test uses (HDF5InteropTests.swift).
"""
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
    if len(sys.argv) == 3 and sys.argv[1] == "write-fixture":
        sys.exit(write_fixture(sys.argv[2]))
    print(__doc__)
    sys.exit(2)
