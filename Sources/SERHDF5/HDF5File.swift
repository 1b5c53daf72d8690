import CHDF5
import Foundation

/// An open HDF5 file. Groups, datasets and attributes hang off `root`.
///
/// ```swift
/// let file = try HDF5File.create(url)                    // truncates
/// try file.root.createDataset("weights", values: w, shape: [rows, columns])
/// try file.root.setAttribute("serlab_version", serlabVersion)
/// try file.close()                                       // or let it go out of scope
///
/// let readBack = try HDF5File.open(url)                  // read-only
/// let w2: [Float] = try readBack.root.openDataset("weights").read()
/// ```
///
/// Every HDF5 call in the process runs under one lock, so files and objects may be used from any
/// thread (one call at a time). Closing the file closes every object opened from it; using such an
/// object afterwards throws `HDF5Error.Kind.closed`.
public final class HDF5File: @unchecked Sendable {
    public enum Mode: Sendable { case readOnly, readWrite }

    /// Where the file is on disk.
    public let url: URL
    public let mode: Mode
    /// HDF5 handle; valid while `isOpen`. Guarded by the HDF5 lock.
    private(set) var id: hid_t
    private var openFlag = true

    private init(url: URL, id: hid_t, mode: Mode) {
        self.url = url
        self.id = id
        self.mode = mode
    }

    deinit {
        HDF5Library.locked {
            if openFlag { H5Fclose(id) }
        }
    }

    /// Creates `url`, replacing any file there when `truncate` (else throws `alreadyExists`).
    ///
    /// `checksummedMetadata` writes the HDF5 1.8 file format (superblock and object headers v2), whose
    /// metadata carries checksums, so a corrupt header is reported instead of misread; HDF5 1.8+ and any
    /// h5py read it. The default is the most widely readable format (1.6-compatible, no checksums), as h5py's.
    public static func create(_ url: URL, truncate: Bool = true, checksummedMetadata: Bool = false) throws -> HDF5File {
        try HDF5Library.locked {
            let access = try fileAccessList(url)
            if checksummedMetadata, H5Pset_libver_bounds(access, H5F_LIBVER_V18, H5F_LIBVER_V110) < 0 {
                H5Pclose(access)
                throw HDF5Error(.cannotCreate, file: url.path, object: "/", message: "cannot select the HDF5 1.8 file format",
                                library: HDF5Library.takeErrorStack())
            }
            defer { H5Pclose(access) }
            let flags = truncate ? serlab_H5F_ACC_TRUNC() : serlab_H5F_ACC_EXCL()
            let id = H5Fcreate(url.path, flags, hdf5Default, access)
            guard id >= 0 else {
                let stack = HDF5Library.takeErrorStack()
                let exists = FileManager.default.fileExists(atPath: url.path)
                throw HDF5Error(!truncate && exists ? .alreadyExists : .cannotCreate, file: url.path, object: "/",
                                message: !truncate && exists ? "expected no file, found one" : "cannot create an HDF5 file here",
                                library: stack)
            }
            return HDF5File(url: url, id: id, mode: .readWrite)
        }
    }

    /// Opens the HDF5 file whose bytes are `image` (read-only, in memory; the bytes are copied), e.g. a
    /// file read and verified by the caller, so that HDF5 parses exactly the verified bytes. `name` is used
    /// in errors only.
    public static func open(image: some ContiguousBytes, name: String) throws -> HDF5File {
        let url = URL(fileURLWithPath: name)
        return try HDF5Library.locked {
            let access = try fileAccessList(url)
            defer { H5Pclose(access) }
            let (status, count) = image.withUnsafeBytes { bytes -> (herr_t, Int) in
                guard !bytes.isEmpty, H5Pset_fapl_core(access, 1 << 20, false) >= 0 else { return (-1, bytes.count) }
                return (H5Pset_file_image(access, UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count), bytes.count)
            }
            guard status >= 0 else {
                throw HDF5Error(.cannotOpen, file: name, object: "/", message: "expected an HDF5 file image, found \(count) bytes HDF5 cannot use",
                                library: HDF5Library.takeErrorStack())
            }
            // The core driver refuses a name that exists on disk; the image needs none.
            let id = H5Fopen("serlab-image-\(UUID().uuidString)", serlab_H5F_ACC_RDONLY(), access)
            guard id >= 0 else {
                throw HDF5Error(.cannotOpen, file: name, object: "/",
                                message: "expected a readable HDF5 file image, found bytes HDF5 cannot open (not HDF5, truncated or corrupt)",
                                library: HDF5Library.takeErrorStack())
            }
            return HDF5File(url: url, id: id, mode: .readOnly)
        }
    }

