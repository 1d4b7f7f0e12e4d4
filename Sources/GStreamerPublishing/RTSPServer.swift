// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import CGstPublishing
import GStreamerWrapper
import Locking

/// gst-rtsp-server, on a GLib main loop of its own thread: mounts whose media are shared by every
/// client (one pipeline, fed through its `appsrc`, for all of them), built when the first client
/// asks and torn down when the last leaves. `@unchecked Sendable`: its pointers are set once, and
/// every GObject call it makes is thread-safe.
package final class RTSPServer: @unchecked Sendable {
    private let server: UnsafeMutablePointer<GstRTSPServer>
    private let context: OpaquePointer
    private let loop: OpaquePointer
    private let sourceID: guint
    /// Settled when the loop's thread returns.
    private let loopEnded = Waiter<Void>()
    private let stopped = Locked(false)
    /// The port the server listens on (the one asked, or the system's choice for 0).
    package let port: Int

    /// What a mount reports: its media was built (`prepared`, a client wants frames), or went (false).
    package typealias MediaHandler = @Sendable (_ source: EncodedSource, _ prepared: Bool) -> Void

    /// Listens on `address`:`port` (0: any free port).
    /// - Parameter sessionTimeout: seconds after which a client that sends nothing (no keep-alive, no
    ///   RTCP) is dropped, its share of the media with it.
    /// - Throws: `.unavailable` when the address cannot be bound or no thread can be had.
    package init(address: String, port: Int, sessionTimeout: UInt32) throws(PublishingFailure) {
        GStreamer.initialize()
        guard let server = gst_rtsp_server_new() else { throw PublishingFailure(.unavailable, "gst-rtsp-server could not be started.") }
        CGstPublishing_g_object_set_string(server, "address", address)
        CGstPublishing_g_object_set_string(server, "service", String(port))
        let context = g_main_context_new()!
        CGstPublishing_expire_sessions(server, sessionTimeout, context)
        let id = gst_rtsp_server_attach(server, context)
        guard id != 0 else {
            g_object_unref(server)
            g_main_context_unref(context)
            throw PublishingFailure(
                .unavailable,
                "The RTSP server could not listen on \(address) port \(port): the port may be in use or reserved; choose another one.")
        }
        self.server = server
        self.context = context
        self.sourceID = id
        self.port = Int(gst_rtsp_server_get_bound_port(server))
        self.loop = g_main_loop_new(context, 0)
        let (loop, ended) = (UInt(bitPattern: self.loop), loopEnded)
        let contextAddress = UInt(bitPattern: context)
        let started = DetachedThread.start {
            let context = OpaquePointer(bitPattern: contextAddress)!
            g_main_context_push_thread_default(context)
            g_main_loop_run(OpaquePointer(bitPattern: loop)!)
            g_main_context_pop_thread_default(context)
            _ = ended.resume(())
        }
        guard started else {
            Self.release(server: server, context: context, loop: self.loop, sourceID: id)
            throw PublishingFailure(.unavailable, "No thread could be started for the RTSP server.")
        }
    }

    /// Publishes at `path` a shared media built from `launch` (the library's fixed text: an `appsrc`
    /// named `src`, a payloader named `pay0`), its `appsrc` given `caps`; `handler` hears each media
    /// built and gone. With `credentials`, only that user may describe or play it (Basic or Digest).
    package func mount(path: String, launch: String, caps: String, credentials: (user: String, password: String)?, handler: @escaping MediaHandler) {
        let box = MediaBox { appsrc, prepared in
            guard let source = EncodedSource(retaining: appsrc) else { return }
            if prepared { source.configure(caps: caps) }
            handler(source, prepared)
        }
        let factory = CGstPublishing_media_factory_new(
            launch,
            { context, appsrc, prepared in
                CallbackContext.borrow(context, as: MediaBox.self) { $0.handle(appsrc, prepared != 0) }
            },
            CallbackContext.retain(box),
            { CallbackContext.release($0!, as: MediaBox.self) })
        if let credentials { CGstPublishing_require_credentials(server, factory, credentials.user, credentials.password) }
        let mounts = gst_rtsp_server_get_mount_points(server)!
        gst_rtsp_mount_points_add_factory(mounts, path, factory)  // takes the factory
        g_object_unref(mounts)
    }

    /// How many clients are connected now.
    package var clientCount: Int { Int(CGstPublishing_client_count(server)) }

    /// Closes every client, stops the loop (bounded) and lets the server go. Runs once.
    package func stop() async {
        guard
            !stopped.withLock({ stopped in
                defer { stopped = true }; return stopped
            })
        else { return }
        CGstPublishing_close_clients(server)
        // The clients' closes run on the loop; it then quits.
        let loop = UInt(bitPattern: self.loop)
        _ = await Waiter<Void>().wait(timeout: .milliseconds(100))
        g_main_loop_quit(OpaquePointer(bitPattern: loop)!)
        _ = await loopEnded.wait(timeout: .seconds(5))
        Self.release(server: server, context: context, loop: self.loop, sourceID: sourceID)
    }

    private static func release(server: UnsafeMutablePointer<GstRTSPServer>, context: OpaquePointer, loop: OpaquePointer, sourceID: guint) {
        if let source = g_main_context_find_source_by_id(context, sourceID) { g_source_destroy(source) }
        g_object_unref(server)
        g_main_loop_unref(loop)
        g_main_context_unref(context)
    }

    deinit {
        if !stopped.withLock({ $0 }) {
            // Never stopped: quit the loop so its thread ends; the server goes with the last reference.
            g_main_loop_quit(loop)
        }
    }
}

private final class MediaBox: Sendable {
    let handle: @Sendable (UnsafeMutablePointer<GstElement>, Bool) -> Void
    init(_ handle: @escaping @Sendable (UnsafeMutablePointer<GstElement>, Bool) -> Void) { self.handle = handle }
}
