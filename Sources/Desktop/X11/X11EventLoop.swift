import CX11
import Foundation

/// The one event thread of an X11 component: it sleeps on the connection's socket, hands every
/// event to a handler, and stops (waiting for the thread) exactly once.
final class X11EventLoop: @unchecked Sendable {
    private let connection: X11Connection
    private let lock = NSLock()
    private var running = false
    private var finished: DispatchSemaphore?
    private let name: String

    init(connection: X11Connection, name: String) {
        self.connection = connection
        self.name = name
    }

    /// Starts the thread; `handle` runs on it for every event, outside the connection's lock.
    func start(_ handle: @escaping (inout XEvent) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        guard !running, finished == nil else { return }
        running = true
        let done = DispatchSemaphore(value: 0)
        finished = done
        let t = Thread { [connection, weak self] in
            defer { done.signal() }
            var event = XEvent()
            while self?.isRunning ?? false {
                let got: Bool = connection.locked {
                    guard XPending(connection.display) > 0 else { return false }
                    XNextEvent(connection.display, &event)
                    return true
                }
                if got {
                    handle(&event)
                } else if connection.waitForEvents(timeout: 0.05), !connection.isAlive {
                    return  // the server went away: nothing more will come
                }
            }
        }
        t.name = name
        t.start()
    }

    private var isRunning: Bool { lock.withLock { running } }

    /// Stops the thread and waits until it has ended (safe to call more than once, and from a
    /// handler: the thread is then not waited for).
    func stop() {
        lock.lock()
        let done = running ? finished : nil
        running = false
        lock.unlock()
        guard let done, Thread.current.name != name else { return }
        done.wait()
    }
}
