import Foundation
import SERResults

/// JSON files the report reads and writes (results files through SERResults' types, baselines),
/// with errors as `ReportError`.
enum JSONFile {
    static func read<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
        try results { try ResultsFile.read(T.self, from: url) }
    }

    /// Sorted keys, pretty printed, trailing newline: stable diffs for committed files.
    static func write<T: Encodable>(_ value: T, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try ResultsFile.sortedJSONData(value).write(to: url, options: .atomic)
    }
}
