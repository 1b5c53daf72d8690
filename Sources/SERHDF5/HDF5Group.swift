import CHDF5
import Foundation

/// How a numeric dataset is laid out on disk.
public struct HDF5DatasetOptions: Sendable, Equatable {
    /// Chunk shape (same rank as the data). Required when `extendable`; nil stores the data contiguously.
    public var chunkShape: [Int]?
    /// Lets the first dimension grow without limit (`HDF5Dataset.append`); needs a chunk shape.
    public var extendable: Bool
    /// gzip level 1...9 (h5py's `compression="gzip"`); nil for none. Needs a chunk shape.
    public var compressionLevel: Int?

    public init(chunkShape: [Int]? = nil, extendable: Bool = false, compressionLevel: Int? = nil) {
        self.chunkShape = chunkShape
        self.extendable = extendable
        self.compressionLevel = compressionLevel
    }
}

/// What a child of a group is.
public enum HDF5ObjectKind: Sendable, Equatable {
    case group, dataset, other
}

/// A group: a folder of groups and datasets. Names may be paths ("a/b/c"); missing intermediate groups
/// are created on write.
public final class HDF5Group: HDF5Object, @unchecked Sendable {
    // MARK: Groups

    /// Creates the group `name` (and missing parents); throws `alreadyExists` when it exists.
    @discardableResult
    public func createGroup(_ name: String) throws -> HDF5Group {
        try HDF5Library.locked {
            let target = childPath(name)
            try checkOpen(target)
            if linkExists(name) {
                throw HDF5Error(.alreadyExists, file: file.url.path, object: target, message: "expected no object here, found one")
            }
            let linkList = intermediateGroupsList()
            defer { H5Pclose(linkList) }
            let groupID = H5Gcreate2(id, name, linkList, hdf5Default, hdf5Default)
            guard groupID >= 0 else { throw failure(.cannotCreate, target, "cannot create the group") }
            return HDF5Group(id: groupID, file: file, path: target)
        }
    }

    /// Opens the existing group `name`.
    public func openGroup(_ name: String) throws -> HDF5Group {
        try HDF5Library.locked {
            let target = childPath(name)
            try checkOpen(target)
            guard linkExists(name) else {
                throw HDF5Error(.notFound, file: file.url.path, object: target, message: "expected a group, found nothing")
            }
            guard kindLocked(name) == .group else {
                throw HDF5Error(.typeMismatch, file: file.url.path, object: target, message: "expected a group, found a dataset or other object")
            }
            let groupID = H5Gopen2(id, name, hdf5Default)
            guard groupID >= 0 else { throw failure(.cannotOpen, target, "cannot open the group") }
            return HDF5Group(id: groupID, file: file, path: target)
        }
    }

    /// Whether `name` (a relative path, "a/b") exists, checking every link along the way.
    public func exists(_ name: String) -> Bool {
        HDF5Library.locked {
            guard file.isOpenLocked else { return false }
            return linkExists(name)
        }
    }

    /// The kind of the object at `name`, nil when there is none.
    public func kind(of name: String) -> HDF5ObjectKind? {
        HDF5Library.locked {
            guard file.isOpenLocked, linkExists(name) else { return nil }
            return kindLocked(name)
        }
    }

