// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Hummingbird
import MediaCapture

/// The live view: the track's frames as JPEGs, encoded once for every viewer, only while someone
/// watches. A slow viewer gets the newest frame when it is ready, never a queue of old ones.
actor LiveView {
    private let camera: SharedCamera
    private var viewers: [Int: AsyncStream<[UInt8]>.Continuation] = [:]
    private var nextViewer = 0
    private var pump: Task<Void, Never>?

    init(camera: SharedCamera) { self.camera = camera }

    /// JPEG frames for one viewer until it stops iterating (or the camera fails).
    func subscribe() -> (id: Int, frames: AsyncStream<[UInt8]>) {
        let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: .bufferingNewest(1))
        nextViewer += 1
        viewers[nextViewer] = continuation
        if pump == nil { startPump() }
        return (nextViewer, stream)
    }

    func unsubscribe(_ id: Int) {
        viewers.removeValue(forKey: id)?.finish()
        if viewers.isEmpty {
            pump?.cancel()
            pump = nil
        }
    }

    private func publish(_ jpeg: [UInt8]) {
        for viewer in viewers.values { viewer.yield(jpeg) }
    }

    private func endAll() {
        for viewer in viewers.values { viewer.finish() }
        viewers.removeAll()
        pump = nil
    }

    private func startPump() {
        let camera = self.camera
        // The view lives as long as the server; the pump ends with its last viewer.
        pump = Task { [self] in
            do {
                try await camera.using { track in
                    for await frame in track.frames() {
                        if Task.isCancelled { break }
                        let jpeg = try await frame.encode(type: "image/jpeg")
                        await self.publish(jpeg.bytes)
                    }
                }
            } catch {}
            if !Task.isCancelled { self.endAll() }
        }
    }

    /// The `multipart/x-mixed-replace` body an `<img>` shows as a video.
    static let boundary = "imagecapture-frame"

    func response() -> Response {
        let (id, frames) = subscribe()
        let body = ResponseBody { writer in
            defer { Task { await self.unsubscribe(id) } }
            for await jpeg in frames {
                var part = ByteBuffer()
                part.writeString("--\(Self.boundary)\r\nContent-Type: image/jpeg\r\nContent-Length: \(jpeg.count)\r\n\r\n")
                part.writeBytes(jpeg)
                part.writeString("\r\n")
                try await writer.write(part)
            }
            try await writer.finish(nil)
        }
        var headers = HTTPFields()
        headers[.contentType] = "multipart/x-mixed-replace; boundary=\(Self.boundary)"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: body)
    }
}
