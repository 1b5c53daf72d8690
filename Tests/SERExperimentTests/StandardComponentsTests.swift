import Foundation
import SERFeatures
import SERTestSupport
import Testing
@testable import SERExperiment

@Suite struct StandardComponentsTests {
    /// `training.threads` reaches the feature cache: extraction runs on at most that many threads.
    @Test func theFeatureProviderGetsTheRunsThreadCount() throws {
        let folder = TestSupport.temporaryDirectory("serlab-components")
        defer { try? FileManager.default.removeItem(at: folder) }
        for threads in [1, 3] {
            let provider = try ExperimentComponents.standard().features(FeatureSpec(), "synthetic", folder, threads)
            let cached = try #require(provider as? CachedFeatureProvider)
            #expect(cached.cache.threads == threads)
        }
    }
}
