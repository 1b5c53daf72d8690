import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Writes a data task's bytes to a file as they arrive and reports the outcome once.
final class TransferDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private let handle: FileHandle
    private let offset: Int64
    private let url: String
    private let progress: (@Sendable (CorpusDownloader.Progress) -> Void)?
    private var continuation: CheckedContinuation<Void, Error>?
    private var received: Int64 = 0
    private var expectedLength: Int64?
    private var total: Int64?
    private var failure: Error?
    private var alreadyComplete = false
    private var lastReport = Date.distantPast

    init(handle: FileHandle, offset: Int64, url: String, progress: (@Sendable (CorpusDownloader.Progress) -> Void)?) {
        self.handle = handle
        self.offset = offset
        self.url = url
        self.progress = progress
    }

    func setContinuation(_ continuation: CheckedContinuation<Void, Error>) {
        lock.lock(); self.continuation = continuation; lock.unlock()
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        lock.lock(); defer { lock.unlock() }
        let http = response as? HTTPURLResponse
        let status = http?.statusCode ?? 200
        let length = response.expectedContentLength >= 0 ? response.expectedContentLength : nil
        switch status {
        case 200:
            // A full body: start the file over.
            do {
                try handle.truncate(atOffset: 0)
                try handle.seek(toOffset: 0)
            } catch {
                failure = error
                completionHandler(.cancel)
                return
            }
            received = 0
            expectedLength = length
            total = length
        case 206:
            let range = http?.value(forHTTPHeaderField: "Content-Range") ?? ""
            guard range.hasPrefix("bytes \(offset)-") else {
                failure = DownloadError.unexpectedRange(url: url, expectedStart: offset, found: range)
                completionHandler(.cancel)
                return
            }
            received = offset
            expectedLength = length.map { $0 + offset }
            total = range.split(separator: "/").last.flatMap { Int64($0) } ?? expectedLength
        case 416 where offset > 0:
            // Nothing left to send: the partial file is already whole.
            alreadyComplete = true
            completionHandler(.cancel)
            return
        default:
            failure = DownloadError.httpStatus(url: url, status: status)
            completionHandler(.cancel)
            return
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.lock()
        guard failure == nil else { lock.unlock(); return }
        do {
            try handle.write(contentsOf: data)
            received += Int64(data.count)
        } catch {
            failure = error
            lock.unlock()
            dataTask.cancel()
            return
        }
        let report = CorpusDownloader.Progress(receivedBytes: received, totalBytes: total)
        let now = Date()
        let due = now.timeIntervalSince(lastReport) >= 0.2
        if due { lastReport = now }
        lock.unlock()
        if due { progress?(report) }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        lock.lock()
        let continuation = self.continuation
        self.continuation = nil
        var outcome: Error? = failure
        if outcome == nil && !alreadyComplete {
            if let error {
                outcome = DownloadError.interrupted(url: url, partial: "", receivedBytes: received, reason: error.localizedDescription)
            } else if let expectedLength, received < expectedLength {
                outcome = DownloadError.interrupted(url: url, partial: "", receivedBytes: received,
                                                    reason: "the server closed the connection after \(received) of \(expectedLength) bytes")
            }
        }
        let final = CorpusDownloader.Progress(receivedBytes: received, totalBytes: total)
        lock.unlock()
        if outcome == nil { progress?(final) }
        if let outcome { continuation?.resume(throwing: outcome) } else { continuation?.resume() }
    }
}
