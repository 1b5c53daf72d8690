import CHDF5

/// Element types of numeric datasets and attributes.
///
/// Files are written little-endian IEEE / two's complement (what h5py and numpy use on x86 and ARM), read
/// back through the native type. Reads are strict: a dataset stored as Float64 does not read as Float,
/// so no precision is lost silently.
public enum HDF5ElementType: Equatable, Sendable, CustomStringConvertible {
    case float32, float64, int32, int64, uint8
    /// A string type, variable-length (`length == nil`) or fixed-length in bytes.
    case string(length: Int?)
    /// Anything else (compound, enum, unsigned wider than 8 bits, ...), described.
    case other(String)

    public var description: String {
        switch self {
        case .float32: return "float32"
        case .float64: return "float64"
        case .int32: return "int32"
        case .int64: return "int64"
        case .uint8: return "uint8"
        case .string(let length): return length.map { "fixed-length string (\($0) bytes)" } ?? "variable-length string"
        case .other(let text): return text
        }
    }

    /// The in-memory type; nil for strings and other.
    var memoryType: hid_t? {
        switch self {
        case .float32: return serlab_H5T_NATIVE_FLOAT()
        case .float64: return serlab_H5T_NATIVE_DOUBLE()
        case .int32: return serlab_H5T_NATIVE_INT32()
        case .int64: return serlab_H5T_NATIVE_INT64()
        case .uint8: return serlab_H5T_NATIVE_UINT8()
        default: return nil
        }
    }

    /// The type stored in files.
    var fileType: hid_t? {
        switch self {
        case .float32: return serlab_H5T_IEEE_F32LE()
        case .float64: return serlab_H5T_IEEE_F64LE()
        case .int32: return serlab_H5T_STD_I32LE()
        case .int64: return serlab_H5T_STD_I64LE()
        case .uint8: return serlab_H5T_STD_U8LE()
        default: return nil
        }
    }

    /// Classifies an HDF5 datatype handle. Call holding the lock.
    static func classify(_ type: hid_t) -> HDF5ElementType {
        let size = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_FLOAT:
            if size == 4 { return .float32 }
            if size == 8 { return .float64 }
            return .other("float of \(size) bytes")
        case H5T_INTEGER:
            let signed = H5Tget_sign(type) == H5T_SGN_2
            switch (signed, size) {
            case (true, 4): return .int32
            case (true, 8): return .int64
            case (false, 1): return .uint8
            default: return .other("\(signed ? "signed" : "unsigned") integer of \(size) bytes")
            }
        case H5T_STRING:
            return H5Tis_variable_str(type) > 0 ? .string(length: nil) : .string(length: size)
        default:
            return .other("HDF5 type class \(H5Tget_class(type).rawValue)")
        }
    }
}

/// A numeric element type serlab can store: Float, Double, Int32, Int64, UInt8.
public protocol HDF5Scalar: Sendable {
    static var hdf5ElementType: HDF5ElementType { get }
    static var zero: Self { get }
}

extension Float: HDF5Scalar {
    public static var hdf5ElementType: HDF5ElementType { .float32 }
}
extension Double: HDF5Scalar {
    public static var hdf5ElementType: HDF5ElementType { .float64 }
}
extension Int32: HDF5Scalar {
    public static var hdf5ElementType: HDF5ElementType { .int32 }
}
extension Int64: HDF5Scalar {
    public static var hdf5ElementType: HDF5ElementType { .int64 }
}
extension UInt8: HDF5Scalar {
    public static var hdf5ElementType: HDF5ElementType { .uint8 }
}
