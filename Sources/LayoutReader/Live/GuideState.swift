/// Why the reader could not use an update (from an inference back end that is not in process).
public enum LiveInferenceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The server cannot be reached (down, refused, dropped); the client retries by itself.
    case serverUnavailable(String)
    /// The server answered something that is not the protocol (garbage, an unknown message).
    case badReply(String)
    /// The server answered with an error message for this update.
    case serverError(code: String, message: String)

    public var description: String {
        switch self {
        case .serverUnavailable(let why): return "server unavailable: \(why)"
        case .badReply(let why): return "the server's reply is not the layout protocol: \(why)"
        case .serverError(let code, let message): return "the server refused the update (\(code)): \(message)"
        }
    }
}

/// What the guide overlay says besides the answer: why the last update changed nothing.
public enum GuideNotice: Sendable, Equatable {
    /// The last update had no map features (the seed's 9999); the answer is kept.
    case noMapFeatures
    /// The server is unreachable; stitching goes on and the client reconnects.
    case serverUnavailable(String)
    /// The update could not be read (a bad reply, a failed model); the answer is kept.
    case failed(String)

    /// One short line for the overlay and the status line.
    public var text: String {
        switch self {
        case .noMapFeatures: return "no map lines yet - keeping the last answer"
        case .serverUnavailable(let why): return "server down (\(why)) - still stitching, reconnecting"
        case .failed(let why): return "update failed (\(why)) - keeping the last answer"
        }
    }
}

/// What the guide overlay shows: a pure value, so the overlay, the status line and the tests read
/// the same thing.
public struct GuideState: Sendable, Equatable {
    /// The overlay's phase.
    public enum Phase: Sendable, Equatable {
        /// No stream: the overlay is hidden.
        case hidden
        /// A stream runs, nothing read yet.
        case waiting
        /// The top probability is below the threshold.
        case notSure
        /// A layout is named.
        case answer
    }

    public var phase: Phase = .hidden
    /// The last prediction (kept when later updates have no features or fail).
    public var prediction: LayoutPrediction?
    /// The update the prediction came from.
    public var predictionSequence = 0
    public var classNames: [String] = []
    /// The player's offset from the entrance in the seed's half-scale map pixels.
    public var playerOffset: (x: Float, y: Float)?
    public var notice: GuideNotice?
    /// A top probability below this is "not sure yet".
    public var minConfidence: Float
    /// Updates read, and those that ended with no features or an error.
    public var updatesRead = 0, updatesWithoutFeatures = 0, updatesFailed = 0

    public init(minConfidence: Float = 0.5) { self.minConfidence = minConfidence }

    /// The named layout (only in the answer phase).
    public var answer: Int? { phase == .answer ? prediction?.best : nil }

    /// The name of class `index` (its number when the names are unknown).
    public func name(_ index: Int) -> String { index < classNames.count ? classNames[index] : "class \(index)" }

    /// Takes a new readout: a prediction replaces the answer; no features keeps it.
    public mutating func take(_ readout: LayoutReadout, sequence: Int) {
        updatesRead += 1
        switch readout {
        case .prediction(let p, _):
            prediction = p
            predictionSequence = sequence
            notice = nil
            phase = (p.top(1).first?.probability ?? 0) >= minConfidence ? .answer : .notSure
        case .noMapFeatures:
            updatesWithoutFeatures += 1
            notice = .noMapFeatures
            if prediction == nil { phase = .waiting }
        }
    }

    /// Takes a failed update: the answer is kept, the notice says why.
    public mutating func take(_ error: Error) {
        updatesFailed += 1
        if case LiveInferenceError.serverUnavailable(let why)? = error as? LiveInferenceError {
            notice = .serverUnavailable(why)
        } else {
            notice = .failed("\(error)")
        }
    }

    /// One status line, e.g. "lakeside 87 % (fork 8 %, hub 2 %) | update 12".
    public var statusLine: String {
        var s: String
        switch phase {
        case .hidden: s = "stopped"
        case .waiting: s = "reading the map"
        case .notSure, .answer:
            let top = prediction?.top(3) ?? []
            let list = top.map { "\(name($0.index)) \(Int(($0.probability * 100).rounded())) %" }
            s = (phase == .notSure ? "not sure yet: " : "") + list.joined(separator: ", ")
        }
        if let notice { s += " | " + notice.text }
        return s
    }

    public static func == (a: GuideState, b: GuideState) -> Bool {
        a.phase == b.phase && a.prediction == b.prediction && a.predictionSequence == b.predictionSequence
            && a.classNames == b.classNames && a.notice == b.notice && a.playerOffset?.x == b.playerOffset?.x
            && a.playerOffset?.y == b.playerOffset?.y && a.minConfidence == b.minConfidence
            && a.updatesRead == b.updatesRead
    }
}
