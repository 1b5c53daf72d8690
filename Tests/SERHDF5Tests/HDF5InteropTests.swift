import Foundation
import SERHDF5
import SERTestSupport
import Testing

/// Files exchanged with h5py. `tools/check-hdf5-h5py` runs this suite with `SERLAB_HDF5_SAMPLE_DIR` set
/// and checks the sample with h5py; H5pyFixture.swift holds a file written by `tools/hdf5_h5py_interop.py`.
@Suite("HDF5 interop with h5py")
struct HDF5InteropTests {
    /// The same formula as `expected_values()` in tools/hdf5_h5py_interop.py.
    static let matrix: [Float] = (0..<15).map { Float($0) * 0.25 - 1 }

    @Test("The interop sample (checked by h5py in tools/check-hdf5-h5py) reads back in Swift, in both file formats",
          arguments: [false, true])
    func writeSample(checksummedMetadata: Bool) throws {
        let folder = ProcessInfo.processInfo.environment["SERLAB_HDF5_SAMPLE_DIR"].map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? TestSupport.temporaryDirectory("hdf5-interop")
        defer {
            if ProcessInfo.processInfo.environment["SERLAB_HDF5_SAMPLE_DIR"] == nil { try? FileManager.default.removeItem(at: folder) }
        }
        let url = folder.appendingPathComponent(checksummedMetadata ? "swift_sample_checksummed.h5" : "swift_sample.h5")
        do {
            let file = try HDF5File.create(url, checksummedMetadata: checksummedMetadata)
            let root = try file.root
            let values = try root.createDataset("features/values", values: Self.matrix, shape: [5, 3])
            try values.setAttribute("unit", "dB")
            try root.createDataset("doubles", values: [Double.pi, -0.0, 1e300, .leastNonzeroMagnitude], shape: [4])
            try root.createDataset("ints", values: [Int32.min, .max, 0, -1], shape: [2, 2])
            try root.createDataset("longs", values: [Int64.min, .max, 123_456_789_012_345], shape: [3])
            try root.createStringDataset("names", strings: ["mfcc_0", "Fröhlich 😀", ""])
            try root.createStringDataset("fixed", strings: ["ab", "", "wxyz"], fixedLength: 4)
            let rows = try root.createDataset("rows", of: Float.self, shape: [0, 2],
                                              options: HDF5DatasetOptions(chunkShape: [3, 2], extendable: true, compressionLevel: 6))
            try rows.append((0..<6).map(Float.init))
            try rows.append((6..<14).map(Float.init))
            try root.createDataset("empty", values: [Float](), shape: [0, 5])
            try root.setAttribute("title", "serlab interop sample")
            try root.setAttribute("count", Int64(1440))
            try root.setAttribute("rate", 16000.5)
            try root.setAttribute("labels", ["neutral", "calm", "happy"])
            try root.setAttribute("window", [Float(0.25), 0.5])
            try file.close()
        }
        let root = try HDF5File.open(url).root
        #expect(try root.openDataset("features/values").read(Float.self) == Self.matrix)
        if checksummedMetadata {  // and a sealed copy (trailer after the HDF5 bytes) for h5py to read
            try HDF5File.writeSealed(to: folder.appendingPathComponent("swift_sample_sealed.h5")) { sealedRoot in
                try sealedRoot.createDataset("features/values", values: Self.matrix, shape: [5, 3])
                try sealedRoot.setAttribute("title", "serlab interop sample")
            }
        }
        let fromImage = try HDF5File.open(image: try Data(contentsOf: url), name: url.path).root
        #expect(try fromImage.openDataset("features/values").read(Float.self) == Self.matrix)
        #expect(try fromImage.stringAttribute("title") == "serlab interop sample")
        #expect(try root.openDataset("rows").read(Float.self) == (0..<14).map(Float.init))
        #expect(try root.openDataset("doubles").read(Double.self).map(\.bitPattern) == [Double.pi, -0.0, 1e300, .leastNonzeroMagnitude].map(\.bitPattern))
        #expect(try root.stringArrayAttribute("labels") == ["neutral", "calm", "happy"])
    }

    @Test("A file written by h5py reads in Swift: numbers, variable and fixed strings, chunked gzip, attributes")
    func readH5pyFixture() throws {
        let folder = TestSupport.temporaryDirectory("hdf5-interop")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("from_h5py.h5")
        try H5pyFixture.data.write(to: url)
        let root = try HDF5File.open(url).root
        #expect(try root.openDataset("matrix").shape == [2, 3])
        #expect(try root.openDataset("matrix").read(Float.self) == (0..<6).map { Float($0) / 3 })
        #expect(try root.openDataset("doubles").read(Double.self) == [M_E, -1.5])
        #expect(try root.openDataset("int64s").read(Int64.self) == [-7, 1 << 40])
        #expect(try root.openDataset("names").readStrings() == ["alpha", "βeta"])
        #expect(try root.openDataset("fixed").readStrings() == ["xy", "z"])
        #expect(try root.openDataset("chunked").read(Int32.self) == Array(0..<10))
        #expect(try root.openDataset("chunked").readRows(3..<6, as: Int32.self) == [3, 4, 5])
        let nested = try root.openGroup("group/nested")
        #expect(try nested.stringAttribute("text") == "written by h5py")
        #expect(try nested.attribute("number", as: Int64.self) == 42)
        #expect(try nested.arrayAttribute("floats", as: Float.self) == [1.5, 2.5])
        #expect(try root.stringAttribute("fixed_text") == "fixed-length attribute")
        #expect(try root.children() == ["chunked", "doubles", "fixed", "group", "int64s", "matrix", "names"])
    }
}
