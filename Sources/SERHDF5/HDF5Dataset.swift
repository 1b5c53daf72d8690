import CHDF5
import Foundation

/// A numeric or string dataset. Numeric values are row-major (C order), as numpy sees them.
public final class HDF5Dataset: HDF5Object, @unchecked Sendable {
    /// The current shape ([] for a scalar).
    public var shape: [Int] {
        get throws {
            try HDF5Library.locked {
                try checkOpen()
                return try withSpace { dataspaceShape($0) }
            }
        }
    }

    /// The stored element type.
    public var elementType: HDF5ElementType {
        get throws {
            try HDF5Library.locked {
                try checkOpen()
                return try withType { HDF5ElementType.classify($0) }
            }
        }
    }

    // MARK: Whole reads and writes

    /// All values, row-major. Throws `typeMismatch` unless stored as exactly `T`.
    public func read<T: HDF5Scalar>(_ type: T.Type = T.self) throws -> [T] {
        try HDF5Library.locked {
            try checkOpen()
            try requireType(T.hdf5ElementType)
            let count = try withSpace { dataspaceShape($0).reduce(1, *) }
            var values = [T](repeating: T.zero, count: count)
            if count == 0 { return values }
            let status = values.withUnsafeMutableBytes {
                H5Dread(id, T.hdf5ElementType.memoryType!, hdf5All, hdf5All, hdf5Default, $0.baseAddress)
            }
            guard status >= 0 else { throw failure(.readFailed, nil, "cannot read \(count) \(T.hdf5ElementType) values (truncated or corrupt file?)") }
            return values
        }
    }

    /// The single value of a scalar (or one-element) dataset.
    public func readScalar<T: HDF5Scalar>(_ type: T.Type = T.self) throws -> T {
        let values: [T] = try read()
        guard values.count == 1 else {
            throw HDF5Error(.shapeMismatch, file: file.url.path, object: path, message: "expected one value, found \(values.count)")
        }
        return values[0]
    }

    /// Overwrites every value; `values.count` must equal the product of the current shape.
    public func write<T: HDF5Scalar>(_ values: [T]) throws {
        try HDF5Library.locked {
            try checkOpen()
            try requireType(T.hdf5ElementType)
            let count = try withSpace { dataspaceShape($0).reduce(1, *) }
            guard values.count == count else {
                throw HDF5Error(.shapeMismatch, file: file.url.path, object: path,
                                message: "expected \(count) values for the dataset's shape, found \(values.count)")
            }
            if count == 0 { return }
            let status = values.withUnsafeBytes {
                H5Dwrite(id, T.hdf5ElementType.memoryType!, hdf5All, hdf5All, hdf5Default, $0.baseAddress)
            }
            guard status >= 0 else { throw failure(.writeFailed, nil, "cannot write \(count) values") }
        }
    }

    // MARK: Rows (first dimension)

