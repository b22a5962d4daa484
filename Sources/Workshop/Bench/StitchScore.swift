import Foundation

/// Accumulates one run's stitching figures against the truth.
public struct StitchScore {
    public var errors: [Float] = [], distances: [Float] = []
    public var frames = 0, pasted = 0, badFrames = 0, undetectedBad = 0, goodSkipped = 0, wrong = 0
    public var milliseconds: [Double] = []

    /// An empty score, before the first frame.
    public init() {}

    public mutating func add(pasted isPasted: Bool, bad: Bool, error: Float?, distance: Float, ms: Double) {
        frames += 1
        milliseconds.append(ms)
        if bad {
            badFrames += 1
            if isPasted { undetectedBad += 1 }
        }
        if !bad && !isPasted { goodSkipped += 1 }
        if isPasted, !bad, let e = error {
            errors.append(e)
            distances.append(distance)
            if e > 3 { wrong += 1 }
        }
    }
    public var mean: Float { errors.isEmpty ? .nan : errors.reduce(0, +) / Float(errors.count) }
    public var max: Float { errors.max() ?? .nan }
    /// Least-squares slope of error against distance travelled, per 1000 px.
    public var driftPer1000: Float {
        guard errors.count > 2 else { return .nan }
        let n = Float(errors.count)
        let mx = distances.reduce(0, +) / n
        let my = errors.reduce(0, +) / n
        var sxy: Float = 0
        var sxx: Float = 0
        for (x, y) in zip(distances, errors) {
            sxy += (x - mx) * (y - my)
            sxx += (x - mx) * (x - mx)
        }
        return sxx > 0 ? 1000 * sxy / sxx : .nan
    }
    public var msPerFrame: Double {
        milliseconds.isEmpty ? .nan : milliseconds.reduce(0, +) / Double(milliseconds.count)
    }
}
