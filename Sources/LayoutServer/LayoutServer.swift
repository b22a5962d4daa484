import Foundation
import Hummingbird
import HummingbirdWebSocket
import Imaging
import LayoutReader
import Logging

/// The layout server (`pixelpilot layout serve`): clients send stitched maps over a WebSocket
/// (``LayoutProtocol``), the server reads each with its own ``LayoutInferring`` (one per client,
/// so incremental extractors never mix streams) on one shared inference queue, and answers with
/// the probabilities. Newest update wins per client: an update that arrives while the client's
/// previous one waits replaces it (the replaced one is answered `superseded`). A malformed,
/// oversized or wrong-version message is answered with an error and the connection goes on.
public final class LayoutServer: Sendable {
    /// Where and how to serve.
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        public var port = 50000
        /// Needed (and checked) unless the host is loopback.
        public var token: String?
        public var maxMessageBytes = LayoutProtocol.defaultMaxMessageBytes
        /// Largest single WebSocket frame; larger frames close the connection (clients split
        /// messages into frames of at most this size).
        public var maxFrameBytes = 1 << 20
        public init() {}
    }

    /// What the server reports (the CLI prints it).
    public enum Event: Sendable {
        case started(port: Int)
        case connected(client: Int)
        case answered(client: Int, id: UInt64, readout: LayoutReadout, milliseconds: Double)
        case refused(client: Int, code: LayoutProtocol.ErrorCode, message: String)
        case superseded(client: Int, id: UInt64)
        case disconnected(client: Int)
        case unauthorized
    }

    public let configuration: Configuration
    let makeInference: @Sendable () throws -> LayoutInferring
    let name: String
    let onEvent: @Sendable (Event) -> Void
    let counter = Counter()
    let queue = DispatchQueue(label: "pixelpilot.layout-server.inference")

    /// `makeInference` makes the back end of one client (called once per connection).
    public init(
        configuration: Configuration, name: String = "pixelpilot",
        onEvent: @escaping @Sendable (Event) -> Void = { _ in },
        makeInference: @escaping @Sendable () throws -> LayoutInferring
    ) throws {
        if !LayoutServerError.isLoopback(configuration.host) && (configuration.token ?? "").isEmpty {
            throw LayoutServerError.tokenRequired(host: configuration.host)
        }
        self.configuration = configuration
        self.makeInference = makeInference
        self.name = name
        self.onEvent = onEvent
    }

    /// Serves until the task is cancelled (or, with `handleSignals`, until SIGINT/SIGTERM).
    public func run(handleSignals: Bool = false) async throws {
        var logger = Logger(label: "pixelpilot.layout-server")
        logger.logLevel = .critical
        let router = Router()
        let cfg = configuration
        router.get("/v1/health") { _, _ -> Response in
            var hello = LayoutProtocol.Reply(type: .hello)
            hello.server = self.name
            hello.maxMessageBytes = cfg.maxMessageBytes
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: hello.json())))
        }
        router.get(RouterPath(LayoutProtocol.path)) { _, _ -> Response in
            self.onEvent(.unauthorized)
            let text = LayoutProtocol.Reply.error(
                .malformed,
                "this is a WebSocket endpoint: connect with an upgrade"
                    + (cfg.token == nil ? "" : " and the server's token (Authorization: Bearer TOKEN or ?token=)")
            ).json()
            return Response(status: .unauthorized, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        let ws = Router(context: BasicWebSocketRequestContext.self)
        ws.ws(
            RouterPath(LayoutProtocol.path),
            shouldUpgrade: { request, _ in
                guard let token = cfg.token, !token.isEmpty else { return .upgrade([:]) }
                let header = request.headers[.authorization]
                let query = request.uri.queryParameters.get("token")
                return header == "Bearer \(token)" || query == token ? .upgrade([:]) : .dontUpgrade
            },
            onUpgrade: { inbound, outbound, _ in
                await self.serve(inbound: inbound, outbound: outbound)
            })
        let app = Application(
            router: router,
            server: .http1WebSocketUpgrade(
                webSocketRouter: ws,
                configuration: .init(ws: .init(maxFrameSize: cfg.maxFrameBytes, autoPing: .disabled))),
            configuration: .init(address: .hostname(cfg.host, port: cfg.port), serverName: "pixelpilot-layout"),
            onServerRunning: { channel in self.onEvent(.started(port: channel.localAddress?.port ?? cfg.port)) },
            logger: logger)
        if handleSignals { try await app.runService() } else { try await app.run() }
    }

    /// One client: a reader of messages and a worker that answers the newest update.
    private func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        let client = counter.next()
        onEvent(.connected(client: client))
        defer { onEvent(.disconnected(client: client)) }
        let inference: LayoutInferring
        do {
            inference = try makeInference()
        } catch {
            try? await outbound.write(.text(LayoutProtocol.Reply.error(.inferenceFailed, "\(error)").json()))
            return
        }
        var hello = LayoutProtocol.Reply(type: .hello)
        hello.server = name
        hello.classNames = inference.classNames
        hello.maxMessageBytes = configuration.maxMessageBytes
        if let local = inference as? LocalLayoutInference { hello.extractor = local.extractor.name }
        try? await outbound.write(.text(hello.json()))
        let slot = AsyncSlot<(LayoutProtocol.UpdateHeader, Image)>()
        let box = InferenceBox(inference)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while let (header, image) = await slot.take() {
                    let reply = await self.answer(header: header, image: image, box: box, client: client)
                    try? await outbound.write(.text(reply.json()))
                }
            }
            await readMessages(inbound: inbound, outbound: outbound, client: client, slot: slot)
            slot.close()
            await group.waitForAll()
        }
    }

    private func readMessages(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, client: Int,
        slot: AsyncSlot<(LayoutProtocol.UpdateHeader, Image)>
    ) async {
        let limit = configuration.maxMessageBytes
        var buffer: [UInt8] = []
        var kind: WebSocketDataFrame.Opcode?
        var size = 0
        var dropping = false
        func refuse(_ code: LayoutProtocol.ErrorCode, _ message: String, id: UInt64? = nil) async {
            onEvent(.refused(client: client, code: code, message: message))
            try? await outbound.write(.text(LayoutProtocol.Reply.error(code, message, id: id).json()))
        }
        do {
            for try await frame in inbound {
                if frame.opcode != .continuation {
                    kind = frame.opcode
                    buffer.removeAll(keepingCapacity: true)
                    size = 0
                    dropping = false
                } else if kind == nil {
                    await refuse(.malformed, "a continuation frame without a message")
                    continue
                }
                size += frame.data.readableBytes
                if !dropping {
                    if size > limit {
                        dropping = true
                        buffer = []
                        await refuse(
                            .tooLarge,
                            "the message is larger than this server's limit of \(limit) bytes; it was dropped")
                    } else {
                        buffer += frame.data.readableBytesView
                    }
                }
                guard frame.fin else { continue }
                defer { kind = nil }
                if dropping { continue }
                if kind == .text {
                    let text = String(decoding: buffer, as: UTF8.self)
                    if text.contains("\"bye\"") { return }
                    await refuse(
                        .unknownType,
                        "text messages are not updates (send updates as binary messages): '\(text.prefix(60))'")
                    continue
                }
                do {
                    let (header, image) = try LayoutProtocol.decode(buffer)
                    if let old = slot.put((header, image)) {
                        onEvent(.superseded(client: client, id: old.0.id))
                        var r = LayoutProtocol.Reply(type: .superseded, id: old.0.id)
                        r.by = header.id
                        try? await outbound.write(.text(r.json()))
                    }
                } catch let e as LayoutProtocol.DecodeError {
                    await refuse(e.code, e.message, id: e.id)
                } catch {
                    await refuse(.malformed, "\(error)")
                }
            }
        } catch {
            // The connection failed; the worker finishes and the client is gone.
        }
    }

    private func answer(
        header: LayoutProtocol.UpdateHeader, image: Image, box: InferenceBox, client: Int
    ) async
        -> LayoutProtocol.Reply
    {
        let update = MapUpdate(
            sequence: Int(truncatingIfNeeded: header.id), map: image,
            origin: GridPoint(x: header.originX, y: header.originY), scale: header.scale)
        let start = DispatchTime.now().uptimeNanoseconds
        let result: Result<LayoutReadout, Error> = await withCheckedContinuation { c in
            queue.async { c.resume(returning: Result { try box.inference.read(update) }) }
        }
        let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        switch result {
        case .success(let readout):
            onEvent(.answered(client: client, id: header.id, readout: readout, milliseconds: ms))
            switch readout {
            case .noMapFeatures:
                var r = LayoutProtocol.Reply(type: .noMapFeatures, id: header.id)
                r.milliseconds = ms
                return r
            case .prediction(let p, let lines):
                var r = LayoutProtocol.Reply(type: .prediction, id: header.id)
                r.probabilities = p.probabilities
                r.best = p.best
                r.tokenCount = p.tokenCount
                r.linePixels = lines
                r.milliseconds = ms
                r.classNames = box.inference.classNames
                return r
            }
        case .failure(let error):
            onEvent(.refused(client: client, code: .inferenceFailed, message: "\(error)"))
            return .error(.inferenceFailed, "\(error)", id: header.id)
        }
    }
}

/// Hands a client's back end to the inference queue (used there only, one call at a time).
final class InferenceBox: @unchecked Sendable {
    let inference: LayoutInferring
    init(_ i: LayoutInferring) { inference = i }
}

/// Client numbers.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func next() -> Int {
        lock.withLock {
            n += 1
            return n
        }
    }
}
