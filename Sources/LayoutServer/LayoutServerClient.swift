import Foundation
import Hummingbird
import HummingbirdWSClient
import Imaging
import LayoutReader
import Logging

/// The capture side of the layout protocol: a ``LayoutInferring`` back end that sends each
/// update to a layout server and waits for its answer. It connects in the background and keeps
/// reconnecting with exponential backoff; while the server is unreachable ``read(_:)`` throws
/// ``LiveInferenceError/serverUnavailable(_:)`` at once, so the live reader keeps stitching and
/// says so. Garbage from the server is ``LiveInferenceError/badReply(_:)``.
public final class LayoutServerClient: LayoutInferring, @unchecked Sendable {
    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        public var token: String?
        /// Send maps as PNG (smaller across machines, slower to encode) instead of raw RGB.
        public var png = false
        /// How long an update may wait for its answer.
        public var timeout: Double = 30
        /// First and largest wait between connection attempts (seconds); it doubles.
        public var initialBackoff: Double = 0.25, maxBackoff: Double = 8
        /// How long a connection attempt may take until the server's greeting.
        public var connectTimeout: Double = 5
        /// Frames of at most this many bytes (the server's limit is 1 MiB by default).
        public var maxFrameBytes = 1 << 20
        public init(host: String, port: Int, token: String? = nil) {
            self.host = host
            self.port = port
            self.token = token
        }
    }

    /// The connection's state.
    public enum Status: Sendable, Equatable {
        case connecting
        case connected
        /// Down; the next attempt is `retryIn` seconds after the failure.
        case unavailable(String, retryIn: Double)
    }

    final class Job: @unchecked Sendable {
        let id: UInt64
        let bytes: [UInt8]
        let done = DispatchSemaphore(value: 0)
        private let lock = NSLock()
        private var result: Result<LayoutReadout, Error>?
        init(id: UInt64, bytes: [UInt8]) {
            self.id = id
            self.bytes = bytes
        }
        func finish(_ r: Result<LayoutReadout, Error>) {
            let first = lock.withLock { () -> Bool in
                guard result == nil else { return false }
                result = r
                return true
            }
            if first { done.signal() }
        }
        var outcome: Result<LayoutReadout, Error>? { lock.withLock { result } }
    }

    public let settings: Settings
    private let lock = NSLock()
    private var statusValue: Status = .connecting
    private var names: [String] = []
    private var stopped = false
    private var nextID: UInt64 = 0
    private let slot = AsyncSlot<Job>()
    private var task: Task<Void, Never>?
    /// Connections made so far (the first one included).
    public private(set) var connections = 0

    /// Starts connecting in the background.
    public init(settings: Settings) {
        self.settings = settings
        task = Task.detached { [weak self] in await self?.runLoop() }
    }

    deinit { close() }

    /// The address, "HOST:PORT".
    public var address: String { "\(settings.host):\(settings.port)" }
    public var status: Status { lock.withLock { statusValue } }
    public var classNames: [String] { lock.withLock { names } }

    /// Waits up to `timeout` seconds until connected; returns whether it is.
    @discardableResult
    public func waitUntilConnected(timeout: Double) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if status == .connected { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return status == .connected
    }

    /// Stops reconnecting and closes the connection.
    public func close() {
        let t = lock.withLock { () -> Task<Void, Never>? in
            stopped = true
            return task
        }
        slot.close()?.finish(.failure(LiveInferenceError.serverUnavailable("the client was closed")))
        t?.cancel()
    }

    public func reset() {}

    public func read(_ update: MapUpdate) throws -> LayoutReadout {
        let st = status
        guard st == .connected else {
            switch st {
            case .unavailable(let why, let retry):
                throw LiveInferenceError.serverUnavailable(
                    "\(address): \(why); retrying every \(String(format: "%.1f", retry)) s")
            default: throw LiveInferenceError.serverUnavailable("\(address): connecting")
            }
        }
        let id = lock.withLock { () -> UInt64 in
            nextID += 1
            return nextID
        }
        let job = Job(id: id, bytes: try LayoutProtocol.encode(update, id: id, png: settings.png))
        slot.put(job)?.finish(.failure(LiveInferenceError.serverError(code: "superseded", message: "a newer update")))
        if job.done.wait(timeout: .now() + settings.timeout) == .timedOut {
            job.finish(
                .failure(LiveInferenceError.serverUnavailable("\(address): no answer in \(Int(settings.timeout)) s")))
        }
        switch job.outcome {
        case .success(let r)?: return r
        case .failure(let e)?: throw e
        case nil: throw LiveInferenceError.serverUnavailable("\(address): no answer")
        }
    }

    private func setStatus(_ s: Status) { lock.withLock { statusValue = s } }
    private var isStopped: Bool { lock.withLock { stopped } }

    private func runLoop() async {
        var logger = Logger(label: "pixelpilot.layout-client")
        logger.logLevel = .critical
        var delay = settings.initialBackoff
        let url =
            "ws://\(settings.host.contains(":") ? "[\(settings.host)]" : settings.host):\(settings.port)\(LayoutProtocol.path)"
        var headers = HTTPFields()
        if let token = settings.token, !token.isEmpty { headers[.authorization] = "Bearer \(token)" }
        let config = WebSocketClientConfiguration(maxFrameSize: settings.maxFrameBytes, additionalHeaders: headers)
        while !isStopped {
            // After a failure the status keeps saying why until a connection is up again.
            if case .unavailable = status {} else { setStatus(.connecting) }
            let before = lock.withLock { connections }
            let reason = ReasonBox()
            let ended = AsyncSlot<Bool>()
            let attempt = Task { [self] in
                await connectOnce(url: url, config: config, logger: logger, reason: reason)
                ended.put(true)
            }
            let timeout = settings.connectTimeout
            let watchdog = Task { [self] in
                try? await Task.sleep(nanoseconds: UInt64(timeout * 1e9))
                if lock.withLock({ connections }) == before {
                    reason.set("no greeting from the server in \(timeout) s (not a layout server?)")
                    ended.put(false)
                }
            }
            let finished = await ended.take() ?? false
            watchdog.cancel()
            if !finished { attempt.cancel() }
            if isStopped { break }
            if lock.withLock({ connections }) > before { delay = settings.initialBackoff }
            let why = reason.value ?? "connection failed"
            setStatus(.unavailable(why, retryIn: delay))
            try? await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            delay = min(delay * 2, settings.maxBackoff)
        }
        setStatus(.unavailable("closed", retryIn: 0))
    }

    /// One connection, until it ends; why it ended goes to `reason`.
    private func connectOnce(
        url: String, config: WebSocketClientConfiguration, logger: Logger, reason: ReasonBox
    ) async {
        do {
            try await WebSocketClient.connect(url: url, configuration: config, logger: logger) {
                inbound, outbound, _ in
                var messages = inbound.messages(maxSize: 1 << 24).makeAsyncIterator()
                guard let first = try await messages.next(), case .text(let text) = first else {
                    reason.set("the server did not greet (not a layout server?)")
                    return
                }
                let hello: LayoutProtocol.Reply
                do { hello = try LayoutProtocol.Reply.parse(text) } catch {
                    reason.set("\(error)")
                    return
                }
                guard hello.type == .hello, hello.protocolVersion == LayoutProtocol.version else {
                    reason.set(
                        "the server speaks protocol \(hello.protocolVersion) ('\(hello.type.rawValue)'), this client \(LayoutProtocol.version)"
                    )
                    return
                }
                self.lock.withLock {
                    self.names = hello.classNames ?? []
                    self.connections += 1
                }
                self.setStatus(.connected)
                while let job = await self.slot.take() {
                    do {
                        try await outbound.writeBinaryMessage(ByteBuffer(bytes: job.bytes))
                    } catch {
                        reason.set("sending failed: \(error)")
                        job.finish(.failure(LiveInferenceError.serverUnavailable("\(self.address): \(error)")))
                        return
                    }
                    while true {
                        let next: WebSocketMessage?
                        do { next = try await messages.next() } catch {
                            next = nil
                        }
                        guard let message = next else {
                            reason.set("the server went away")
                            job.finish(
                                .failure(LiveInferenceError.serverUnavailable("\(self.address): the server went away")))
                            return
                        }
                        guard case .text(let t) = message else {
                            job.finish(.failure(LiveInferenceError.badReply("a binary message")))
                            break
                        }
                        let reply: LayoutProtocol.Reply
                        do { reply = try LayoutProtocol.Reply.parse(t) } catch {
                            job.finish(.failure(error))
                            break
                        }
                        guard reply.id == job.id || (reply.type == .error && reply.id == nil) else { continue }
                        job.finish(Result { try self.readout(reply) })
                        break
                    }
                }
            }
            if reason.value == nil { reason.set("the server closed the connection") }
        } catch {
            reason.set("\(error)")
        }
    }

    private func readout(_ r: LayoutProtocol.Reply) throws -> LayoutReadout {
        switch r.type {
        case .noMapFeatures: return .noMapFeatures
        case .prediction:
            guard let p = r.probabilities, !p.isEmpty, p.allSatisfy({ $0.isFinite && $0 >= 0 }),
                abs(p.reduce(0, +) - 1) < 0.01
            else {
                throw LiveInferenceError.badReply("a prediction without probabilities that sum to 1")
            }
            if let n = r.classNames, !n.isEmpty {
                guard n.count == p.count else {
                    throw LiveInferenceError.badReply("\(p.count) probabilities for \(n.count) classes")
                }
                lock.withLock { names = n }
            }
            return .prediction(
                LayoutPrediction(probabilities: p, tokenCount: r.tokenCount ?? 0), linePixels: r.linePixels ?? 0)
        case .error:
            throw LiveInferenceError.serverError(code: r.code?.rawValue ?? "unknown", message: r.message ?? "")
        case .superseded:
            throw LiveInferenceError.serverError(code: "superseded", message: "a newer update replaced it")
        case .hello:
            throw LiveInferenceError.badReply("a second hello instead of an answer")
        }
    }
}

/// Why the last connection ended (set from the handler).
final class ReasonBox: @unchecked Sendable {
    private let lock = NSLock()
    private var v: String?
    func set(_ s: String) { lock.withLock { if v == nil { v = s } } }
    var value: String? { lock.withLock { v } }
}
