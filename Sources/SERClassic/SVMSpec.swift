import Foundation

/// A kernel SVM (LIBSVM's C-SVC) from a JSON config. `cost` (C) and `gamma` are lists: with more than
/// one value the pair with the best validation UAR is chosen (`SVMGridSearch`); absent keys take the
/// defaults shown, unknown keys are an error:
///
///     {"type": "svm", "kernel": "rbf", "cost": [0.1, 1, 10, 100], "gamma": ["scale", 0.001, 0.01]}
///     {"type": "svm", "kernel": "linear", "cost": [1]}
public struct SVMSpec: Codable, Sendable, Equatable {
    public var kernel: SVMKernel = .rbf
    /// C, the penalty on margin violations; several values are a grid searched on the validation part.
    public var cost: [Double] = [0.1, 1, 10, 100]
    /// rbf and poly: `"scale"` (scikit-learn's 1 / (features x variance of the training vectors)) or a
    /// number; several values are a grid. Ignored by the linear kernel.
    public var gamma: [SVMGamma] = [.scale]
    /// poly: the polynomial degree.
    public var degree: Int = 3
    /// poly: the constant term (coef0).
    public var coef0: Double = 0
    /// Class probabilities by LIBSVM's pairwise coupling of Platt-scaled decision values (`-b 1`,
    /// fitted with an internal 5-fold cross-validation); false: the decided class gets probability 1.
    public var probability: Bool = true

    public init() {}

    private enum CodingKeys: String, CodingKey, CaseIterable { case kernel, cost, gamma, degree, coef0, probability }

    public init(from decoder: Decoder) throws {
        let allowed = CodingKeys.allCases.map(\.rawValue) + ["type"]
        let all = try decoder.container(keyedBy: ClassicCodingKey.self)
        for key in all.allKeys where !allowed.contains(key.stringValue) {
            let path = (decoder.codingPath + [key]).map(\.stringValue).joined(separator: ".")
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath + [key],
                debugDescription: "unknown key '\(path)' in SVMSpec; expected one of: \(allowed.sorted().joined(separator: ", "))"))
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kernel = try c.decodeIfPresent(SVMKernel.self, forKey: .kernel) ?? kernel
        cost = try c.decodeIfPresent([Double].self, forKey: .cost) ?? cost
        gamma = try c.decodeIfPresent([SVMGamma].self, forKey: .gamma) ?? gamma
        degree = try c.decodeIfPresent(Int.self, forKey: .degree) ?? degree
        coef0 = try c.decodeIfPresent(Double.self, forKey: .coef0) ?? coef0
        probability = try c.decodeIfPresent(Bool.self, forKey: .probability) ?? probability
    }

    /// Checks the grid and the kernel's values; the error names the JSON field under `path`.
    public func validate(path: String) throws {
        if cost.isEmpty { throw SVMSpecError(path: "\(path).cost", expected: "at least one value", found: "[]") }
        if let bad = cost.first(where: { !($0 > 0) || !$0.isFinite }) {
            throw SVMSpecError(path: "\(path).cost", expected: "values > 0", found: "\(bad)")
        }
        if gamma.isEmpty { throw SVMSpecError(path: "\(path).gamma", expected: "at least one value (\"scale\" or a number > 0)", found: "[]") }
        for case .value(let value) in gamma where !(value > 0) || !value.isFinite {
            throw SVMSpecError(path: "\(path).gamma", expected: "\"scale\" or numbers > 0", found: "\(value)")
        }
        guard (1...10).contains(degree) else { throw SVMSpecError(path: "\(path).degree", expected: "an integer from 1 to 10", found: "\(degree)") }
        guard coef0.isFinite else { throw SVMSpecError(path: "\(path).coef0", expected: "a finite number", found: "\(coef0)") }
    }

    /// The (C, gamma) pairs searched, C outer, in the order the config gives them (ties go to the first).
    /// The linear kernel has no gamma: its pairs carry the first gamma value, unused.
    public var grid: [(cost: Double, gamma: SVMGamma)] {
        let gammas = kernel == .linear ? [gamma[0]] : gamma
        return cost.flatMap { c in gammas.map { (c, $0) } }
    }
}

/// LIBSVM's kernels: linear u'v, rbf exp(-gamma |u-v|^2), poly (gamma u'v + coef0)^degree.
public enum SVMKernel: String, Codable, Sendable, CaseIterable {
    case linear, rbf, poly
}

/// gamma in the config: `"scale"` or a number.
public enum SVMGamma: Codable, Sendable, Equatable, CustomStringConvertible {
    /// 1 / (features x variance of all training values), as scikit-learn's `gamma="scale"`.
    case scale
    case value(Double)

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            self = .value(number)
        } else if let text = try? container.decode(String.self), text == "scale" {
            self = .scale
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected \"scale\" or a number > 0")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .scale: try container.encode("scale")
        case .value(let value): try container.encode(value)
        }
    }

    /// The number for training vectors of `featureCount` columns whose values have variance `variance`.
    public func resolved(featureCount: Int, variance: Double) -> Double {
        switch self {
        case .value(let value): return value
        case .scale: return variance > 0 ? 1 / (Double(featureCount) * variance) : 1
        }
    }

    public var description: String {
        switch self {
        case .scale: "scale"
        case .value(let value): "\(value)"
        }
    }
}

/// A bad SVM spec: where, what was expected, what was found.
public struct SVMSpecError: LocalizedError, Equatable {
    public let path: String
    public let expected: String
    public let found: String
    public var errorDescription: String? { "\(path): expected \(expected), found \(found)" }
}

struct ClassicCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { self.stringValue = "\(intValue)"; self.intValue = intValue }
}
