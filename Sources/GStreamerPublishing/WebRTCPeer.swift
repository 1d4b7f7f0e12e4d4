// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import CGstPublishing
import GStreamerWrapper
import Locking
import Synchronization

/// One WebRTC viewer: `appsrc → payloader → RTP caps → webrtcbin`, a pipeline of its own, fed encoded
/// frames from the camera's shared encode. It answers one offer (a WHEP POST) with a send-only
/// transceiver for the format chosen from it, ICE with host candidates (STUN/TURN when given).
/// `@unchecked Sendable`: its elements are thread-safe GObjects, its state in locks.
package final class WebRTCPeer: @unchecked Sendable {
    package enum Payloader: Sendable {
        case vp8, h264

        var factory: String {
            switch self {
            case .vp8: "rtpvp8pay"
            case .h264: "rtph264pay"
            }
        }

        var encodingName: String {
            switch self {
            case .vp8: "VP8"
            case .h264: "H264"
            }
        }
    }

    /// webrtcbin's `connection-state`, as a viewer's life sees it.
    package enum ConnectionState: Sendable, Equatable {
        case connecting, connected, disconnected, failed, closed

        init(_ raw: Int32) {
            switch raw {
            case 2: self = .connected
            case 3: self = .disconnected
            case 4: self = .failed
            case 5: self = .closed
            default: self = .connecting
            }
        }
    }

    package let source: EncodedSource
    private let pipeline: Pipeline
    private let webrtc: Element
    private let rtpCaps: Element
    private let payloader: Element
    private let stopped = Atomic<Bool>(false)
    private static let counter = Atomic<UInt64>(0)

    /// The pipeline's text: the library's own, fixed (nothing of a player's offer is in it). The
    /// payloader's chain is linked into webrtcbin once the offer says which section it serves.
    private static func description(_ payloader: Payloader) -> String {
        "appsrc name=src ! \(payloader.factory) name=pay ! capsfilter name=rtp  webrtcbin name=webrtc bundle-policy=max-bundle"
    }

    /// - Parameters:
    ///   - stunServer: `stun://host:port`, or nil for host candidates only.
    ///   - turnServers: `turn://user:password@host:port` URLs.
    /// - Throws: `.unavailable` when an element is missing (webrtcbin, the payloader).
    package init(payloader kind: Payloader, sourceCaps: String, stunServer: String?, turnServers: [String]) throws(PublishingFailure) {
        let name = "swift-media-capture-viewer-\(Self.counter.add(1, ordering: .relaxed).newValue)"
        do {
            pipeline = try Pipeline(description: Self.description(kind), name: name)
        } catch {
            throw PublishingFailure(
                .unavailable, "WebRTC needs webrtcbin and \(kind.factory): install gstreamer1.0-plugins-bad and gstreamer1.0-nice (\(error)).")
        }
        guard let webrtc = pipeline.element(named: "webrtc"), let rtpCaps = pipeline.element(named: "rtp"),
            let payloader = pipeline.element(named: "pay"), let appsrc = pipeline.element(named: "src"),
            let source = EncodedSource(retaining: appsrc.borrowedPointer.assumingMemoryBound(to: GstElement.self))
        else { throw PublishingFailure(.unavailable, "The WebRTC pipeline could not be built.") }
        self.webrtc = webrtc
        self.rtpCaps = rtpCaps
        self.payloader = payloader
        self.source = source
        source.configure(caps: sourceCaps)
        if kind == .h264 { payloader.set("config-interval", Int32(-1)) }  // parameter sets with every key frame
        payloader.set("mtu", UInt32(1200))
        CGstPublishing_webrtc_disable_upnp(Self.element(webrtc))
        if let stunServer { webrtc.set("stun-server", stunServer) }
        for url in turnServers { _ = CGstPublishing_webrtc_add_turn_server(element(webrtc), url) }
    }

    private func element(_ element: Element) -> UnsafeMutablePointer<GstElement> { Self.element(element) }
    private static func element(_ element: Element) -> UnsafeMutablePointer<GstElement> {
        element.borrowedPointer.assumingMemoryBound(to: GstElement.self)
    }

    /// Calls `body` on every change of the connection's state (on webrtcbin's thread; must not block).
    package func onConnectionState(_ body: @escaping @Sendable (ConnectionState) -> Void) {
        // The handler lives on webrtcbin: it holds its address, not a reference (which would keep it alive).
        let address = UInt(bitPattern: element(webrtc))
        let box = NotifyBox {
            guard let webrtc = UnsafeMutablePointer<GstElement>(bitPattern: address) else { return }
            body(ConnectionState(CGstPublishing_g_object_get_enum(webrtc, "connection-state")))
        }
        _ = CGstPublishing_connect_notify(
            Self.element(webrtc), "connection-state", { CallbackContext.borrow($0, as: NotifyBox.self) { $0.fire() } },
            CallbackContext.retain(box), { CallbackContext.release($0!, as: NotifyBox.self) })
    }

    /// Gathers ICE host candidates on `address` only (call before ``answer(offer:section:payloadType:encodingName:parameters:timeout:)``).
    /// False when libnice refused the address.
    @discardableResult
    package func useLocalAddress(_ address: String) -> Bool { CGstPublishing_webrtc_use_local_address(element(webrtc), address) != 0 }

    /// Calls `body` with true for every RTCP packet from the viewer, and with false on its goodbye or
    /// its RTP session's timeout (on webrtcbin's threads; must not block).
    package func onLiveness(_ body: @escaping @Sendable (_ alive: Bool) -> Void) {
        _ = CGstPublishing_webrtc_watch_liveness(
            element(webrtc), { context, alive in CallbackContext.borrow(context, as: LivenessBox.self) { $0.fire(alive != 0) } },
            CallbackContext.retain(LivenessBox(body)), { CallbackContext.release($0!, as: LivenessBox.self) })
    }

    /// Answers `offer` for its section `section` (its index among the `m=` lines), payload type
    /// `payloadType` with `parameters` (H.264's fmtp to echo): sets the transceiver, the remote offer,
    /// the answer, and waits for ICE gathering (bounded by `timeout` in all).
    /// - Returns: the answer's SDP text, with its candidates.
    /// - Throws: `.invalid` when webrtcbin refuses the offer, `.timedOut` past `timeout`.
    package func answer(
        offer: String, section: Int, payloadType: Int, encodingName: String, parameters: [String: String], timeout: Duration
    ) async throws(PublishingFailure) -> String {
        let started = ContinuousClock.now
        let fields = parameters.sorted { $0.key < $1.key }.map { ",\($0.key)=(string)\($0.value)" }.joined()
        let caps = "application/x-rtp,media=video,encoding-name=\(encodingName),payload=\(payloadType),clock-rate=90000"
        payloader.set("pt", UInt32(clamping: payloadType))
        rtpCaps.set("caps", Caps(caps))
        guard CGstPublishing_webrtc_add_sendonly_transceiver(element(webrtc), caps + fields) != 0 else {
            throw PublishingFailure(.invalid, "webrtcbin refused a transceiver for \(encodingName).")
        }
        guard let pad = rtpCaps.staticPad("src"), let sink = webrtc.requestPad("sink_\(section)"), pad.link(to: sink) else {
            throw PublishingFailure(.invalid, "The video could not be linked to the offer's section \(section).")
        }
        // A stop while the pipeline starts (the viewer ended meanwhile: its camera failed) is queued
        // between the start's two state changes, and the second would leave it playing: stopped again here.
        do {
            try await pipeline.play(timeoutMilliseconds: 5000)
        } catch {
            if stopped.load(ordering: .acquiring) { await pipeline.stop() }
            throw PublishingFailure(.unavailable, "The WebRTC pipeline could not start: \(error)")
        }
        if stopped.load(ordering: .acquiring) {
            await pipeline.stop()
            throw PublishingFailure(.unavailable, "The viewer ended while its answer was being made.")
        }
        let remaining = { () -> Duration in max(.milliseconds(1), timeout - (ContinuousClock.now - started)) }
        // Remote offer, then answer: each a promise webrtcbin settles on its own thread.
        let remoteSet = Waiter<String?>()
        let offered = PromiseBox(remoteSet)
        guard
            CGstPublishing_webrtc_set_remote_offer(
                element(webrtc), offer,
                { context, replied, reply in CallbackContext.borrow(context, as: PromiseBox.self) { $0.settle(replied != 0, reply) } },
                CallbackContext.retain(offered), { CallbackContext.release($0!, as: PromiseBox.self) }) != 0
        else { throw PublishingFailure(.invalid, "The offer is not valid SDP.") }
        guard let remoteResult = await remoteSet.wait(timeout: remaining()) else {
            throw PublishingFailure(.timedOut, "webrtcbin did not take the offer within \(timeout).")
        }
        if let failure = remoteResult { throw PublishingFailure(.invalid, "webrtcbin refused the offer: \(failure)") }
        let answered = Waiter<String?>()
        let webrtc = self.webrtc
        let answerBox = PromiseBox(answered) { reply in
            CGstPublishing_webrtc_set_local_answer(Self.element(webrtc), reply) != 0
        }
        CGstPublishing_webrtc_create_answer(
            element(webrtc), { context, replied, reply in CallbackContext.borrow(context, as: PromiseBox.self) { $0.settle(replied != 0, reply) } },
            CallbackContext.retain(answerBox), { CallbackContext.release($0!, as: PromiseBox.self) })
        guard let answerResult = await answered.wait(timeout: remaining()) else {
            throw PublishingFailure(.timedOut, "webrtcbin did not answer within \(timeout).")
        }
        if let failure = answerResult { throw PublishingFailure(.invalid, "webrtcbin could not answer the offer: \(failure)") }
        // Every candidate in the answer (WHEP has no trickle here): wait for gathering to complete.
        while CGstPublishing_g_object_get_enum(element(webrtc), "ice-gathering-state") != 2 {
            guard ContinuousClock.now - started < timeout else { break }  // answer with the candidates found so far
            _ = await Waiter<Void>().wait(timeout: .milliseconds(10))
        }
        guard let text = CGstPublishing_webrtc_local_sdp(element(webrtc)) else {
            throw PublishingFailure(.invalid, "webrtcbin has no answer.")
        }
        defer { g_free(text) }
        return String(cString: text)
    }

    /// Stops the viewer's pipeline (bounded). Runs once.
    package func stop() async {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        source.endOfStream()
        await pipeline.stop()
    }
}

