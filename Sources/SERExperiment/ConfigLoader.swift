import Foundation
import SERCore

/// Reads configs: defaults, then a file, then `--set` overrides; checks every key and value and
/// names the JSON path of any mistake.
public enum ConfigLoader {
    /// The typed config of `url` (or of the defaults alone when `url` is nil) with `overrides`
    /// (`"training.epochs=5"`) applied last.
    public static func load(_ url: URL?, overrides: [String] = []) throws -> ExperimentConfig {
        try resolve(url.map(ConfigFile.read), overrides: overrides).config
    }

    /// The resolved config as JSON (every value, defaults included), in schema order.
    public static func resolvedTree(_ url: URL?, overrides: [String] = []) throws -> JSONValue {
        try resolve(url.map(ConfigFile.read), overrides: overrides).json
    }

    /// Resolves `file` (already read and parsed; nil = the defaults alone) with `overrides` applied last:
    /// both the typed config and its JSON, from one pass.
    ///
    /// Order: the file and the overrides form the user's layer, checked against the schema; it is laid
    /// over the defaults (for the model, the defaults of the model type the user chose); the sections
    /// owned by another module (features, model, training) are decoded once by that module's own strict
    /// decoder and validated, and re-encoded into the JSON, so it holds every value.
    public static func resolve(_ file: ConfigFile?, overrides: [String] = []) throws -> ResolvedConfig {
        let schema = ExperimentConfig.schema
        let source = file?.url.path ?? "<defaults>"
        var user = JSONValue.object([])
        if let file {
            user = file.json
            try ConfigChecker(source: source).check(user, against: schema.type, path: "")
        }
        for text in overrides { user = try apply(override: text, to: user, schema: schema) }
        var tree = merged(ExperimentConfig.defaults(for: user), user, type: schema.type)
        if case .null = tree["name"] ?? .null {
            tree.set("name", .string(file?.url.deletingPathExtension().lastPathComponent ?? "synthetic_default"))
        }
        let config = try ExperimentConfig.decoded(tree, source: source)
        tree = try ExperimentConfig.canonicalized(tree, config: config)
        try ConfigChecker(source: source).check(tree, against: schema.type, path: "")
        return ResolvedConfig(config: config, json: tree)
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

/// A config resolved once (`ConfigLoader.resolve`): the typed values a run uses and the JSON it writes.
public struct ResolvedConfig: Sendable {
    public var config: ExperimentConfig
    /// Every value in schema order; config.resolved.json is this without `output.slurm` (`recorded`).
    public var json: JSONValue
}

extension ExperimentConfig {
    /// `resolved` as a run records it in config.resolved.json, which a resumed run must match exactly:
    /// without `output.slurm`, which says how the run is scheduled, not what it computes.
    public static func recorded(_ resolved: JSONValue) -> JSONValue {
        guard case .object(var pairs) = resolved, let index = pairs.firstIndex(where: { $0.key == "output" }),
              case .object(let output) = pairs[index].value else { return resolved }
        pairs[index].value = .object(output.filter { $0.key != "slurm" })
        return .object(pairs)
    }
}
