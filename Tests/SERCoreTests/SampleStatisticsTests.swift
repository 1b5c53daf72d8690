import Testing
import SERCore

@Suite struct SampleStatisticsTests {
    @Test func meanAndSampleStandardDeviation() {
        #expect(SampleStatistics.mean([1, 2, 3, 4]) == 2.5)
        // numpy.std([1, 2, 3, 4], ddof=1)
        #expect(abs(SampleStatistics.standardDeviation([1, 2, 3, 4]) - 1.2909944487358056) < 1e-15)
        #expect(SampleStatistics.standardDeviation([0.7]) == 0)
        #expect(SampleStatistics.standardDeviation([]) == 0)
        #expect(SampleStatistics.mean([]).isNaN)
    }
}
