import ArgumentParser
import Foundation
import LayoutReader
import LayoutServer

struct LayoutServe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve layout predictions over a WebSocket (the original layout reader's inference server).",
        discussion: """
            Clients (`pixelpilot layout live --server HOST:PORT`) send stitched maps; the server \
            runs line extraction, the cleanup, the tokens and the ViT, and answers with the \
            probabilities of every layout. Protocol (versioned, documented in \
            docs/layout-protocol.md): ws://HOST:PORT/v1/layout, binary updates, JSON answers; \
            GET /v1/health says what is served. Several clients at once, each with its own \
            extractor state; newest update wins per client. A malformed, oversized or \
            wrong-version message gets an error reply and everyone else is served on.

            It binds to loopback (127.0.0.1) unless --listen names another address, which needs \
            a token (--token or $PIXELPILOT_LAYOUT_TOKEN); clients send the same token. Across \
            machines (the original layout reader captured on Windows and ran the models in WSL2): run \
            `pixelpilot layout serve --listen 0.0.0.0:50000 --token SECRET` on the machine with \
            the models and `pixelpilot layout live --server THAT-HOST:50000 --token SECRET

            --png` on the game's machine.

            Ctrl+C or SIGTERM stops it.
            """)

    @OptionGroup var models: LayoutModelOptions
    @Option(help: "Address to listen on, HOST:PORT.") var listen = "127.0.0.1:50000"
    @Option(help: "Token clients must give (default: $PIXELPILOT_LAYOUT_TOKEN); needed off loopback.")
    var token: String?
    @Option(parsing: .unconditional, help: "Largest update accepted, in MiB.") var maxMessageMb = 48
    @Option(parsing: .unconditional, help: "Stop after this many seconds.") var seconds: Double?
    @Flag(help: "Print one line per answer.") var verbose = false

    func validate() throws {
        _ = try LayoutServerError.parseAddress(listen)
        guard (1...1024).contains(maxMessageMb) else { throw ValidationError("--max-message-mb must be 1...1024") }
    }

    func run() throws {
        let (host, port) = try LayoutServerError.parseAddress(listen)
        var config = LayoutServer.Configuration()
        config.host = host
        config.port = port
        config.token = token ?? ProcessInfo.processInfo.environment["PIXELPILOT_LAYOUT_TOKEN"]
        config.maxMessageBytes = maxMessageMb << 20
        if !LayoutServerError.isLoopback(host) && (config.token ?? "").isEmpty {
            throw LayoutServerError.tokenRequired(host: host)
        }
        // Load once here so a bad model file fails before anything listens.
        let first = try models.makeInference()
        let pool = InferencePool(first: first, make: models.makeInference)
        let verbose = self.verbose
        let tokenNote = config.token == nil ? "" : ", token required"
        let server = try LayoutServer(configuration: config, name: "pixelpilot 0.1.0") { event in
            if let line = Self.line(for: event, host: host, first: first, verbose: verbose, tokenNote: tokenNote) {
                print(line)
                fflush(stdout)
            }
        } makeInference: {
            try pool.next()
        }
        let done = DispatchSemaphore(value: 0)
        let failure = ErrorBox()
        let task = Task {
            do { try await server.run(handleSignals: true) } catch { failure.error = error }
            done.signal()
        }
        if let seconds {
            if done.wait(timeout: .now() + seconds) == .timedOut {
                task.cancel()
                done.wait()
            }
        } else {
            done.wait()
        }
        if let e = failure.error { throw CLIError("the layout server stopped: \(e)") }
    }
}

/// Hands the pre-loaded pipeline to the first client and loads a fresh one for each later one.
final class InferencePool: @unchecked Sendable {
    private let lock = NSLock()
    private var first: LocalLayoutInference?
    private let make: () throws -> LocalLayoutInference
    init(first: LocalLayoutInference, make: @escaping () throws -> LocalLayoutInference) {
        self.first = first
        self.make = make
    }
    func next() throws -> LayoutInferring {
        if let f = lock.withLock({ () -> LocalLayoutInference? in
            defer { first = nil }
            return first
        }) {
            return f
        }
        return try make()
    }
}

final class ErrorBox: @unchecked Sendable { var error: Error? }

extension LocalLayoutInference {
    /// The name of class `i` ("?" when out of range).
    func name(_ i: Int) -> String { classNames.indices.contains(i) ? classNames[i] : "?" }

}

extension LayoutServe {
    /// The line printed for a server event (nil: nothing to print; answers only with --verbose).
    static func line(
        for event: LayoutServer.Event, host: String, first: LocalLayoutInference, verbose: Bool, tokenNote: String
    ) -> String? {
        switch event {
        case .started(let p):
            return
                "Serving layouts on ws://\(host):\(p)\(LayoutProtocol.path) (protocol \(LayoutProtocol.version), \(first.classNames.count) classes, extractor \(first.extractor.name))"
                + tokenNote
        case .connected(let c): return "client \(c): connected"
        case .disconnected(let c): return "client \(c): gone"
        case .answered(let c, let id, let readout, let ms):
            guard verbose else { return nil }
            switch readout {
            case .noMapFeatures:
                return String(format: "client %d update %llu: no map features (%.0f ms)", c, id, ms)
            case .prediction(let p, _):
                let best = p.top(1).first
                return String(
                    format: "client %d update %llu: %@ %.1f %% (%.0f ms)", c, id, first.name(best?.index ?? 0),
                    (best?.probability ?? 0) * 100, ms)
            }
        case .refused(let c, let code, let message): return "client \(c): refused (\(code.rawValue)): \(message)"
        case .superseded(let c, let id): return verbose ? "client \(c): update \(id) superseded" : nil
        case .unauthorized: return "a request without a WebSocket upgrade or a valid token was refused"
        }
    }
}
