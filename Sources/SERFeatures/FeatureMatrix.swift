/// A feature matrix: `frameCount` rows of `columnNames.count` values, row-major.
public struct FeatureMatrix: Sendable, Equatable {
    public var frameCount: Int
    public var columnNames: [String]
    public var values: [Float]

    public init(frameCount: Int, columnNames: [String], values: [Float]) {
        precondition(values.count == frameCount * columnNames.count,
                     "values.count \(values.count) != frames \(frameCount) x columns \(columnNames.count)")
        self.frameCount = frameCount
        self.columnNames = columnNames
        self.values = values
    }

    public var columnCount: Int { columnNames.count }

    /// The value at (`frame`, `column`).
    public subscript(frame: Int, column: Int) -> Float {
        values[frame * columnNames.count + column]
    }

    /// One column over all frames, by name; `nil` when absent.
    public func column(named name: String) -> [Float]? {
        guard let index = columnNames.firstIndex(of: name) else { return nil }
        return (0..<frameCount).map { values[$0 * columnNames.count + index] }
    }
}
