// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Foundation
import Glibc
import Locking
import MediaCapture
@testable import MediaPublishing

/// The least HTTP a WHEP player needs (POST /whep, DELETE /whep/ID), in front of a `WHEPPublisher`,
/// on 127.0.0.1: the tests drive the publisher in this process (its track, its camera) while a
/// player in another process watches. One thread per connection; the publisher's async calls are
/// awaited there (never on Swift's pool).
final class TinyWHEPServer: Sendable {
    let port: Int
    private let listener: Int32
    private let stopped = Locked(false)

    init(_ publisher: WHEPPublisher) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard fd >= 0, bound, listen(fd, 64) == 0 else { throw RawSocket.Failure(what: "listen") }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in
            while !stopped.withLock({ $0 }) {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                Thread.detachNewThread { Self.serve(client, publisher) }
            }
        }
    }

    var url: String { "http://127.0.0.1:\(port)/whep" }

    func stop() {
        stopped.withLock { $0 = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private static func serve(_ client: Int32, _ publisher: WHEPPublisher) {
        defer { close(client) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        var head: String?
        var body: [UInt8] = []
        while bytes.count < 200_000 {
            let count = recv(client, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            bytes += buffer[0..<count]
            if head == nil, let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) {
                head = String(decoding: bytes[..<end.lowerBound], as: UTF8.self)
                body = Array(bytes[end.upperBound...])
            } else if head != nil {
                body = Array(bytes[(bytes.firstRange(of: Array("\r\n\r\n".utf8))!.upperBound)...])
            }
            if let head, body.count >= Self.contentLength(head) { break }
        }
        guard let head else { return }
        let requestLine = head.split(separator: "\r\n").first.map(String.init) ?? ""
        let parts = requestLine.split(separator: " ")
        guard parts.count >= 2 else { return }
        let (method, path) = (String(parts[0]), String(parts[1]))
        let result = Locked<(Int, [String: String], String)?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            defer { done.signal() }
            if method == "POST", path == "/whep" {
                do throws(DOMException) {
                    let session = try await publisher.answer(offer: String(decoding: body, as: UTF8.self))
                    result.withLock {
                        $0 = (201, ["Content-Type": "application/sdp", "Location": "/whep/" + session.id], session.answer)
                    }
                } catch {
                    result.withLock { $0 = (error.name == .typeError ? 400 : 422, [:], error.message) }
                }
            } else if method == "DELETE", path.hasPrefix("/whep/") {
                let ended = await publisher.end(session: String(path.dropFirst(6)))
                result.withLock { $0 = (ended ? 200 : 404, [:], "") }
            } else {
                result.withLock { $0 = (404, [:], "") }
            }
        }
        _ = done.wait(timeout: .now() + 30)
        let (status, headers, text) = result.withLock { $0 } ?? (503, [:], "no answer")
        var response = "HTTP/1.1 \(status) X\r\nConnection: close\r\nContent-Length: \(text.utf8.count)\r\n"
        for (name, value) in headers { response += "\(name): \(value)\r\n" }
        response += "\r\n" + text
        _ = Array(response.utf8).withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private static func contentLength(_ head: String) -> Int {
        for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
            return Int(line.dropFirst(15).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        return 0
    }
}
