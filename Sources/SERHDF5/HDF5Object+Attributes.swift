import CHDF5
import Foundation

/// Attributes on groups (including the root) and datasets: small named values, as h5py's `.attrs`.
/// Setting an attribute replaces any attribute of that name. Strings are variable-length UTF-8
/// (h5py reads them as `str`); numbers are stored as scalars, arrays as 1-D.
extension HDF5Object {
    public func setAttribute(_ name: String, _ value: String) throws {
        try writeStringAttribute(name, [value], scalar: true)
    }

    public func setAttribute(_ name: String, _ values: [String]) throws {
        try writeStringAttribute(name, values, scalar: false)
    }

    public func setAttribute<T: HDF5Scalar>(_ name: String, _ value: T) throws {
        try writeNumericAttribute(name, [value], shape: [])
    }

    public func setAttribute<T: HDF5Scalar>(_ name: String, _ values: [T]) throws {
        try writeNumericAttribute(name, values, shape: [values.count])
    }

    /// Whether the attribute exists.
    public func hasAttribute(_ name: String) throws -> Bool {
        try HDF5Library.locked {
            try checkOpen()
            let result = H5Aexists(id, name)
            guard result >= 0 else { throw failure(.readFailed, attributePath(name), "cannot look up the attribute") }
            return result > 0
        }
    }

