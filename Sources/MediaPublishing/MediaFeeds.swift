// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerPublishing
import Locking
import MediaCapture

/// The camera's encoded frames into each `appsrc` that wants them (an RTSP media, a WebRTC viewer):
/// the camera acquired per feed, subscribed to its shared encode, and released when the feed stops.
final class MediaFeeds: Sendable {
    private let camera: PublishedCamera
    private let codec: EncodedVideoCodec

    private enum Feed {
        /// The camera is being acquired (a feed stopped meanwhile is gone from the table: its
        /// opening then releases the camera itself).
        case opening
        case live(EncodedVideoSubscription)
    }

    private let feeds = Locked<[EncodedSource: Feed]>([:])

    init(camera: PublishedCamera, codec: EncodedVideoCodec) {
        self.camera = camera
        self.codec = codec
    }

    var count: Int { feeds.withLock { $0.count } }

    /// Starts feeding `source`: the camera is acquired (off the caller's thread) and subscribed. A
    /// camera that cannot be had, or that ends, ends the source's stream (its clients hear it).
    /// - Parameter started: called with nil once frames flow, or with the reason they cannot.
    /// - Parameter ended: called when the frames end by themselves (the track stopped, the camera or
    ///   the encoder ended), after the source's end of stream.
    func start(_ source: EncodedSource, started: (@Sendable (String?) -> Void)? = nil, ended: (@Sendable () -> Void)? = nil) {
        feeds.withLock { $0[source] = .opening }
        // Weak: the probe lives on the appsrc, which the source holds (a strong capture would keep both).
        source.onKeyFrameRequest { [weak self, weak source] in
            if let self, let source { self.requestKeyFrame(for: source) }
        }
        let (camera, codec) = (camera, codec)
        Task { [self] in
            let track: MediaStreamTrack
            do {
                track = try await camera.acquire()
            } catch {
                feeds.withLock { _ = $0.removeValue(forKey: source) }
                source.fail("The camera could not be opened: \(error)")
                started?("The camera could not be opened: \(error)")
                return
            }
            let subscription: EncodedVideoSubscription
            do throws(DOMException) {
                subscription = try track.subscribeEncoded(
                    codec, frame: { frame in source.push(frame.bytes, keyFrame: frame.isKeyFrame) },
                    ended: { _ in
                        source.endOfStream()
                        ended?()
                    })
            } catch {
                feeds.withLock { _ = $0.removeValue(forKey: source) }
                source.fail(error.message)
                await camera.release()
                started?(error.message)
                return
            }
            // Stopped while the camera opened: let it go at once.
            let kept = feeds.withLock { feeds -> Bool in
                guard case .opening = feeds[source] else { return false }
                feeds[source] = .live(subscription)
                return true
            }
            if kept {
                started?(nil)
            } else {
                subscription.cancel()
                await camera.release()
                started?("The viewer left before the camera opened.")
            }
        }
    }

    /// Asks the camera's encoder for a key frame for `source` (its viewer lost one, or just connected).
    func requestKeyFrame(for source: EncodedSource) {
        guard case .live(let subscription) = feeds.withLock({ $0[source] }) else { return }
        subscription.requestKeyFrame()
    }

    /// Stops feeding `source` (its media or viewer went); the camera is released.
    func stop(_ source: EncodedSource) {
        guard let feed = feeds.withLock({ $0.removeValue(forKey: source) }) else { return }
        guard case .live(let subscription) = feed else { return }  // an opening feed releases itself
        subscription.cancel()
        let camera = self.camera
        Task { await camera.release() }
    }

    /// Stops every feed (the publisher closes), waiting for the releases.
    func stopAll() async {
        let all = feeds.withLock { feeds -> [EncodedVideoSubscription] in
            defer { feeds.removeAll() }
            return feeds.values.compactMap { if case .live(let subscription) = $0 { subscription } else { nil } }
        }
        for subscription in all {
            subscription.cancel()
            await camera.release()
        }
    }
}
