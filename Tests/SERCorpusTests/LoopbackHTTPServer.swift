import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 (POSIX sockets, one connection at a time) serving one body
/// at one path, with `Range: bytes=N-` support, for the download tests. It can cut its first answer
/// short to simulate an interrupted transfer, and logs every request's path and Range header.
/// It stops when `stop()` is called; every request loop is bounded by `maxRequests`.
final class LoopbackHTTPServer: @unchecked Sendable {
    struct Request: Sendable, Equatable {
        var path: String
        var range: String?
    }

    let body: Data
    let servedPath: String
    /// Bytes of the body sent before the first full (non-range) answer is cut; nil never cuts.
    let cutFirstAnswerAfter: Int?
    let maxRequests: Int
    private(set) var port: UInt16 = 0
    private var listener: Int32 = -1
    private let lock = NSLock()
    private var log: [Request] = []
    private var cutDone = false
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    init(body: Data, path: String, cutFirstAnswerAfter: Int? = nil, maxRequests: Int = 20) {
        self.body = body
        self.servedPath = path
        self.cutFirstAnswerAfter = cutFirstAnswerAfter
        self.maxRequests = maxRequests
    }

    var requests: [Request] { lock.lock(); defer { lock.unlock() }; return log }
    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/files")! }

    func start() throws {
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 8) == 0 else { close(listener); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in
            for _ in 0..<maxRequests {
                let connection = accept(listener, nil, nil)
                if connection < 0 { break }
                handle(connection)
                close(connection)
                lock.lock(); let done = stopped; lock.unlock()
                if done { break }
            }
            finished.signal()
        }
        thread.start()
    }

    func stop() {
        lock.lock(); stopped = true; lock.unlock()
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        _ = finished.wait(timeout: .now() + 5)
    }

    private func handle(_ connection: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !received.containsHeaderEnd, received.count < 65_536 {
            let count = recv(connection, &chunk, chunk.count, 0)
            if count <= 0 { return }
            received.append(contentsOf: chunk[0..<count])
        }
        let head = String(decoding: received, as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = head.first?.split(separator: " ") ?? []
        guard requestLine.count >= 2 else { return }
        let path = String(requestLine[1].split(separator: "?", maxSplits: 1).first ?? "")
        let range = head.dropFirst().first { $0.lowercased().hasPrefix("range:") }
            .map { String($0.dropFirst("range:".count)).trimmingCharacters(in: .whitespaces) }
        lock.lock()
        log.append(Request(path: path, range: range))
        let cut = cutFirstAnswerAfter != nil && !cutDone && range == nil
        if cut { cutDone = true }
        lock.unlock()

        guard path == servedPath else {
            send(connection, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        }
        var start = 0
        if let range, range.hasPrefix("bytes="), range.hasSuffix("-"), let from = Int(range.dropFirst(6).dropLast()) {
            start = from
        }
        if start >= body.count && start > 0 {
            send(connection, "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */\(body.count)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        }
        let status = start > 0 ? "206 Partial Content" : "200 OK"
        var header = "HTTP/1.1 \(status)\r\nContent-Type: application/zip\r\nContent-Length: \(body.count - start)\r\nAccept-Ranges: bytes\r\nConnection: close\r\n"
        if start > 0 { header += "Content-Range: bytes \(start)-\(body.count - 1)/\(body.count)\r\n" }
        send(connection, header + "\r\n")
        let end = cut ? min(body.count, cutFirstAnswerAfter!) : body.count
        body[start..<end].withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let sent = Glibc.send(connection, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return }
                offset += sent
            }
        }
    }

    private func send(_ connection: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(connection, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}

private extension Array where Element == UInt8 {
    var containsHeaderEnd: Bool {
        guard count >= 4 else { return false }
        for index in 0...(count - 4) where self[index] == 13 && self[index + 1] == 10 && self[index + 2] == 13 && self[index + 3] == 10 {
            return true
        }
        return false
    }
}
