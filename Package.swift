// swift-tools-version: 6.1
import PackageDescription

/// Release builds target Haswell (AVX2/FMA, any x86-64 since 2013): simple loops run about 2x faster.
/// Debug builds stay generic so they are not optimised by accident.
let fastMath: [SwiftSetting] = [
    .unsafeFlags(["-Xcc", "-march=haswell", "-target-cpu", "haswell"], .when(configuration: .release)),
]

func cLibrary(_ name: String, pkgConfig: String, apt: String) -> Target {
    .systemLibrary(name: name, path: "Sources/\(name)", pkgConfig: pkgConfig, providers: [.apt([apt])])
}

let package = Package(
    name: "serlab",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "serlab", targets: ["serlab"]),
        .library(name: "SERLab", targets: ["SERAudio", "SERFeatures", "SERCache", "SERCorpus", "SERNet", "SERClassic", "SERResults", "SERPlot", "SERExperiment", "SERReport", "SERPredict"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // serlab serve only: the HTTP server and its test client, and multipart upload parsing.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // C libraries from Debian, each behind a thin shim; only the matching SER module imports it.
        cLibrary("CSndfile", pkgConfig: "sndfile", apt: "libsndfile1-dev"),
        cLibrary("CSoxr", pkgConfig: "soxr", apt: "libsoxr-dev"),
        // libFLAC (a dependency of libsndfile) read directly: libsndfile's FLAC-to-float copy costs a third of its decode.
        cLibrary("CFLAC", pkgConfig: "flac", apt: "libflac-dev"),
        cLibrary("CFFTW", pkgConfig: "fftw3f", apt: "libfftw3-dev"),
        cLibrary("COpenBLAS", pkgConfig: "openblas", apt: "libopenblas-dev"),
        cLibrary("CHDF5", pkgConfig: "hdf5-serial", apt: "libhdf5-dev"),
        // LIBSVM: Debian's libsvm-dev has no pkg-config file; the modulemap links -lsvm and the header is <libsvm/svm.h>.
        .systemLibrary(name: "CSVM", path: "Sources/CSVM", providers: [.apt(["libsvm-dev"])]),

        // Version, seeded random streams, CSV, ordered JSON (JSONValue, its parser and encoder), hashing and
        // parallelMap shared by every module. Imports only swift-crypto (SHA-256, MD5), behind SERCore's own
        // API: no other module imports Crypto.
        .target(name: "SERCore", dependencies: [.product(name: "Crypto", package: "swift-crypto")], exclude: ["README.md"], swiftSettings: fastMath),
        // Audio files to mono float samples at a chosen rate (libsndfile + libsoxr).
        .target(name: "SERAudio", dependencies: ["SERCore", "CSndfile", "CSoxr", "CFLAC"], exclude: ["README.md"], swiftSettings: fastMath),
        // Frame features from samples, the way librosa computes them (FFTW); reads files through SERAudio.
        .target(name: "SERFeatures", dependencies: ["SERCore", "SERAudio", "CFFTW", .product(name: "Numerics", package: "swift-numerics")], exclude: ["README.md"], swiftSettings: fastMath),
        // A small Swift API over HDF5, shared by the feature cache and model checkpoints.
        .target(name: "SERHDF5", dependencies: ["SERCore", "CHDF5"], exclude: ["README.md"], swiftSettings: fastMath),
        // Corpus folders to labelled utterances (TESS, RAVDESS, SAVEE, manifests).
        .target(name: "SERCorpus", dependencies: ["SERCore", "SERAudio", .product(name: "ZIPFoundation", package: "ZIPFoundation")], exclude: ["README.md"], swiftSettings: fastMath),
        // Extracted features per (corpus, feature spec) in one HDF5 file.
        .target(name: "SERCache", dependencies: ["SERAudio", "SERFeatures", "SERHDF5"], exclude: ["README.md"], swiftSettings: fastMath),
        // SERNet's AVX-512 GEMM micro-kernels only, compiled for Skylake-AVX512 in release builds; SERNet calls
        // them only when the CPU reports AVX-512 (its AVX2 kernels otherwise).
        .target(name: "SERKernelsAVX512", exclude: ["README.md"],
                swiftSettings: [.unsafeFlags(["-target-cpu", "skylake-avx512"], .when(configuration: .release))]),
        // Tensors, layers, losses, optimizers and checkpoints on OpenBLAS. -fno-math-errno lets squareRoot()
        // vectorise (vsqrtps; glibc's errno-setting sqrtf call otherwise scalarises SIMD loops); results are unchanged.
        .target(name: "SERNet", dependencies: ["SERCore", "COpenBLAS", "SERHDF5", "SERKernelsAVX512", .product(name: "Numerics", package: "swift-numerics")], exclude: ["README.md"],
                swiftSettings: fastMath + [.unsafeFlags(["-Xcc", "-fno-math-errno"])]),
        // Classical models on utterance vectors: a kernel SVM (LIBSVM) with its validation grid search. Knows nothing of
        // networks, features or corpora; SERExperiment adapts it to a fold.
        .target(name: "SERClassic", dependencies: ["SERCore", "CSVM"], exclude: ["README.md"], swiftSettings: fastMath),
        // The results-folder format (docs/results.md): Codable types and file layouts the runner writes and the report reads.
        .target(name: "SERResults", dependencies: ["SERCore"], exclude: ["README.md"], swiftSettings: fastMath),
        // Self-contained SVG plots (line, bar, histogram, heatmap, waveform); the runner's confusion.svg and the report's plots.
        .target(name: "SERPlot", dependencies: ["SERCore"], exclude: ["README.md"], swiftSettings: fastMath),
        // Configs, protocols, training runs, metrics; writes the whole results folder (corpus overview included).
        .target(name: "SERExperiment", dependencies: ["SERAudio", "SERCorpus", "SERCache", "SERFeatures", "SERNet", "SERClassic", "SERResults", "SERPlot"], exclude: ["README.md"], swiftSettings: fastMath),
        // serlab run --slurm and serlab status: sbatch scripts for a run's steps, submission, job records, run status.
        .target(name: "SERCluster", dependencies: ["SERCore", "SERResults", "SERExperiment"], exclude: ["README.md"], swiftSettings: fastMath),
        // Comparison tables, significance tests, HTML reports and the regression gate; reads results folders through SERResults.
        .target(name: "SERReport", dependencies: ["SERCore", "SERResults", "SERPlot"], exclude: ["README.md"], swiftSettings: fastMath),
        // Trained models outside the lab: model bundles (one sealed HDF5 file), making them from runs, and prediction.
        .target(name: "SERPredict", dependencies: ["SERCore", "SERAudio", "SERFeatures", "SERHDF5", "SERNet", "SERCorpus", "SERResults", "SERPlot", "SERExperiment"],
                exclude: ["README.md"], swiftSettings: fastMath),
        // serlab serve: a local web app (Hummingbird) over model bundles (prediction) and results folders (browsing, compare, reports).
        .target(name: "SERServe", dependencies: ["SERCore", "SERAudio", "SERResults", "SERPlot", "SERReport", "SERPredict",
                                                 .product(name: "Hummingbird", package: "hummingbird"),
                                                 .product(name: "MultipartKit", package: "multipart-kit"),
                                                 .product(name: "Logging", package: "swift-log")],
                exclude: ["README.md"], swiftSettings: fastMath),
        .executableTarget(
            name: "serlab",
            dependencies: [
                "SERCore", "SERAudio", "SERFeatures", "SERCache", "SERCorpus", "SERNet", "SERResults", "SERExperiment", "SERReport", "SERPredict", "SERServe", "SERCluster",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: fastMath
        ),

        // Locates the package, the corpora ($SERLAB_CORPORA) and the serlab binary for tests; fails loudly when a corpus is absent.
        .target(name: "SERTestSupport", dependencies: ["SERCore", "SERAudio"], path: "Tests/SERTestSupport"),
        // Small in-memory model bundles, shared by the SERPredict and SERServe tests.
        .target(name: "SERPredictTestSupport", dependencies: ["SERTestSupport", "SERPredict", "SERExperiment", "SERNet", "SERFeatures", "SERCore"],
                path: "Tests/SERPredictTestSupport"),
        .testTarget(name: "SERCoreTests", dependencies: ["SERCore"]),
        .testTarget(name: "SERAudioTests", dependencies: ["SERTestSupport", "SERAudio", "SERCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SERFeaturesTests", dependencies: ["SERTestSupport", "SERFeatures", "SERAudio"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SERHDF5Tests", dependencies: ["SERTestSupport", "SERHDF5"]),
        .testTarget(name: "SERCacheTests", dependencies: ["SERTestSupport", "SERCache"]),
        .testTarget(name: "SERCorpusTests", dependencies: ["SERTestSupport", "SERCorpus", "SERAudio", "SERCore", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .testTarget(name: "SERClassicTests", dependencies: ["SERClassic"]),
        .testTarget(name: "SERNetTests", dependencies: ["SERTestSupport", "SERNet", "SERKernelsAVX512", "SERFeatures", "SERAudio"]),
        .testTarget(name: "SERExperimentTests", dependencies: ["SERTestSupport", "SERExperiment", "SERCore", "SERCorpus", "SERResults"]),
        .testTarget(name: "SERReportTests", dependencies: ["SERTestSupport", "SERReport", "SERResults", "SERPlot", "SERCore"]),
        .testTarget(name: "SERPredictTests", dependencies: ["SERTestSupport", "SERPredictTestSupport", "SERPredict", "SERAudio", "SERExperiment", "SERNet", "SERHDF5", "SERFeatures", "SERResults", "SERCore"]),
        .testTarget(name: "SERServeTests", dependencies: ["SERTestSupport", "SERPredictTestSupport", "SERServe", "SERPredict", "SERAudio", "SERResults",
                                                          .product(name: "Hummingbird", package: "hummingbird"),
                                                          .product(name: "HummingbirdTesting", package: "hummingbird")]),
        .testTarget(name: "serlabTests", dependencies: ["SERTestSupport", "serlab", "SERCache", "SERCore"]),
        .testTarget(name: "SERClusterTests", dependencies: ["SERCluster", "SERExperiment", "SERCore"]),
    ]
)
