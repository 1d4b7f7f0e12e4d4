// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "swift-media-capture",
    products: [
        .library(name: "MediaCapture", targets: ["MediaCapture"]),
        .executable(name: "imagecapture", targets: ["imagecapture"]),
    ],
    targets: [
        // The C boundary: GStreamer's headers plus a header-only shim of `static inline` helpers.
        .systemLibrary(
            name: "CGStreamer",
            pkgConfig: "gstreamer-1.0 gstreamer-app-1.0 gstreamer-video-1.0",
            providers: [.apt(["libgstreamer1.0-dev", "libgstreamer-plugins-base1.0-dev"])]
        ),
        // The only Swift code that imports CGStreamer (checked by scripts/check-layers.sh).
        .target(name: "GStreamerWrapper", dependencies: ["CGStreamer"]),
        // The public, W3C-shaped API. No GStreamer type appears in its signatures.
        .target(name: "MediaCapture", dependencies: ["GStreamerWrapper"]),
        .executableTarget(name: "imagecapture", dependencies: ["MediaCapture"]),
        // The README's example, built and run by scripts/check-docs.sh (which keeps the two identical).
        .executableTarget(name: "readme-example", dependencies: ["MediaCapture"]),
        // Benchmarks: a separate command (scripts/bench.sh), never a timed test.
        .executableTarget(name: "benchmarks", dependencies: ["MediaCapture", "GStreamerWrapper"]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "GStreamerWrapperTests", dependencies: ["GStreamerWrapper", "TestSupport"]),
        .testTarget(name: "MediaCaptureTests", dependencies: ["MediaCapture", "GStreamerWrapper", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
