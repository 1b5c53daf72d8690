import Foundation
import SERCore
import SERHDF5
import SERTestSupport
import Testing

@Suite("HDF5 round trips")
struct HDF5RoundTripTests {
    /// Random bit patterns (NaN payloads included) plus the special values, for a bit-exact check.
    static func floatBits(count: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed, stream: "hdf5-floats")
        var values = (0..<count).map { _ in Float(bitPattern: UInt32.random(in: .min ... .max, using: &generator)) }
        let specials: [Float] = [0, -0.0, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.leastNormalMagnitude]
        for (index, special) in specials.enumerated() where index < count { values[index] = special }
        return values
    }

    @Test("Float32, Float64, Int32, Int64 and UInt8 datasets read back bit-exactly with their shapes")
    func numericRoundTrip() throws {
        let folder = TestSupport.temporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("numbers.h5")
        var generator = SeededGenerator(seed: 7, stream: "hdf5-numbers")
        let floats = Self.floatBits(count: 2 * 3 * 4, seed: 11)
        let doubles = (0..<10).map { _ in Double(bitPattern: UInt64.random(in: .min ... .max, using: &generator)) }
        let int32s = (0..<6).map { _ in Int32.random(in: .min ... .max, using: &generator) } + [.min, .max]
        let int64s: [Int64] = [.min, -1, 0, 1, .max, (1 << 53) + 1]
        let bytes: [UInt8] = [0, 1, 127, 128, 255]

        do {
            let file = try HDF5File.create(url)
            let root = try file.root
            try root.createDataset("floats", values: floats, shape: [2, 3, 4])
            try root.createDataset("nested/deeper/doubles", values: doubles, shape: [10])
            try root.createDataset("int32s", values: int32s, shape: [4, 2])
            try root.createDataset("int64s", values: int64s, shape: [6])
            try root.createDataset("bytes", values: bytes, shape: [5])
            try root.createDataset("scalar", values: [Float(2.5)], shape: [])
            try root.createDataset("empty", values: [Float](), shape: [0, 5])
            try file.close()
        }

        let file = try HDF5File.open(url)
        let root = try file.root
        let floatsBack = try root.openDataset("floats")
        #expect(try floatsBack.shape == [2, 3, 4])
        #expect(try floatsBack.elementType == .float32)
        #expect(try floatsBack.read(Float.self).map(\.bitPattern) == floats.map(\.bitPattern))
        #expect(try root.openDataset("nested/deeper/doubles").read(Double.self).map(\.bitPattern) == doubles.map(\.bitPattern))
        #expect(try root.openDataset("int32s").read(Int32.self) == int32s)
        #expect(try root.openDataset("int32s").shape == [4, 2])
        #expect(try root.openDataset("int64s").read(Int64.self) == int64s)
        #expect(try root.openDataset("bytes").read(UInt8.self) == bytes)
        #expect(try root.openDataset("scalar").shape == [])
        #expect(try root.openDataset("scalar").readScalar(Float.self) == 2.5)
        #expect(try root.openDataset("empty").shape == [0, 5])
        #expect(try root.openDataset("empty").read(Float.self) == [])
    }

    @Test("Chunked, compressed, extendable datasets grow by rows and read back by row ranges")
    func extendableRows() throws {
        let folder = TestSupport.temporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("rows.h5")
        let file = try HDF5File.create(url)
        let dataset = try file.root.createDataset("rows", of: Float.self, shape: [0, 3],
                                                  options: HDF5DatasetOptions(chunkShape: [4, 3], extendable: true, compressionLevel: 4))
        var all: [Float] = []
        for block in 0..<5 {
            let rows = (0..<(block + 1) * 3).map { Float(all.count + $0) * 0.5 }
            all += rows
            #expect(try dataset.append(rows) == all.count / 3)
        }
        #expect(throws: HDF5Error.self) { try dataset.append([Float(1), 2]) }
        try file.close()

        let reopened = try HDF5File.open(url)
        let rows = try reopened.root.openDataset("rows")
        #expect(try rows.shape == [all.count / 3, 3])
        #expect(try rows.read(Float.self) == all)
        #expect(try rows.readRows(2..<7, as: Float.self) == Array(all[6..<21]))
        #expect(try rows.readRows(0..<0, as: Float.self) == [])
        #expect(throws: HDF5Error.self) { try rows.readRows(0..<1000, as: Float.self) }
    }

    @Test("Variable- and fixed-length strings and every attribute kind read back; attributes are replaced")
    func stringsAndAttributes() throws {
        let folder = TestSupport.temporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("strings.h5")
        let names = ["mfcc_0", "", "Fröhlich 😀", "a/b c"]
        do {
            let file = try HDF5File.create(url)
            let root = try file.root
            try root.createStringDataset("names", strings: names)
            try root.createStringDataset("fixed", strings: ["ab", "", "wxyz"], fixedLength: 4)
            try root.createStringDataset("none", strings: [])
            #expect(throws: HDF5Error.self) { try root.createStringDataset("tooLong", strings: ["abcdef"], fixedLength: 3) }
            let group = try root.createGroup("meta")
            try group.setAttribute("title", "first")
            try group.setAttribute("title", "second, replacing the first")
            try group.setAttribute("labels", ["neutral", "calm", "happy"])
            try group.setAttribute("count", Int64(1440))
            try group.setAttribute("rate", Double(16000.5))
            try group.setAttribute("window", [Float(0.25), 0.5])
            try group.setAttribute("empty", [Int32]())
            let dataset = try root.openDataset("names")
            try dataset.setAttribute("unit", "none")
            try file.close()
        }
        let file = try HDF5File.open(url)
        let root = try file.root
        #expect(try root.openDataset("names").readStrings() == names)
        #expect(try root.openDataset("names").elementType == .string(length: nil))
        #expect(try root.openDataset("fixed").readStrings() == ["ab", "", "wxyz"])
        #expect(try root.openDataset("fixed").elementType == .string(length: 4))
        #expect(try root.openDataset("none").readStrings() == [])
        let group = try root.openGroup("meta")
        #expect(try group.stringAttribute("title") == "second, replacing the first")
        #expect(try group.stringArrayAttribute("labels") == ["neutral", "calm", "happy"])
        #expect(try group.attribute("count", as: Int64.self) == 1440)
        #expect(try group.attribute("rate", as: Double.self) == 16000.5)
        #expect(try group.arrayAttribute("window", as: Float.self) == [0.25, 0.5])
        #expect(try group.arrayAttribute("empty", as: Int32.self) == [])
        #expect(try group.attributeNames() == ["count", "empty", "labels", "rate", "title", "window"])
        #expect(try group.hasAttribute("count"))
        #expect(try !group.hasAttribute("missing"))
        #expect(try root.openDataset("names").stringAttribute("unit") == "none")
        let missing = #expect(throws: HDF5Error.self) { try group.stringAttribute("missing") }
        #expect(missing?.kind == .notFound)
        #expect(missing?.object == "/meta@missing")
        let wrongType = #expect(throws: HDF5Error.self) { try group.attribute("count", as: Int32.self) }
        #expect(wrongType?.kind == .typeMismatch)
    }

    @Test("Groups: create, open, list children, exists, kind, delete")
    func groups() throws {
        let folder = TestSupport.temporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("groups.h5")
        let file = try HDF5File.create(url)
        let root = try file.root
        let layers = try root.createGroup("model/layers")
        #expect(layers.path == "/model/layers")
        try layers.createGroup("lstm")
        try layers.createDataset("bias", values: [Float(1), 2], shape: [2])
        try layers.createGroup("dense")
        #expect(try layers.children() == ["bias", "dense", "lstm"])
        #expect(try root.children() == ["model"])
        #expect(root.exists("model/layers/lstm"))
        #expect(!root.exists("model/nothing/lstm"))
        #expect(root.kind(of: "model/layers/bias") == .dataset)
        #expect(root.kind(of: "model/layers") == .group)
        #expect(root.kind(of: "absent") == nil)
        let duplicate = #expect(throws: HDF5Error.self) { try root.createGroup("model") }
        #expect(duplicate?.kind == .alreadyExists)
        let notGroup = #expect(throws: HDF5Error.self) { try root.openGroup("model/layers/bias") }
        #expect(notGroup?.kind == .typeMismatch)
        let absent = #expect(throws: HDF5Error.self) { try root.openDataset("model/absent") }
        #expect(absent?.kind == .notFound)
        #expect(absent?.object == "/model/absent")
        #expect(absent?.file == url.path)
        try layers.delete("dense")
        #expect(try layers.children() == ["bias", "lstm"])
        #expect(try root.openGroup("model").openGroup("layers").openDataset("bias").read(Float.self) == [1, 2])
    }

    @Test("Wrong types and shapes are typed errors; objects of a closed file throw .closed")
    func misuse() throws {
        let folder = TestSupport.temporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("misuse.h5")
        let file = try HDF5File.create(url)
        let root = try file.root
        let dataset = try root.createDataset("values", values: [Float](repeating: 1, count: 6), shape: [2, 3])
        let shape = #expect(throws: HDF5Error.self) { try root.createDataset("bad", values: [Float(1)], shape: [2, 3]) }
        #expect(shape?.kind == .shapeMismatch)
        let type = #expect(throws: HDF5Error.self) { try dataset.read(Double.self) }
        #expect(type?.kind == .typeMismatch)
        #expect(type?.errorDescription?.contains("expected float64 values, found float32") == true)
        #expect(throws: HDF5Error.self) { try dataset.readStrings() }
        #expect(throws: HDF5Error.self) { try dataset.write([Float(1)]) }
        let notExtendable = #expect(throws: HDF5Error.self) { try dataset.append([Float](repeating: 0, count: 3)) }
        #expect(notExtendable?.kind == .writeFailed)
        try file.close()
        let closed = #expect(throws: HDF5Error.self) { try dataset.read(Float.self) }
        #expect(closed?.kind == .closed)
        #expect(throws: HDF5Error.self) { try root.children() }
        let exclusive = #expect(throws: HDF5Error.self) { try HDF5File.create(url, truncate: false) }
        #expect(exclusive?.kind == .alreadyExists)
    }

    @Test("Many threads each writing and reading their own file get their own data back")
    func threads() throws {
        let folder = TestSupport.temporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let count = 16
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: count) { index in
            do {
                let url = folder.appendingPathComponent("thread-\(index).h5")
                let values = (0..<1000).map { Float(index * 1000 + $0) }
                let file = try HDF5File.create(url)
                try file.root.createDataset("values", values: values, shape: [1000])
                try file.root.setAttribute("index", Int64(index))
                try file.close()
                let back = try HDF5File.open(url).root
                guard try back.openDataset("values").read(Float.self) == values,
                      try back.attribute("index", as: Int64.self) == Int64(index) else { failures.add("file \(index) differs"); return }
            } catch {
                failures.add("file \(index): \(error)")
            }
        }
        #expect(failures.messages == [])
    }
}

/// Collects failures from concurrent work.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ message: String) { lock.withLock { list.append(message) } }
    var messages: [String] { lock.withLock { list } }
}
