import Foundation
import SERHDF5
import SERTestSupport
import Testing

@Suite("HDF5 bad files")
struct HDF5CorruptionTests {
    /// A file with some groups, attributes and 64 KB of data.
    static func writeSample(_ url: URL) throws {
        let file = try HDF5File.create(url)
        let root = try file.root
        try root.setAttribute("complete", Int32(1))
        try root.createStringDataset("names", strings: (0..<50).map { "file-\($0).wav" })
        try root.createDataset("group/values", values: (0..<16384).map { Float($0) }, shape: [4096, 4],
                               options: HDF5DatasetOptions(chunkShape: [512, 4]))
        try root.createDataset("plain", values: (0..<1000).map { Int64($0) }, shape: [1000])
        try file.close()
    }

    /// Opens and reads everything; throws on any failure.
    static func readAll(_ url: URL) throws {
        let file = try HDF5File.open(url)
        let root = try file.root
        _ = try root.attribute("complete", as: Int32.self)
        _ = try root.openDataset("names").readStrings()
        _ = try root.openDataset("group/values").read(Float.self)
        _ = try root.openDataset("plain").read(Int64.self)
    }

    @Test("A file truncated anywhere is an HDF5Error naming the file, never a crash")
    func truncated() throws {
        let folder = TestSupport.temporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("whole.h5")
        try Self.writeSample(source)
        try Self.readAll(source)
        let data = try Data(contentsOf: source)
        let cut = folder.appendingPathComponent("cut.h5")
        for length in stride(from: 0, to: data.count, by: max(1, data.count / 40)) {
            try data.prefix(length).write(to: cut)
            let error = #expect(throws: HDF5Error.self, "truncated to \(length) of \(data.count) bytes") { try Self.readAll(cut) }
            #expect(error?.file == cut.path)
            #expect(error?.errorDescription?.contains(cut.path) == true)
        }
    }

    @Test("Garbage, empty, missing and overwritten-header files are HDF5Errors")
    func garbage() throws {
        let folder = TestSupport.temporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("bad.h5")
        try Data("this is not an HDF5 file at all, just text\n".utf8).write(to: url)
        let notHDF5 = #expect(throws: HDF5Error.self) { try HDF5File.open(url) }
        #expect(notHDF5?.kind == .cannotOpen)
        #expect(notHDF5?.library.isEmpty == false)
        #expect(!HDF5File.hasHDF5Signature(url))

        try Data().write(to: url)
        #expect(throws: HDF5Error.self) { try HDF5File.open(url) }

        let missing = #expect(throws: HDF5Error.self) { try HDF5File.open(folder.appendingPathComponent("absent.h5")) }
        #expect(missing?.kind == .cannotOpen)

        let imageError = #expect(throws: HDF5Error.self) { try HDF5File.open(image: Data("not HDF5".utf8), name: "in-memory.h5") }
        #expect(imageError?.file.hasSuffix("in-memory.h5") == true)
        #expect(throws: HDF5Error.self) { try HDF5File.open(image: Data(), name: "empty.h5") }

        try Self.writeSample(url)
        var data = try Data(contentsOf: url)
        for index in 0..<8 { data[index] = 0x41 }
        try data.write(to: url)
        #expect(throws: HDF5Error.self) { try Self.readAll(url) }
    }
}
