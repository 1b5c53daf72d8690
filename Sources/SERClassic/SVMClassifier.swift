import CSVM
import Foundation

/// The resolved values of one LIBSVM training (C-SVC): what the grid search tries and what a fold keeps.
public struct SVMParameters: Sendable, Equatable {
    public var kernel: SVMKernel
    public var cost: Double
    /// A number (the spec's `"scale"` already resolved); unused by the linear kernel.
    public var gamma: Double
    public var degree: Int
    public var coef0: Double
    public var probability: Bool
    /// Multiplies C for each class index (LIBSVM's `-wi`); nil = 1 for every class.
    public var classWeights: [Double]?

    public init(kernel: SVMKernel, cost: Double, gamma: Double, degree: Int = 3, coef0: Double = 0, probability: Bool = true,
                classWeights: [Double]? = nil) {
        self.kernel = kernel; self.cost = cost; self.gamma = gamma; self.degree = degree; self.coef0 = coef0
        self.probability = probability; self.classWeights = classWeights
    }
}

/// What LIBSVM refused.
public enum SVMError: LocalizedError, Equatable {
    case emptyTraining
    case invalidParameters(String)
    case featureCount(expected: Int, found: Int)

    public var errorDescription: String? {
        switch self {
        case .emptyTraining: "SVM: the training part has no vectors"
        case .invalidParameters(let reason): "SVM: LIBSVM refused the parameters: \(reason)"
        case .featureCount(let expected, let found): "SVM: expected vectors of \(expected) values, found \(found)"
        }
    }
}

/// A trained LIBSVM C-SVC over dense vectors and class indices 0..<classCount.
///
/// LIBSVM's support vectors point into the training problem, so the classifier owns the training
/// nodes for its lifetime. Training holds a process-wide lock and seeds C's `rand()` with `seed`
/// first: LIBSVM's probability fit shuffles its internal 5-fold cross-validation with `rand()`, and
/// nothing else may draw from it meanwhile, so the same data, parameters and seed give the same model.
public final class SVMClassifier: @unchecked Sendable {
    public let featureCount: Int
    public let classCount: Int
    public let parameters: SVMParameters
    private var model: UnsafeMutablePointer<svm_model>?
    private let nodes: UnsafeMutablePointer<svm_node>
    private let rows: UnsafeMutablePointer<UnsafeMutablePointer<svm_node>?>
    private let targets: UnsafeMutablePointer<Double>
    /// LIBSVM's class order (first appearance in the training data) as class indices.
    private let modelLabels: [Int]

    private static let trainingLock = NSLock()

