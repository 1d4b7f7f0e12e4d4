// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Hummingbird
import NIOCore

/// Who may use the camera through the server, checked before any route (an unknown path included).
///
/// A server on loopback is reachable from every page the user opens. A page of another site that
/// rebinds its DNS name to 127.0.0.1 sends its own name as `Host`: refused with 421 unless the
/// name is one the server answers to (an IP address, `localhost`, or a name given). A page of
/// another origin sends its `Origin`: refused with 403 and no CORS headers unless the origin was
/// allowed, in which case it gets them (and an answer to its preflight). With a token, every request
/// but the page itself and a preflight must carry it (`Authorization: Bearer`, or `access_token` in
/// the query for the live view's `<img>`): 401 otherwise.
struct RequestGuard<Responder: HTTPResponder>: HTTPResponder {
    typealias Context = Responder.Context

    let responder: Responder
    /// Host names, lowercased, besides IP addresses and `localhost`.
    let hosts: Set<String>
    /// Origins, lowercased, as browsers send them: `http://app.example:3000`.
    let origins: Set<String>
    /// The bearer token every API request must carry, if any.
    let token: String?

    func respond(to request: Request, context: Context) async throws -> Response {
        guard let authority = request.head.authority, Self.answers(to: authority, names: hosts) else {
            return Self.refusal(
                .misdirectedRequest,
                "This server does not answer to the name '\(request.head.authority ?? "")': open it by its IP address or localhost, or start it with --allow-host NAME."
            )
        }
        let origin = request.headers[.origin]
        let sameOrigin = origin.map { $0.lowercased() == "http://" + authority.lowercased() } ?? true
        if let origin, !sameOrigin, !origins.contains(origin.lowercased()) {
            return Self.refusal(.forbidden, "Pages of \(origin) may not use this camera: start the server with --allow-origin \(origin) to let them.")
        }
        var response: Response
        if !sameOrigin, request.method == .options {
            response = Response(status: .noContent)
            response.headers[.accessControlAllowMethods] = "GET, POST, DELETE, PATCH, OPTIONS"
            response.headers[.accessControlAllowHeaders] = "Content-Type, Authorization, If-Match"
            response.headers[.accessControlMaxAge] = "600"
        } else if let token, !(request.method == .get && request.uri.path == "/"), !Self.carries(token, request) {
            response = Self.refusal(
                .unauthorized, "This server needs its token: send Authorization: Bearer TOKEN, or open the page as URL#access_token=TOKEN.")
            response.headers[.wwwAuthenticate] = "Bearer"
        } else {
            response = try await responder.respond(to: request, context: context)
        }
        if let origin, !sameOrigin {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.vary] = "Origin"
            // A WHEP player reads its session's Location (and ETag) from the POST's answer.
            response.headers[.accessControlExposeHeaders] = "Location, ETag, Link"
        }
        return response
    }

    /// The request's bearer token (header, or `access_token` in the query) is `token`, compared in
    /// time that does not depend on where they differ.
    static func carries(_ token: String, _ request: Request) -> Bool {
        let header = request.headers[.authorization].flatMap { value -> Substring? in
            let parts = value.split(separator: " ", maxSplits: 1)
            return parts.count == 2 && parts[0].lowercased() == "bearer" ? parts[1] : nil
        }
        guard let given = header.map(String.init) ?? request.uri.queryParameters["access_token"].map(String.init) else { return false }
        let expected = Array(token.utf8), actual = Array(given.utf8)
        guard expected.count == actual.count else { return false }
        return zip(expected, actual).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// `authority` is `HOST[:PORT]`; HOST an IPv4 or bracketed IPv6 address, `localhost`, or one of `names`.
    static func answers(to authority: String, names: Set<String>) -> Bool {
        var host = Substring(authority.lowercased())
        if host.hasPrefix("[") {
            guard let end = host.firstIndex(of: "]") else { return false }
            let address = host[host.index(after: host.startIndex)..<end]
            return !address.isEmpty && address.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
        }
        if let colon = host.lastIndex(of: ":") { host = host[..<colon] }
        if host == "localhost" || names.contains(String(host)) { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in part.count <= 3 && UInt8(part) != nil }
    }

    static func refusal(_ status: HTTPResponse.Status, _ message: String) -> Response { plainText(status, message) }
}

/// A refusal's response: `message` (what to do) as text, never sniffed as anything else.
func plainText(_ status: HTTPResponse.Status, _ message: String) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = "text/plain; charset=utf-8"
    headers[.xContentTypeOptions] = "nosniff"
    return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: message + "\n")))
}
