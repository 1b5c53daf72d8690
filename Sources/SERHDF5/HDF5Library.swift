import CHDF5
import Foundation

/// Process-wide HDF5 state: one recursive lock that serialises every HDF5 call in the process, and the
/// error stack reader.
///
/// Why a lock even though Debian's libhdf5 is built thread-safe: other builds (Homebrew, conda, source
/// defaults) are not, HDF5 is not concurrent anyway (its thread-safe build takes one global lock), and
/// the error stack we read after a failure must belong to the call that failed. The lock is recursive so
/// that releasing an object (deinit closes its handle) inside a locked section cannot deadlock.
enum HDF5Library {
    private static let lock: NSRecursiveLock = {
        let lock = NSRecursiveLock()
        lock.name = "serlab.hdf5"
        return lock
    }()

    private static let initialised: Bool = {
        _ = H5open()
        serlab_H5_silence_errors()
        return true
    }()

    /// Runs `body` holding the HDF5 lock, with HDF5 initialised and its stderr printing silenced.
    static func locked<R>(_ body: () throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        precondition(initialised)
        // The thread-safe build keeps the automatic error printer per thread: silence it on this one.
        serlab_H5_silence_errors()
        return try body()
    }

    /// HDF5's error stack since the last call, API function first; clears it. Call holding the lock.
    static func takeErrorStack() -> String {
        var buffer = [CChar](repeating: 0, count: 1100)
        _ = buffer.withUnsafeMutableBufferPointer { serlab_H5_take_error_stack($0.baseAddress) }
        return stringFromCBuffer(buffer)
    }

    /// The version of the linked libhdf5, "1.10.8".
    public static var version: String {
        locked {
            var major: UInt32 = 0, minor: UInt32 = 0, release: UInt32 = 0
            H5get_libversion(&major, &minor, &release)
            return "\(major).\(minor).\(release)"
        }
    }
}

/// The version of the linked libhdf5, e.g. "1.10.8"; recorded in files serlab writes.
public var hdf5LibraryVersion: String { HDF5Library.version }

/// `H5P_DEFAULT`, `H5S_ALL` and `H5E_DEFAULT` all import as `Int32(0)`.
let hdf5Default = hid_t(H5P_DEFAULT)
let hdf5All = hid_t(H5S_ALL)

/// The UTF-8 text of a NUL-terminated C buffer.
func stringFromCBuffer(_ buffer: [CChar]) -> String {
    let end = buffer.firstIndex(of: 0) ?? buffer.endIndex
    return String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
