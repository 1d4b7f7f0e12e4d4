// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerPublishing
import Locking
import MediaCapture

/// A camera published to browsers and media servers over WebRTC, as a WHEP endpoint answers
/// (draft-ietf-wish-whep): a player POSTs an SDP offer to receive video, gets the answer and a
/// session `Location`, and DELETEs it to leave. This type answers and ends sessions; the HTTP around
/// it (routes, CORS, tokens) is the server's (see `imagecapture serve`).
///
/// Every viewer of a codec shares the camera's one encode of it (H.264 is shared with RTSP clients
/// too): each has its own `webrtcbin`, fed the encoded frames. ICE uses host candidates (enough on a
/// LAN or loopback), plus STUN and TURN when given. A viewer that vanishes (ICE fails, a tab closed
/// without DELETE, which leaves the connection "connected" for good) is ended once nothing came from
/// it for ``Options/silenceTimeout`` (its RTCP reports come every second or so), and one that never
/// connects within ``Options/connectTimeout``.
public final class WHEPPublisher: Sendable {
    public enum VideoCodec: String, Sendable, Hashable, CaseIterable {
        case vp8, h264
    }

    public struct Options: Sendable {
        /// The codecs answered with, in order of preference (the player's order decides among a codec's formats).
        public var codecs: [VideoCodec]
        /// `stun://host:port`, for viewers beyond a NAT (nil: host candidates only).
        public var stunServer: String?
        /// `turn://user:password@host:port` relays.
        public var turnServers: [String]
        /// Viewers beyond this many are refused (`OperationError`).
        public var maximumViewers: Int
        /// How long an answer may take (its ICE gathering included).
        public var answerTimeout: Duration
        /// A viewer whose connection is not up this long after its answer is ended.
        public var connectTimeout: Duration
        /// A viewer from which nothing came (no RTCP report) for this long, or whose connection
        /// dropped and is not back this long after, is ended.
        public var silenceTimeout: Duration
        /// The addresses ICE host candidates are gathered on (empty: every interface's). The server
        /// sets the one it listens on: 127.0.0.1 keeps every packet on this machine.
        public var iceAddresses: [String]

        public init(
            codecs: [VideoCodec] = [.vp8, .h264], stunServer: String? = nil, turnServers: [String] = [], maximumViewers: Int = 32,
            answerTimeout: Duration = .seconds(5), connectTimeout: Duration = .seconds(15), silenceTimeout: Duration = .seconds(5),
            iceAddresses: [String] = []
        ) {
            self.codecs = codecs
            self.stunServer = stunServer
            self.turnServers = turnServers
            self.maximumViewers = maximumViewers
            self.answerTimeout = answerTimeout
            self.connectTimeout = connectTimeout
            self.silenceTimeout = silenceTimeout
            self.iceAddresses = iceAddresses
        }
    }

    /// One viewer: its id (the last part of its `Location`), the answer to send back, and the codec chosen.
    public struct Session: Sendable {
        public let id: String
        public let answer: String
        public let codec: VideoCodec
    }

    /// The largest offer taken (an offer of a few codecs is 5 to 10 KiB).
    public static let maximumOfferBytes = 64 * 1024

    private let options: Options
    private let feeds: [VideoCodec: MediaFeeds]

    private struct Viewer {
        var peer: WebRTCPeer
        var codec: VideoCodec
        /// Bumped on every connection change: a scheduled end checks it is still the one it saw.
        var changes = 0
        var connected = false
        /// When the viewer last sent RTCP, or when its connection came up (nil: neither yet, and the
        /// connect timeout watches it).
        var lastHeard: ContinuousClock.Instant?
    }

    private let viewers = Locked<[String: Viewer]>([:])
    /// Why a viewer's camera could not be had, while its answer is being made.
    private let cameraFailures = Locked<[String: String]>([:])
    private let closed = Locked(false)