    /// Rows `rows` of the first dimension (all other dimensions whole), row-major.
    public func readRows<T: HDF5Scalar>(_ rows: Range<Int>, as type: T.Type = T.self) throws -> [T] {
        try HDF5Library.locked {
            try checkOpen()
            try requireType(T.hdf5ElementType)
            return try withSpace { space in
                let shape = dataspaceShape(space)
                guard !shape.isEmpty, rows.lowerBound >= 0, rows.upperBound <= shape[0] else {
                    throw HDF5Error(.shapeMismatch, file: file.url.path, object: path,
                                    message: "expected rows within 0..<\(shape.first ?? 0), found \(rows)")
                }
                let rowSize = shape.dropFirst().reduce(1, *)
                var values = [T](repeating: T.zero, count: rows.count * rowSize)
                if values.isEmpty { return values }
                var start = [hsize_t](repeating: 0, count: shape.count)
                start[0] = hsize_t(rows.lowerBound)
                var count = shape.map { hsize_t($0) }
                count[0] = hsize_t(rows.count)
                H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, nil, &count, nil)
                let status = try withDataspace(shape: count.map { Int($0) }) { memorySpace in
                    values.withUnsafeMutableBytes {
                        H5Dread(id, T.hdf5ElementType.memoryType!, memorySpace, space, hdf5Default, $0.baseAddress)
                    }
                }
                guard status >= 0 else { throw failure(.readFailed, nil, "cannot read rows \(rows) (truncated or corrupt file?)") }
                return values
            }
        }
    }

    /// Appends rows to an extendable dataset (`HDF5DatasetOptions.extendable`): `values.count` must be a
    /// multiple of the row size (product of the other dimensions). Returns the new row count.
    @discardableResult
    public func append<T: HDF5Scalar>(_ values: [T]) throws -> Int {
        try HDF5Library.locked {
            try checkOpen()
            try requireType(T.hdf5ElementType)
            let shape = try withSpace { dataspaceShape($0) }
            guard !shape.isEmpty else {
                throw HDF5Error(.shapeMismatch, file: file.url.path, object: path, message: "expected an extendable dataset, found a scalar")
            }
            let rowSize = shape.dropFirst().reduce(1, *)
            guard rowSize > 0 ? values.count % rowSize == 0 : values.isEmpty else {
                throw HDF5Error(.shapeMismatch, file: file.url.path, object: path,
                                message: "expected a multiple of \(rowSize) values (whole rows), found \(values.count)")
            }
            let newRows = rowSize > 0 ? values.count / rowSize : 0
            if newRows == 0 { return shape[0] }
            var newShape = shape.map { hsize_t($0) }
            newShape[0] += hsize_t(newRows)
            guard H5Dset_extent(id, &newShape) >= 0 else {
                throw failure(.writeFailed, nil, "cannot extend the dataset from \(shape[0]) to \(newShape[0]) rows (created extendable?)")
            }
            try withSpace { space in
                var start = [hsize_t](repeating: 0, count: shape.count)
                start[0] = hsize_t(shape[0])
                var count = newShape
                count[0] = hsize_t(newRows)
                H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, nil, &count, nil)
                let status = try withDataspace(shape: count.map { Int($0) }) { memorySpace in
                    values.withUnsafeBytes {
                        H5Dwrite(id, T.hdf5ElementType.memoryType!, memorySpace, space, hdf5Default, $0.baseAddress)
                    }
                }
                guard status >= 0 else { throw failure(.writeFailed, nil, "cannot append \(newRows) rows") }
            }
            return Int(newShape[0])
        }
    }

    // MARK: Strings

    /// All strings of a string dataset (variable- or fixed-length; fixed-length ones lose their padding).
    public func readStrings() throws -> [String] {
        try HDF5Library.locked {
            try checkOpen()
            return try withType { type in
                guard H5Tget_class(type) == H5T_STRING else {
                    throw HDF5Error(.typeMismatch, file: file.url.path, object: path,
                                    message: "expected strings, found \(HDF5ElementType.classify(type))")
                }
                return try withSpace { space in
                    let count = dataspaceShape(space).reduce(1, *)
                    guard let strings = SERHDF5.readStrings(storedType: type, count: count, space: space, read: { memoryType, buffer in
                        H5Dread(id, memoryType, hdf5All, hdf5All, hdf5Default, buffer)
                    }) else { throw failure(.readFailed, nil, "cannot read \(count) strings (truncated or corrupt file?)") }
                    return strings
                }
            }
        }
    }

    // MARK: Private (holding the lock)

    private func withSpace<R>(_ body: (hid_t) throws -> R) throws -> R {
        let space = H5Dget_space(id)
        guard space >= 0 else { throw failure(.readFailed, nil, "cannot read the dataset's shape") }
        defer { H5Sclose(space) }
        return try body(space)
    }

    private func withType<R>(_ body: (hid_t) throws -> R) throws -> R {
        let type = H5Dget_type(id)
        guard type >= 0 else { throw failure(.readFailed, nil, "cannot read the dataset's type") }
        defer { H5Tclose(type) }
        return try body(type)
    }

    private func requireType(_ expected: HDF5ElementType) throws {
        let found = try withType { HDF5ElementType.classify($0) }
        guard found == expected else {
            throw HDF5Error(.typeMismatch, file: file.url.path, object: path, message: "expected \(expected) values, found \(found)")
        }
    }
}