    public init(vectors: [[Double]], labels: [Int], classCount: Int, parameters: SVMParameters, seed: UInt32) throws {
        precondition(vectors.count == labels.count, "vectors \(vectors.count) vs labels \(labels.count)")
        precondition(labels.allSatisfy { (0..<classCount).contains($0) }, "labels outside 0..<\(classCount)")
        guard let first = vectors.first else { throw SVMError.emptyTraining }
        let width = first.count
        if let bad = vectors.first(where: { $0.count != width }) { throw SVMError.featureCount(expected: width, found: bad.count) }
        featureCount = width
        self.classCount = classCount
        self.parameters = parameters
        nodes = .allocate(capacity: vectors.count * (width + 1))
        rows = .allocate(capacity: vectors.count)
        targets = .allocate(capacity: vectors.count)
        for (row, vector) in vectors.enumerated() {
            let start = nodes + row * (width + 1)
            SVMClassifier.fill(start, with: vector)
            rows[row] = start
            targets[row] = Double(labels[row])
        }
        var problem = svm_problem(l: Int32(vectors.count), y: targets, x: rows)
        let weightLabels = UnsafeMutablePointer<Int32>.allocate(capacity: classCount)
        let weights = UnsafeMutablePointer<Double>.allocate(capacity: classCount)
        defer { weightLabels.deallocate(); weights.deallocate() }
        var parameter = svm_parameter()
        parameter.svm_type = Int32(C_SVC)
        switch parameters.kernel {
        case .linear: parameter.kernel_type = Int32(LINEAR)
        case .rbf: parameter.kernel_type = Int32(RBF)
        case .poly: parameter.kernel_type = Int32(POLY)
        }
        parameter.degree = Int32(parameters.degree)
        parameter.gamma = parameters.gamma
        parameter.coef0 = parameters.coef0
        parameter.cache_size = 200
        parameter.eps = 1e-3
        parameter.C = parameters.cost
        parameter.shrinking = 1
        parameter.probability = parameters.probability ? 1 : 0
        if let classWeights = parameters.classWeights {
            precondition(classWeights.count == classCount, "class weights \(classWeights.count) for \(classCount) classes")
            for index in 0..<classCount {
                weightLabels[index] = Int32(index)
                weights[index] = classWeights[index]
            }
            parameter.nr_weight = Int32(classCount)
            parameter.weight_label = weightLabels
            parameter.weight = weights
        }
        if let reason = svm_check_parameter(&problem, &parameter) {
            let text = String(cString: reason)
            nodes.deallocate(); rows.deallocate(); targets.deallocate()
            throw SVMError.invalidParameters(text)
        }
        SVMClassifier.trainingLock.lock()
        svm_set_print_string_function { _ in }
        srand(seed)
        let trained = svm_train(&problem, &parameter)
        SVMClassifier.trainingLock.unlock()
        // The model copied the parameters; the weight arrays are freed on return and only training read them.
        trained?.pointee.param.nr_weight = 0
        trained?.pointee.param.weight_label = nil
        trained?.pointee.param.weight = nil
        model = trained
        let count = Int(svm_get_nr_class(trained))
        var order = [Int32](repeating: 0, count: count)
        svm_get_labels(trained, &order)
        modelLabels = order.map(Int.init)
    }

    deinit {
        svm_free_and_destroy_model(&model)
        nodes.deallocate()
        rows.deallocate()
        targets.deallocate()
    }

    /// The class index LIBSVM decides for each vector (no probability model needed).
    public func predictClasses(_ vectors: [[Double]]) throws -> [Int] {
        try withNodes(vectors) { x in Int(svm_predict(model, x)) }
    }

    /// Class probabilities (rows sum to 1, columns in class-index order; a class absent from the training
    /// data gets 0). Without a probability model the decided class gets 1.
    public func predictProbabilities(_ vectors: [[Double]]) throws -> [[Double]] {
        let usesProbability = svm_check_probability_model(model) != 0
        var estimates = [Double](repeating: 0, count: modelLabels.count)
        return try withNodes(vectors) { x in
            var row = [Double](repeating: 0, count: classCount)
            if usesProbability {
                _ = svm_predict_probability(model, x, &estimates)
                for (slot, label) in modelLabels.enumerated() { row[label] = estimates[slot] }
            } else {
                row[Int(svm_predict(model, x))] = 1
            }
            return row
        }
    }

    /// The model as LIBSVM's text format (`svm_save_model`), e.g. to keep beside a fold's results.
    public func modelText() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("serlab-svm-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: url) }
        guard svm_save_model(url.path, model) == 0 else { throw SVMError.invalidParameters("svm_save_model could not write \(url.path)") }
        return try String(contentsOf: url, encoding: .utf8)
    }

    private func withNodes<T>(_ vectors: [[Double]], _ body: (UnsafePointer<svm_node>) -> T) throws -> [T] {
        let buffer = UnsafeMutablePointer<svm_node>.allocate(capacity: featureCount + 1)
        defer { buffer.deallocate() }
        return try vectors.map { vector in
            guard vector.count == featureCount else { throw SVMError.featureCount(expected: featureCount, found: vector.count) }
            SVMClassifier.fill(buffer, with: vector)
            return body(buffer)
        }
    }

    /// Dense nodes 1...n and LIBSVM's terminator (index -1).
    private static func fill(_ start: UnsafeMutablePointer<svm_node>, with vector: [Double]) {
        for (column, value) in vector.enumerated() { start[column] = svm_node(index: Int32(column + 1), value: value) }
        start[vector.count] = svm_node(index: -1, value: 0)
    }
}
