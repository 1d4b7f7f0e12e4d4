// swift-tools-version:6.0
// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
import PackageDescription

let package = Package(
    name: "swift-media-capture",
    products: [
        .library(name: "MediaCapture", targets: ["MediaCapture"]),
        // Publishing a camera beyond the process (RTSP, WebRTC through WHEP): a product of its own, so
        // that an application that only captures links neither gst-rtsp-server nor webrtcbin.
        .library(name: "MediaPublishing", targets: ["MediaPublishing"]),
    ],
    // The library's only dependency. The command-line tool and the demo server, which need
    // ArgumentParser and Hummingbird, are a package of their own in Tools/, so that an application
    // depending on MediaCapture resolves and builds neither (see the README).
    dependencies: [
        // The library's log (no dependencies of its own): the application routes and levels it.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2")
    ],
    targets: [
        // The C boundary: GStreamer's headers plus a header-only shim of `static inline` helpers.
        .systemLibrary(
            name: "CGStreamer",
            pkgConfig: "gstreamer-1.0 gstreamer-app-1.0 gstreamer-video-1.0",
            providers: [.apt(["libgstreamer1.0-dev", "libgstreamer-plugins-base1.0-dev"])]
        ),
        // The Linux V4L2 kernel interface: videodev2.h plus `static inline` ioctl shims.
        .systemLibrary(name: "CV4L2"),
        // libpipewire's headers plus a header-only listing of the graph's video sources (GStreamer's
        // PipeWire device provider is unsafe in 0.3.65: see Sources/CPipeWire/CPipeWire.h).
        .systemLibrary(name: "CPipeWire", pkgConfig: "libpipewire-0.3", providers: [.apt(["libpipewire-0.3-dev"])]),
        // gst-rtsp-server's, webrtcbin's and the SDP library's headers plus a header-only shim.
        .systemLibrary(
            name: "CGstPublishing",
            pkgConfig: "gstreamer-rtsp-server-1.0 gstreamer-webrtc-1.0 gstreamer-sdp-1.0 gstreamer-app-1.0 gstreamer-video-1.0",
            providers: [.apt(["libgstrtspserver-1.0-dev", "libgstreamer-plugins-bad1.0-dev"])]
        ),
        // Locks that ThreadSanitizer sees through (below every other target).
        .target(name: "Locking"),
        // The only Swift code that imports CGStreamer (checked by scripts/check-layers.sh).
        .target(name: "GStreamerWrapper", dependencies: ["CGStreamer", "Locking"]),
        // The V4L2 layer: control ioctls, control events, recorded webcams, `v4l2-ctl` listings.
        // The only Swift code that imports CV4L2 (checked by scripts/check-layers.sh).
        .target(name: "V4L2", dependencies: ["CV4L2", "Locking"]),
        // The PipeWire layer: the session's daemon, and its cameras listed by a client of the library's own.
        // The only Swift code that imports CPipeWire (checked by scripts/check-layers.sh).
        .target(name: "PipeWire", dependencies: ["CPipeWire"]),
        // The public, W3C-shaped API. No GStreamer or V4L2 type appears in its signatures.
        .target(
            name: "MediaCapture",
            dependencies: ["GStreamerWrapper", "V4L2", "PipeWire", "Locking", .product(name: "Logging", package: "swift-log")]),
        // The publishing layer's GStreamer: the RTSP server and WebRTC peers. The only Swift code that
        // imports CGstPublishing (checked by scripts/check-layers.sh).
        .target(name: "GStreamerPublishing", dependencies: ["CGstPublishing", "GStreamerWrapper", "Locking"]),
        // RTSP and WHEP publishers of a MediaStreamTrack (public; no GStreamer type in its signatures).
        .target(
            name: "MediaPublishing",
            dependencies: ["MediaCapture", "GStreamerPublishing", "GStreamerWrapper", "Locking", .product(name: "Logging", package: "swift-log")]),
        // The README's example, built and run by scripts/check-docs.sh (which keeps the two identical).
        .executableTarget(name: "readme-example", dependencies: ["MediaCapture"]),
        // Examples a newcomer copies, built and run on the fake camera by scripts/check-docs.sh.
        .executableTarget(name: "photo-booth", dependencies: ["MediaCapture"], path: "Examples/PhotoBooth"),
        .executableTarget(name: "timelapse", dependencies: ["MediaCapture"], path: "Examples/Timelapse"),
        .executableTarget(name: "document-scanner", dependencies: ["MediaCapture"], path: "Examples/DocumentScanner"),
        .executableTarget(name: "frames-to-png", dependencies: ["MediaCapture"], path: "Examples/FramesToPNG"),
        // Benchmarks: a separate command (scripts/bench.sh), never a timed test.
        .executableTarget(name: "benchmarks", dependencies: ["MediaCapture", "MediaPublishing", "GStreamerWrapper"]),
        // The soak run: scripts/soak.sh, never part of the tests.
        .executableTarget(name: "soak", dependencies: ["MediaCapture"]),
        .target(name: "TestSupport", dependencies: ["Locking"], path: "Tests/TestSupport"),
        .target(name: "CTestSupport", path: "Tests/CTestSupport"),
        .testTarget(name: "GStreamerWrapperTests", dependencies: ["GStreamerWrapper", "Locking", "TestSupport", "CTestSupport"]),
        .testTarget(name: "V4L2Tests", dependencies: ["V4L2", "Locking", "TestSupport"]),
        .testTarget(
            name: "MediaCaptureTests",
            dependencies: [
                "MediaCapture", "GStreamerWrapper", "V4L2", "PipeWire", "Locking", "TestSupport", "CTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "MediaPublishingTests", dependencies: ["MediaPublishing", "MediaCapture", "GStreamerWrapper", "Locking", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

// DocC's `swift package generate-documentation` (scripts/check-docs.sh sets MEDIA_CAPTURE_DOCC; the
// Swift Package Index sets SPI_GENERATE_DOCS). A build-time plugin only, so an application that
// depends on the library never resolves it.
if Context.environment["MEDIA_CAPTURE_DOCC"] != nil || Context.environment["SPI_GENERATE_DOCS"] != nil {
    package.dependencies.append(.package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"))
}
