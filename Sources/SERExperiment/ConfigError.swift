import Foundation
import SERCore

/// A config could not be used. Every case names the file (or `--set`) and the JSON path.
public enum ConfigError: LocalizedError, Equatable {
    case unreadable(source: String, reason: String)
    case unknownKey(source: String, path: String, suggestion: String?, validKeys: [String])
    case wrongValue(source: String, path: String, expected: String, found: String)
    case badOverride(text: String, reason: String)
    /// Another module's type rejected its section (its message names the key).
    case invalid(source: String, section: String, message: String)

    public var errorDescription: String? {
        switch self {
        case let .unreadable(source, reason):
            return "\(source): cannot read the config: \(reason)"
        case let .unknownKey(source, path, suggestion, validKeys):
            var text = "\(source): unknown key \"\(path)\""
            if let suggestion { text += "; did you mean \"\(suggestion)\"?" }
            let parent = path.split(separator: ".").dropLast().joined(separator: ".")
            text += " Valid keys\(parent.isEmpty ? "" : " in \"\(parent)\""): \(validKeys.joined(separator: ", "))."
            return text
        case let .wrongValue(source, path, expected, found):
            return "\(source): \"\(path)\": expected \(expected), found \(found)"
        case let .badOverride(text, reason):
            return "--set \(text): \(reason)"
        case let .invalid(source, section, message):
            return "\(source): \"\(section)\": \(message)"
        }
    }
}

/// Checks a config tree against the schema: every key known, every value of the right type.
struct ConfigChecker {
    var source: String

    func check(_ value: JSONValue, against type: ConfigType, path: String) throws {
        func wrong() -> ConfigError {
            .wrongValue(source: source, path: path.isEmpty ? "(top level)" : path, expected: type.expectation, found: value.kindDescription)
        }
        switch type {
        case .any:
            return
        case .nullable(let inner):
            if case .null = value { return }
            do { try check(value, against: inner, path: path) } catch ConfigError.wrongValue(_, _, _, _) { throw wrong() }
        case .string:
            guard case .string = value else { throw wrong() }
        case .boolean:
            guard case .bool = value else { throw wrong() }
        case let .integer(minimum, maximum):
            guard case .integer(let number) = value else { throw wrong() }
            if let minimum, number < minimum { throw wrong() }
            if let maximum, number > maximum { throw wrong() }
        case let .number(minimum, maximum):
            let number: Double
            switch value {
            case .integer(let integer): number = Double(integer)
            case .number(let double): number = double
            default: throw wrong()
            }
            if let minimum, number < minimum { throw wrong() }
            if let maximum, number > maximum { throw wrong() }
        case .enumeration(let allowed):
            guard case .string(let text) = value, allowed.contains(text) else {
                if case .string(let text) = value, let near = closest(to: text, in: allowed) {
                    throw ConfigError.wrongValue(source: source, path: path, expected: type.expectation,
                                                 found: "\(value.kindDescription); did you mean \"\(near)\"?")
                }
                throw wrong()
            }
        case .array(let element):
            guard case .array(let values) = value else { throw wrong() }
            for (index, item) in values.enumerated() { try check(item, against: element, path: "\(path)[\(index)]") }
        case .map(let element):
            guard case .object(let pairs) = value else { throw wrong() }
            for pair in pairs { try check(pair.value, against: element, path: join(path, pair.key)) }
        case .object(let fields):
            guard case .object(let pairs) = value else { throw wrong() }
            for pair in pairs {
                guard let field = fields.first(where: { $0.name == pair.key }) else {
                    let names = fields.map(\.name)
                    throw ConfigError.unknownKey(source: source, path: join(path, pair.key),
                                                 suggestion: closest(to: pair.key, in: names).map { join(path, $0) },
                                                 validKeys: names)
                }
                try check(pair.value, against: field.type, path: join(path, pair.key))
            }
        }
    }

    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }
}

/// `base` with `override` laid over it: objects merge key by key, anything else is replaced.
func merged(_ base: JSONValue, _ override: JSONValue, type: ConfigType) -> JSONValue {
    guard case .object(let fields) = type, case .object = base, case .object(let overrides) = override else { return override }
    var result = base
    for pair in overrides {
        let fieldType = fields.first(where: { $0.name == pair.key })?.type ?? .any
        let current = result[pair.key] ?? .null
        result.set(pair.key, merged(current, pair.value, type: fieldType))
    }
    return result
}
