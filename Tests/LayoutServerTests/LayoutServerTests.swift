import Foundation
import Hummingbird
import HummingbirdWSClient
import Imaging
import LayoutReader
import LayoutServer
import Logging
import XCTest

/// Test-only back end: the class is the map's first red value mod 9 (so each client can check
/// it got its own answer), a black map has no features; each read takes `delay` seconds.
final class RedInference: LayoutInferring, @unchecked Sendable {
    let delay: Double
    init(delay: Double = 0) { self.delay = delay }
    var classNames: [String] { (0..<9).map { "layout\($0)" } }
    func read(_ update: MapUpdate) throws -> LayoutReadout {
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        let red = Int(update.map.pixels[0])
        if update.map.pixels.allSatisfy({ $0 == 0 }) { return .noMapFeatures }
        var p = [Float](repeating: 0.1 / 8, count: 9)
        p[red % 9] = 0.9
        return .prediction(LayoutPrediction(probabilities: p, tokenCount: 3), linePixels: 42)
    }
    func reset() {}
}

final class Box<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var v: T
    init(_ v: T) { self.v = v }
    var value: T { lock.withLock { v } }
    func mutate(_ f: (inout T) -> Void) { lock.withLock { f(&v) } }
}

func mapUpdate(red: UInt8, width: Int = 64, height: Int = 48) -> MapUpdate {
    MapUpdate(
        sequence: 1, map: Image(width: width, height: height, color: [red, 20, 30]), origin: GridPoint(x: 10, y: 12),
        scale: 1)
}

/// A free loopback port (bound and released).
func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) }
    }
    _ = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
    }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// A running server on loopback, stopped by cancelling its task.
final class RunningServer: @unchecked Sendable {
    let task: Task<Void, Error>
    let port: Int
    let events: Box<[LayoutServer.Event]>
    init(port requested: Int = 0, token: String? = nil, maxMessageBytes: Int = 1 << 20, delay: Double = 0) throws {
        var c = LayoutServer.Configuration()
        c.port = requested
        c.token = token
        c.maxMessageBytes = maxMessageBytes
        let events = Box<[LayoutServer.Event]>([])
        let port = Box<Int?>(nil)
        let server = try LayoutServer(configuration: c) { e in
            events.mutate { $0.append(e) }
            if case .started(let p) = e { port.mutate { $0 = p } }
        } makeInference: {
            RedInference(delay: delay)
        }
        task = Task { try await server.run() }
        let end = Date().addingTimeInterval(10)
        while port.value == nil && Date() < end { Thread.sleep(forTimeInterval: 0.01) }
        guard let p = port.value else { throw LayoutServerError.badAddress("the server did not start") }
        self.port = p
        self.events = events
    }
    func stop() async {
        task.cancel()
        _ = await task.result
    }
    var disconnects: Int {
        events.value.filter { if case .disconnected = $0 { return true } else { return false } }.count
    }
}

/// Sends raw messages over a real WebSocket and collects the JSON replies.
struct RawClient {
    var port: Int
    var token: String?
    /// Runs `body` with a send function and a function that awaits the next reply.
    func session(
        _ body:
            @escaping @Sendable (
                _ send: @escaping @Sendable (WebSocketOutboundWriter.OutboundFrame) async throws -> Void,
                _ next: @escaping @Sendable () async throws -> LayoutProtocol.Reply, WebSocketOutboundWriter
            ) async throws -> Void
    ) async throws {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        try await WebSocketClient.connect(
            url: "ws://127.0.0.1:\(port)\(LayoutProtocol.path)",
            configuration: .init(maxFrameSize: 1 << 16, additionalHeaders: headers), logger: logger
        ) { inbound, outbound, _ in
            let it = IteratorBox(inbound.messages(maxSize: 1 << 20).makeAsyncIterator())
            try await body(
                { try await outbound.write($0) },
                {
                    guard let m = try await it.next() else { throw LiveInferenceError.serverUnavailable("closed") }
                    guard case .text(let t) = m else { throw LiveInferenceError.badReply("binary") }
                    return try LayoutProtocol.Reply.parse(t)
                }, outbound)
        }
    }
}

