// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import CGStreamer

/// An `appsink` whose samples are pushed to Swift through callbacks, never polled.
///
/// The callbacks run on GStreamer's streaming thread; they pull the sample (transfer full) and hand
/// it over without waiting. `@unchecked Sendable`: holds only an `Element`, which is thread-safe.
package final class AppSink: @unchecked Sendable {
    package let element: Element

    /// Nil when `element` is not an appsink.
    package init?(_ element: Element) {
        guard CGStreamer_GST_APP_SINK(element.pointer) != nil else { return nil }
        self.element = element
    }

    private var sink: UnsafeMutablePointer<GstAppSink> {
        UnsafeMutablePointer<GstAppSink>(OpaquePointer(element.pointer))
    }

    /// Installs the callbacks, replacing earlier ones (whose context is released by GStreamer).
    /// - Parameters:
    ///   - onSample: called for every sample, on the streaming thread. Must not block.
    ///   - onEndOfStream: called once when the stream ends.
    /// The corresponding C function is `gst_app_sink_set_callbacks`.
    package func setCallbacks(
        onSample: @escaping @Sendable (Sample) -> Void,
        onEndOfStream: @escaping @Sendable () -> Void = {}
    ) {
        var callbacks = GstAppSinkCallbacks()
        callbacks.new_sample = { appsink, context in
            // Zero timeout: a sample is waiting, that is why we were called.
            if let appsink, let sample = gst_app_sink_try_pull_sample(appsink, 0) {
                CallbackContext.borrow(context!, as: SinkCallbackBox.self) { $0.onSample(Sample(adopting: sample)) }
            }
            return GST_FLOW_OK
        }
        callbacks.eos = { _, context in
            CallbackContext.borrow(context!, as: SinkCallbackBox.self) { $0.onEndOfStream() }
        }
        let context = CallbackContext.retain(SinkCallbackBox(onSample: onSample, onEndOfStream: onEndOfStream))
        gst_app_sink_set_callbacks(
            sink, &callbacks, context, { CallbackContext.release($0!, as: SinkCallbackBox.self) })
    }

    /// Removes the callbacks and releases their context.
    package func clearCallbacks() {
        var callbacks = GstAppSinkCallbacks()
        gst_app_sink_set_callbacks(sink, &callbacks, nil, nil)
    }
}

private final class SinkCallbackBox: Sendable {
    let onSample: @Sendable (Sample) -> Void
    let onEndOfStream: @Sendable () -> Void
    init(onSample: @escaping @Sendable (Sample) -> Void, onEndOfStream: @escaping @Sendable () -> Void) {
        self.onSample = onSample
        self.onEndOfStream = onEndOfStream
    }
}
