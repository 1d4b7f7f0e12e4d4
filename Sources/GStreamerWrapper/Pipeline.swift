// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import CGStreamer
import Locking
import Synchronization

/// A `GstPipeline` with a bus sync handler and a serial queue for its blocking calls.
///
/// Bus messages are handled synchronously on the posting thread (there is no GLib main loop):
/// errors, warnings and end-of-stream go to the `onMessage` handler; latency is recalculated on the
/// serial queue; every message is unreffed and dropped. State changes block (they join streaming
/// threads, or wait for a driver), so they run on the pipeline's ``BlockingQueue``, never on the
/// cooperative pool, and every wait for them has a deadline: a pipeline that does not answer is
/// marked wedged and abandoned, never waited on forever.
///
/// `@unchecked Sendable`: holds immutable references to thread-safe GStreamer objects; the mutable
/// parts (handler, last error) live in a `Mutex`.
package final class Pipeline: @unchecked Sendable {
    package let element: Element
    /// Serial queue for every blocking call on this pipeline (state changes, idle probes).
    package let queue: BlockingQueue
    private let router: BusRouter
    private let bus: UnsafeMutablePointer<GstBus>

    /// Parses a description made of the library's own constants. Nothing a caller passes is ever part
    /// of it: values are set on named elements afterwards.
    /// - Throws: the parse error, or an error when the description is not a whole pipeline.
    /// The corresponding C function is `gst_parse_launch`.
    package convenience init(description: String, name: String) throws(GStreamerError) {
        GStreamer.initialize()
        var error: UnsafeMutablePointer<GError>?
        let parsed = gst_parse_launch(description, &error)
        if let error {
            if let parsed { gst_object_unref(parsed) }
            throw GStreamerError(adopting: error, debug: nil, source: nil)
        }
        guard let parsed,
            g_type_check_instance_is_a(
                UnsafeMutablePointer<GTypeInstance>(OpaquePointer(parsed)), gst_pipeline_get_type()) != 0
        else {
            if let parsed { gst_object_unref(parsed) }
            throw .wrapper("the description is not a pipeline of several elements")
        }
        self.init(adopting: parsed, name: name)
    }

    /// Builds one of the canonical pipelines (``PipelineDescription``) element by element, without the
    /// caps checks that make `gst_parse_launch` slow (see ``GraphDescription``).
    /// - Throws: `.wrapper` when the text is outside the canonical subset, or a factory or property
    ///   is missing.
    package convenience init(canonical description: String, name: String) throws(GStreamerError) {
        self.init(adopting: try GraphDescription(description).build(), name: name)
    }

    /// Whether building `description` with ``init(canonical:name:)`` would load a plugin (file I/O);
    /// also true for a description outside the canonical subset.
    package static func canonicalLoadsPlugins(_ description: String) -> Bool {
        (try? GraphDescription(description))?.loadsPlugins ?? true
    }

    /// Builds a canonical description on the calling task when that is CPU work only, or on a thread
    /// of its own, bounded by `timeout`, when it would load a plugin from disk.
    /// - Throws: what ``init(canonical:name:)`` throws, or a timeout (a plugin load that hung).
    package static func building(canonical description: String, name: String, timeout: Duration) async throws(GStreamerError) -> Pipeline {
        let make = { @Sendable () -> Result<Pipeline, GStreamerError> in
            Result { () throws(GStreamerError) in try Pipeline(canonical: description, name: name) }
        }
        guard canonicalLoadsPlugins(description) else { return try make().get() }
        guard let built = await BlockingCall.run(timeout: timeout, make) else {
            throw .timeout("the pipeline was not built within \(timeout): loading a GStreamer plugin hung")
        }
        return try built.get()
    }

    private init(adopting parsed: UnsafeMutablePointer<GstElement>, name: String) {
        self.element = Element(adopting: parsed)
        gst_object_set_name(UnsafeMutablePointer<GstObject>(OpaquePointer(parsed)), name)
        self.queue = BlockingQueue(name: name)
        self.bus = gst_element_get_bus(parsed)  // transfer full, unreffed in deinit
        self.router = BusRouter(queue: queue, pipeline: parsed)
        gst_bus_set_sync_handler(
            bus,
            { _, message, context in
                if let message { CallbackContext.borrow(context!, as: BusRouter.self) { $0.route(message) } }
                // The contract of a sync handler that returns DROP: it owns the message.
                gst_message_unref(message)
                return GST_BUS_DROP
            }, CallbackContext.retain(router), { CallbackContext.release($0!, as: BusRouter.self) })
        // Counted until GLib finalizes the GstPipeline itself (qdata is destroyed last), not until this
        // wrapper goes: the job below drops its reference after its own work, on another thread.
        Self.alive.add(1, ordering: .relaxed)
        g_object_set_data_full(
            UnsafeMutableRawPointer(parsed).assumingMemoryBound(to: GObject.self), "swift-media-capture-alive",
            UnsafeMutableRawPointer(bitPattern: 1), { _ in Pipeline.alive.subtract(1, ordering: .releasing) })
    }

    deinit {
        // Remove the handler first (its notify releases the router), then stop the threads off this
        // thread: the last reference may be dropped anywhere, and going to NULL blocks.
        gst_bus_set_sync_handler(bus, nil, nil, nil)
        gst_object_unref(bus)
        if !router.stopped.withLock({ $0 }) {
            let element = self.element
            queue.async { element.setNullState() }
        }
        queue.finish()
    }

    private static let alive = Atomic<Int>(0)

    /// GstPipelines made here and not yet finalized (their last reference may be dropped on another
    /// thread a moment after the work that held it ended): a shutdown waits for none to be left.
    package static var aliveCount: Int { alive.load(ordering: .acquiring) }

    /// How long ago, now, the pipeline's clock read the moment a buffer of running time `runningTime`
    /// was made (its base time plus that running time): for a live source, how old the frame is;
    /// negative for a buffer timestamped ahead of the clock (a source synced to a sender's clock).
    /// Nil when the pipeline has no clock or no base time (not playing). Reading the clock is cheap.
    /// The corresponding C functions are `gst_element_get_clock`, `gst_element_get_base_time` and
    /// `gst_clock_get_time`.
    package func age(ofRunningTime runningTime: UInt64) -> Duration? {
        guard let clock = gst_element_get_clock(element.pointer) else { return nil }
        defer { gst_object_unref(clock) }
        let base = gst_element_get_base_time(element.pointer)
        let now = gst_clock_get_time(clock)
        guard base != GstClockTime.max, now != GstClockTime.max, runningTime < UInt64(Int64.max) else { return nil }  // NONE
        let made = Int64(clamping: base) &+ Int64(runningTime)
        return .nanoseconds(Int64(clamping: now) &- made)
    }

    /// The clock time at which the pipeline's running time began (nil when not playing): a buffer of
    /// running time `r` was made at clock time base + `r`. Every pipeline here runs on the system's
    /// monotonic clock, so clock times compare across pipelines.
    /// The corresponding C function is `gst_element_get_base_time`.
    package var baseTime: UInt64? {
        let base = gst_element_get_base_time(element.pointer)
        return base == GstClockTime.max ? nil : UInt64(base)
    }

    /// Receives errors, warnings and end-of-stream, on the thread that posted them. Must not block.
    package func onMessage(_ handler: @escaping @Sendable (BusMessage) -> Void) {
        router.handler.set(handler)
    }

    /// The element with this name, searched recursively. The corresponding C function is `gst_bin_get_by_name`.
    package func element(named name: String) -> Element? {
        guard let bin = CGStreamer_GST_BIN(element.pointer), let found = gst_bin_get_by_name(bin, name) else {
            return nil
        }
        return Element(adopting: found)
    }

    /// Adds an element (the bin takes its own reference). The corresponding C function is `gst_bin_add`.
    @discardableResult
    package func add(_ child: Element) -> Bool {
        guard let bin = CGStreamer_GST_BIN(element.pointer) else { return false }
        return gst_bin_add(bin, child.pointer) != 0
    }

    /// The corresponding C function is `gst_bin_remove`.
    @discardableResult
    package func remove(_ child: Element) -> Bool {
        guard let bin = CGStreamer_GST_BIN(element.pointer) else { return false }
        return gst_bin_remove(bin, child.pointer) != 0
    }

    /// The top-level elements. The corresponding C function is `gst_bin_iterate_elements`.
    package var children: [Element] {
        guard let bin = CGStreamer_GST_BIN(element.pointer), let iterator = gst_bin_iterate_elements(bin) else {
            return []
        }
        defer { gst_iterator_free(iterator) }
        var result: [Element] = []
        var value = GValue()
        while gst_iterator_next(iterator, &value) == GST_ITERATOR_OK {
            if let child = CGStreamer_GST_ELEMENT(g_value_get_object(&value)) {
                result.append(Element(retaining: child))
            }
            g_value_reset(&value)
        }
        g_value_unset(&value)
        return result
    }

    /// The graph as text: one `name (factory)` line per element and one `a.pad -> b.pad` line per link,
    /// sorted. Two pipelines with the same signature have the same elements, names and links.
    package var graphSignature: [String] {
        var lines: [String] = []
        for child in children {
            lines.append("\(child.name) (\(child.factoryName))")
            guard let iterator = gst_element_iterate_src_pads(child.pointer) else { continue }
            var value = GValue()
            while gst_iterator_next(iterator, &value) == GST_ITERATOR_OK {
                let pad = UnsafeMutablePointer<GstPad>(OpaquePointer(g_value_get_object(&value)))
                if let pad, let peer = gst_pad_get_peer(pad) {
                    let source = Pad(adopting: gst_object_ref(pad).assumingMemoryBound(to: GstPad.self))
                    let target = Pad(adopting: peer)
                    // Request pads are numbered in creation order; the template name is what matters.
                    let sourcePad = child.factoryName == "tee" ? "src_%u" : source.name
                    lines.append("\(child.name).\(sourcePad) -> \(target.parentElement?.name ?? "?").\(target.name)")
                }
                g_value_reset(&value)
            }
            g_value_unset(&value)
            gst_iterator_free(iterator)
        }
        return lines.sorted()
    }

    // MARK: - State changes (blocking work runs on `queue`)

    /// Runs blocking work on the pipeline's serial queue and returns its result, or nil when it did
    /// not return within `timeout` (the pipeline is wedged: see ``isWedged``).
    package func perform<T: Sendable>(timeout: Duration, _ work: @escaping @Sendable () -> T) async -> T? {
        await queue.perform(timeout: timeout, work)
    }

    /// Whether a blocking call on this pipeline overran its deadline (a driver stuck in `open()`, a
    /// stream that never stops): later calls fail at once.
    package var isWedged: Bool { queue.isWedged }

    /// Sets the pipeline to PLAYING and waits, bounded, until it gets there.
    ///
    /// No thread blocks while waiting: an asynchronous state change is awaited through the bus's
    /// STATE_CHANGED message (or an ERROR), with a deadline.
    /// - Parameter beforePlaying: runs on the serial queue once PAUSED is reached, with whether the
    ///   pipeline is live (its sources produce in real time: PAUSED answered NO_PREROLL).
    /// - Throws: the bus error that made the change fail (e.g. a missing device), a timeout, or
    ///   ``GStreamerError/cancelled`` when the task is cancelled while an asynchronous change is awaited.
    /// The corresponding C function is `gst_element_set_state`.
    package func play(
        timeoutMilliseconds: Int = 5000, beforePlaying: @escaping @Sendable (_ isLive: Bool) -> Void = { _ in }
    ) async throws(GStreamerError) {
        router.firstError.withLock { $0 = nil }
        router.stopped.withLock { $0 = false }
        let paused = try await change(to: GST_STATE_PAUSED, timeoutMilliseconds: timeoutMilliseconds)
        let isLive = paused == GST_STATE_CHANGE_NO_PREROLL
        _ = try await change(to: GST_STATE_PLAYING, timeoutMilliseconds: timeoutMilliseconds) { beforePlaying(isLive) }
    }

    /// One state change: set on the serial queue, then (when asynchronous) awaited on the bus.
    private func change(
        to target: GstState, timeoutMilliseconds: Int, before: @escaping @Sendable () -> Void = {}
    ) async throws(GStreamerError) -> GstStateChangeReturn {
        let element = self.element
        let router = self.router
        let waiter = router.expect(target)
        let name = target == GST_STATE_PLAYING ? "PLAYING" : "PAUSED"
        guard
            let outcome = await perform(
                timeout: .milliseconds(timeoutMilliseconds),
                { () -> GstStateChangeReturn in
                    before()
                    return gst_element_set_state(element.pointer, target)
                })
        else {
            router.forget(waiter)
            throw .timeout("the pipeline did not answer a change to \(name) within \(timeoutMilliseconds) ms (a driver or element is stuck)")
        }
        switch outcome {
        case GST_STATE_CHANGE_FAILURE:
            router.forget(waiter)
            throw router.firstError.withLock { $0 } ?? .wrapper("the pipeline could not reach \(name)")
        case GST_STATE_CHANGE_ASYNC:
            let deadline = Deadlines.shared.schedule(after: .milliseconds(timeoutMilliseconds)) {
                router.resolve(waiter, .failure(.timeout("the pipeline did not reach \(name) within \(timeoutMilliseconds) ms")))
            }
            defer { Deadlines.shared.cancel(deadline) }
            // The change may have completed before the waiter listened: ask once, without blocking.
            var current = GST_STATE_VOID_PENDING
            _ = gst_element_get_state(element.pointer, &current, nil, 0)
            if current.rawValue >= target.rawValue { router.resolve(waiter, .success(())) }
            let result = await router.wait(waiter)
            router.forget(waiter)  // settled, or left by a cancelled task
            try result.get()
        default:
            router.forget(waiter)
            if let error = router.firstError.withLock({ $0 }) { throw error }
        }
        return outcome
    }

    /// Sets the pipeline to NULL (joins its streaming threads) on the serial queue, waiting at most
    /// `timeout`. Idempotent. A pipeline that does not stop in time is abandoned (wedged): its
    /// threads are left to the driver, and this returns.
    /// - Returns: whether the pipeline reached NULL in time.
    @discardableResult
    package func stop(timeout: Duration = .seconds(5)) async -> Bool {
        let element = self.element
        let stopped = await perform(timeout: timeout) { element.setNullState() } != nil
        if stopped { router.stopped.withLock { $0 = true } }
        return stopped
    }

    /// Sets the pipeline to READY, which opens devices without streaming; used to probe a source.
    /// - Throws: the error that made the change fail, or a timeout when the change did not return
    ///   within `timeout` (a driver that blocks in `open()`).
    package func ready(timeout: Duration = .seconds(5)) async throws(GStreamerError) {
        let element = self.element
        let router = self.router
        let result: Result<Void, GStreamerError>? = await perform(timeout: timeout) {
            router.firstError.withLock { $0 = nil }
            let outcome = gst_element_set_state(element.pointer, GST_STATE_READY)
            let error = router.firstError.withLock { $0 }
            if outcome == GST_STATE_CHANGE_FAILURE {
                return .failure(error ?? .wrapper("the pipeline could not get ready"))
            }
            return .success(())
        }
        guard let result else { throw .timeout("the device did not answer within \(timeout) (its driver is stuck opening it)") }
        try result.get()
    }
}

