import Foundation

/// One fold's training curve, `curve.csv`: `epoch,trainLoss,validationLoss,validationUAR,learningRate`,
/// values with six decimals (`nan` where there is no validation part).
public struct LearningCurve: Codable, Equatable, Sendable {
    public var epochs: [Int]
    public var trainLoss: [Double]
    public var validationLoss: [Double]
    public var validationUAR: [Double]
    public var learningRate: [Double]

    public init(epochs: [Int], trainLoss: [Double], validationLoss: [Double], validationUAR: [Double], learningRate: [Double]) {
        precondition([trainLoss.count, validationLoss.count, validationUAR.count, learningRate.count].allSatisfy { $0 == epochs.count },
                     "learning curve columns of different lengths")
        self.epochs = epochs; self.trainLoss = trainLoss; self.validationLoss = validationLoss
        self.validationUAR = validationUAR; self.learningRate = learningRate
    }

    public static let columns = ["epoch", "trainLoss", "validationLoss", "validationUAR", "learningRate"]

    public init(contentsOf url: URL) throws(ResultsFileError) {
        let table = try ResultsTable(contentsOf: url)
        var columns: [Int] = []
        for name in Self.columns { columns.append(try table.column(name)) }
        var values: [[Double]] = Array(repeating: [], count: columns.count)
        for row in table.rows.indices {
            for (slot, column) in columns.enumerated() { values[slot].append(try table.double(row: row, column: column)) }
        }
        self.init(epochs: values[0].map { $0.isFinite ? Int($0) : 0 }, trainLoss: values[1], validationLoss: values[2],
                  validationUAR: values[3], learningRate: values[4])
    }

    public func csv() -> String {
        ResultsTable.text([Self.columns] + epochs.indices.map { i in
            [String(epochs[i])] + [trainLoss[i], validationLoss[i], validationUAR[i], learningRate[i]].map(ResultsFile.decimal)
        })
    }
}