    /// - Throws: `TypeError` for an option out of range; `NotSupportedError` when webrtcbin, the ICE
    ///   library or a codec's encoder or payloader is not installed.
    public init(camera: PublishedCamera, options: Options = Options()) throws(DOMException) {
        guard !options.codecs.isEmpty, options.maximumViewers >= 1 else {
            throw DOMException(.typeError, "WHEP publishing needs at least one codec and at least one viewer allowed.")
        }
        guard [options.answerTimeout, options.connectTimeout, options.silenceTimeout].allSatisfy({ $0 > .zero }) else {
            throw DOMException(.typeError, "WHEP's answer, connect and silence timeouts must be above zero.")
        }
        for url in options.turnServers where !(url.hasPrefix("turn://") || url.hasPrefix("turns://")) {
            throw DOMException(.typeError, "A TURN server is a turn://user:password@host:port URL.")
        }
        if let stun = options.stunServer, !stun.hasPrefix("stun://") {
            throw DOMException(.typeError, "A STUN server is a stun://host:port URL.")
        }
        guard Publishing.hasElements(["webrtcbin", "nicesrc"]) else {
            throw DOMException(.notSupportedError, "WebRTC needs webrtcbin and libnice: install gstreamer1.0-plugins-bad and gstreamer1.0-nice.")
        }
        for codec in options.codecs {
            let needed = codec == .vp8 ? ["vp8enc", "rtpvp8pay"] : ["openh264enc", "h264parse", "rtph264pay"]
            guard Publishing.hasElements(needed) else {
                throw DOMException(
                    .notSupportedError, "WebRTC in \(codec.rawValue) needs \(needed.joined(separator: ", ")): install GStreamer's plugins for it.")
            }
        }
        self.options = options
        var feeds: [VideoCodec: MediaFeeds] = [:]
        for codec in options.codecs { feeds[codec] = MediaFeeds(camera: camera, codec: codec.encoded) }
        self.feeds = feeds
        let period = min(options.silenceTimeout, .seconds(1))
        Task { [weak self] in
            while let self, !self.closed.withLock({ $0 }) {
                await self.endSilentViewers()
                try? await Task.sleep(for: period)
            }
        }
    }

    /// Ends the viewers silent for longer than ``Options/silenceTimeout``.
    private func endSilentViewers() async {
        let now = ContinuousClock.now, limit = options.silenceTimeout
        let silent = viewers.withLock { viewers in
            viewers.filter { _, viewer in viewer.lastHeard.map { now - $0 > limit } ?? false }.map(\.key)
        }
        for id in silent { await end(session: id) }
    }

    /// How many viewers are connected or connecting.
    public var viewerCount: Int { viewers.withLock { $0.count } }

    /// Answers a player's offer (a WHEP POST's body): a new viewer, fed the camera's frames.
    /// - Throws: `TypeError` for an offer over ``maximumOfferBytes`` or that is not SDP;
    ///   `NotSupportedError` for an offer with no video to receive in a codec offered here;
    ///   `OperationError` beyond ``Options/maximumViewers`` or when webrtcbin refuses it;
    ///   `NotReadableError` when the camera cannot be opened;
    ///   `TimeoutError` when the answer takes longer than ``Options/answerTimeout``;
    ///   `InvalidStateError` after ``close()``.
    public func answer(offer: String) async throws(DOMException) -> Session {
        guard offer.utf8.count <= Self.maximumOfferBytes else {
            throw DOMException(.typeError, "The offer is over \(Self.maximumOfferBytes / 1024) KiB: send an SDP offer of one video section.")
        }
        guard !offer.utf8.contains(0), SDP.isValid(offer) else {
            throw DOMException(.typeError, "The body is not an SDP offer: POST the RTCPeerConnection's offer (Content-Type: application/sdp).")
        }
        guard let (section, format) = SessionOffer(offer).choose(options.codecs) else {
            throw DOMException(
                .notSupportedError,
                "The offer has no video section to receive in \(options.codecs.map { $0.rawValue.uppercased() }.joined(separator: " or ")) (H.264 in packetization mode 1, constrained baseline): add a recvonly video transceiver."
            )
        }
        let peer: WebRTCPeer
        do {
            peer = try WebRTCPeer(
                payloader: format.codec == .vp8 ? .vp8 : .h264, sourceCaps: format.codec.encoded.caps, stunServer: options.stunServer,
                turnServers: options.turnServers)
        } catch {
            throw DOMException(.notSupportedError, error.message)
        }
        let id = Self.newID()
        let admitted = viewers.withLock { viewers -> Bool in
            guard !closed.withLock({ $0 }), viewers.count < options.maximumViewers else { return false }
            viewers[id] = Viewer(peer: peer, codec: format.codec)
            return true
        }
        guard admitted else {
            await peer.stop()
            if closed.withLock({ $0 }) { throw DOMException(.invalidStateError, "The publisher is closed.") }
            throw DOMException(.operationError, "This camera has its \(options.maximumViewers) viewers already: try again when one leaves.")
        }
        peer.onConnectionState { [weak self] state in self?.connectionChanged(id, state) }
        peer.onLiveness { [weak self] alive in self?.heard(id, alive: alive) }
        for address in options.iceAddresses { peer.useLocalAddress(address) }
        let feed = feeds[format.codec]!
        // The camera opens and the encode starts while the answer is made: its first key frame is asked
        // for again once the connection is up (and whenever the player reports a lost picture).
        // A camera that cannot be had, or frames that end (the track stopped, the encoder failed): the
        // viewer would watch a still picture for ever, its RTCP keeping it alive.
        feed.start(
            peer.source,
            started: { [weak self] failure in
                guard let self, let failure else { return }
                self.cameraFailures.withLock { $0[id] = failure }
                Task { await self.end(session: id) }
            },
            ended: { [weak self] in
                guard let self else { return }
                Task { await self.end(session: id) }
            })
        let answer: String
        do {
            answer = try await peer.answer(
                offer: offer, section: section.index, payloadType: format.payloadType, encodingName: format.codec == .vp8 ? "VP8" : "H264",
                parameters: format.parameters, timeout: options.answerTimeout)
        } catch {
            await end(session: id)
            // The camera's failure says more than the pipeline's that followed from it.
            if let failure = cameraFailures.withLock({ $0.removeValue(forKey: id) }) {
                throw DOMException(.notReadableError, failure + " The viewer was not answered: try again when the camera is free.")
            }
            throw DOMException(error.kind == .timedOut ? .timeoutError : .operationError, error.message)
        }
        cameraFailures.withLock { _ = $0.removeValue(forKey: id) }
        let connectTimeout = options.connectTimeout
        Task { [weak self] in
            try? await Task.sleep(for: connectTimeout)
            guard let self, self.viewers.withLock({ $0[id].map { !$0.connected } ?? false }) else { return }
            await self.end(session: id)
        }
        return Session(id: id, answer: answer, codec: format.codec)
    }