/// What the bus reports to the pipeline's owner.
package enum BusMessage: Sendable {
    case error(GStreamerError)
    case warning(GStreamerError)
    case endOfStream
}

/// The bus sync handler's context.
private final class BusRouter: Sendable {
    /// Someone awaiting a state, resumed exactly once: by STATE_CHANGED, an ERROR, or a deadline.
    struct StateWaiter: Sendable {
        let id: UInt64
        let waiter = Waiter<Result<Void, GStreamerError>>()
    }

    private struct Waits {
        var next: UInt64 = 0
        /// The waiters not settled yet, with the state each awaits.
        var pending: [UInt64: (target: Int32, waiter: StateWaiter)] = [:]
    }

    private let waits = Locked(Waits())

    func expect(_ state: GstState) -> StateWaiter {
        waits.withLock { waits in
            waits.next += 1
            let waiter = StateWaiter(id: waits.next)
            waits.pending[waits.next] = (Int32(state.rawValue), waiter)
            return waiter
        }
    }

    func forget(_ waiter: StateWaiter) {
        _ = waits.withLock { $0.pending.removeValue(forKey: waiter.id) }
    }

    /// Settles a waiter once; later calls do nothing.
    func resolve(_ waiter: StateWaiter, _ result: Result<Void, GStreamerError>) {
        forget(waiter)
        waiter.waiter.resume(result)
    }

