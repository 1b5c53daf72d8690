import Foundation
import SERCore

/// A user's corpus listed in a CSV or JSON manifest.
///
/// CSV: a header row with `path`, `label` and `speaker` columns (`file`/`filename` and `emotion` are
/// accepted for the first two), and optional `split` and `fold` columns; every other column becomes
/// metadata. JSON: an array of objects with the same keys (or `{"utterances": [...]}`); values other
/// than strings are written as JSON text. Paths are relative to the manifest's folder (absolute ones
/// are kept), the corpus root is that folder, and every listed file must exist. Labels naming a
/// canonical emotion (any case, common spellings) become it; others are kept as written.
enum ManifestAdapter {
    static let defaultNames = ["manifest.csv", "manifest.json"]
    static let pathColumns = ["path", "file", "filename"]
    static let labelColumns = ["label", "emotion"]

    static func defaultManifest(in root: URL) -> URL? {
        defaultNames.map { root.appendingPathComponent($0) }.first { FileManager.default.fileExists(atPath: $0.path) }
    }

    static func load(root: URL, manifest: URL?) throws -> Corpus {
        var isDirectory: ObjCBool = false
        let rootExists = FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory)
        let manifestURL: URL
        if let manifest {
            manifestURL = manifest.standardizedFileURL
        } else if rootExists, !isDirectory.boolValue {
            manifestURL = root
        } else if let found = defaultManifest(in: root) {
            manifestURL = found
        } else {
            throw CorpusError.manifestMissing(path: root.appendingPathComponent("manifest.csv").path)
        }
        guard FileManager.default.fileExists(atPath: manifestURL.path) else { throw CorpusError.manifestMissing(path: manifestURL.path) }
        let data: Data
        do { data = try Data(contentsOf: manifestURL) } catch {
            throw CorpusError.manifestUnreadable(path: manifestURL.path, reason: error.localizedDescription)
        }
        let records = manifestURL.pathExtension.lowercased() == "json"
            ? try jsonRecords(data, path: manifestURL.path)
            : try csvRecords(data, path: manifestURL.path)
        let base = manifestURL.deletingLastPathComponent()
        var utterances: [Utterance] = []
        var seen: [String: Int] = [:]
        for (line, record) in records {
            func value(_ names: [String], required: Bool) throws -> String? {
                for name in names { if let value = record[name] { return value.trimmingCharacters(in: .whitespaces) } }
                return nil
            }
            guard let rawPath = try value(pathColumns, required: true), !rawPath.isEmpty else {
                throw CorpusError.manifestRow(path: manifestURL.path, line: line, reason: "expected a non-empty path, found none")
            }
            guard let label = try value(labelColumns, required: true), !label.isEmpty else {
                throw CorpusError.manifestRow(path: manifestURL.path, line: line, reason: "expected a non-empty label for \(rawPath), found none")
            }
            guard let speaker = try value(["speaker"], required: true), !speaker.isEmpty else {
                throw CorpusError.manifestRow(path: manifestURL.path, line: line, reason: "expected a non-empty speaker for \(rawPath), found none")
            }
            let url = rawPath.hasPrefix("/") ? URL(fileURLWithPath: rawPath) : base.appendingPathComponent(rawPath)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw CorpusError.manifestFileMissing(path: manifestURL.path, line: line, file: url.path)
            }
            let path = normalize(rawPath)
            if let previous = seen[path] {
                throw CorpusError.manifestRow(path: manifestURL.path, line: line, reason: "\(path) is listed twice (first on line \(previous))")
            }
            seen[path] = line
            var metadata: [String: String] = [:]
            for (key, value) in record where !(pathColumns + labelColumns + ["speaker"]).contains(key) && !value.isEmpty {
                metadata[key] = value
            }
            if let fold = metadata["fold"], Int(fold) == nil {
                throw CorpusError.manifestRow(path: manifestURL.path, line: line, reason: "expected an integer fold, found '\(fold)'")
            }
            utterances.append(Utterance(path: path, url: url.standardizedFileURL, speaker: speaker,
                                        label: Emotion.normalizedUserLabel(label), metadata: metadata))
        }
        guard !utterances.isEmpty else {
            throw CorpusError.emptyCorpus(path: manifestURL.path, reason: "expected at least one row in the manifest, found none")
        }
        let name = manifestURL.deletingPathExtension().lastPathComponent == "manifest"
            ? base.lastPathComponent : manifestURL.deletingPathExtension().lastPathComponent
        return Corpus(name: name, kind: .manifest, root: base.standardizedFileURL, utterances: utterances)
    }

    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." && !part.isEmpty { parts.append(part) }
        return (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
    }

    static func csvRecords(_ data: Data, path: String) throws -> [(Int, [String: String])] {
        guard let text = String(data: data, encoding: .utf8) else {
            throw CorpusError.manifestUnreadable(path: path, reason: "expected UTF-8 text")
        }
        let table: CSVTable
        do { table = try CSVTable(text: text, path: path) } catch {
            switch error {
            case let .malformed(path, line, problem): throw CorpusError.manifestRow(path: path, line: line, reason: problem)
            case let .unreadable(path, reason): throw CorpusError.manifestUnreadable(path: path, reason: reason)
            }
        }
        let header = table.header.map { $0.lowercased() }
        for (column, names) in [("path", pathColumns), ("label", labelColumns), ("speaker", ["speaker"])] where !names.contains(where: header.contains) {
            throw CorpusError.manifestColumnMissing(path: path, column: column, found: table.header)
        }
        return zip(table.lines, table.rows).map { line, fields in
            (line, Dictionary(zip(header, fields), uniquingKeysWith: { first, _ in first }))
        }
    }

    static func jsonRecords(_ data: Data, path: String) throws -> [(Int, [String: String])] {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw CorpusError.manifestUnreadable(path: path, reason: "expected JSON: \(error.localizedDescription)")
        }
        let list: [Any]
        if let array = object as? [Any] {
            list = array
        } else if let dictionary = object as? [String: Any], let array = dictionary["utterances"] as? [Any] {
            list = array
        } else {
            throw CorpusError.manifestUnreadable(path: path, reason: "expected an array of {path, label, speaker} objects or {\"utterances\": [...]}")
        }
        return try list.enumerated().map { index, element in
            guard let entry = element as? [String: Any] else {
                throw CorpusError.manifestRow(path: path, line: index, reason: "utterances[\(index)]: expected an object, found \(type(of: element))")
            }
            var record: [String: String] = [:]
            for (key, value) in entry {
                switch value {
                case let text as String: record[key.lowercased()] = text
                case let number as NSNumber: record[key.lowercased()] = number.stringValue
                default:
                    let text = (try? JSONSerialization.data(withJSONObject: value)).flatMap { String(data: $0, encoding: .utf8) }
                    record[key.lowercased()] = text ?? "\(value)"
                }
            }
            for (column, names) in [("path", pathColumns), ("label", labelColumns), ("speaker", ["speaker"])] where !names.contains(where: { record[$0] != nil }) {
                throw CorpusError.manifestRow(path: path, line: index, reason: "utterances[\(index)]: expected a '\(column)' key, found \(record.keys.sorted())")
            }
            return (index, record)
        }
    }
}
