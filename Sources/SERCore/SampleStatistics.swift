/// Mean and sample standard deviation over a few values (fold scores): the runner's summaries
/// (SERExperiment) and the comparison tables and tests (SERReport) use these, so both agree to the bit.
public enum SampleStatistics {
    /// Arithmetic mean, summed in order; NaN for no values (0 / 0).
    public static func mean(_ values: [Double]) -> Double {
        values.reduce(0, +) / Double(values.count)
    }

    /// Sample standard deviation, n - 1 in the denominator (numpy's `ddof=1`); 0 for fewer than two values.
    public static func standardDeviation(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let m = mean(values)
        return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
    }
}
