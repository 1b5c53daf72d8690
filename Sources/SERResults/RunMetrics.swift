import Foundation

/// `metrics.json` of a run folder (docs/results.md), and each fold's `folds/fold-<k>/metrics.json`
/// (one `FoldMetrics`). The runner writes it with `ResultsFile.jsonText` (keys in the order declared
/// here, nil optionals left out); the report decodes it with the same type. Properties the runner
/// always writes but older or hand-made folders may lack are optional.
public struct RunMetrics: Codable, Equatable, Sendable {
    public struct EvaluationProtocol: Codable, Equatable, Sendable {
        /// "speakerKFold", "stratifiedKFold", "leaveOneSpeakerOut", "foldsFile", ...
        public var kind: String
        /// Folds per repeat.
        public var folds: Int
        /// Only when the protocol was repeated (fold numbers then run across repeats).
        public var repeats: Int?
        /// sha256 of the sorted `path,fold` lines: equal hashes mean identical test folds.
        public var foldsHash: String?

        public init(kind: String, folds: Int, repeats: Int? = nil, foldsHash: String?) {
            self.kind = kind; self.folds = folds; self.repeats = repeats; self.foldsHash = foldsHash
        }
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

    /// One corpus's share of a test part in a multi-corpus run: UAR over the labels present in that
    /// corpus's truth, accuracy and number of test utterances.
    public struct CorpusFigures: Codable, Equatable, Sendable {
        public var testCount: Int
        public var accuracy: Double
        public var uar: Double

        public init(testCount: Int, accuracy: Double, uar: Double) { self.testCount = testCount; self.accuracy = accuracy; self.uar = uar }
    }

    public struct FoldMetrics: Codable, Equatable, Sendable {
        public var fold: Int
        public var `repeat`: Int?
        /// The repeat's seed.
        public var seed: Int?
        public var trainCount: Int?
        public var validationCount: Int?
        /// "speaker" or "stratified".
        public var validationKind: String?
        public var testCount: Int
        public var testSpeakers: [String]?
        public var accuracy: Double
        public var uar: Double
        public var macroF1: Double
        /// In label order.
        public var perClass: OrderedObject<ClassMetrics>?
        /// 1-based epoch whose weights were kept.
        public var epochKept: Int?
        /// Multi-corpus runs only: the corpora of the training (and validation) part and of the test part.
        public var trainCorpora: [String]?
        public var testCorpora: [String]?
        /// Only when the test part spans several corpora: the figures of each, in corpus order.
        public var perCorpus: OrderedObject<CorpusFigures>?
        /// What model selection chose on the fold's validation part (svm: `cost`, `gamma`, `validationUAR`);
        /// absent for networks (their choice is `epochKept`).
        public var modelSelection: OrderedObject<Double>?
        /// The validation part's UAR of the model kept (the kept epoch's, or the SVM's chosen cost and gamma):
        /// the figure model selection looked at, never the test part's.
        public var validationUAR: Double?

        public init(fold: Int, repeat: Int? = nil, seed: Int? = nil, trainCount: Int? = nil, validationCount: Int? = nil, validationKind: String? = nil,
                    testCount: Int, testSpeakers: [String]? = nil, accuracy: Double, uar: Double, macroF1: Double,
                    perClass: OrderedObject<ClassMetrics>?, epochKept: Int?, trainCorpora: [String]? = nil, testCorpora: [String]? = nil,
                    perCorpus: OrderedObject<CorpusFigures>? = nil, modelSelection: OrderedObject<Double>? = nil, validationUAR: Double? = nil) {
            self.fold = fold; self.repeat = `repeat`; self.seed = seed; self.trainCount = trainCount; self.validationCount = validationCount
            self.validationKind = validationKind; self.testCount = testCount; self.testSpeakers = testSpeakers
            self.accuracy = accuracy; self.uar = uar; self.macroF1 = macroF1; self.perClass = perClass; self.epochKept = epochKept
            self.trainCorpora = trainCorpora; self.testCorpora = testCorpora; self.perCorpus = perCorpus
            self.modelSelection = modelSelection; self.validationUAR = validationUAR
        }
    }

    /// `mean` and `std` (accuracy, uar, macroF1 only) and `pooled` (with testCount and perClass).
    public struct Headline: Codable, Equatable, Sendable {
        public var testCount: Int?
        public var accuracy: Double
        public var uar: Double
        public var macroF1: Double
        public var perClass: OrderedObject<ClassMetrics>?

