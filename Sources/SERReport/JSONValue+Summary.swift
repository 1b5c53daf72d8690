import Foundation
import SERCore

extension JSONValue {
    /// A compact one-line rendering: scalars as they are, objects as `key=value` pairs (keys sorted,
    /// nested objects flattened with dots), arrays in brackets.
    public func summary(prefix: String = "") -> [String] {
        func scalar(_ text: String) -> [String] { [prefix.isEmpty ? text : "\(prefix)=\(text)"] }
        switch self {
        case .null: return []
        case let .bool(value): return scalar("\(value)")
        case let .integer(value): return scalar(String(value))
        case let .number(value):
            return scalar(value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%g", value))
        case let .string(value): return scalar(value)
        case let .array(values):
            return scalar("[" + values.flatMap { $0.summary() }.joined(separator: ",") + "]")
        case let .object(pairs):
            return pairs.sorted { $0.key < $1.key }.flatMap { $0.value.summary(prefix: prefix.isEmpty ? $0.key : "\(prefix).\($0.key)") }
        }
    }
}
