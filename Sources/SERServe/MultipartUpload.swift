import Foundation
import MultipartKit

/// The one audio file of a `multipart/form-data` request body (the form field `file`), parsed with
/// MultipartKit. Refuses, with a message saying what was expected: another content type, a missing or
/// over-long boundary, a body that is not well-formed multipart, no `file` part, several, or an empty one.
struct MultipartUpload {
    var filename: String
    var bytes: ByteBuffer

    static let fieldName = "file"

    init(body: ByteBuffer, contentType: String?) throws {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else {
            throw ServeError(.unsupportedMediaType, "upload: expected a multipart/form-data body with the audio in a field named '\(Self.fieldName)', found content type '\(contentType ?? "none")'")
        }
        guard let boundary = Self.boundary(of: contentType), !boundary.isEmpty, boundary.count <= 200 else {
            throw ServeError.badRequest("upload: expected a boundary=... parameter (1 to 200 characters) in the content type, found '\(contentType)'")
        }
        struct Part {
            var headers: [(String, String)] = []
            var body = ByteBuffer()
            var complete = false
        }
        var parts: [Part] = [Part()]
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in parts[parts.count - 1].headers.append((name.lowercased(), value)) }
        parser.onBody = { chunk in parts[parts.count - 1].body.writeBuffer(&chunk) }
        parser.onPartComplete = {
            parts[parts.count - 1].complete = true
            parts.append(Part())
        }
        do { try parser.execute(body) } catch {
            throw ServeError.badRequest("upload: expected a well-formed multipart body with boundary '\(boundary)', found malformed data")
        }
        let complete = parts.filter(\.complete)
        let files = complete.compactMap { part -> (name: String, filename: String?, body: ByteBuffer)? in
            guard let disposition = part.headers.first(where: { $0.0 == "content-disposition" })?.1,
                  Self.parameter("name", in: disposition) == Self.fieldName else { return nil }
            return (Self.fieldName, Self.parameter("filename", in: disposition), part.body)
        }
        guard files.count == 1 else {
            throw ServeError.badRequest("upload: expected exactly one part named '\(Self.fieldName)' holding the audio, found \(files.count) (of \(complete.count) complete parts)")
        }
        guard files[0].body.readableBytes > 0 else {
            throw ServeError.unusableAudio("\(Self.displayName(files[0].filename)): expected audio, found an empty file")
        }
        filename = Self.displayName(files[0].filename)
        bytes = files[0].body
    }

    /// A parameter of a header value (`name="x"`, `name=x`), quotes and surrounding spaces removed.
    static func parameter(_ key: String, in header: String) -> String? {
        for item in header.split(separator: ";").dropFirst() {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == key else { continue }
            var value = pair[1]
            if value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }

    static func boundary(of contentType: String) -> String? { parameter("boundary", in: contentType) }

    /// How messages name the upload: its file name without any folder part, printable, at most 120
    /// characters; "upload" when the browser sent none.
    static func displayName(_ filename: String?) -> String {
        let last = (filename ?? "").split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let printable = String(last.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7f }.map(Character.init).prefix(120))
        return printable.isEmpty ? "upload" : printable
    }
}
