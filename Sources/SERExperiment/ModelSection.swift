import Foundation

/// The `model` section until SERNet's `ModelSpec` is wired: its defaults and type for the schema.
enum ModelSection {
    static let typeKey = "type"

    static var defaultJSON: JSONValue { defaults(forType: "mlp")! }

    static func defaults(forType type: String) -> JSONValue? {
        guard ["mlp", "lstm", "cnn"].contains(type) else { return nil }
        return .object([
            ("type", .string(type)),
            ("hiddenSizes", .array([.integer(128), .integer(64)])),
            ("dropout", .number(0.2)),
        ])
    }

    static var configType: ConfigType {
        .object([
            ConfigField("type", .enumeration(["mlp", "lstm", "cnn"]), .string("mlp"), "mlp (on utterance functionals or pooled frames), lstm or cnn (on frames)"),
            ConfigField("hiddenSizes", .array(.integer(minimum: 1, maximum: 65536)), .array([.integer(128), .integer(64)]), "widths of the hidden layers"),
            ConfigField("dropout", .number(minimum: 0, maximum: 0.95), .number(0.2), "dropout probability after each hidden layer"),
        ])
    }

    static func canonicalized(_ model: JSONValue, source: String) throws -> JSONValue { model }
}
