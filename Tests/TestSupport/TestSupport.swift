// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
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
        race.onSettled {
            work.cancel(); timer.cancel()
        }
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

/// What a child process did: its exit status (128 + the signal when a signal ended it), and its output.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: [UInt8]
    public var stderr: String
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
}

extension ProcessResult {
    /// Markers of a process's fatal end: glibc's heap checks, Swift's runtime and crash handler,
    /// the sanitizers, GLib's criticals, the C++ runtime.
    public static let fatalMarkers = [
        "corrupted", "double free", "free(): ", "malloc(): ", "realloc(): ", "munmap_chunk", "malloc_consolidate",
        "Fatal error", "Program crashed", "crashed:", "*** Signal", "Sanitizer", "CRITICAL", "terminate called", "Assertion",
    ]

    /// A failed child's story for a test's message: how it ended, each fatal line with the lines
    /// around it (the crash's header and its crashing thread follow the marker), then the output's
    /// last lines. A tail alone loses the cause behind thousands of lines of backtrace.
    public var report: String {
        let lines = (stdoutText + stderr).split(separator: "\n", omittingEmptySubsequences: false)
        let ending = status > 128 ? "killed by signal \(status - 128)" : "exit status \(status)"
        var shown = Set<Int>()
        // The first few: a child that prints hundreds of criticals must not bury the test's message.
        let fatal = lines.indices.lazy.filter { index in Self.fatalMarkers.contains { lines[index].contains($0) } }
        for index in fatal.prefix(6) {
            shown.formUnion(max(0, index - 3)..<min(lines.count, index + 25))
        }
        var text = "the child ended with \(ending)"
        if !shown.isEmpty {
            text += "; its fatal lines:\n"
            var last = -1
            for index in shown.sorted() {
                if last >= 0 && index != last + 1 { text += "...\n" }
                text += lines[index] + "\n"
                last = index
            }
        }
        return text + "\n--- its last lines ---\n" + lines.suffix(40).joined(separator: "\n")
    }
}

/// Whether this process runs under AddressSanitizer or ThreadSanitizer.
public let sanitized = ThreadSanitizer.isActive || dlsym(nil, "__asan_init") != nil

/// A child's environment with `preload` preloaded and, outside the sanitizers (whose allocator must
/// come first), glibc's heap checks: `MALLOC_CHECK_=3` with glibc's debug allocator preloaded (since
/// glibc 2.34 the variable does nothing without it) and freed memory overwritten (`MALLOC_PERTURB_`),
/// so that a corrupted heap aborts close to its cause.
public func childEnvironment(preload: [String] = []) -> [String] {
    // What this process preloads stays preloaded (the child's last LD_PRELOAD entry is the one ld.so reads).
    let inherited = getenv("LD_PRELOAD").map { String(cString: $0).split(separator: " ").map(String.init) } ?? []
    let preload = inherited + preload
    guard !sanitized else { return preload.isEmpty ? [] : ["LD_PRELOAD=" + preload.joined(separator: " ")] }
    // glibc's debug allocator sits beside libc itself, whatever the architecture's folder.
    let libc = readFile("/proc/self/maps")?.split(separator: "\n").lazy
        .compactMap { line in line.split(separator: " ").last.map(String.init) }.first { $0.hasSuffix("/libc.so.6") }
    let debugAllocator = (libc.map { String($0[..<($0.lastIndex(of: "/") ?? $0.endIndex)]) } ?? "/lib") + "/libc_malloc_debug.so.0"
    let libraries = preload + (access(debugAllocator, R_OK) == 0 ? [debugAllocator] : [])
    return ["MALLOC_CHECK_=3", "MALLOC_PERTURB_=165"] + (libraries.isEmpty ? [] : ["LD_PRELOAD=" + libraries.joined(separator: " ")])
}

/// Runs this test binary again with only `test` (a test skipped elsewhere: `environment` names it),
/// killing it after `seconds`. Children see the parent's environment plus `environment`.
public func runTestChild(_ test: String, environment: [String], seconds: Double) async throws -> ProcessResult {
    try await runProcess(
        CommandLine.arguments[0], ["--testing-library", "swift-testing", "--filter", test], environment: environment,
        seconds: seconds)
}

