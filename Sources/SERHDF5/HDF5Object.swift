import CHDF5
import Foundation

/// A group or dataset inside an open `HDF5File`; its handle closes when it is released or the file closes.
/// Holds its file open (the file is released only after every object from it).
public class HDF5Object: @unchecked Sendable {
    /// Guarded by the HDF5 lock; valid while `file` is open.
    let id: hid_t
    public let file: HDF5File
    /// Absolute path inside the file, "/features/values".
    public let path: String

    init(id: hid_t, file: HDF5File, path: String) {
        self.id = id
        self.file = file
        self.path = path
    }

    deinit {
        HDF5Library.locked {
            if file.isOpenLocked { H5Oclose(id) }
        }
    }

    /// `path` joined with a relative `name` ("a/b" under "/x" is "/x/a/b"); absolute names stay.
    func childPath(_ name: String) -> String {
        if name.hasPrefix("/") { return name }
        return path == "/" ? "/" + name : path + "/" + name
    }

    /// An error about `object` (default: this object) with HDF5's current error stack attached.
    func failure(_ kind: HDF5Error.Kind, _ object: String? = nil, _ message: String) -> HDF5Error {
        HDF5Error(kind, file: file.url.path, object: object ?? path, message: message, library: HDF5Library.takeErrorStack())
    }

    /// Call holding the lock.
    func checkOpen(_ object: String? = nil) throws {
        try file.checkOpen(object: object ?? path)
    }
}

/// Runs `body` with a dataspace of `shape` (a scalar dataspace for `[]`), closing it after.
func withDataspace<R>(shape: [Int], maxShape: [Int?]? = nil, _ body: (hid_t) throws -> R) throws -> R {
    let space: hid_t
    if shape.isEmpty && maxShape == nil {
        space = H5Screate(H5S_SCALAR)
    } else {
        var dims = shape.map { hsize_t($0) }
        if let maxShape {
            var maxDims = maxShape.map { $0.map { hsize_t($0) } ?? serlab_H5S_UNLIMITED() }
            space = H5Screate_simple(Int32(dims.count), &dims, &maxDims)
        } else {
            space = H5Screate_simple(Int32(dims.count), &dims, nil)
        }
    }
    guard space >= 0 else {
        throw HDF5Error(.invalidArgument, file: "", object: "", message: "cannot create a dataspace of shape \(shape)",
                        library: HDF5Library.takeErrorStack())
    }
    defer { H5Sclose(space) }
    return try body(space)
}

/// The shape of a dataspace ([] for scalar). Call holding the lock.
func dataspaceShape(_ space: hid_t) -> [Int] {
    let rank = Int(H5Sget_simple_extent_ndims(space))
    guard rank > 0 else { return [] }
    var dims = [hsize_t](repeating: 0, count: rank)
    H5Sget_simple_extent_dims(space, &dims, nil)
    return dims.map { Int($0) }
}

/// A variable-length UTF-8 string type; the caller closes it.
func makeVariableStringType() -> hid_t {
    let type = H5Tcopy(serlab_H5T_C_S1())
    H5Tset_size(type, serlab_H5T_VARIABLE())
    H5Tset_cset(type, H5T_CSET_UTF8)
    return type
}

/// A fixed-length UTF-8 string type of `length` bytes, null-padded (numpy's `S` dtype); caller closes it.
func makeFixedStringType(length: Int) -> hid_t {
    let type = H5Tcopy(serlab_H5T_C_S1())
    H5Tset_size(type, max(1, length))
    H5Tset_strpad(type, H5T_STR_NULLPAD)
    H5Tset_cset(type, H5T_CSET_UTF8)
    return type
}

/// Reads `count` strings stored with `storedType` through `read(memoryType, buffer)` (H5Dread or H5Aread).
/// Call holding the lock.
func readStrings(storedType: hid_t, count: Int, space: hid_t, read: (hid_t, UnsafeMutableRawPointer) -> herr_t) -> [String]? {
    if count == 0 { return [] }
    if H5Tis_variable_str(storedType) > 0 {
        let memoryType = makeVariableStringType()
        H5Tset_cset(memoryType, H5Tget_cset(storedType))
        defer { H5Tclose(memoryType) }
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
        let status = pointers.withUnsafeMutableBytes { read(memoryType, $0.baseAddress!) }
        guard status >= 0 else { return nil }
        let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
        _ = pointers.withUnsafeMutableBytes { H5Dvlen_reclaim(memoryType, space, hdf5Default, $0.baseAddress!) }
        return strings
    }
    let length = H5Tget_size(storedType)
    let memoryType = H5Tcopy(serlab_H5T_C_S1())
    defer { H5Tclose(memoryType) }
    H5Tset_size(memoryType, length)
    H5Tset_strpad(memoryType, H5T_STR_NULLPAD)
    H5Tset_cset(memoryType, H5Tget_cset(storedType))  // HDF5 converts neither way between ASCII and UTF-8
    var bytes = [UInt8](repeating: 0, count: length * count)
    let status = bytes.withUnsafeMutableBytes { read(memoryType, $0.baseAddress!) }
    guard status >= 0 else { return nil }
    return (0..<count).map { index in
        let slice = bytes[(index * length)..<((index + 1) * length)]
        let end = slice.firstIndex(of: 0) ?? slice.endIndex
        return String(decoding: slice[slice.startIndex..<end], as: UTF8.self)
    }
}

/// Runs `body` with C string pointers for `strings` (freed after). Nil when a string holds a NUL byte.
func withCStrings<R>(_ strings: [String], _ body: (UnsafeRawPointer) -> R) -> R? {
    if strings.contains(where: { $0.utf8.contains(0) }) { return nil }
    let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { pointers.forEach { free($0) } }
    return pointers.withUnsafeBytes { body($0.baseAddress!) }
}
