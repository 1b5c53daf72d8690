import Testing
@testable import SERCore

@Suite struct SeededGeneratorTests {
    @Test func sameSeedAndStreamGiveSameSequence() {
        var a = SeededGenerator(seed: 7, stream: "shuffle")
        var b = SeededGenerator(seed: 7, stream: "shuffle")
        for _ in 0..<100 { #expect(a.next() == b.next()) }
    }

    @Test func streamsAreIndependent() {
        var a = SeededGenerator(seed: 7, stream: "shuffle")
        var b = SeededGenerator(seed: 7, stream: "init")
        let same = (0..<100).filter { _ in a.next() == b.next() }.count
        #expect(same == 0)
    }

    @Test func floatsAreUniformInUnitInterval() {
        var g = SeededGenerator(seed: 1)
        let draws = (0..<20_000).map { _ in g.nextFloat() }
        #expect(draws.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean = draws.reduce(0, +) / Float(draws.count)
        #expect(abs(mean - 0.5) < 0.01)
    }

    @Test func normalsHaveUnitVariance() {
        var g = SeededGenerator(seed: 3)
        let draws = (0..<20_000).map { _ in Double(g.nextNormal()) }
        let mean = draws.reduce(0, +) / Double(draws.count)
        let variance = draws.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(draws.count)
        #expect(abs(mean) < 0.03)
        #expect(abs(variance - 1) < 0.05)
    }
}
