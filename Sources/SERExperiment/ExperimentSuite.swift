import Foundation
import SERCore

/// A list of configs to run and compare: `experiments/<suite>.json`.
///
///     {"name": "tess_models", "description": "every architecture on TESS",
///      "configs": ["../configs/lstm_tess.json", "../configs/cnn_tess.json"], "set": ["training.threads=2"]}
///
/// Config paths are relative to the suite's folder; `set` overrides apply to every config (before
/// command-line `--set`).
public struct ExperimentSuite: Sendable {
    public var name: String
    public var description: String
    public var configs: [URL]
    public var overrides: [String]

    static let fields: [ConfigField] = [
        ConfigField("name", .string, .null, "suite name"),
        ConfigField("description", .string, .string(""), "free text"),
        ConfigField("configs", .array(.string), .array([]), "config files, relative to the suite's folder"),
        ConfigField("set", .array(.string), .array([]), "overrides applied to every config, as with --set"),
    ]

    public static func load(_ url: URL) throws -> ExperimentSuite {
        try load(ConfigFile.read(url))
    }

    /// The suite in `file` (already read and parsed); config paths are checked to exist.
    public static func load(_ file: ConfigFile) throws -> ExperimentSuite {
        let list = try ConfigList.load(file, fields: fields, key: "configs", minimum: 1, expected: "a non-empty array of config paths")
        return ExperimentSuite(name: list.name, description: list.description, configs: list.configs, overrides: list.overrides)
    }
}

/// What a suite and a late fusion file share: `name` (default: the file's name), `description`, config
/// files listed under one key (relative to the file's folder, each checked to exist) and `set` overrides.
struct ConfigList {
    var name: String
    var description: String
    var configs: [URL]
    var overrides: [String]

    static func load(_ file: ConfigFile, fields: [ConfigField], key: String, minimum: Int, expected: String) throws -> ConfigList {
        let url = file.url, value = file.json
        try ConfigChecker(source: url.path).check(value, against: .object(fields), path: "")
        guard case .array(let paths)? = value[key], paths.count >= minimum else {
            throw ConfigError.wrongValue(source: url.path, path: key, expected: expected, found: value[key]?.kindDescription ?? "nothing")
        }
        let folder = url.deletingLastPathComponent()
        var configs: [URL] = []
        for (index, path) in paths.enumerated() {
            guard case .string(let text) = path else { continue }
            let candidate = text.hasPrefix("/") ? URL(fileURLWithPath: text) : folder.appendingPathComponent(text).standardizedFileURL
            guard FileManager.default.fileExists(atPath: candidate.path) else {
                throw ConfigError.wrongValue(source: url.path, path: "\(key)[\(index)]", expected: "an existing config file (relative to \(folder.path))", found: "\"\(text)\"")
            }
            configs.append(candidate)
        }
        var overrides: [String] = []
        if case .array(let values)? = value["set"] {
            overrides = values.compactMap { if case .string(let text) = $0 { return text } else { return nil } }
        }
        var name = url.deletingPathExtension().lastPathComponent
        if case .string(let given)? = value["name"] { name = given }
        var description = ""
        if case .string(let given)? = value["description"] { description = given }
        return ConfigList(name: name, description: description, configs: configs, overrides: overrides)
    }
}