    /// Opens an existing file. A missing, non-HDF5, truncated or corrupt file throws `cannotOpen`.
    public static func open(_ url: URL, mode: Mode = .readOnly) throws -> HDF5File {
        try HDF5Library.locked {
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw HDF5Error(.cannotOpen, file: url.path, object: "/", message: "expected an HDF5 file, found no file")
            }
            let access = try fileAccessList(url)
            defer { H5Pclose(access) }
            let flags = mode == .readOnly ? serlab_H5F_ACC_RDONLY() : serlab_H5F_ACC_RDWR()
            let id = H5Fopen(url.path, flags, access)
            guard id >= 0 else {
                throw HDF5Error(.cannotOpen, file: url.path, object: "/",
                                message: "expected a readable HDF5 file, found a file HDF5 cannot open (not HDF5, truncated or corrupt)",
                                library: HDF5Library.takeErrorStack())
            }
            return HDF5File(url: url, id: id, mode: mode)
        }
    }

    /// Whether `url` starts with the HDF5 signature (cheap; says nothing about the rest of the file).
    public static func hasHDF5Signature(_ url: URL) -> Bool {
        HDF5Library.locked { H5Fis_hdf5(url.path) > 0 }
    }

    /// Closes every object opened from the file, then the file. Idempotent.
    public func close() throws {
        try HDF5Library.locked {
            guard openFlag else { return }
            openFlag = false
            if H5Fclose(id) < 0 {
                throw HDF5Error(.writeFailed, file: url.path, object: "/", message: "closing the file failed",
                                library: HDF5Library.takeErrorStack())
            }
        }
    }

    /// Writes buffered data and metadata to disk (the file stays open).
    public func flush() throws {
        try HDF5Library.locked {
            try checkOpen(object: "/")
            if H5Fflush(id, H5F_SCOPE_GLOBAL) < 0 {
                throw HDF5Error(.writeFailed, file: url.path, object: "/", message: "flushing the file failed",
                                library: HDF5Library.takeErrorStack())
            }
        }
    }

    public var isOpen: Bool { HDF5Library.locked { openFlag } }

    /// The root group "/".
    public var root: HDF5Group {
        get throws {
            try HDF5Library.locked {
                try checkOpen(object: "/")
                let groupID = H5Gopen2(id, "/", hdf5Default)
                guard groupID >= 0 else {
                    throw HDF5Error(.cannotOpen, file: url.path, object: "/", message: "cannot open the root group",
                                    library: HDF5Library.takeErrorStack())
                }
                return HDF5Group(id: groupID, file: self, path: "/")
            }
        }
    }

    /// Call holding the lock.
    func checkOpen(object: String) throws {
        guard openFlag else {
            throw HDF5Error(.closed, file: url.path, object: object, message: "expected an open file, found it closed")
        }
    }

    /// Call holding the lock. `isOpen` without taking the lock again.
    var isOpenLocked: Bool { openFlag }

    /// Strong close degree (closing the file closes its objects); latest format is not forced so that
    /// older HDF5 readers (1.8+) read the files too.
    private static func fileAccessList(_ url: URL) throws -> hid_t {
        let access = H5Pcreate(serlab_H5P_FILE_ACCESS())
        guard access >= 0, H5Pset_fclose_degree(access, H5F_CLOSE_STRONG) >= 0 else {
            throw HDF5Error(.cannotOpen, file: url.path, object: "/", message: "cannot create a file access property list",
                            library: HDF5Library.takeErrorStack())
        }
        return access
    }
}
