import Foundation
import SERCore

extension ConfigField {
    /// The config as a JSON Schema (draft 2020-12) an editor can complete and check against:
    /// descriptions are the one-line explanations, unknown keys are rejected.
    public static func jsonSchema(_ root: ConfigField = ExperimentConfig.schema) -> JSONValue {
        var schema = root.type.jsonSchema(description: root.help, defaultValue: nil)
        var pairs = schema.objectPairs ?? []
        pairs.insert(("$schema", .string("https://json-schema.org/draft/2020-12/schema")), at: 0)
        pairs.insert(("$id", .string("https://serlab.dev/schema/experiment-config.json")), at: 1)
        pairs.insert(("title", .string("serlab experiment config")), at: 2)
        schema = .object(pairs)
        return schema
    }
}

extension ConfigType {
    func jsonSchema(description: String?, defaultValue: JSONValue?) -> JSONValue {
        var pairs: [(key: String, value: JSONValue)] = []
        if let description { pairs.append(("description", .string(description))) }
        switch self {
        case .string: pairs.append(("type", .string("string")))
        case let .integer(minimum, maximum):
            pairs.append(("type", .string("integer")))
            if let minimum { pairs.append(("minimum", .integer(minimum))) }
            if let maximum { pairs.append(("maximum", .integer(maximum))) }
        case let .number(minimum, maximum):
            pairs.append(("type", .string("number")))
            if let minimum { pairs.append(("minimum", .number(minimum))) }
            if let maximum { pairs.append(("maximum", .number(maximum))) }
        case .boolean: pairs.append(("type", .string("boolean")))
        case .enumeration(let values):
            pairs.append(("type", .string("string")))
            pairs.append(("enum", .array(values.map { .string($0) })))
        case .array(let element):
            pairs.append(("type", .string("array")))
            pairs.append(("items", element.jsonSchema(description: nil, defaultValue: nil)))
        case .map(let element):
            pairs.append(("type", .string("object")))
            pairs.append(("additionalProperties", element.jsonSchema(description: nil, defaultValue: nil)))
        case .object(let fields):
            pairs.append(("type", .string("object")))
            pairs.append(("properties", .object(fields.map { ($0.name, $0.type.jsonSchema(description: $0.help, defaultValue: $0.defaultValue)) })))
            pairs.append(("additionalProperties", .bool(false)))
        case .nullable(let inner):
            let innerSchema = inner.jsonSchema(description: nil, defaultValue: nil)
            pairs.append(("anyOf", .array([innerSchema, .object([("type", .string("null"))])])))
        case .any:
            break
        }
        if let defaultValue, !(isObject) { pairs.append(("default", defaultValue)) }
        return .object(pairs)
    }

    var isObject: Bool {
        if case .object = self { return true }
        return false
    }
}
