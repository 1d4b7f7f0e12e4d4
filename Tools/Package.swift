// swift-tools-version:6.0
// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// The command-line tool and the demo server: a package of their own, so that an application that
// depends on the library (the repository's root package) resolves and builds none of their
// dependencies (ArgumentParser, Hummingbird and SwiftNIO).
import PackageDescription

let package = Package(
    name: "swift-media-capture-tools",
    products: [
        .executable(name: "imagecapture", targets: ["imagecapture"])
    ],
    dependencies: [
        // The library, from this repository.
        .package(name: "swift-media-capture", path: ".."),
        // The tool's command line (its subcommands, help and usage errors).
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The tool's --verbose log.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // The demo server's HTTP.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // The "Grab Frame - Take Photo" page and its JSON API, served by `imagecapture serve`.
        .target(
            name: "DemoServer",
            dependencies: [
                .product(name: "MediaCapture", package: "swift-media-capture"),
                .product(name: "MediaPublishing", package: "swift-media-capture"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]),
        .executableTarget(
            name: "imagecapture",
            dependencies: [
                "DemoServer",
                .product(name: "MediaCapture", package: "swift-media-capture"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
