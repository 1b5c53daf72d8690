import Foundation
import SERCore

/// A JSON file named on the command line, read and parsed once: an experiment config (the user's
/// layer, not yet checked or resolved) or a suite of configs. `ConfigLoader` and `ExperimentSuite`
/// take it, so deciding which it is does not read the file a second time.
public struct ConfigFile: Sendable {
    public var url: URL
    public var json: JSONValue

    /// Reads and parses `url`; the error names the file and, for bad JSON, the line and column.
    public static func read(_ url: URL) throws -> ConfigFile {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ConfigError.unreadable(source: url.path, reason: "no readable file at this path")
        }
        do {
            return ConfigFile(url: url, json: try JSONParser.parse(data, source: url.path))
        } catch let error as JSONSyntaxError {
            throw ConfigError.unreadable(source: url.path, reason: "line \(error.line), column \(error.column): \(error.message)")
        }
    }

    /// True when the file holds a suite (an object with a `configs` key) rather than one config.
    public var isSuite: Bool { json["configs"] != nil }

    /// True when the file holds a late fusion of member configs (an object with a `fusion` key, `LateFusion`).
    public var isFusion: Bool { json["fusion"] != nil }
}
