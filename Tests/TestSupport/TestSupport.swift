/// Helpers shared by the test targets: bounded waits and reading the repository's files.
import Glibc
import Locking

/// Runs `operation`, failing when it takes longer than `seconds`: every await in the tests is bounded.
///
/// The operation runs in an unstructured task raced against a timer, and the first to finish settles
/// the wait: past the deadline the test goes on (and fails) even if the operation ignores
/// cancellation. A task group would wait for it.
public func within<T: Sendable>(
    _ seconds: Double, _ what: String = "operation", _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let race = Race<T>()
    let result: Result<T, any Error> = await withCheckedContinuation { continuation in
        race.start(continuation)
        let work = Task { race.settle(await Result { try await operation() }) }
        let timer = Task {
            try? await Task.sleep(for: .seconds(seconds))
            if !Task.isCancelled { race.settle(.failure(TimedOut(what: what, seconds: seconds))) }
        }
        race.onSettled { work.cancel(); timer.cancel() }
    }
    return try result.get()
}

/// A continuation resumed by whichever of its racers settles first.
private final class Race<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Result<T, any Error>, Never>?
        var early: Result<T, any Error>?
        var cleanUp: (@Sendable () -> Void)?
        var settled = false
    }

    private let state = Locked(State())

    func start(_ continuation: CheckedContinuation<Result<T, any Error>, Never>) {
        state.withLock { $0.continuation = continuation }
    }

    func onSettled(_ cleanUp: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> Bool in
            guard !state.settled else { return true }
            state.cleanUp = cleanUp
            return false
        }
        if now { cleanUp() }
    }

    func settle(_ result: Result<T, any Error>) {
        let (continuation, cleanUp) = state.withLock { state -> (CheckedContinuation<Result<T, any Error>, Never>?, (@Sendable () -> Void)?) in
            guard !state.settled else { return (nil, nil) }
            state.settled = true
            defer {
                state.continuation = nil
                state.cleanUp = nil
            }
            return (state.continuation, state.cleanUp)
        }
        cleanUp?()
        continuation?.resume(returning: result)
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

public struct TimedOut: Error, CustomStringConvertible {
    public let what: String
    public let seconds: Double
    public init(what: String, seconds: Double) {
        self.what = what
        self.seconds = seconds
    }
    public var description: String { "\(what) did not finish within \(seconds) s" }
}

/// The repository's root, from this file's path.
public let repositoryRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)  // Tests/TestSupport/TestSupport.swift
    return parts.joined(separator: "/")
}()

public func readFile(_ path: String) -> String? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count <= 0 { break }
        bytes += buffer[0..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
}

public func listDirectory(_ path: String) -> [String] {
    guard let directory = opendir(path) else { return [] }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if !name.hasPrefix(".") { names.append(name) }
    }
    return names.sorted()
}