    /// Ends a viewer (its DELETE, or its connection gone). Returns whether it existed.
    @discardableResult
    public func end(session id: String) async -> Bool {
        guard let viewer = viewers.withLock({ $0.removeValue(forKey: id) }) else { return false }
        feeds[viewer.codec]?.stop(viewer.peer.source)
        await viewer.peer.stop()
        return true
    }

    /// Ends every viewer and refuses new ones.
    public func close() async {
        closed.withLock { $0 = true }
        for id in viewers.withLock({ Array($0.keys) }) { await end(session: id) }
    }

    private func connectionChanged(_ id: String, _ state: WebRTCPeer.ConnectionState) {
        let (source, codec, change) = viewers.withLock { viewers -> (EncodedSource?, VideoCodec?, Int) in
            guard var viewer = viewers[id] else { return (nil, nil, 0) }
            viewer.changes += 1
            if state == .connected {
                viewer.connected = true
                // A player gone before its first RTCP report is silent from here.
                viewer.lastHeard = viewer.lastHeard ?? .now
            }
            viewers[id] = viewer
            return (viewer.peer.source, viewer.codec, viewer.changes)
        }
        guard let source, let codec else { return }
        switch state {
        case .connected:
            feeds[codec]?.requestKeyFrame(for: source)
        case .failed, .closed:
            Task { await self.end(session: id) }
        case .disconnected:
            let grace = options.silenceTimeout
            Task { [weak self] in
                try? await Task.sleep(for: grace)
                guard let self, self.viewers.withLock({ $0[id]?.changes == change }) else { return }
                await self.end(session: id)
            }
        case .connecting:
            break
        }
    }

    /// RTCP from viewer `id` (or, not `alive`, its goodbye or timeout).
    private func heard(_ id: String, alive: Bool) {
        guard alive else {
            Task { await self.end(session: id) }
            return
        }
        let now = ContinuousClock.now
        viewers.withLock { $0[id]?.lastHeard = now }
    }

    private static func newID() -> String {
        (0..<2).map { _ in
            let value = UInt64.random(in: 0...UInt64.max)
            let hex = String(value, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}

extension WHEPPublisher.VideoCodec {
    var encoded: EncodedVideoCodec {
        switch self {
        case .vp8: .vp8
        case .h264: .h264
        }
    }
}