final class IteratorBox: @unchecked Sendable {
    var it: WebSocketInboundMessageStream.AsyncIterator
    init(_ it: WebSocketInboundMessageStream.AsyncIterator) { self.it = it }
    func next() async throws -> WebSocketMessage? { try await it.next() }
}

final class LayoutServerTests: XCTestCase {
    func testTwoClientsAtOnceAndBadMessagesGetErrorRepliesWhileServingGoesOn() async throws {
        let server = try RunningServer(maxMessageBytes: 1 << 20)
        let port = server.port
        async let first: Void = RawClient(port: port).session { send, next, outbound in
            let hello = try await next()
            XCTAssertEqual(hello.type, .hello)
            XCTAssertEqual(hello.protocolVersion, 1)
            XCTAssertEqual(hello.classNames?.count, 9)
            // Malformed: not an update at all.
            try await send(.binary(ByteBuffer(bytes: [1, 2, 3, 4, 5, 6, 7, 8, 9])))
            var r = try await next()
            XCTAssertEqual(r.type, .error)
            XCTAssertEqual(r.code, .malformed)
            // Pixels that do not match the header.
            var bytes = try LayoutProtocol.encode(mapUpdate(red: 4), id: 1)
            bytes.removeLast(7)
            try await send(.binary(ByteBuffer(bytes: bytes)))
            r = try await next()
            XCTAssertEqual(r.code, .malformed)
            XCTAssertEqual(r.id, 1)
            XCTAssertTrue(r.message?.contains("pixel bytes") ?? false, r.message ?? "")
            // A good one.
            try await send(.binary(ByteBuffer(bytes: try LayoutProtocol.encode(mapUpdate(red: 4), id: 2))))
            r = try await next()
            XCTAssertEqual(r.type, .prediction)
            XCTAssertEqual(r.id, 2)
            XCTAssertEqual(r.best, 4)
            // Oversized: 1.5 MiB against a 1 MiB limit, sent in 64 KiB frames; the connection stays.
            let big = try LayoutProtocol.encode(mapUpdate(red: 5, width: 700, height: 750), id: 3)
            XCTAssertGreaterThan(big.count, 1 << 20)
            try await outbound.writeBinaryMessage(ByteBuffer(bytes: big))
            r = try await next()
            XCTAssertEqual(r.code, .tooLarge)
            // Wrong version.
            var v2 = try LayoutProtocol.encode(mapUpdate(red: 6), id: 4)
            v2[5] = 2
            try await send(.binary(ByteBuffer(bytes: v2)))
            r = try await next()
            XCTAssertEqual(r.code, .wrongVersion)
            XCTAssertTrue(r.message?.contains("protocol 1") ?? false)
            // A text message that is not an update.
            try await send(.text("{\"type\":\"hi\"}"))
            r = try await next()
            XCTAssertEqual(r.code, .unknownType)
            // Still served.
            let black = MapUpdate(sequence: 5, map: Image(width: 8, height: 8), origin: GridPoint(x: 2, y: 2), scale: 1)
            try await send(.binary(ByteBuffer(bytes: try LayoutProtocol.encode(black, id: 5))))
            r = try await next()
            XCTAssertEqual(r.type, .noMapFeatures, "a black map has no features (the seed's 9999)")
            XCTAssertEqual(r.id, 5)
            try await send(.binary(ByteBuffer(bytes: try LayoutProtocol.encode(mapUpdate(red: 13), id: 6, png: true))))
            r = try await next()
            XCTAssertEqual(r.best, 4, "PNG updates too")
        }
        async let second: Void = RawClient(port: port).session { send, next, _ in
            _ = try await next()
            for i in 0..<6 {
                try await send(
                    .binary(ByteBuffer(bytes: try LayoutProtocol.encode(mapUpdate(red: 7), id: UInt64(100 + i)))))
                let r = try await next()
                XCTAssertEqual(r.type, .prediction)
                XCTAssertEqual(r.best, 7, "each client gets its own answer")
                XCTAssertEqual(r.id, UInt64(100 + i))
            }
        }
        _ = try await (first, second)
        let refused = server.events.value.compactMap { e -> LayoutProtocol.ErrorCode? in
            if case .refused(_, let code, _) = e { return code } else { return nil }
        }
        XCTAssertEqual(refused, [.malformed, .malformed, .tooLarge, .wrongVersion, .unknownType])
        await server.stop()
    }

