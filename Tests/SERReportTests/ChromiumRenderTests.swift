import Foundation
import Testing
import SERTestSupport
@testable import SERReport

/// Renders the fixture report in headless Chromium through tools/render_report.sh (fails on any
/// console message). Needs Debian's `chromium`; the test fails, never skips, when it is absent.
/// Set SERLAB_REPORT_ARTIFACTS=<folder> to keep the HTML and the screenshots there.
@Suite(.serialized) struct ChromiumRenderTests {
    static var script: URL { TestSupport.packageRoot.appendingPathComponent("tools/render_report.sh") }

    static func render(_ html: URL, _ png: URL, width: Int = 1280, height: Int = 3000) throws -> (status: Int32, output: String) {
        let result = try TestSupport.run(URL(fileURLWithPath: "/bin/bash"), [script.path, html.path, png.path, String(width), String(height)])
        return (result.status, result.standardOutput + result.standardError)
    }

    /// Width and height from a PNG's IHDR chunk.
    static func pngSize(_ url: URL) throws -> (Int, Int) {
        let bytes = [UInt8](try Data(contentsOf: url))
        guard bytes.count > 24, bytes[12..<16].elementsEqual(Array("IHDR".utf8)) else { return (0, 0) }
        func int(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return (int(16), int(20))
    }

    @Test func reportRendersWithoutConsoleMessages() throws {
        let root = TestSupport.temporaryDirectory("serlab-chromium")
        defer { try? FileManager.default.removeItem(at: root) }
        let results = root.appendingPathComponent("results")
        try RunFixture.standardResults(under: results)
        let html = root.appendingPathComponent("report.html")
        try Data(HTMLReport(runs: RunFolder.discover([results])).html().utf8).write(to: html)
        let png = root.appendingPathComponent("report.png")
        let result = try Self.render(html, png, width: 1280, height: 3000)
        #expect(result.status == 0, "\(result.output)")
        #expect(try Self.pngSize(png) == (1280, 3000))
        // Something was drawn: a blank page of the same size compresses to a small fraction of the report's
        // screenshot (plots, tables and text), so a report that renders empty fails here.
        let blankHTML = root.appendingPathComponent("blank.html"), blankPNG = root.appendingPathComponent("blank.png")
        try Data("<!DOCTYPE html><html><body></body></html>".utf8).write(to: blankHTML)
        let blank = try Self.render(blankHTML, blankPNG, width: 1280, height: 3000)
        #expect(blank.status == 0, "\(blank.output)")
        let reportBytes = try Data(contentsOf: png).count, blankBytes = try Data(contentsOf: blankPNG).count
        #expect(reportBytes > 10 * blankBytes, "report screenshot \(reportBytes) bytes, blank page \(blankBytes) bytes")
        if let keep = ProcessInfo.processInfo.environment["SERLAB_REPORT_ARTIFACTS"], !keep.isEmpty {
            let folder = URL(fileURLWithPath: keep)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for file in [html, png, results] {
                let target = folder.appendingPathComponent(file.lastPathComponent)
                try? FileManager.default.removeItem(at: target)
                try FileManager.default.copyItem(at: file, to: target)
            }
        }
    }

    @Test func consoleErrorFailsTheRender() throws {
        let root = TestSupport.temporaryDirectory("serlab-chromium-bad")
        defer { try? FileManager.default.removeItem(at: root) }
        let html = root.appendingPathComponent("bad.html")
        try Data("<!DOCTYPE html><html><body><p>x</p><script>console.error('broken'); undefinedFunction();</script></body></html>".utf8).write(to: html)
        let result = try Self.render(html, root.appendingPathComponent("bad.png"), width: 400, height: 300)
        #expect(result.status == 1)
        #expect(result.output.contains("logged to the console"))
    }
}
