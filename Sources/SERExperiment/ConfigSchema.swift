import Foundation
import SERCore

/// The type of one config value, with what is accepted; drives validation, `serlab config defaults`
/// and `serlab schema`.
public indirect enum ConfigType: Sendable {
    case string
    case integer(minimum: Int?, maximum: Int?)
    case number(minimum: Double?, maximum: Double?)
    case boolean
    case enumeration([String])
    case array(ConfigType)
    /// An object whose keys are free (label merges): every value has this type.
    case map(ConfigType)
    case object([ConfigField])
    /// The value or `null`.
    case nullable(ConfigType)
    /// Anything; checked later by decoding (values of other modules' types whose defaults are `null`).
    case any

    /// "an integer >= 1", "one of \"adam\", \"sgd\"", used after "expected".
    public var expectation: String {
        switch self {
        case .string: return "a string"
        case let .integer(minimum, maximum): return "an integer" + ConfigType.range(minimum.map(Double.init), maximum.map(Double.init))
        case let .number(minimum, maximum): return "a number" + ConfigType.range(minimum, maximum)
        case .boolean: return "a boolean (true or false)"
        case .enumeration(let values): return "one of " + values.map { "\"\($0)\"" }.joined(separator: ", ")
        case .array(let element): return "an array of \(ConfigType.plural(element.expectation))"
        case .map(let value): return "an object whose values are \(ConfigType.plural(value.expectation))"
        case .object: return "an object"
        case .nullable(let inner): return inner.expectation + " or null"
        case .any: return "any JSON value"
        }
    }

    private static func range(_ minimum: Double?, _ maximum: Double?) -> String {
        func text(_ value: Double) -> String { value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)" }
        switch (minimum, maximum) {
        case let (low?, high?): return " from \(text(low)) to \(text(high))"
        case let (low?, nil): return " >= \(text(low))"
        case let (nil, high?): return " <= \(text(high))"
        default: return ""
        }
    }

    private static func plural(_ text: String) -> String {
        if text.hasPrefix("an ") { return String(text.dropFirst(3)) + "s" }
        if text.hasPrefix("a ") { return String(text.dropFirst(2)) + "s" }
        return text
    }
}

/// One key of the config: its name, type, default and a one-line explanation.
public struct ConfigField: Sendable {
    public var name: String
    public var type: ConfigType
    public var defaultValue: JSONValue
    public var help: String

    public init(_ name: String, _ type: ConfigType, _ defaultValue: JSONValue, _ help: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.help = help
    }

    /// An object field whose default is made of its children's defaults.
    public static func section(_ name: String, _ help: String, _ fields: [ConfigField]) -> ConfigField {
        ConfigField(name, .object(fields), .object(fields.map { ($0.name, $0.defaultValue) }), help)
    }
}

extension ConfigType {
    /// An object type read off the encoded default of another module's Codable type: integers,
    /// numbers, booleans, strings and arrays keep their kind; `null` accepts anything (the type's own
    /// decoder checks it). `help` gives explanations by dotted key.
    static func derived(from value: JSONValue, help: [String: String], typeName: String, types: [String: ConfigType] = [:],
                        prefix: String = "") -> ConfigType {
        if let known = types[prefix] { return known }
        switch value {
        case .object(let pairs):
            return .object(pairs.map { pair in
                let key = prefix.isEmpty ? pair.key : prefix + "." + pair.key
                return ConfigField(pair.key, derived(from: pair.value, help: help, typeName: typeName, types: types, prefix: key), pair.value,
                                   help[key] ?? "\(typeName).\(key) (see its documentation)")
            })
        case .integer: return .integer(minimum: nil, maximum: nil)
        case .number: return .number(minimum: nil, maximum: nil)
        case .bool: return .boolean
        case .string: return .string
        case .array(let values):
            if let first = values.first, values.allSatisfy({ $0.isScalar }) {
                return .array(derived(from: first, help: help, typeName: typeName, types: [:], prefix: prefix))
            }
            return .array(.any)
        case .null: return .any
        }
    }
}

// MARK: - Walking the schema

extension ConfigField {
    /// Every leaf as (dotted path, field), depth first in declaration order.
    public func leaves(prefix: String = "") -> [(path: String, field: ConfigField)] {
        let path = prefix.isEmpty ? name : prefix + "." + name
        if case .object(let children) = type, !children.isEmpty {
            return children.flatMap { $0.leaves(prefix: path) }
        }
        return [(path, self)]
    }
}
