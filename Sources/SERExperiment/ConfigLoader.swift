import Foundation
import SERCore

/// Reads configs: defaults, then a file, then `--set` overrides; checks every key and value and
/// names the JSON path of any mistake.
public enum ConfigLoader {
    /// The resolved config of `url` (or of the defaults alone when `url` is nil) with `overrides`
    /// (`"training.epochs=5"`) applied last.
    public static func load(_ url: URL?, overrides: [String] = []) throws -> ExperimentConfig {
        let tree = try resolvedTree(url, overrides: overrides)
        return try decode(tree, source: url?.path ?? "<defaults>")
    }

    /// The resolved config as JSON (every value, defaults included), in schema order.
    ///
    /// Order: the file and the overrides form the user's layer; it is laid over the defaults (for the
    /// model, the defaults of the model type the user chose); then each section owned by another module
    /// is decoded by that module's own strict decoder and re-encoded, so the result holds every value.
    public static func resolvedTree(_ url: URL?, overrides: [String] = []) throws -> JSONValue {
        let schema = ExperimentConfig.schema
        let source = url?.path ?? "<defaults>"
        var user = JSONValue.object([])
        if let url {
            let data: Data
            do { data = try Data(contentsOf: url) } catch {
                throw ConfigError.unreadable(source: source, reason: "no readable file at this path")
            }
            do { user = try JSONParser.parse(data, source: source) } catch let error as JSONSyntaxError {
                throw ConfigError.unreadable(source: source, reason: "line \(error.line), column \(error.column): \(error.message)")
            }
            try ConfigChecker(source: source).check(user, against: schema.type, path: "")
        }
        for text in overrides { user = try apply(override: text, to: user, schema: schema) }
        var tree = merged(ExperimentConfig.defaults(for: user), user, type: schema.type)
        if case .null = tree["name"] ?? .null {
            tree.set("name", .string(url?.deletingPathExtension().lastPathComponent ?? "synthetic_default"))
        }
        tree = try ExperimentConfig.canonicalized(tree, source: source)
        try ConfigChecker(source: source).check(tree, against: schema.type, path: "")
        return tree
    }

    /// Parses `path=value`; the value is read as JSON when it parses, else as a string.
    static func apply(override text: String, to tree: JSONValue, schema: ConfigField) throws -> JSONValue {
        guard let equals = text.firstIndex(of: "=") else {
            throw ConfigError.badOverride(text: text, reason: "expected path=value, e.g. training.epochs=5")
        }
        let path = String(text[..<equals]).trimmingCharacters(in: .whitespaces)
        let rawValue = String(text[text.index(after: equals)...])
        let value = (try? JSONParser.parse(rawValue, source: "--set")) ?? .string(rawValue)
        let keys = path.split(separator: ".").map(String.init)
        guard !keys.isEmpty else { throw ConfigError.badOverride(text: text, reason: "empty path") }
        // Build the nested override object and check it like a config file.
        var override = value
        for key in keys.reversed() { override = .object([(key, override)]) }
        try ConfigChecker(source: "--set \(text)").check(override, against: schema.type, path: "")
        return merged(tree, override, type: schema.type)
    }

    /// The typed config of a resolved tree (from `resolvedTree`).
    public static func decode(_ tree: JSONValue, source: String) throws -> ExperimentConfig {
        do {
            return try tree.decode(ExperimentConfig.self)
        } catch let error as DecodingError {
            throw describe(error, source: source, tree: tree)
        } catch {
            // A module's own validation (FeatureSpecError, ModelSpecError): its message names the key.
            throw ConfigError.invalid(source: source, section: "config", message: error.localizedDescription)
        }
    }

    /// A DecodingError (from another module's Codable type) as a config error with a JSON path.
    static func describe(_ error: DecodingError, source: String, tree: JSONValue, prefix: String = "") -> ConfigError {
        func pathText(_ codingPath: [CodingKey]) -> String {
            ([prefix].filter { !$0.isEmpty } + codingPath.map { key in key.intValue.map { "[\($0)]" } ?? key.stringValue })
                .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        func found(_ codingPath: [CodingKey]) -> String {
            var value: JSONValue? = tree
            for key in codingPath {
                if let index = key.intValue, case .array(let values)? = value {
                    value = index < values.count ? values[index] : nil
                } else {
                    value = value?[key.stringValue]
                }
            }
            return value?.kindDescription ?? "nothing"
        }
        switch error {
        case let .typeMismatch(type, context):
            return .wrongValue(source: source, path: pathText(context.codingPath), expected: "a value of type \(type)", found: found(context.codingPath))
        case let .valueNotFound(type, context):
            return .wrongValue(source: source, path: pathText(context.codingPath), expected: "a value of type \(type)", found: "null")
        case let .keyNotFound(key, context):
            let path = pathText(context.codingPath + [key])
            return .wrongValue(source: source, path: path, expected: "a value", found: "nothing")
        case let .dataCorrupted(context):
            return .invalid(source: source, section: pathText(context.codingPath), message: context.debugDescription)
        @unknown default:
            return .unreadable(source: source, reason: "\(error)")
        }
    }

    /// `serlab config defaults`: every key with its default and explanation.
    public static func defaultsListing() -> String {
        var lines: [String] = []
        let leaves = ExperimentConfig.schema.leaves()
        let width = min(44, leaves.map { $0.path.count + 2 + $0.field.defaultValue.compact.count }.max() ?? 0)
        for (path, field) in leaves {
            let trimmed = path.hasPrefix(".") ? String(path.dropFirst()) : path
            let left = "\(trimmed) = \(field.defaultValue.compact)"
            let padding = String(repeating: " ", count: max(1, width + 2 - left.count))
            lines.append(left + padding + "# " + field.help)
        }
        return lines.joined(separator: "\n")
    }
}