/// Runs `executable` with `arguments` (stdin from /dev/null, stdout and stderr captured), killing it
/// after `seconds`; `environment` entries are added to this process's. `whileRunning` gets the pid
/// (to send it a signal) and runs while the child does.
public func runProcess(
    _ executable: String, _ arguments: [String], environment: [String] = [], seconds: Double = 60,
    whileRunning: (@Sendable (pid_t) async -> Void)? = nil
) async throws -> ProcessResult {
    let base = "/tmp/media-capture-process-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
    let outPath = base + ".out", errPath = base + ".err"
    defer { unlink(outPath); unlink(errPath) }
    let pid = try spawnProcess(
        executable, arguments, environment: environment, stdout: outPath, stderr: errPath)
    let child = pid
    let watcher = whileRunning.map { body in Task { await body(child) } }
    defer { watcher?.cancel() }
    let deadline = ContinuousClock.now + .seconds(seconds)
    var status: Int32 = 0
    while waitpid(pid, &status, WNOHANG) == 0 {
        if ContinuousClock.now > deadline {
            kill(pid, SIGKILL)
            _ = waitpid(pid, &status, 0)
            throw TimedOut(what: "\(executable) \(arguments.joined(separator: " "))", seconds: seconds)
        }
        try await Task.sleep(for: .milliseconds(20))
    }
    let exited = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return ProcessResult(
        status: exited, stdout: readBytes(outPath) ?? [], stderr: readFile(errPath) ?? "")
}

/// Starts `executable` with `arguments` and returns at once: stdin from /dev/null, stdout and stderr
/// to the given files (nil: /dev/null), `environment` entries added to this process's. The child
/// starts with no signal blocked and every signal at its default: Swift's threads block most
/// signals, and a child would inherit that mask (a SIGTERM would then never end it). With
/// `newProcessGroup`, the child leads a process group of its own: `kill(-pid, ...)` ends everything it started.
public func spawnProcess(
    _ executable: String, _ arguments: [String], environment: [String] = [], stdout: String? = nil, stderr: String? = nil,
    newProcessGroup: Bool = false
) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, stderr ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t(), all = sigset_t()
    sigemptyset(&none)
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setpgroup(&attributes, 0)
    posix_spawnattr_setflags(
        &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (newProcessGroup ? POSIX_SPAWN_SETPGROUP : 0)))
    var inherited: [String] = []
    var entry = environ
    while let pointer = entry.pointee {
        inherited.append(String(cString: pointer))
        entry += 1
    }
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = (inherited + environment).map { strdup($0) } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var pid: pid_t = 0
    let spawned =
        executable.contains("/")
        ? posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        : posix_spawnp(&pid, executable, &actions, &attributes, argv, envp)
    guard spawned == 0 else { throw TimedOut(what: "posix_spawn \(executable) (error \(spawned))", seconds: 0) }
    return pid
}

/// Starts `executable` as ``spawnProcess(_:_:environment:stdout:stderr:newProcessGroup:)`` does, as
/// the leader of a process group of its own that ends with this process: a watchdog shell beside it
/// kills the group once this process is gone (a test process that crashes runs no `defer`, and a
/// helper it started would live on). End it with ``killGroup(_:_:)``.
public func spawnTiedProcess(
    _ executable: String, _ arguments: [String], environment: [String] = [], stdout: String? = nil, stderr: String? = nil
) throws -> pid_t {
    let pid = try spawnProcess(executable, arguments, environment: environment, stdout: stdout, stderr: stderr, newProcessGroup: true)
    let watchdog = #"while kill -0 "$1" 2>/dev/null && kill -0 -- "-$2" 2>/dev/null; do sleep 0.2; done; kill -9 -- "-$2" 2>/dev/null"#
    if let guardian = try? spawnProcess("/bin/bash", ["-c", watchdog, "watchdog", String(getpid()), String(pid)]) {
        watchdogs.withLock { $0[pid] = guardian }
    }
    return pid
}

/// The watchdog of each tied process group, by its leader.
private let watchdogs = Locked<[pid_t: pid_t]>([:])

/// Sends `signal` to a process group that ``spawnTiedProcess(_:_:environment:stdout:stderr:)``
/// started, reaps its leader (the command itself: once this returns, it holds nothing), and ends its watchdog.
public func killGroup(_ pid: pid_t, _ signal: Int32 = SIGKILL) {
    guard pid > 0 else { return }  // kill(-0, ...) would end this process's own group
    kill(-pid, signal)
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    if let guardian = watchdogs.withLock({ $0.removeValue(forKey: pid) }) {
        kill(guardian, SIGKILL)
        waitpid(guardian, &status, 0)
    }
}

/// The bytes of a file, or nil when it cannot be read.
public func readBytes(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while case let count = fread(&buffer, 1, buffer.count, file), count > 0 { bytes += buffer[0..<count] }
    return bytes
}
