import Testing
@testable import serlab

@Suite struct AllocatorTuningTests {
    /// serlab's entry point keeps freed training buffers in the heap; glibc must accept the settings.
    @Test func glibcAcceptsTheMallocSettings() {
        #if canImport(Glibc)
        #expect(AllocatorTuning.apply())
        #endif
    }
}