private final class LivenessBox: Sendable {
    let fire: @Sendable (Bool) -> Void
    init(_ fire: @escaping @Sendable (Bool) -> Void) { self.fire = fire }
}

private final class NotifyBox: Sendable {
    let fire: @Sendable () -> Void
    init(_ fire: @escaping @Sendable () -> Void) { self.fire = fire }
}

/// A promise's settlement: nil when it succeeded, else webrtcbin's error. `accept` runs on the reply
/// first (create-answer's sets the local description from it) and fails the promise when false.
private final class PromiseBox: Sendable {
    let waiter: Waiter<String?>
    let accept: @Sendable (UnsafePointer<GstStructure>?) -> Bool
    init(_ waiter: Waiter<String?>, accept: @escaping @Sendable (UnsafePointer<GstStructure>?) -> Bool = { _ in true }) {
        self.waiter = waiter
        self.accept = accept
    }

    func settle(_ replied: Bool, _ reply: UnsafePointer<GstStructure>?) {
        if !replied {
            _ = waiter.resume("webrtcbin dropped the request")
        } else if let error = CGstPublishing_reply_error(reply) {
            defer { g_free(error) }
            _ = waiter.resume(String(cString: error))
        } else {
            _ = waiter.resume(accept(reply) ? nil : "no answer in webrtcbin's reply")
        }
    }
}
