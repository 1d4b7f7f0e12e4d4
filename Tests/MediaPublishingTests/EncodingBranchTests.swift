// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Foundation
@testable import GStreamerWrapper
import Locking
@testable import MediaCapture
import TestSupport
import Testing

/// The camera's live encode (the branch every RTSP client and WebRTC viewer of a codec shares).
@Suite("Live encoding branch", .serialized, .timeLimit(.minutes(1)))
struct EncodingBranchTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test("the running H.264 encode's graph is pipelines/publishing-h264.pipeline, element for element and value for value")
    func branchMatchesPipelineFile() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let pipeline = try #require(track.video?.source.capturer.pipeline)
        let frames = Locked(0)
        let subscription = try track.subscribeEncoded(.h264, frame: { _ in frames.withLock { $0 += 1 } }, ended: { _ in })
        defer { subscription.cancel() }
        #expect(try await RTSPPublisherTests.eventually { frames.withLock { $0 } >= 5 })
        let text = try #require(readFile(Self.repositoryRoot + "/pipelines/publishing-h264.pipeline"))
        let reference = try Pipeline(description: text, name: "reference-publishing")
        let numbered = try Regex("swift-media-capture-encoder-[0-9]+-")
        let built = pipeline.graphSignature.map { $0.replacing(numbered, with: "encoder-") }.sorted()
        #expect(built == reference.graphSignature)
        #expect(built.filter { $0.hasPrefix("encoder-") }.count >= 13, "7 elements and their 6 links, and the tee's")
        let elements = Dictionary(
            pipeline.children.map { ($0.name.replacing(numbered, with: "encoder-"), $0) }, uniquingKeysWith: { first, _ in first })
        for node in try GraphDescription(text).nodes {
            guard let name = node.name, name.hasPrefix("encoder-") else { continue }
            let mine = try #require(elements[name], "\(name) is in the running graph")
            for (key, _) in node.properties where key != "name" {
                #expect(mine.serializedProperty(key) == reference.element(named: name)?.serializedProperty(key), "\(name).\(key)")
            }
        }
    }

    @Test("a second subscriber shares the encode and gets a key frame first; the last one gone, the branch is removed")
    func sharedAndRemoved() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let capturer = try #require(track.video?.source.capturer)
        let first = try track.subscribeEncoded(.vp8, frame: { _ in }, ended: { _ in })
        try await Task.sleep(for: .milliseconds(500))
        let seen = Locked<[Bool]>([])
        let second = try track.subscribeEncoded(.vp8, frame: { frame in seen.withLock { $0.append(frame.isKeyFrame) } }, ended: { _ in })
        #expect(try await RTSPPublisherTests.eventually { seen.withLock { $0.count } >= 3 })
        // Joined mid-stream, 0.5 s after a key frame (one every 60 frames): a key frame within its first frames.
        #expect(seen.withLock { $0.prefix(3).contains(true) }, "\(seen.withLock { $0.prefix(5) })")
        #expect(capturer.liveEncoders.count == 1)
        first.cancel()
        #expect(capturer.liveEncoders.count == 1)
        second.cancel()
        #expect(capturer.liveEncoders.isEmpty)
        let names = { @Sendable in capturer.pipeline.children.map(\.name).filter { $0.hasPrefix(EncodingBranch.namePrefix) } }
        #expect(try await RTSPPublisherTests.eventually { names().isEmpty }, "\(names())")
    }

    @Test("the track's stop ends its subscriptions with nil; a stopped track cannot subscribe")
    func trackStopEnds() async throws {
        let track = try await openVideo()
        let clone = track.clone()
        defer { clone.stop() }
        let ended = Locked<[String?]>([])
        let subscription = try track.subscribeEncoded(.h264, frame: { _ in }, ended: { failure in ended.withLock { $0.append(failure) } })
        track.stop()
        #expect(ended.withLock { $0 } == [nil])
        subscription.cancel()
        let refused = try await domException { _ = try track.subscribeEncoded(.h264, frame: { _ in }, ended: { _ in }) }
        #expect(refused.name == .invalidStateError)
        let capturer = try #require(clone.video?.source.capturer)
        #expect(capturer.liveEncoders.isEmpty)
    }
}
