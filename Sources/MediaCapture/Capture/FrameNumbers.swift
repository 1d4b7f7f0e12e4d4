// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper
import Locking

/// A frame's number across a decoder: `jpegdec` drops the camera's sequence number (the buffer's
/// offset) but keeps the timestamp, so a probe pair carries the number across by timestamp.
enum FrameNumbers {
    /// Gives each decoded frame its encoded frame's number, matched by timestamp (the last 8 kept: a
    /// decoder holds at most a frame or two).
    static func carry(across decoder: Element) {
        let numbers = Locked<[(time: UInt64, number: UInt64)]>([])
        decoder.staticPad("sink")?.addBufferProbe { context in
            if let time = context.presentationTime, let number = context.offset {
                numbers.withLock { numbers in
                    if numbers.count == 8 { numbers.removeFirst() }
                    numbers.append((time, number))
                }
            }
            return .pass
        }
        decoder.staticPad("src")?.addBufferProbe { context in
            guard context.offset == nil, let time = context.presentationTime,
                let number = numbers.withLock({ $0.last(where: { $0.time == time })?.number })
            else { return .pass }
            context.setOffset(number)
            return .pass
        }
    }
}