    /// Waits for the change, or until the task is cancelled (the change goes on; the waiter is
    /// forgotten when it settles or the caller's deadline passes).
    func wait(_ waiter: StateWaiter) async -> Result<Void, GStreamerError> {
        // No deadline of its own: the caller's resolves it.
        await waiter.waiter.wait(timeout: nil, cancelled: .failure(.cancelled))!
    }

    /// Settles every waiter whose target `reached` satisfies (or all of them with `failure`).
    private func settle(reached: Int32?, failure: GStreamerError?) {
        let due = waits.withLock { waits in
            waits.pending.values.filter { failure != nil || $0.target <= (reached ?? 0) }.map(\.waiter)
        }
        for waiter in due { resolve(waiter, failure.map { .failure($0) } ?? .success(())) }
    }

    let handler = CallbackSlot<BusMessage>()
    /// The first error since the state change began, read by changes that fail synchronously. The
    /// first, not the last: an element that fails to start posts its reason ("Resource not found"),
    /// then GStreamer posts a generic "state change failed" after it.
    let firstError = Locked<GStreamerError?>(nil)
    /// Whether the pipeline was last set to NULL by `stop()`.
    let stopped = Locked(false)
    let queue: BlockingQueue
    /// Not retained: the router lives no longer than the pipeline's bus handler.
    nonisolated(unsafe) let pipeline: UnsafeMutablePointer<GstElement>

