import Foundation

/// A JSON text could not be read; names the file, line and column.
public struct JSONSyntaxError: LocalizedError, Equatable {
    public var source: String
    public var line: Int
    public var column: Int
    public var message: String

    public var errorDescription: String? { "\(source):\(line):\(column): invalid JSON: \(message)" }
}

/// A small strict JSON parser (RFC 8259) that keeps key order, tells integers from other numbers and
/// rejects duplicate keys, so a config's mistakes are reported where they are.
public struct JSONParser {
    private let bytes: [UInt8]
    private var position = 0
    private let source: String

    public static func parse(_ data: Data, source: String) throws -> JSONValue {
        var parser = JSONParser(bytes: [UInt8](data), source: source)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        if parser.position < parser.bytes.count {
            throw parser.error("unexpected text after the end of the JSON value")
        }
        return value
    }

    public static func parse(_ text: String, source: String) throws -> JSONValue {
        try parse(Data(text.utf8), source: source)
    }

    private init(bytes: [UInt8], source: String) {
        self.bytes = bytes
        self.source = source
    }

    private func error(_ message: String) -> JSONSyntaxError {
        var line = 1
        var column = 1
        for byte in bytes[..<min(position, bytes.count)] {
            if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
        }
        return JSONSyntaxError(source: source, line: line, column: column, message: message)
    }

    private mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func parseValue() throws -> JSONValue {
        guard let byte = current else { throw error("expected a value, found the end of the text") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("expected a value, found '\(Character(UnicodeScalar(byte)))'")
        }
    }

    private mutating func expectWord(_ word: String) throws {
        let wordBytes = Array(word.utf8)
        guard position + wordBytes.count <= bytes.count, Array(bytes[position..<position + wordBytes.count]) == wordBytes else {
            throw error("expected '\(word)'")
        }
        position += wordBytes.count
    }

    private mutating func parseObject() throws -> JSONValue {
        position += 1
        var pairs: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if current == UInt8(ascii: "}") { position += 1; return .object(pairs) }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw error("expected a quoted key") }
            let keyStart = position
            let key = try parseString()
            if pairs.contains(where: { $0.key == key }) {
                position = keyStart
                throw error("duplicate key \"\(key)\"")
            }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("expected ':' after key \"\(key)\"") }
            position += 1
            skipWhitespace()
            pairs.append((key, try parseValue()))
            skipWhitespace()
            if current == UInt8(ascii: ",") { position += 1; continue }
            if current == UInt8(ascii: "}") { position += 1; return .object(pairs) }
            throw error("expected ',' or '}' in object")
        }
    }

    private mutating func parseArray() throws -> JSONValue {
        position += 1
        var values: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") { position += 1; return .array(values) }
        while true {
            skipWhitespace()
            values.append(try parseValue())
            skipWhitespace()
            if current == UInt8(ascii: ",") { position += 1; continue }
            if current == UInt8(ascii: "]") { position += 1; return .array(values) }
            throw error("expected ',' or ']' in array")
        }
    }

    private mutating func parseString() throws -> String {
        position += 1
        var output = [UInt8]()
        while let byte = current {
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(bytes: output, encoding: .utf8) else { throw error("string is not valid UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                guard let escaped = current else { break }
                position += 1
                switch escaped {
                case UInt8(ascii: "\""): output.append(0x22)
                case UInt8(ascii: "\\"): output.append(0x5C)
                case UInt8(ascii: "/"): output.append(0x2F)
                case UInt8(ascii: "b"): output.append(0x08)
                case UInt8(ascii: "f"): output.append(0x0C)
                case UInt8(ascii: "n"): output.append(0x0A)
                case UInt8(ascii: "r"): output.append(0x0D)
                case UInt8(ascii: "t"): output.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try parseHex4()
                    if (0xD800...0xDBFF).contains(code) {
                        guard current == UInt8(ascii: "\\") else { throw error("unpaired surrogate") }
                        position += 1
                        guard current == UInt8(ascii: "u") else { throw error("unpaired surrogate") }
                        position += 1
                        let low = try parseHex4()
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = UnicodeScalar(code) else { throw error("invalid \\u escape") }
                    output.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: throw error("invalid escape '\\\(Character(UnicodeScalar(escaped)))'")
                }
            default:
                if byte < 0x20 { throw error("control character in string") }
                output.append(byte)
            }
        }
        throw error("unterminated string")
    }

    private mutating func parseHex4() throws -> UInt32 {
        guard position + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16) else {
            throw error("expected four hex digits after \\u")
        }
        position += 4
        return value
    }

    private mutating func parseNumber() throws -> JSONValue {
        let start = position
        var isInteger = true
        if current == UInt8(ascii: "-") { position += 1 }
        while let byte = current {
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { position += 1; continue }
            if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") {
                isInteger = false
                position += 1
                continue
            }
            break
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if isInteger, let value = Int(text) { return .integer(value) }
        guard let value = Double(text), value.isFinite else {
            position = start
            throw error("invalid number '\(text)'")
        }
        return .number(value)
    }
}