    /// Names of the direct children, sorted by name (byte order).
    public func children() throws -> [String] {
        try HDF5Library.locked {
            try checkOpen()
            var info = H5G_info_t()
            guard H5Gget_info(id, &info) >= 0 else { throw failure(.readFailed, nil, "cannot read the group's links") }
            var names: [String] = []
            names.reserveCapacity(Int(info.nlinks))
            for index in 0..<info.nlinks {
                let length = H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, hdf5Default)
                guard length >= 0 else { throw failure(.readFailed, nil, "cannot read the name of link \(index)") }
                var buffer = [CChar](repeating: 0, count: Int(length) + 1)
                H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, hdf5Default)
                names.append(stringFromCBuffer(buffer))
            }
            return names
        }
    }

    /// Removes the link `name` (the space is reclaimed only when the file is rewritten, as in h5py).
    public func delete(_ name: String) throws {
        try HDF5Library.locked {
            let target = childPath(name)
            try checkOpen(target)
            guard linkExists(name) else {
                throw HDF5Error(.notFound, file: file.url.path, object: target, message: "expected an object to delete, found nothing")
            }
            guard H5Ldelete(id, name, hdf5Default) >= 0 else { throw failure(.writeFailed, target, "cannot delete") }
        }
    }

    // MARK: Numeric datasets

    /// Creates the dataset `name` of `shape` holding `values` (row-major, C order, as numpy).
    /// `shape` `[]` stores one scalar. Throws `shapeMismatch` when `values.count` is not the product of `shape`.
    @discardableResult
    public func createDataset<T: HDF5Scalar>(_ name: String, values: [T], shape: [Int],
                                             options: HDF5DatasetOptions = HDF5DatasetOptions()) throws -> HDF5Dataset {
        let expected = shape.reduce(1, *)
        guard values.count == expected, shape.allSatisfy({ $0 >= 0 }) else {
            throw HDF5Error(.shapeMismatch, file: file.url.path, object: childPath(name),
                            message: "expected \(expected) values for shape \(shape), found \(values.count)")
        }
        let dataset = try createEmptyDataset(name, elementType: T.hdf5ElementType, shape: shape, options: options)
        if expected > 0 { try dataset.write(values) }
        return dataset
    }

    /// Creates a dataset of `shape` filled with zeros, to be written later (whole or by appending rows).
    @discardableResult
    public func createDataset<T: HDF5Scalar>(_ name: String, of type: T.Type, shape: [Int],
                                             options: HDF5DatasetOptions = HDF5DatasetOptions()) throws -> HDF5Dataset {
        try createEmptyDataset(name, elementType: T.hdf5ElementType, shape: shape, options: options)
    }

    // MARK: String datasets

    /// Creates a 1-D dataset of UTF-8 strings: variable-length (h5py's `str`, read back as `bytes`/`str`),
    /// or fixed-length of `fixedLength` bytes (numpy `S` dtype; longer strings throw `invalidArgument`).
    @discardableResult
    public func createStringDataset(_ name: String, strings: [String], fixedLength: Int? = nil) throws -> HDF5Dataset {
        try HDF5Library.locked {
            let target = childPath(name)
            try checkOpen(target)
            if linkExists(name) {
                throw HDF5Error(.alreadyExists, file: file.url.path, object: target, message: "expected no object here, found one")
            }
            if let fixedLength, let long = strings.first(where: { $0.utf8.count > fixedLength }) {
                throw HDF5Error(.invalidArgument, file: file.url.path, object: target,
                                message: "expected strings of at most \(fixedLength) bytes, found one of \(long.utf8.count)")
            }
            let type = fixedLength.map { makeFixedStringType(length: $0) } ?? makeVariableStringType()
            defer { H5Tclose(type) }
            let linkList = intermediateGroupsList()
            defer { H5Pclose(linkList) }
            return try withDataspace(shape: [strings.count]) { space in
                let datasetID = H5Dcreate2(id, name, type, space, linkList, hdf5Default, hdf5Default)
                guard datasetID >= 0 else { throw failure(.cannotCreate, target, "cannot create the string dataset") }
                let dataset = HDF5Dataset(id: datasetID, file: file, path: target)
                guard !strings.isEmpty else { return dataset }
                let status: herr_t?
                if let fixedLength {
                    var bytes = [UInt8](repeating: 0, count: max(1, fixedLength) * strings.count)
                    for (index, string) in strings.enumerated() {
                        for (offset, byte) in string.utf8.enumerated() { bytes[index * max(1, fixedLength) + offset] = byte }
                    }
                    status = bytes.withUnsafeBytes { H5Dwrite(datasetID, type, hdf5All, hdf5All, hdf5Default, $0.baseAddress) }
                } else {
                    status = withCStrings(strings) { H5Dwrite(datasetID, type, hdf5All, hdf5All, hdf5Default, $0) }
                }
                guard let status else {
                    throw HDF5Error(.invalidArgument, file: file.url.path, object: target, message: "expected strings without NUL bytes, found one")
                }
                guard status >= 0 else { throw failure(.writeFailed, target, "cannot write the strings") }
                return dataset
            }
        }
    }

    // MARK: Opening

    /// Opens the existing dataset `name`.
    public func openDataset(_ name: String) throws -> HDF5Dataset {
        try HDF5Library.locked {
            let target = childPath(name)
            try checkOpen(target)
            guard linkExists(name) else {
                throw HDF5Error(.notFound, file: file.url.path, object: target, message: "expected a dataset, found nothing")
            }
            guard kindLocked(name) == .dataset else {
                throw HDF5Error(.typeMismatch, file: file.url.path, object: target, message: "expected a dataset, found a group or other object")
            }
            let datasetID = H5Dopen2(id, name, hdf5Default)
            guard datasetID >= 0 else { throw failure(.cannotOpen, target, "cannot open the dataset") }
            return HDF5Dataset(id: datasetID, file: file, path: target)
        }
    }

    // MARK: Private

    private func createEmptyDataset(_ name: String, elementType: HDF5ElementType, shape: [Int], options: HDF5DatasetOptions) throws -> HDF5Dataset {
        try HDF5Library.locked {
            let target = childPath(name)
            try checkOpen(target)
            if linkExists(name) {
                throw HDF5Error(.alreadyExists, file: file.url.path, object: target, message: "expected no object here, found one")
            }
            if let chunk = options.chunkShape, chunk.count != shape.count || chunk.contains(where: { $0 <= 0 }) {
                throw HDF5Error(.invalidArgument, file: file.url.path, object: target,
                                message: "expected a chunk shape of \(shape.count) positive sizes, found \(chunk)")
            }
            if (options.extendable || options.compressionLevel != nil) && (options.chunkShape == nil || shape.isEmpty) {
                throw HDF5Error(.invalidArgument, file: file.url.path, object: target,
                                message: "an extendable or compressed dataset needs a chunk shape and at least one dimension")
            }
            let createList = H5Pcreate(serlab_H5P_DATASET_CREATE())
            defer { H5Pclose(createList) }
            if let chunk = options.chunkShape {
                var dims = chunk.map { hsize_t($0) }
                H5Pset_chunk(createList, Int32(dims.count), &dims)
                if let level = options.compressionLevel { H5Pset_deflate(createList, UInt32(min(9, max(1, level)))) }
            }
            let linkList = intermediateGroupsList()
            defer { H5Pclose(linkList) }
            let maxShape: [Int?]? = options.extendable ? [nil] + shape.dropFirst().map { Optional($0) } : nil
            return try withDataspace(shape: shape, maxShape: maxShape) { space in
                let datasetID = H5Dcreate2(id, name, elementType.fileType!, space, linkList, createList, hdf5Default)
                guard datasetID >= 0 else { throw failure(.cannotCreate, target, "cannot create a \(elementType) dataset of shape \(shape)") }
                return HDF5Dataset(id: datasetID, file: file, path: target)
            }
        }
    }

    /// Link creation list that creates missing intermediate groups. Caller closes it.
    private func intermediateGroupsList() -> hid_t {
        let list = H5Pcreate(serlab_H5P_LINK_CREATE())
        H5Pset_create_intermediate_group(list, 1)
        return list
    }

    /// Whether every link along `name` exists (H5Lexists fails on a missing intermediate). Holding the lock.
    func linkExists(_ name: String) -> Bool {
        var prefix = name.hasPrefix("/") ? "/" : ""
        for component in name.split(separator: "/") {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
            guard H5Lexists(id, prefix, hdf5Default) > 0 else {
                _ = HDF5Library.takeErrorStack()
                return false
            }
        }
        return true
    }

    /// Holding the lock; `name` must exist.
    private func kindLocked(_ name: String) -> HDF5ObjectKind {
        let object = H5Oopen(id, name, hdf5Default)
        guard object >= 0 else { _ = HDF5Library.takeErrorStack(); return .other }
        defer { H5Oclose(object) }
        switch H5Iget_type(object) {
        case H5I_GROUP: return .group
        case H5I_DATASET: return .dataset
        default: return .other
        }
    }
}
