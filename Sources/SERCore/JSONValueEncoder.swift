import Foundation

/// Encodes an `Encodable` value into a `JSONValue`, keeping object keys in the order the value's
/// `encode(to:)` writes them (for synthesized conformances: the order the properties are declared
/// in; optionals that are nil are left out). Integers stay `.integer` and floating-point values
/// `.number`, so `prettyPrinted()` of the result is a file whose bytes depend only on the value:
/// how serlab writes metrics.json and the other JSON files of docs/results.md.
public struct JSONValueEncoder {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let root = JSONNode()
        try value.encode(to: NodeEncoder(node: root, codingPath: []))
        return root.value
    }
}

/// A JSON value under construction; containers write into it by reference.
private final class JSONNode {
    enum Content {
        case empty
        case scalar(JSONValue)
        case object([(key: String, node: JSONNode)])
        case array([JSONNode])
    }

    var content = Content.empty

    var value: JSONValue {
        switch content {
        case .empty: return .object([])
        case .scalar(let value): return value
        case .object(let pairs): return .object(pairs.map { ($0.key, $0.node.value) })
        case .array(let nodes): return .array(nodes.map(\.value))
        }
    }

    /// The child under `key` (replaced when the key is encoded twice, appended otherwise).
    func child(_ key: String) -> JSONNode {
        let node = JSONNode()
        guard case .object(var pairs) = content else { content = .object([(key, node)]); return node }
        if let index = pairs.firstIndex(where: { $0.key == key }) { pairs[index].node = node } else { pairs.append((key, node)) }
        content = .object(pairs)
        return node
    }

    func appended() -> JSONNode {
        let node = JSONNode()
        guard case .array(var nodes) = content else { content = .array([node]); return node }
        nodes.append(node)
        content = .array(nodes)
        return node
    }

    static func integer<I: BinaryInteger>(_ value: I) -> JSONValue {
        Int(exactly: value).map(JSONValue.integer) ?? .number(Double(value))
    }
}

private struct NodeEncoder: Encoder {
    let node: JSONNode
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.content {} else { node.content = .object([]) }
        return KeyedEncodingContainer(KeyedNodeContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
        return UnkeyedNodeContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> SingleValueEncodingContainer { SingleValueNodeContainer(node: node, codingPath: codingPath) }
}

private struct IndexKey: CodingKey {
    var stringValue: String { "\(intValue!)" }
    var intValue: Int?
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct KeyedNodeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: JSONNode
    let codingPath: [CodingKey]

    private func put(_ value: JSONValue, _ key: Key) { node.child(key.stringValue).content = .scalar(value) }

    mutating func encodeNil(forKey key: Key) throws { put(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { put(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { put(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { put(.number(value), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { put(.number(Double(value)), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { put(.integer(value), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { put(JSONNode.integer(value), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { put(JSONNode.integer(value), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { put(JSONNode.integer(value), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { put(JSONNode.integer(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { put(JSONNode.integer(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { put(JSONNode.integer(value), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { put(JSONNode.integer(value), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { put(JSONNode.integer(value), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { put(JSONNode.integer(value), key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try value.encode(to: NodeEncoder(node: node.child(key.stringValue), codingPath: codingPath + [key]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: node.child(key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        NodeEncoder(node: node.child(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> Encoder { NodeEncoder(node: node.child("super"), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> Encoder { NodeEncoder(node: node.child(key.stringValue), codingPath: codingPath + [key]) }
}

private struct UnkeyedNodeContainer: UnkeyedEncodingContainer, ScalarSink {
    let node: JSONNode
    let codingPath: [CodingKey]

    var count: Int {
        if case .array(let nodes) = node.content { return nodes.count }
        return 0
    }

    func put(_ value: JSONValue) { node.appended().content = .scalar(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let key = IndexKey(count)
        try value.encode(to: NodeEncoder(node: node.appended(), codingPath: codingPath + [key]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let key = IndexKey(count)
        return NodeEncoder(node: node.appended(), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        let key = IndexKey(count)
        return NodeEncoder(node: node.appended(), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> Encoder { NodeEncoder(node: node.appended(), codingPath: codingPath) }
}

private struct SingleValueNodeContainer: SingleValueEncodingContainer, ScalarSink {
    let node: JSONNode
    let codingPath: [CodingKey]

    func put(_ value: JSONValue) { node.content = .scalar(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try value.encode(to: NodeEncoder(node: node, codingPath: codingPath))
    }
}

/// The scalar `encode` methods that the unkeyed and the single-value containers both need, written once:
/// each container only says where a scalar goes (`put`).
private protocol ScalarSink {
    func put(_ value: JSONValue)
}

extension ScalarSink {
    mutating func encodeNil() throws { put(.null) }
    mutating func encode(_ value: Bool) throws { put(.bool(value)) }
    mutating func encode(_ value: String) throws { put(.string(value)) }
    mutating func encode(_ value: Double) throws { put(.number(value)) }
    mutating func encode(_ value: Float) throws { put(.number(Double(value))) }
    mutating func encode(_ value: Int) throws { put(.integer(value)) }
    mutating func encode(_ value: Int8) throws { put(JSONNode.integer(value)) }
    mutating func encode(_ value: Int16) throws { put(JSONNode.integer(value)) }
    mutating func encode(_ value: Int32) throws { put(JSONNode.integer(value)) }
    mutating func encode(_ value: Int64) throws { put(JSONNode.integer(value)) }
    mutating func encode(_ value: UInt) throws { put(JSONNode.integer(value)) }
    mutating func encode(_ value: UInt8) throws { put(JSONNode.integer(value)) }
    mutating func encode(_ value: UInt16) throws { put(JSONNode.integer(value)) }
    mutating func encode(_ value: UInt32) throws { put(JSONNode.integer(value)) }
    mutating func encode(_ value: UInt64) throws { put(JSONNode.integer(value)) }
}
