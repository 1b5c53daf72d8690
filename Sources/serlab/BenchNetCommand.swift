import ArgumentParser
import Foundation
import SERCore
import SERNet

/// `serlab bench net`: training throughput of one benchmark architecture on random data, as JSON.
/// tools/bench_net.py runs this and the same architecture in PyTorch in one run and prints the ratios.
struct BenchNet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "net",
        abstract: "Training throughput (forward + backward + Adam step) of a benchmark network, printed as JSON.",
        usage: "serlab bench net [<options>]"
    )

    @Option(help: "Architecture: lstm (40 -> 2 x 128, T=300), cnn (1-D 64/128/256, kernel 5, 40 x 300) or mlp (80 -> 256 -> 128).")
    var model: String = "lstm"
    @Option(help: "Sequences per batch.") var batchSize: Int = 32
    @Option(help: "Frames per sequence.") var frames: Int = 300
    @Option(help: "Features per frame (or per vector for the MLP).") var features: Int = 40
    @Option(help: "Timed batches.") var batches: Int = 10
    @Option(help: "Untimed warm-up batches.") var warmup: Int = 2
    @Option(help: "Threads (OpenBLAS and task-level).") var threads: Int = 2
    @Option(help: "Output classes.") var classes: Int = 8
    @Option(help: "Also save the trained network as a checkpoint here (for tools/checkpoint_h5py.py).") var checkpoint: String?

    func validate() throws {
        guard ["lstm", "cnn", "mlp"].contains(model) else {
            throw ValidationError("--model: expected lstm, cnn or mlp, found '\(model)'")
        }
        guard batchSize > 0, frames > 0, features > 0, batches > 0, warmup >= 0, threads > 0, classes > 1 else {
            throw ValidationError("sizes, batches and threads must be positive")
        }
    }

    static func spec(_ name: String) -> ModelSpec {
        switch name {
        case "lstm":
            var spec = LSTMSpec()
            spec.hiddenSize = 128
            spec.layerCount = 2
            spec.pooling = .last
            spec.dropout = 0
            return .lstm(spec)
        case "cnn":
            var spec = CNNSpec()
            spec.channels = [64, 128, 256]
            spec.kernelSize = 5
            spec.poolSize = 2
            spec.normalization = .batch
            spec.dropout = 0
            return .cnn(spec)
        default:
            var spec = MLPSpec()
            spec.hiddenSizes = [256, 128]
            spec.dropout = 0
            return .mlp(spec)
        }
    }

    func run() throws {
        let isMLP = model == "mlp"
        let featureCount = isMLP ? features * 2 : features
        let network = try Model(spec: Self.spec(model), inputSize: featureCount, classCount: classes, seed: 1)
        BLAS.setThreads(threads)
        network.threads = threads
        network.optimizer = Optimizer(kind: .adam)
        network.learningRate = 1e-3
        var generator = SeededGenerator(seed: 7, stream: "bench-data")
        let shape = isMLP ? [batchSize, featureCount] : [batchSize, frames, featureCount]
        let batchCount = min(batches + warmup, 4)
        let data = (0..<batchCount).map { _ in
            Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in generator.nextNormal() })
        }
        let labels = (0..<batchSize).map { $0 % classes }
        let lengths: [Int]? = isMLP ? nil : [Int](repeating: frames, count: batchSize)
        for step in 0..<warmup { network.trainStep(batch: data[step % batchCount], labels: labels, lengths: lengths) }
        let start = DispatchTime.now().uptimeNanoseconds
        var lossSum: Float = 0
        for step in 0..<batches { lossSum += network.trainStep(batch: data[(warmup + step) % batchCount], labels: labels, lengths: lengths) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if let checkpoint {
            network.labels = (0..<classes).map { "class\($0)" }
            try network.save(to: URL(fileURLWithPath: checkpoint))
            // A probe: the first two sequences' probabilities, for an independent check of the reloaded weights.
            let probe = data[0]
            let rows = isMLP ? Tensor(shape: [2, featureCount], scalars: Array(probe.scalars.prefix(2 * featureCount)))
                : Tensor(shape: [2, frames, featureCount], scalars: Array(probe.scalars.prefix(2 * frames * featureCount)))
            let probabilities = network.predictProbabilities(batch: rows, lengths: isMLP ? nil : [frames, frames])
            let restored = try Model.load(from: URL(fileURLWithPath: checkpoint))
            restored.threads = network.threads
            let reloaded = restored.predictProbabilities(batch: rows, lengths: isMLP ? nil : [frames, frames])
            let probeJSON = try JSONSerialization.data(withJSONObject: ["shape": rows.shape, "inputs": rows.scalars.map(Double.init),
                                                                        "probabilities": probabilities.scalars.map(Double.init)])
            try probeJSON.write(to: URL(fileURLWithPath: checkpoint + ".probe.json"))
            FileHandle.standardError.write(Data("checkpoint \(checkpoint): probabilities of 2 probe sequences \(probabilities.scalars); reloaded identical: \(reloaded == probabilities)\n".utf8))
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let report: [String: Any] = [
            "engine": "serlab", "model": model, "parameters": network.parameterCount, "threads": threads,
            "batchSize": batchSize, "frames": isMLP ? 1 : frames, "features": featureCount, "batches": batches,
            "seconds": seconds, "sequencesPerSecond": Double(batches * batchSize) / seconds,
            "peakMemoryMB": Double(usage.ru_maxrss) / 1024, "meanLoss": Double(lossSum) / Double(batches),
        ]
        let json = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }
}
