import Foundation
import Hummingbird
import HummingbirdWebSocket
import LayoutReader
import LayoutServer
import Logging

/// A WebSocket server that greets like a layout server and then answers every message with
/// garbage (for the client's bad-reply path).
final class FakeLayoutServer: @unchecked Sendable {
    let task: Task<Void, Error>
    let port: Int

    init() throws {
        let portBox = Box<Int?>(nil)
        let ws = Router(context: BasicWebSocketRequestContext.self)
        ws.ws(RouterPath(LayoutProtocol.path)) { inbound, outbound, _ in
            var hello = LayoutProtocol.Reply(type: .hello)
            hello.classNames = ["a", "b"]
            try await outbound.write(.text(hello.json()))
            for try await _ in inbound.messages(maxSize: 1 << 24) {
                try await outbound.write(.text("}{ this is not json"))
            }
        }
        var logger = Logger(label: "fake")
        logger.logLevel = .critical
        let app = Application(
            router: Router(),
            server: .http1WebSocketUpgrade(webSocketRouter: ws, configuration: .init(ws: .init(maxFrameSize: 1 << 20))),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { c in portBox.mutate { $0 = c.localAddress?.port } }, logger: logger)
        task = Task { try await app.run() }
        let end = Date().addingTimeInterval(10)
        while portBox.value == nil && Date() < end { Thread.sleep(forTimeInterval: 0.01) }
        guard let p = portBox.value else { throw LayoutServerError.badAddress("the fake server did not start") }
        port = p
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}
