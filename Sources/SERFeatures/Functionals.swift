import Foundation

/// Utterance statistics over the frames of each column of a frame-level matrix.
public enum Functionals {
    /// Names of the utterance columns: for each frame column, its functionals then its percentiles,
    /// e.g. `mfcc_0_mean, mfcc_0_std, ..., mfcc_0_p50, mfcc_1_mean, ...`.
    public static func columnNames(for frameColumns: [String], functionals: [FeatureSpec.Functional], percentiles: [Double]) -> [String] {
        frameColumns.flatMap { column in
            functionals.map { "\(column)_\($0.rawValue)" } + percentiles.map { "\(column)_\(percentileName($0))" }
        }
    }

    /// `p50`, `p2.5`: the percentile without a trailing `.0`.
    public static func percentileName(_ p: Double) -> String {
        p == p.rounded() ? "p\(Int(p))" : "p\(p)"
    }

    /// One row of statistics of `matrix` (mean; population std; min; max; numpy `percentile` with linear
    /// interpolation). Sums run in double. A matrix with no frames gives zeros.
    public static func apply(_ matrix: FeatureMatrix, functionals: [FeatureSpec.Functional], percentiles: [Double]) -> FeatureMatrix {
        let names = columnNames(for: matrix.columnNames, functionals: functionals, percentiles: percentiles)
        var row: [Float] = []
        row.reserveCapacity(names.count)
        let frames = matrix.frameCount, columns = matrix.columnCount
        var column = [Float](repeating: 0, count: frames)
        for c in 0..<columns {
            matrix.values.withUnsafeBufferPointer { v in
                for t in 0..<frames { column[t] = v[t * columns + c] }
            }
            guard frames > 0 else {
                row.append(contentsOf: repeatElement(0, count: functionals.count + percentiles.count))
                continue
            }
            var sum = 0.0
            for value in column { sum += Double(value) }
            let mean = sum / Double(frames)
            for functional in functionals {
                switch functional {
                case .mean: row.append(Float(mean))
                case .std:
                    var squares = 0.0
                    for value in column { squares += (Double(value) - mean) * (Double(value) - mean) }
                    row.append(Float((squares / Double(frames)).squareRoot()))
                case .min: row.append(column.min()!)
                case .max: row.append(column.max()!)
                }
            }
            if !percentiles.isEmpty {
                let sorted = column.sorted()
                for p in percentiles {
                    let position = p / 100 * Double(frames - 1)
                    let lower = Int(position.rounded(.down)), upper = min(lower + 1, frames - 1)
                    let fraction = position - Double(lower)
                    row.append(Float(Double(sorted[lower]) + (Double(sorted[upper]) - Double(sorted[lower])) * fraction))
                }
            }
        }
        return FeatureMatrix(frameCount: 1, columnNames: names, values: row)
    }
}
