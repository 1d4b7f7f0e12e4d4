// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Hummingbird
import MediaCapture
import MediaPublishing
import NIOCore

/// The WHEP endpoint (draft-ietf-wish-whep) in front of a ``WHEPPublisher``: `POST /whep` with an SDP
/// offer answers 201 with the SDP answer and the session's `Location`; `DELETE` on that location ends
/// it. Who may call it is ``RequestGuard``'s decision (Host, Origin and CORS, the bearer token), as for
/// every other route.
struct WHEPEndpoint: Sendable {
    let publisher: WHEPPublisher
    static let path = "/whep"

    func register(on router: Router<BasicRequestContext>) {
        let publisher = self.publisher
        router.post(RouterPath(stringLiteral: Self.path)) { request, _ in
            var request = request
            guard Self.isSDP(request.headers[.contentType]) else {
                return Self.refusal(.unsupportedMediaType, "POST the offer as Content-Type: application/sdp.")
            }
            let offer: String
            do {
                let buffer = try await request.collectBody(upTo: WHEPPublisher.maximumOfferBytes)
                offer = String(decoding: buffer.readableBytesView, as: UTF8.self)
            } catch {
                return Self.refusal(.contentTooLarge, "The offer is larger than \(WHEPPublisher.maximumOfferBytes / 1024) KiB.")
            }
            do throws(DOMException) {
                let session = try await publisher.answer(offer: offer)
                var headers = HTTPFields()
                headers[.contentType] = "application/sdp"
                headers[.location] = Self.path + "/" + session.id
                headers[.cacheControl] = "no-store"
                return Response(status: .created, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: session.answer)))
            } catch {
                return Self.refusal(Self.status(for: error.name), error.message)
            }
        }
        router.delete(RouterPath(stringLiteral: Self.path + "/:id")) { _, context in
            guard let id = context.parameters.get("id"), await publisher.end(session: id) else {
                return Self.refusal(.notFound, "No such WHEP session: it ended already, or never began.")
            }
            return Response(status: .ok)
        }
        // No trickle ICE: every candidate is in the answer.
        router.patch(RouterPath(stringLiteral: Self.path + "/:id")) { _, _ in
            var response = Self.refusal(.methodNotAllowed, "This endpoint sends every ICE candidate in its answer; it takes no PATCH.")
            response.headers[.allow] = "DELETE"
            return response
        }
    }

    static func isSDP(_ type: String?) -> Bool {
        type.map { $0.split(separator: ";").first.map { $0.filter { $0 != " " }.lowercased() } == "application/sdp" } ?? false
    }

    /// The HTTP status for each error the publisher throws.
    static func status(for name: DOMException.Name) -> HTTPResponse.Status {
        switch name {
        case .typeError: .badRequest
        case .notSupportedError: .unprocessableContent
        case .operationError, .notReadableError, .timeoutError: .serviceUnavailable
        case .invalidStateError: .conflict
        default: .internalServerError
        }
    }

    static func refusal(_ status: HTTPResponse.Status, _ message: String) -> Response { plainText(status, message) }
}
