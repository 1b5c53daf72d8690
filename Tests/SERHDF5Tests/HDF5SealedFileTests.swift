import Foundation
import SERHDF5
import SERTestSupport
import Testing

@Suite("HDF5 sealed files")
struct HDF5SealedFileTests {
    static func writeSample(_ url: URL) throws {
        try HDF5File.writeSealed(to: url) { root in
            try root.createDataset("weights", values: (0..<600).map { Float($0) / 7 }, shape: [20, 30])
            try root.createStringDataset("names", strings: ["dense", "lstm", "Fröhlich"])
            try root.setAttribute("note", "sealed")
        }
    }

    @Test("A sealed file reads back through openSealed and plain open; no temporary file is left")
    func roundTrip() throws {
        let folder = TestSupport.temporaryDirectory("sealed")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("model.h5")
        try Self.writeSample(url)
        try Self.writeSample(url)  // replaces atomically
        let sealed = try HDF5File.openSealed(url).root
        #expect(try sealed.openDataset("weights").read(Float.self) == (0..<600).map { Float($0) / 7 })
        #expect(try sealed.openDataset("names").readStrings() == ["dense", "lstm", "Fröhlich"])
        #expect(try HDF5File.open(url).root.stringAttribute("note") == "sealed")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model.h5"])
    }

    @Test("Every truncation and every sampled flipped byte of a sealed file is an HDF5Error from openSealed")
    func damage() throws {
        let folder = TestSupport.temporaryDirectory("sealed")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("model.h5")
        try Self.writeSample(url)
        let pristine = try Data(contentsOf: url)
        let damaged = folder.appendingPathComponent("damaged.h5")
        for length in stride(from: 0, to: pristine.count, by: max(1, pristine.count / 50)) {
            try pristine.prefix(length).write(to: damaged)
            let error = #expect(throws: HDF5Error.self) { try HDF5File.openSealed(damaged) }
            #expect(error?.kind == .cannotOpen)
        }
        for position in stride(from: 0, to: pristine.count, by: max(1, pristine.count / 200)) {
            var bytes = pristine
            bytes[position] ^= 0x01
            try bytes.write(to: damaged)
            #expect(throws: HDF5Error.self, "flipped byte \(position)") { try HDF5File.openSealed(damaged) }
        }
        let unsealed = folder.appendingPathComponent("plain.h5")
        let file = try HDF5File.create(unsealed)
        try file.root.setAttribute("x", Int64(1))
        try file.close()
        let error = #expect(throws: HDF5Error.self) { try HDF5File.openSealed(unsealed) }
        #expect(error?.message.contains("checksum trailer") == true)
    }
}
