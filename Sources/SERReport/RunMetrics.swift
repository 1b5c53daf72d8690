import Foundation

/// `metrics.json` of a run folder, as docs/results.md pins it. serlab's report side reads it with
/// its own types (it never links the runner's), so a field the runner adds later is ignored and a
/// field it drops is a clear error naming the JSON path.
public struct RunMetrics: Codable, Equatable, Sendable {
    public struct EvaluationProtocol: Codable, Equatable, Sendable {
        /// "speakerKFold", "stratifiedKFold", "leaveOneSpeakerOut", "foldsFile", ...
        public var kind: String
        public var folds: Int
        /// sha256 of the sorted `path,fold` lines: equal hashes mean identical test folds.
        public var foldsHash: String?
        public init(kind: String, folds: Int, foldsHash: String?) { self.kind = kind; self.folds = folds; self.foldsHash = foldsHash }
    }

    public struct ClassMetrics: Codable, Equatable, Sendable {
        public var precision: Double
        public var recall: Double
        public var f1: Double
        public var support: Int
        public init(precision: Double, recall: Double, f1: Double, support: Int) {
            self.precision = precision; self.recall = recall; self.f1 = f1; self.support = support
        }
    }

    public struct FoldMetrics: Codable, Equatable, Sendable {
        public var fold: Int
        public var testCount: Int
        public var accuracy: Double
        public var uar: Double
        public var macroF1: Double
        public var perClass: [String: ClassMetrics]?
        public var epochKept: Int?
        public init(fold: Int, testCount: Int, accuracy: Double, uar: Double, macroF1: Double, perClass: [String: ClassMetrics]?, epochKept: Int?) {
            self.fold = fold; self.testCount = testCount; self.accuracy = accuracy; self.uar = uar
            self.macroF1 = macroF1; self.perClass = perClass; self.epochKept = epochKept
        }
    }

    public struct Headline: Codable, Equatable, Sendable {
        public var accuracy: Double
        public var uar: Double
        public var macroF1: Double
        public var perClass: [String: ClassMetrics]?
        public init(accuracy: Double, uar: Double, macroF1: Double, perClass: [String: ClassMetrics]? = nil) {
            self.accuracy = accuracy; self.uar = uar; self.macroF1 = macroF1; self.perClass = perClass
        }
    }

    /// Bootstrap intervals over utterances, `[low, high]`.
    public struct Confidence: Codable, Equatable, Sendable {
        public var accuracy: [Double]?
        public var uar: [Double]?
        public var method: String?
        public init(accuracy: [Double]?, uar: [Double]?, method: String?) { self.accuracy = accuracy; self.uar = uar; self.method = method }
    }

    public var name: String
    public var corpus: String
    public var model: String
    public var labels: [String]
    public var `protocol`: EvaluationProtocol
    public var speakerOverlap: Bool?
    public var syntheticData: Bool?
    public var folds: [FoldMetrics]
    public var mean: Headline?
    public var std: Headline?
    public var pooled: Headline?
    public var confidence95: Confidence?

    public init(name: String, corpus: String, model: String, labels: [String], protocol: EvaluationProtocol, speakerOverlap: Bool?, syntheticData: Bool?,
                folds: [FoldMetrics], mean: Headline?, std: Headline?, pooled: Headline?, confidence95: Confidence?) {
        self.name = name; self.corpus = corpus; self.model = model; self.labels = labels; self.protocol = `protocol`
        self.speakerOverlap = speakerOverlap; self.syntheticData = syntheticData; self.folds = folds
        self.mean = mean; self.std = std; self.pooled = pooled; self.confidence95 = confidence95
    }
}

/// Any JSON value, for the files whose schema belongs to the runner (config, environment, timings):
/// the report summarises them without pinning every key.
public enum JSONValue: Codable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case let .bool(value): try container.encode(value)
        case let .number(value): try container.encode(value)
        case let .string(value): try container.encode(value)
        case let .array(value): try container.encode(value)
        case let .object(value): try container.encode(value)
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case let .object(dictionary) = self { return dictionary[key] }
        return nil
    }

    public var number: Double? { if case let .number(value) = self { return value }; return nil }
    public var string: String? { if case let .string(value) = self { return value }; return nil }

    /// A compact one-line rendering: scalars as they are, objects as `key=value` pairs (nested
    /// objects flattened with dots), arrays in brackets.
    public func summary(prefix: String = "") -> [String] {
        switch self {
        case .null: return []
        case let .bool(value): return [prefix.isEmpty ? "\(value)" : "\(prefix)=\(value)"]
        case let .number(value):
            let text = value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%g", value)
            return [prefix.isEmpty ? text : "\(prefix)=\(text)"]
        case let .string(value): return [prefix.isEmpty ? value : "\(prefix)=\(value)"]
        case let .array(values):
            let inner = values.flatMap { $0.summary() }.joined(separator: ",")
            return [prefix.isEmpty ? "[\(inner)]" : "\(prefix)=[\(inner)]"]
        case let .object(dictionary):
            return dictionary.keys.sorted().flatMap { key in dictionary[key]!.summary(prefix: prefix.isEmpty ? key : "\(prefix).\(key)") }
        }
    }

    /// The first number found under a key for which `matches` is true, searched depth first.
    public func firstNumber(where matches: (String) -> Bool) -> Double? {
        switch self {
        case let .object(dictionary):
            for key in dictionary.keys.sorted() where matches(key) { if let value = dictionary[key]?.number { return value } }
            for key in dictionary.keys.sorted() { if let value = dictionary[key]?.firstNumber(where: matches) { return value } }
            return nil
        case let .array(values):
            for value in values { if let found = value.firstNumber(where: matches) { return found } }
            return nil
        default: return nil
        }
    }
}

enum JSONFile {
    static func read<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ReportError.missingFile(path: url.path, expected: "a JSON file")
        }
        do { return try JSONDecoder().decode(T.self, from: data) } catch { throw ReportError.from(error, path: url.path) }
    }

    /// Sorted keys, pretty printed, trailing newline: stable diffs for committed files.
    static func write<T: Encodable>(_ value: T, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0A)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url, options: .atomic)
    }
}
