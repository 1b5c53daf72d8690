import Foundation

/// A JSON value that keeps the order of object keys and whether a number was written as an integer,
/// so configs print back the way they were written and errors can say exactly what was found.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// Keys in insertion order; duplicate keys are rejected by the parser.
    case object([(key: String, value: JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.integer(a), .integer(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.integer(a), .number(b)), let (.number(b), .integer(a)): return Double(a) == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            guard a.count == b.count else { return false }
            let right = Dictionary(b.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
            return a.allSatisfy { right[$0.key] == $0.value }
        default: return false
        }
    }

    /// The value under `key` when this is an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first(where: { $0.key == key })?.value
    }

    /// Sets or appends `key` when this is an object (precondition otherwise).
    public mutating func set(_ key: String, _ value: JSONValue) {
        guard case .object(var pairs) = self else { preconditionFailure("set(\(key)) on non-object \(self.kindDescription)") }
        if let index = pairs.firstIndex(where: { $0.key == key }) {
            pairs[index].value = value
        } else {
            pairs.append((key, value))
        }
        self = .object(pairs)
    }

    public var objectPairs: [(key: String, value: JSONValue)]? {
        if case .object(let pairs) = self { return pairs }
        return nil
    }

    /// How the value is described in error messages: `a string ("ten")`, `an integer (5)`.
    public var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return "a boolean (\(value))"
        case .integer(let value): return "an integer (\(value))"
        case .number(let value): return "a number (\(JSONValue.format(value)))"
        case .string(let value): return "a string (\"\(value)\")"
        case .array(let values): return "an array of \(values.count) element\(values.count == 1 ? "" : "s")"
        case .object(let pairs): return "an object with keys \(pairs.map(\.key).joined(separator: ", "))"
        }
    }

    /// Shortest text that reads back as the same double; integral values keep a `.0`.
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        return "\(value)"
    }
}

// MARK: - Printing

extension JSONValue {
    /// Two-space indented JSON with keys in stored order; the same value always prints the same bytes.
    public func prettyPrinted(indent: String = "") -> String {
        var output = ""
        write(to: &output, indent: indent)
        return output
    }

    /// One-line JSON.
    public var compact: String {
        switch self {
        case .array(let values): return "[" + values.map(\.compact).joined(separator: ", ") + "]"
        case .object(let pairs):
            return "{" + pairs.map { "\(JSONValue.quote($0.key)): \($0.value.compact)" }.joined(separator: ", ") + "}"
        default: return prettyPrinted()
        }
    }

    private func write(to output: inout String, indent: String) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .integer(let value): output += String(value)
        case .number(let value): output += JSONValue.format(value)
        case .string(let value): output += JSONValue.quote(value)
        case .array(let values):
            if values.isEmpty { output += "[]"; return }
            if values.allSatisfy({ $0.isScalar }) {
                output += "[" + values.map { $0.prettyPrinted() }.joined(separator: ", ") + "]"
                return
            }
            let inner = indent + "  "
            output += "[\n"
            for (index, value) in values.enumerated() {
                output += inner
                value.write(to: &output, indent: inner)
                output += index == values.count - 1 ? "\n" : ",\n"
            }
            output += indent + "]"
        case .object(let pairs):
            if pairs.isEmpty { output += "{}"; return }
            let inner = indent + "  "
            output += "{\n"
            for (index, pair) in pairs.enumerated() {
                output += inner + JSONValue.quote(pair.key) + ": "
                pair.value.write(to: &output, indent: inner)
                output += index == pairs.count - 1 ? "\n" : ",\n"
            }
            output += indent + "}"
        }
    }

    /// True for everything but arrays and objects.
    public var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }

    static func quote(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 {
                    output += String(format: "\\u%04x", scalar.value)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }
}

// MARK: - Conversion to and from Codable values

extension JSONValue {
    /// Encodes a Codable value (e.g. `FeatureSpec()`) and reads it back as an ordered JSON value.
    /// Key order follows JSONEncoder's sorted keys, so the result does not depend on hashing.
    /// (`JSONValueEncoder` keeps the order the type encodes its keys in instead.)
    public static func encoding<T: Encodable>(_ value: T) throws -> JSONValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(value)
        return try JSONParser.parse(data, source: "<encoded \(T.self)>")
    }

    /// Decodes a Codable value from this JSON.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(compact.utf8))
    }
}

/// As a Codable value: objects decode with their keys sorted (a keyed container has no order) and
/// encode through a dictionary (the encoder decides the order; `prettyPrinted()` keeps it).
extension JSONValue: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let value = try? container.decode(Bool.self) { self = .bool(value); return }
        if let value = try? container.decode(Int.self) { self = .integer(value); return }
        if let value = try? container.decode(Double.self) { self = .number(value); return }
        if let value = try? container.decode(String.self) { self = .string(value); return }
        if let value = try? container.decode([JSONValue].self) { self = .array(value); return }
        if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value.keys.sorted().map { ($0, value[$0]!) })
            return
        }
        throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value")
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let values): try container.encode(values)
        case .object(let pairs): try container.encode(Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }))
        }
    }
}
