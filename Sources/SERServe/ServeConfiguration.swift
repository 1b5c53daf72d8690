import Foundation

/// What `serlab serve` is started with; every default is here, with why.
public struct ServeConfiguration: Sendable {
    /// The address listened on: loopback unless asked otherwise (the app has no login).
    public var host = "127.0.0.1"
    /// 0 asks the system for a free port (the URL printed says which).
    public var port = 8080
    /// Model bundles (`*.serlab`) offered for prediction, searched `modelDepth` levels down; nil: none.
    public var modelsFolder: URL?
    /// Results folders (`serlab run` output) browsed and compared; nil: none.
    public var resultsFolder: URL?
    /// Largest request body accepted (an upload with its multipart framing): 50 MiB holds 13 minutes of
    /// 16-bit mono WAV at 16 kHz, or about 2.5 minutes at 44.1 kHz stereo.
    public var maximumUploadBytes = 50 * 1024 * 1024
    /// Longest recording predicted, in seconds (a compressed upload can decode to much more than it weighs).
    public var maximumAudioSeconds = 600.0
    /// Recordings at least this long get the segment timeline of `serlab predict --segment` besides the
    /// whole-file prediction (shorter ones only with `segment=yes`).
    public var segmentFromSeconds = 8.0
    /// Predictions running at once (each on one thread with its own predictor); the rest wait in line.
    public var predictionSlots = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Requests allowed to wait for a slot; beyond that the server answers 503 at once instead of
    /// queueing without bound.
    public var waitingPredictions = 64

    public static let modelDepth = 3
    public static let resultsDepth = 3

    public init() {}

    /// True when the address is reachable from other machines (not loopback).
    public var listensBeyondLoopback: Bool {
        !(host == "127.0.0.1" || host == "localhost" || host == "::1" || host.hasPrefix("127."))
    }
}
