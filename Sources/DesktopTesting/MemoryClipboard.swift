import Desktop
import Foundation

/// A clipboard held in memory.
public final class MemoryClipboard: Clipboard, @unchecked Sendable {
    private let lock = NSLock()
    private var text: String?

    public init(text: String? = nil) { self.text = text }

    public func readText(timeout: Double) throws -> String? { lock.withLock { text } }

    public func own(_ newText: String) throws { lock.withLock { text = newText } }
}