    func testNewestUpdateWinsPerClient() async throws {
        let server = try RunningServer(delay: 0.4)
        try await RawClient(port: server.port).session { send, next, _ in
            _ = try await next()
            for id in 1...5 {
                try await send(
                    .binary(ByteBuffer(bytes: try LayoutProtocol.encode(mapUpdate(red: UInt8(id)), id: UInt64(id)))))
            }
            var predicted: [UInt64] = []
            var superseded: [UInt64] = []
            while !predicted.contains(5) {
                let r = try await next()
                switch r.type {
                case .prediction: predicted.append(r.id ?? 0)
                case .superseded: superseded.append(r.id ?? 0)
                default: XCTFail("unexpected \(r.json())")
                }
            }
            XCTAssertEqual(predicted, [1, 5], "the first was being read; of the rest only the newest")
            XCTAssertEqual(superseded, [2, 3, 4])
        }
        await server.stop()
    }

    /// A connection cut in the middle of a message (a real TCP socket closed after half a frame)
    /// ends that client only.
    func testDroppedConnectionMidMessageLeavesTheServerServing() async throws {
        let server = try RunningServer()
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(server.port).bigEndian
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        XCTAssertEqual(ok, 0)
        let request =
            "GET \(LayoutProtocol.path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buf, buf.count, 0)
        XCTAssertTrue(String(decoding: buf.prefix(max(0, n)), as: UTF8.self).hasPrefix("HTTP/1.1 101"))
        // A masked binary frame that announces 60000 bytes, then 20 of them, then the socket closes.
        var frame: [UInt8] = [0x82, 0xFE, 0xEA, 0x60, 1, 2, 3, 4]
        frame += [UInt8](repeating: 7, count: 20)
        _ = send(fd, frame, frame.count, 0)
        close(fd)
        let end = Date().addingTimeInterval(5)
        while server.disconnects < 1 && Date() < end { try await Task.sleep(nanoseconds: 20_000_000) }
        XCTAssertEqual(server.disconnects, 1, "the server noticed the cut connection")
        try await RawClient(port: server.port).session { send, next, _ in
            _ = try await next()
            try await send(.binary(ByteBuffer(bytes: try LayoutProtocol.encode(mapUpdate(red: 3), id: 1))))
            let r = try await next()
            XCTAssertEqual(r.best, 3)
        }
        await server.stop()
    }

    func testTokenIsRequiredOffLoopbackAndChecked() async throws {
        var c = LayoutServer.Configuration()
        c.host = "0.0.0.0"
        XCTAssertThrowsError(try LayoutServer(configuration: c) { RedInference() }) { e in
            XCTAssertEqual(e as? LayoutServerError, .tokenRequired(host: "0.0.0.0"))
            XCTAssertTrue("\(e)".contains("--token"))
        }
        let server = try RunningServer(token: "s3cret")
        var wrong = LayoutServerClient.Settings(host: "127.0.0.1", port: server.port, token: "nope")
        wrong.initialBackoff = 0.1
        let refused = LayoutServerClient(settings: wrong)
        XCTAssertFalse(refused.waitUntilConnected(timeout: 1))
        guard case .unavailable = refused.status else { return XCTFail("\(refused.status)") }
        XCTAssertThrowsError(try refused.read(mapUpdate(red: 1))) { e in
            guard case .serverUnavailable? = e as? LiveInferenceError else { return XCTFail("\(e)") }
        }
        refused.close()
        let good = LayoutServerClient(settings: .init(host: "127.0.0.1", port: server.port, token: "s3cret"))
        XCTAssertTrue(good.waitUntilConnected(timeout: 5))
        XCTAssertEqual(
            try good.read(mapUpdate(red: 8)),
            .prediction(
                LayoutPrediction(
                    probabilities: {
                        var p = [Float](repeating: 0.1 / 8, count: 9)
                        p[8] = 0.9
                        return p
                    }(), tokenCount: 3), linePixels: 42))
        good.close()
        await server.stop()
    }

