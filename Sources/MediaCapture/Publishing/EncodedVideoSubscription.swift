// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Synchronization

/// One live viewer's share of a camera's encode (see ``MediaStreamTrack/subscribeEncoded(_:frame:ended:)``):
/// frames come until ``cancel()``, the track's stop, or the camera's end. The last subscription of a
/// codec cancelled stops its encode.
package final class EncodedVideoSubscription: Sendable {
    private let capturer: Capturer
    private let branch: EncodingBranch
    private let id: UInt64
    private let cancelled = Atomic<Bool>(false)

    fileprivate init(capturer: Capturer, branch: EncodingBranch, id: UInt64) {
        self.capturer = capturer
        self.branch = branch
        self.id = id
    }

    /// Stops the frames (once; later calls do nothing).
    package func cancel() {
        guard !cancelled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        capturer.unsubscribeEncoded(branch, id: id)
    }

    /// Asks the encoder for a key frame now (a viewer that lost one).
    package func requestKeyFrame() { branch.requestKeyFrame() }

    /// How many frames the shared encode has made (for tests and the benchmarks).
    package var encodedFrames: UInt64 { branch.encodedFrames.load(ordering: .relaxed) }

    deinit { cancel() }
}

extension MediaStreamTrack {
    /// The camera's frames encoded in `codec` for live viewers, shared with every other subscriber of
    /// that codec on the same camera (one encode for all). `frame` runs on GStreamer's streaming thread
    /// for every encoded frame (the first one a key frame, asked for on joining) and must not block;
    /// `ended` runs once when the track stops, the camera ends (nil) or the encoder fails (its reason),
    /// not after ``EncodedVideoSubscription/cancel()``.
    /// - Throws: `InvalidStateError` when the track has ended or is not a camera's; `NotSupportedError`
    ///   when the codec's encoder is not installed.
    package func subscribeEncoded(
        _ codec: EncodedVideoCodec, frame: @escaping @Sendable (EncodedVideoFrame) -> Void,
        ended: @escaping @Sendable (_ failure: String?) -> Void
    ) throws(DOMException) -> EncodedVideoSubscription {
        guard readyState == .live, let video else {
            throw DOMException(.invalidStateError, "The track has ended or is not a camera's: publish a live video track.")
        }
        let capturer = video.source.capturer
        let subscriber = EncodingBranch.Subscriber(track: video.track.id, frame: frame, ended: ended)
        guard
            let (branch, id) = capturer.subscribeEncoded(
                track: video.track.id, codec: codec, decodesJPEG: branch?.decodes ?? false, subscriber)
        else {
            guard readyState == .live else { throw DOMException(.invalidStateError, "The track has ended: publish a live video track.") }
            throw DOMException(
                .notSupportedError,
                "The \(codec.rawValue) encoder could not be made: install GStreamer's plugins for it (gstreamer1.0-plugins-bad for H.264, gstreamer1.0-plugins-good for VP8)."
            )
        }
        return EncodedVideoSubscription(capturer: capturer, branch: branch, id: id)
    }
}
