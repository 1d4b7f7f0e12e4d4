// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import FoundationEssentials

/// The W3C dictionaries as a web page's JSON: what `JSON.stringify` gives for them (members in
/// WebIDL's order, which is alphabetical; absent ones omitted; enums as their strings; numbers as
/// numbers), and back.
public enum MediaCaptureJSON {
    /// The JSON text of `value`, members sorted as WebIDL orders a dictionary's.
    public static func encode(_ value: some Encodable, pretty: Bool = false) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        // Everything the library encodes is finite (its dictionaries hold no NaN), so this cannot fail;
        // a caller's own type that throws gets the error's text as a JSON string instead of a trap.
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            return "\"\(error)\""
        }
    }

    /// Decodes a dictionary from a page's JSON.
    /// - Throws: `TypeError` naming the JSON path of the first member that is not of its type (as
    ///   WebIDL's conversion would), or saying the text is not JSON.
    public static func decode<Value: Decodable>(_ type: Value.Type, from json: some Sequence<UInt8>) throws(DOMException) -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(json))
        } catch let error as DecodingError {
            throw DOMException(.typeError, describe(error, type))
        } catch {
            throw DOMException(.typeError, "The \(type) is not valid JSON: \(error)")
        }
    }

    /// Decodes a dictionary from a page's JSON text.
    /// - Throws: as ``decode(_:from:)-(_,Sequence<UInt8>)``.
    public static func decode<Value: Decodable>(_ type: Value.Type, from json: String) throws(DOMException) -> Value {
        try decode(type, from: Array(json.utf8))
    }

    /// `$.advanced[0].width`: where in the document the error is.
    static func path(_ keys: [any CodingKey]) -> String {
        keys.reduce("$") { path, key in key.intValue.map { "\(path)[\($0)]" } ?? "\(path).\(key.stringValue)" }
    }

    private static func describe(_ error: DecodingError, _ type: Any.Type) -> String {
        switch error {
        case .typeMismatch(let expected, let context):
            return "\(path(context.codingPath)) must be \(expectation(expected)) in a \(type)."
        case .valueNotFound(let expected, let context):
            return "\(path(context.codingPath)) must be \(expectation(expected)), not null, in a \(type)."
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])) is required in a \(type)."
        case .dataCorrupted(let context):
            let reason = context.debugDescription.hasSuffix(".") ? String(context.debugDescription.dropLast()) : context.debugDescription
            if context.codingPath.isEmpty { return "The \(type) is not valid JSON: \(reason)." }
            return "\(path(context.codingPath)): \(reason)."
        @unknown default:
            return "The \(type) could not be read: \(error)."
        }
    }

    private static func expectation(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Int.Type, is UInt32.Type: "a number"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        case is [Any].Type: "a list"
        default: "a value of the right type (a number, a list or an object as its dictionary says)"
        }
    }
}
