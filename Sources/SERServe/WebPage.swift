import Hummingbird

/// The pages and assets `serlab serve` serves, held in the binary (no files to install, nothing fetched
/// from elsewhere: no CDN, no external fonts or scripts). The text lives in `WebPage+*.swift`.
enum WebPage {
    case predict, experiments, style, script, recorderWorklet

    var contentType: String {
        switch self {
        case .predict, .experiments: return "text/html; charset=utf-8"
        case .style: return "text/css; charset=utf-8"
        case .script, .recorderWorklet: return "text/javascript; charset=utf-8"
        }
    }

    var text: String {
        switch self {
        case .predict: return Self.page(title: "Predict", active: "predict", body: Self.predictBody)
        case .experiments: return Self.page(title: "Experiments", active: "experiments", body: Self.experimentsBody)
        case .style: return Self.styleText
        case .script: return Self.scriptText
        case .recorderWorklet: return Self.recorderWorkletText
        }
    }

    var response: Response {
        Response(status: .ok, headers: [.contentType: contentType, .cacheControl: "no-cache"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The frame every page shares: the header with its navigation, then `body`. The empty icon link
    /// keeps the browser from asking for /favicon.ico.
    static func page(title: String, active: String, body: String) -> String {
        func link(_ href: String, _ name: String, _ key: String) -> String {
            "<a href=\"\(href)\"\(key == active ? " class=\"active\"" : "")>\(name)</a>"
        }
        return """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>serlab · \(title)</title>
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="/assets/serve.css">
        </head>
        <body data-page="\(active)">
        <header><span class="brand">serlab</span><nav>\(link("/", "Predict", "predict"))\(link("/experiments", "Experiments", "experiments"))</nav></header>
        <main>
        \(body)
        </main>
        <script src="/assets/serve.js"></script>
        </body>
        </html>

        """
    }
}