    init(queue: BlockingQueue, pipeline: UnsafeMutablePointer<GstElement>) {
        self.queue = queue
        self.pipeline = pipeline
    }

    func route(_ message: UnsafeMutablePointer<GstMessage>) {
        let source = CGStreamer_GST_MESSAGE_SRC(message).flatMap { CGStreamer_GST_OBJECT_NAME($0) }
            .map { String(cString: $0) }
        let event: BusMessage
        switch CGStreamer_GST_MESSAGE_TYPE(message) {
        case GST_MESSAGE_ERROR:
            var error: UnsafeMutablePointer<GError>?
            var debug: UnsafeMutablePointer<gchar>?
            gst_message_parse_error(message, &error, &debug)
            let parsed = GStreamerError(adopting: error, debug: debug, source: source)
            firstError.withLock { if $0 == nil { $0 = parsed } }
            settle(reached: nil, failure: parsed)
            event = .error(parsed)
        case GST_MESSAGE_WARNING:
            var error: UnsafeMutablePointer<GError>?
            var debug: UnsafeMutablePointer<gchar>?
            gst_message_parse_warning(message, &error, &debug)
            event = .warning(GStreamerError(adopting: error, debug: debug, source: source))
        case GST_MESSAGE_EOS:
            event = .endOfStream
        case GST_MESSAGE_STATE_CHANGED:
            guard CGStreamer_GST_MESSAGE_SRC(message) == UnsafeMutableRawPointer(pipeline).assumingMemoryBound(to: GstObject.self) else { return }
            var old = GST_STATE_VOID_PENDING, new = GST_STATE_VOID_PENDING, pending = GST_STATE_VOID_PENDING
            gst_message_parse_state_changed(message, &old, &new, &pending)
            settle(reached: Int32(new.rawValue), failure: nil)
            return
        case GST_MESSAGE_LATENCY:
            // Never on the streaming thread that posted it.
            let bin = PipelinePointer(pointer: pipeline)
            gst_object_ref(bin.pointer)
            let queued = queue.async {
                _ = gst_bin_recalculate_latency(UnsafeMutablePointer<GstBin>(OpaquePointer(bin.pointer)))
                gst_object_unref(bin.pointer)
            }
            // A message posted while the pipeline is torn down, after its queue finished: nothing
            // runs the job, so its reference is given back here.
            if !queued { gst_object_unref(bin.pointer) }
            return
        default:
            return
        }
        handler(event)
    }
}

/// A pointer that crosses into a dispatched closure together with the reference taken for it.
private struct PipelinePointer: @unchecked Sendable {  // the closure owns one reference (ref'd before, unref'd in it)
    let pointer: UnsafeMutablePointer<GstElement>
}
