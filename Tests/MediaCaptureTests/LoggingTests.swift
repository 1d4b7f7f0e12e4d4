// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

@testable import MediaCapture
import Locking
import Logging
import TestSupport
import Testing

/// What the library logs through swift-log, routed to a handler of the test's own (the logging
/// system is bootstrapped once per process, here; the other tests log through it too, harmlessly).
@Suite("Logging", .timeLimit(.minutes(1)))
struct LoggingTests {
    /// Every message logged with the library's label, with its level.
    static let records = Locked<[(level: Logger.Level, message: String)]>([])

    static let installed: Void = {
        LoggingSystem.bootstrap { label in RecordingHandler(label: label) }
    }()

    struct RecordingHandler: LogHandler {
        let label: String
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            guard label == Log.label else { return }
            LoggingTests.records.withLock { records in
                if records.count == 2000 { records.removeFirst() }
                records.append((event.level, "\(event.message)"))
            }
        }
    }

    static func logged(_ fragment: String) -> [(level: Logger.Level, message: String)] {
        records.withLock { $0.filter { $0.message.contains(fragment) } }
    }

    @Test("The library logs the mode it opened and a refused control write's reason at debug, and never a URL's password")
    func decisionsAreLogged() async throws {
        Self.installed
        let track = try await openVideo()
        let opened = Self.logged("Opened Fake Camera in 640x480")
        #expect(opened.count >= 1 && opened.allSatisfy { $0.level == .debug }, "\(Self.records.withLock { $0.suffix(5) })")
        track.stop()

        let webcam = try RecordedDeviceTests.device("logitech-c920")
        let recorded = try await openVideo(MediaDevices(devices: [webcam]))
        defer { recorded.stop() }
        let time = try #require(recorded.getCapabilities().exposureTime?.min) + 1
        _ = try await domException { try await recorded.applyConstraints(MediaTrackConstraints(exposureTime: .exact(time))) }
        let refused = Self.logged("refused a control write: exposureTime")
        #expect(refused.count == 1 && refused.first?.message.contains("exposureMode") == true, "\(refused)")

        // A network camera that cannot be reached: its errors are logged without the credentials.
        let devices = MediaDevices(devices: [.network(url: "rtsp://viewer:s3cret-pw@127.0.0.1:1/cam", reconnectFor: .seconds(1))], timing: .test)
        _ = try await domException { _ = try await devices.getUserMedia(MediaStreamConstraints(video: true)) }
        #expect(!Self.logged("127.0.0.1:1").isEmpty, "the failure was logged")
        #expect(Self.logged("s3cret").isEmpty && Self.logged("viewer").isEmpty, "\(Self.logged("127.0.0.1"))")
    }

    @Test("Credentials are taken out of every URL in a logged text")
    func redaction() {
        #expect(
            Log.redacted("rtsp://user:pw@host:554/a and http://x@y/z, file:///tmp/a")
                == "rtsp://[redacted]@host:554/a and http://[redacted]@y/z, file:///tmp/a")
        #expect(Log.redacted("no url: a@b") == "no url: a@b" && Log.redacted("ends with ://") == "ends with ://")
    }
}
