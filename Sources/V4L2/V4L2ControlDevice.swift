// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// The ioctl surface the control mapping needs from one open device: `VIDIOC_QUERY_EXT_CTRL` and
/// `QUERYMENU` (``queryControls()``), `G_EXT_CTRLS` (``read(_:)``), `S_EXT_CTRLS` (``write(_:to:)``)
/// and control events (``watch(onChange:onLost:)``).
///
/// Every call may block (a USB control transfer): callers make them on the library's blocking-call
/// thread, never on Swift's cooperative pool. ``V4L2ControlCache`` serves values without calling it.
package protocol V4L2ControlDevice: Sendable {
    func queryControls() -> [V4L2Control]
    /// The current value, or nil when the device does not answer.
    func read(_ control: V4L2Control) -> Int64?
    /// Writes one control; the driver may round it to its step.
    /// - Throws: the refusal (read-only, inactive, invalid menu index, out of range, device gone).
    func write(_ value: Int64, to control: V4L2Control) throws(V4L2Refusal)
    /// Calls `onChange` with the ids of the `controls` changed outside this object (another program,
    /// the driver), and `onLost` once when the device goes away (unplugged). Replaces an earlier watch.
    func watch(
        controls: [UInt32], onChange: @escaping @Sendable ([UInt32]) -> Void, onLost: @escaping @Sendable () -> Void)
    /// Stops using the device (its descriptor is about to close) and ends the watch.
    func close()
}