    /// The capture side goes on while its server is down: every read fails at once with "server
    /// unavailable" (the live reader keeps stitching and keeps its answer), and the client
    /// reconnects by itself when the server comes back, again after it goes away.
    func testClientWhoseServerIsDownKeepsGoingAndReconnects() async throws {
        let port = freePort()
        var settings = LayoutServerClient.Settings(host: "127.0.0.1", port: port)
        settings.initialBackoff = 0.05
        settings.maxBackoff = 0.2
        let client = LayoutServerClient(settings: settings)
        defer { client.close() }
        let t0 = Date()
        XCTAssertThrowsError(try client.read(mapUpdate(red: 1))) { e in
            guard case .serverUnavailable? = e as? LiveInferenceError else { return XCTFail("\(e)") }
        }
        XCTAssertLessThan(Date().timeIntervalSince(t0), 0.5, "no waiting for a server that is not there")
        var server = try RunningServer(port: port)
        XCTAssertTrue(client.waitUntilConnected(timeout: 5), "\(client.status)")
        XCTAssertEqual(client.classNames.count, 9)
        guard case .prediction(let p, _) = try client.read(mapUpdate(red: 2)) else { return XCTFail() }
        XCTAssertEqual(p.best, 2)
        await server.stop()
        var sawDown = false
        for _ in 0..<50 where !sawDown {
            do { _ = try client.read(mapUpdate(red: 2)) } catch let e as LiveInferenceError {
                if case .serverUnavailable = e { sawDown = true }
            }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        XCTAssertTrue(sawDown, "the client said its server is gone")
        server = try RunningServer(port: port)
        XCTAssertTrue(client.waitUntilConnected(timeout: 5), "\(client.status)")
        guard case .prediction(let q, _) = try client.read(mapUpdate(red: 6)) else { return XCTFail() }
        XCTAssertEqual(q.best, 6)
        XCTAssertEqual(client.connections, 2)
        await server.stop()
    }

    /// Servers that answer garbage: a TCP server that is not HTTP, and a WebSocket server whose
    /// answers are not the protocol. The client reports it and nothing crashes.
    func testGarbageFromTheServerIsAClearError() async throws {
        // 1. Not HTTP at all.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let port = freePort()
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        listen(fd, 4)
        let garbage = Thread {
            for _ in 0..<3 {
                let c = accept(fd, nil, nil)
                guard c >= 0 else { return }
                let junk = "garbage \u{1}\u{2}\u{3} not http\r\n\r\n"
                _ = junk.withCString { send(c, $0, strlen($0), 0) }
                close(c)
            }
        }
        garbage.start()
        var s = LayoutServerClient.Settings(host: "127.0.0.1", port: port)
        s.initialBackoff = 0.1
        s.connectTimeout = 0.5
        let client = LayoutServerClient(settings: s)
        XCTAssertFalse(client.waitUntilConnected(timeout: 1))
        print("garbage server: \(client.status)")
        let status = client.status
        client.close()
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
        guard case .unavailable(let why, _) = status else { return XCTFail("\(status)") }
        XCTAssertFalse(why.isEmpty)
        XCTAssertThrowsError(try client.read(mapUpdate(red: 1)))
        // 2. A layout server's greeting, then garbage as the answer.
        let fake = try FakeLayoutServer()
        let c2 = LayoutServerClient(settings: .init(host: "127.0.0.1", port: fake.port))
        XCTAssertTrue(c2.waitUntilConnected(timeout: 5))
        XCTAssertThrowsError(try c2.read(mapUpdate(red: 1))) { e in
            guard case .badReply(let what)? = e as? LiveInferenceError else { return XCTFail("\(e)") }
            XCTAssertTrue(what.contains("}{"), what)
        }
        c2.close()
        await fake.stop()
    }
}
