import Foundation

/// One figure of a benchmark: what was measured (`suite`, `case`), by whom (`framework`), and its value.
/// `Benchmarks/run.sh` merges these with the peers' figures into one table of ratios.
public struct BenchResult: Codable, Equatable, Sendable {
    public var suite: String
    public var `case`: String
    public var framework: String
    public var value: Double
    public var unit: String

    public init(suite: String, case: String, framework: String, value: Double, unit: String) {
        self.suite = suite
        self.case = `case`
        self.framework = framework
        self.value = value
        self.unit = unit
    }

    /// The figure as one JSON object on one line, the form the benchmark scripts read.
    public var jsonLine: String {
        "{\"suite\": \"\(suite)\", \"case\": \"\(`case`)\", \"framework\": \"\(framework)\", \"value\": \(value), "
            + "\"unit\": \"\(unit)\"}"
    }

    /// The median of `repeatCount` timed runs of `body`, in seconds, after `warmup` untimed ones.
    public static func median(_ repeatCount: Int, warmup: Int = 3, _ body: () -> Void) -> Double {
        timing(repeatCount, warmup: warmup, body).median
    }

    /// The median and the fastest of `repeatCount` timed runs of `body`, in seconds, after `warmup`
    /// untimed ones (the fastest is the steadier figure on a busy machine).
    public static func timing(_ repeatCount: Int, warmup: Int = 3, _ body: () -> Void) -> (median: Double, best: Double)
    {
        for _ in 0..<warmup { body() }
        var samples: [Double] = []
        samples.reserveCapacity(Swift.max(1, repeatCount))
        for _ in 0..<Swift.max(1, repeatCount) {
            let t = DispatchTime.now().uptimeNanoseconds
            body()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9)
        }
        samples.sort()
        return (samples[samples.count / 2], samples[0])
    }
}
