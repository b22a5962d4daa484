import Foundation

/// An instant on the monotonic clock, in seconds since an arbitrary start (boot). Frames, input
/// events and injected actions are all stamped with it, so they can be compared directly.
public struct MonotonicTime: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var seconds: Double

    public init(seconds: Double) { self.seconds = seconds }

    /// The system's monotonic clock now.
    public static var now: MonotonicTime {
        MonotonicTime(seconds: Double(DispatchTime.now().uptimeNanoseconds) / 1e9)
    }

    public static func < (a: MonotonicTime, b: MonotonicTime) -> Bool { a.seconds < b.seconds }
    public static func + (t: MonotonicTime, s: Double) -> MonotonicTime { MonotonicTime(seconds: t.seconds + s) }
    public static func - (t: MonotonicTime, s: Double) -> MonotonicTime { MonotonicTime(seconds: t.seconds - s) }
    /// Seconds from `b` to `a`.
    public static func - (a: MonotonicTime, b: MonotonicTime) -> Double { a.seconds - b.seconds }

    public var description: String { String(format: "%.6f s", seconds) }

    public init(from decoder: Decoder) throws { seconds = try decoder.singleValueContainer().decode(Double.self) }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(seconds)
    }
}

extension MonotonicTime: ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    public init(floatLiteral value: Double) { seconds = value }
    public init(integerLiteral value: Int) { seconds = Double(value) }
}

/// A source of monotonic time that can also wait. The system clock runs in real time; a manual
/// clock (in `DesktopTesting`) moves only when told, so timing logic runs in microseconds.
public protocol MonotonicClock: AnyObject, Sendable {
    /// The current instant.
    func now() -> MonotonicTime
    /// Returns at (or soon after) `deadline`.
    func sleep(until deadline: MonotonicTime)
}

extension MonotonicClock {
    /// Waits `seconds` (nothing for zero or less).
    public func sleep(for seconds: Double) {
        guard seconds > 0 else { return }
        sleep(until: now() + seconds)
    }
}

/// The system's monotonic clock.
public final class SystemClock: MonotonicClock {
    /// The one instance.
    public static let shared = SystemClock()
    public init() {}
    public func now() -> MonotonicTime { .now }
    public func sleep(until deadline: MonotonicTime) {
        let wait = deadline - .now
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
    }
}