        public init(testCount: Int? = nil, accuracy: Double, uar: Double, macroF1: Double, perClass: OrderedObject<ClassMetrics>? = nil) {
            self.testCount = testCount; self.accuracy = accuracy; self.uar = uar; self.macroF1 = macroF1; self.perClass = perClass
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
    /// Present when `syntheticData` is true.
    public var note: String?
    /// Present only on a deliberately weakened run of the accuracy gate's controls (SERExperiment's
    /// `GateControl`: "oneEpoch", "shuffledTrainingLabels", "mfccWithoutLog"); never a baseline.
    public var gateControl: String?
    public var folds: [FoldMetrics]
    public var mean: Headline?
    /// Mean over folds of each fold's `validationUAR` (absent when no fold had a validation part): what a
    /// hyperparameter search may rank configs by without looking at test folds.
    public var validationUAR: Double?
    /// Sample standard deviation over folds (n - 1).
    public var std: Headline?
    public var pooled: Headline?
    public var confidence95: Confidence?
    /// Multi-corpus runs only (`corpus` is then their names joined by "+"): the corpora, in config order.
    public var corpora: [String]?
    /// Multi-corpus runs only: the pooled test predictions of each corpus (corpora never tested are absent).
    public var perCorpus: OrderedObject<CorpusFigures>?

    public init(name: String, corpus: String, model: String, labels: [String], protocol: EvaluationProtocol, speakerOverlap: Bool?, syntheticData: Bool?,
                note: String? = nil, gateControl: String? = nil, folds: [FoldMetrics], mean: Headline?, validationUAR: Double? = nil, std: Headline?,
                pooled: Headline?, confidence95: Confidence?, corpora: [String]? = nil, perCorpus: OrderedObject<CorpusFigures>? = nil) {
        self.name = name; self.corpus = corpus; self.model = model; self.labels = labels; self.protocol = `protocol`
        self.speakerOverlap = speakerOverlap; self.syntheticData = syntheticData; self.note = note; self.gateControl = gateControl; self.folds = folds
        self.mean = mean; self.validationUAR = validationUAR; self.std = std; self.pooled = pooled; self.confidence95 = confidence95; self.corpora = corpora; self.perCorpus = perCorpus
    }

    /// Protocol kinds that train on some corpora and test on others.
    public static let crossCorpusProtocols: Set<String> = ["crossCorpus", "leaveOneCorpusOut"]

    /// True when every fold tests corpora it did not train on (`crossCorpus`, `leaveOneCorpusOut`):
    /// such runs are never compared with within-corpus runs.
    public var isCrossCorpus: Bool { RunMetrics.crossCorpusProtocols.contains(`protocol`.kind) }

    /// What `note` says on runs of serlab's generated corpus.
    public static let syntheticNote = "SYNTHETIC DATA: generated by serlab for the quickstart; these numbers say nothing about real speech"
}

/// `timings.json`: wall-clock times of a run (kept out of metrics.json, which must not change between reruns).
public struct RunTimings: Codable, Equatable, Sendable {
    public struct Fold: Codable, Equatable, Sendable {
        public var fold: Int
        public var seconds: Double
        public init(fold: Int, seconds: Double) { self.fold = fold; self.seconds = seconds }
    }

    public var featureExtractionSeconds: Double
    public var folds: [Fold]
    /// Folds read back from an earlier, killed run instead of trained.
    public var resumedFolds: Int
    public var totalSeconds: Double
    public var threads: Int

    public init(featureExtractionSeconds: Double, folds: [Fold], resumedFolds: Int, totalSeconds: Double, threads: Int) {
        self.featureExtractionSeconds = featureExtractionSeconds; self.folds = folds; self.resumedFolds = resumedFolds
        self.totalSeconds = totalSeconds; self.threads = threads
    }
}

/// `environment.json`: what ran, where, and on which data.
public struct RunEnvironment: Codable, Equatable, Sendable {
    public struct DataFile: Codable, Equatable, Sendable {
        /// As in predictions.csv.
        public var path: String
        /// Bytes; -1 when the file could not be read.
        public var size: Int
        /// Hex SHA-256, "not computed" or "unreadable".
        public var sha256: String
        public init(path: String, size: Int, sha256: String) { self.path = path; self.size = size; self.sha256 = sha256 }
    }

    public struct DataRecord: Codable, Equatable, Sendable {
        public var corpus: String
        public var root: String
        public var synthetic: Bool
        public var fileCount: Int
        public var totalBytes: Int
        /// sha256 of the sorted lines `path,size,sha256` of every file used.
        public var fingerprint: String
        public var fingerprintMethod: String
        /// Sorted by path.
        public var files: [DataFile]

        public init(corpus: String, root: String, synthetic: Bool, fileCount: Int, totalBytes: Int, fingerprint: String, fingerprintMethod: String, files: [DataFile]) {
            self.corpus = corpus; self.root = root; self.synthetic = synthetic; self.fileCount = fileCount; self.totalBytes = totalBytes
            self.fingerprint = fingerprint; self.fingerprintMethod = fingerprintMethod; self.files = files
        }
    }

    public var serlabVersion: String
    /// `git rev-parse HEAD` (with `-dirty`), or "unknown (...)".
    public var gitCommit: String
    public var featureCodeVersion: Int
    public var swift: String
    /// Debian package -> version of the C libraries serlab links.
    public var libraries: OrderedObject<String>
    public var os: String
    public var cpu: String
    public var cores: Int
    public var threads: Int
    public var seed: Int
    public var data: DataRecord

    public init(serlabVersion: String, gitCommit: String, featureCodeVersion: Int, swift: String, libraries: OrderedObject<String>, os: String, cpu: String,
                cores: Int, threads: Int, seed: Int, data: DataRecord) {
        self.serlabVersion = serlabVersion; self.gitCommit = gitCommit; self.featureCodeVersion = featureCodeVersion; self.swift = swift
        self.libraries = libraries; self.os = os; self.cpu = cpu; self.cores = cores; self.threads = threads; self.seed = seed; self.data = data
    }
}
