import Foundation
import SERCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sealed files: HDF5 files written atomically (temporary file, fsync, rename) with a SHA-256 trailer,
/// and opened only after the trailer is verified, so a truncated, partly written or bit-flipped file is
/// an `HDF5Error`, never a crash inside libhdf5 (a corrupt global heap can crash it) and never wrong data.
///
/// Trailer: 48 bytes after the HDF5 bytes: "SERLABCK", the HDF5 byte count (UInt64 little-endian), and
/// the SHA-256 of the HDF5 bytes. HDF5 and h5py ignore bytes past the end of an HDF5 file, so sealed
/// files read like any other; editing one in place (h5py mode "a") breaks its seal.
///
/// ```swift
/// try HDF5File.writeSealed(to: url) { root in
///     try root.createDataset("weights", values: w, shape: [rows, columns])
/// }
/// let root = try HDF5File.openSealed(url).root
/// ```
extension HDF5File {
    public static let sealMagic = Array("SERLABCK".utf8)
    public static let sealTrailerSize = 48

    /// Writes the file `body` builds into `.<name>.tmp-<pid>-<id>` beside `url` (1.8 format with
    /// checksummed metadata), appends the trailer, fsyncs, calls `beforeRename` with the temporary file
    /// (e.g. to stat it), and renames it over `url`. Readers see the old file or the new one, never a
    /// partial one. Concurrent writers should hold a lock of their own (the last rename wins).
    public static func writeSealed(to url: URL, beforeRename: ((URL) throws -> Void)? = nil,
                                   _ body: (HDF5Group) throws -> Void) throws {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: temporary) }
        do {
            let file = try create(temporary, checksummedMetadata: true)
            try body(try file.root)
            try file.close()
        }
        func failure(_ message: String) -> HDF5Error {
            HDF5Error(.writeFailed, file: url.path, object: "/", message: message)
        }
        do {
            let image = try Data(contentsOf: temporary)
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.seekToEnd()
            try handle.write(contentsOf: sealTrailer(for: image))
            try handle.synchronize()
            try handle.close()
        } catch {
            throw failure("cannot append the checksum trailer to \(temporary.path): \(error.localizedDescription)")
        }
        try beforeRename?(temporary)
        guard rename(temporary.path, url.path) == 0 else {
            throw failure("cannot rename \(temporary.path) into place: \(String(cString: strerror(errno)))")
        }
        synchroniseFolder(folder)
    }

    /// Reads `url`, verifies its trailer, and opens the verified bytes in memory (read-only). A missing
    /// trailer, a wrong length or hash, or bytes HDF5 rejects throw `HDF5Error` (`.cannotOpen`).
    public static func openSealed(_ url: URL) throws -> HDF5File {
        let bytes: Data
        do {
            bytes = try Data(contentsOf: url)
        } catch {
            throw HDF5Error(.cannotOpen, file: url.path, object: "/", message: "expected a sealed HDF5 file, cannot read it: \(error.localizedDescription)")
        }
        guard let image = verifiedSealedImage(bytes) else {
            throw HDF5Error(.cannotOpen, file: url.path, object: "/",
                            message: "expected a sealed HDF5 file, found no valid checksum trailer (truncated, corrupt, edited in place, or not sealed)")
        }
        return try open(image: image, name: url.path)
    }

    /// Opens the sealed file at `url` (`openSealed`), runs `body` on its root group and closes the file.
    /// A file that cannot be opened (missing, unsealed, corrupt) throws `unreadable(error)` instead, so
    /// each format (checkpoint, bundle) reports it in its own error type.
    public static func readSealed<T>(_ url: URL, unreadable: (any Error) -> any Error, _ body: (HDF5Group) throws -> T) throws -> T {
        let file: HDF5File
        let root: HDF5Group
        do {
            file = try openSealed(url)
            root = try file.root
        } catch {
            throw unreadable(error)
        }
        defer { try? file.close() }
        return try body(root)
    }

    /// The 48-byte trailer for `image`.
    public static func sealTrailer(for image: Data) -> Data {
        var trailer = sealMagic
        withUnsafeBytes(of: UInt64(image.count).littleEndian) { trailer += $0 }
        var hasher = SHA256()
        image.withUnsafeBytes { hasher.update($0) }
        trailer += hasher.finalize().bytes
        return Data(trailer)
    }

    /// The HDF5 part of a sealed file's bytes (a slice, not a copy) when its trailer matches, else nil.
    public static func verifiedSealedImage(_ file: Data) -> Data? {
        guard file.count > sealTrailerSize else { return nil }
        let trailer = [UInt8](file.suffix(sealTrailerSize))
        guard Array(trailer[0..<8]) == sealMagic else { return nil }
        var length: UInt64 = 0
        for (index, byte) in trailer[8..<16].enumerated() { length |= UInt64(byte) << (8 * UInt64(index)) }
        guard length == UInt64(file.count - sealTrailerSize) else { return nil }
        let image = file.prefix(file.count - sealTrailerSize)
        var hasher = SHA256()
        image.withUnsafeBytes { hasher.update($0) }
        guard hasher.finalize().bytes == Array(trailer[16...]) else { return nil }
        return image
    }

    /// Removes temporary files of `writeSealed(to: url)` left by processes that died. Call holding the
    /// writers' lock.
    public static func removeStaleTemporaries(for url: URL) {
        let folder = url.deletingLastPathComponent()
        let prefix = ".\(url.lastPathComponent).tmp-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(prefix) {
            let pidText = name.dropFirst(prefix.count).prefix { $0 != "-" }
            if let pid = Int32(pidText), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH {
                try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
            }
        }
    }
}

/// fsync of a folder, so a rename in it survives a power cut (best effort).
private func synchroniseFolder(_ folder: URL) {
    let descriptor = open(folder.path, O_RDONLY | O_CLOEXEC)
    if descriptor >= 0 {
        fsync(descriptor)
        close(descriptor)
    }
}