    /// Attribute names, sorted by name (byte order).
    public func attributeNames() throws -> [String] {
        try HDF5Library.locked {
            try checkOpen()
            var info = H5O_info_t()
            guard H5Oget_info2(id, &info, UInt32(H5O_INFO_NUM_ATTRS)) >= 0 else {
                throw failure(.readFailed, nil, "cannot count the attributes")
            }
            var names: [String] = []
            for index in 0..<info.num_attrs {
                let length = H5Aget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, hdf5Default)
                guard length >= 0 else { throw failure(.readFailed, nil, "cannot read the name of attribute \(index)") }
                var buffer = [CChar](repeating: 0, count: Int(length) + 1)
                H5Aget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, hdf5Default)
                names.append(stringFromCBuffer(buffer))
            }
            return names
        }
    }

    /// A string attribute (scalar, or the only element of a 1-D one).
    public func stringAttribute(_ name: String) throws -> String {
        let values = try stringArrayAttribute(name)
        guard values.count == 1 else {
            throw HDF5Error(.shapeMismatch, file: file.url.path, object: attributePath(name), message: "expected one string, found \(values.count)")
        }
        return values[0]
    }

    /// A string attribute's values (variable- or fixed-length).
    public func stringArrayAttribute(_ name: String) throws -> [String] {
        try withAttribute(name) { attribute, type, space in
            guard H5Tget_class(type) == H5T_STRING else {
                throw HDF5Error(.typeMismatch, file: file.url.path, object: attributePath(name),
                                message: "expected a string attribute, found \(HDF5ElementType.classify(type))")
            }
            let count = dataspaceShape(space).reduce(1, *)
            guard let strings = readStrings(storedType: type, count: count, space: space, read: { memoryType, buffer in
                H5Aread(attribute, memoryType, buffer)
            }) else { throw failure(.readFailed, attributePath(name), "cannot read the attribute") }
            return strings
        }
    }

    /// A numeric attribute (scalar, or the only element of a 1-D one), stored exactly as `T`.
    public func attribute<T: HDF5Scalar>(_ name: String, as type: T.Type = T.self) throws -> T {
        let values = try arrayAttribute(name, as: T.self)
        guard values.count == 1 else {
            throw HDF5Error(.shapeMismatch, file: file.url.path, object: attributePath(name), message: "expected one value, found \(values.count)")
        }
        return values[0]
    }

    /// A numeric attribute's values, stored exactly as `T`.
    public func arrayAttribute<T: HDF5Scalar>(_ name: String, as type: T.Type = T.self) throws -> [T] {
        try withAttribute(name) { attribute, storedType, space in
            let found = HDF5ElementType.classify(storedType)
            guard found == T.hdf5ElementType else {
                throw HDF5Error(.typeMismatch, file: file.url.path, object: attributePath(name),
                                message: "expected a \(T.hdf5ElementType) attribute, found \(found)")
            }
            let count = dataspaceShape(space).reduce(1, *)
            var values = [T](repeating: T.zero, count: count)
            if count == 0 { return values }
            let status = values.withUnsafeMutableBytes { H5Aread(attribute, T.hdf5ElementType.memoryType!, $0.baseAddress) }
            guard status >= 0 else { throw failure(.readFailed, attributePath(name), "cannot read the attribute") }
            return values
        }
    }

    /// Removes the attribute; throws `notFound` when absent.
    public func deleteAttribute(_ name: String) throws {
        try HDF5Library.locked {
            try checkOpen()
            guard H5Aexists(id, name) > 0 else {
                throw HDF5Error(.notFound, file: file.url.path, object: attributePath(name), message: "expected an attribute, found none")
            }
            guard H5Adelete(id, name) >= 0 else { throw failure(.writeFailed, attributePath(name), "cannot delete the attribute") }
        }
    }

    // MARK: Private

    func attributePath(_ name: String) -> String { "\(path)@\(name)" }

    private func withAttribute<R>(_ name: String, _ body: (hid_t, hid_t, hid_t) throws -> R) throws -> R {
        try HDF5Library.locked {
            try checkOpen()
            guard H5Aexists(id, name) > 0 else {
                _ = HDF5Library.takeErrorStack()
                throw HDF5Error(.notFound, file: file.url.path, object: attributePath(name), message: "expected an attribute, found none")
            }
            let attribute = H5Aopen(id, name, hdf5Default)
            guard attribute >= 0 else { throw failure(.readFailed, attributePath(name), "cannot open the attribute") }
            defer { H5Aclose(attribute) }
            let type = H5Aget_type(attribute)
            guard type >= 0 else { throw failure(.readFailed, attributePath(name), "cannot read the attribute's type") }
            defer { H5Tclose(type) }
            let space = H5Aget_space(attribute)
            guard space >= 0 else { throw failure(.readFailed, attributePath(name), "cannot read the attribute's shape") }
            defer { H5Sclose(space) }
            return try body(attribute, type, space)
        }
    }

    /// Holding the lock: deletes `name` if present, then creates it with `type` and `shape`.
    private func recreateAttribute(_ name: String, type: hid_t, shape: [Int], _ write: (hid_t) -> herr_t?) throws {
        try checkOpen(attributePath(name))
        if H5Aexists(id, name) > 0, H5Adelete(id, name) < 0 {
            throw failure(.writeFailed, attributePath(name), "cannot replace the attribute")
        }
        try withDataspace(shape: shape) { space in
            let attribute = H5Acreate2(id, name, type, space, hdf5Default, hdf5Default)
            guard attribute >= 0 else { throw failure(.cannotCreate, attributePath(name), "cannot create the attribute") }
            defer { H5Aclose(attribute) }
            guard let status = write(attribute) else {
                throw HDF5Error(.invalidArgument, file: file.url.path, object: attributePath(name), message: "expected strings without NUL bytes, found one")
            }
            guard status >= 0 else { throw failure(.writeFailed, attributePath(name), "cannot write the attribute") }
        }
    }

    private func writeNumericAttribute<T: HDF5Scalar>(_ name: String, _ values: [T], shape: [Int]) throws {
        try HDF5Library.locked {
            try recreateAttribute(name, type: T.hdf5ElementType.fileType!, shape: shape) { attribute in
                values.isEmpty ? 0 : values.withUnsafeBytes { H5Awrite(attribute, T.hdf5ElementType.memoryType!, $0.baseAddress) }
            }
        }
    }

    private func writeStringAttribute(_ name: String, _ values: [String], scalar: Bool) throws {
        try HDF5Library.locked {
            let type = makeVariableStringType()
            defer { H5Tclose(type) }
            try recreateAttribute(name, type: type, shape: scalar ? [] : [values.count]) { attribute in
                values.isEmpty ? 0 : withCStrings(values) { H5Awrite(attribute, type, $0) }
            }
        }
    }
}
