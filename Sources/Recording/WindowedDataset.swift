import Foundation
import TensorKit

/// One training example: the window of frames ending at `frame` of recording `recording`
/// (earlier frames zero before the recording's start), possibly mirrored.
public struct WindowExample: Hashable, Sendable {
    public var recording: Int
    public var frame: Int
    /// Mirrored left to right, with the left and right labels swapped.
    public var flipped: Bool
    public init(recording: Int, frame: Int, flipped: Bool = false) {
        self.recording = recording
        self.frame = frame
        self.flipped = flipped
    }
}

/// Which part of the data a recording belongs to.
public enum DatasetPart: String, Sendable, CaseIterable { case train, validation, test }

/// The seed's imitation data, done right: windows of `windowLength` frames (stride `stride`,
/// zero-padded at each recording's start, one example per frame for stride 1) labelled with the
/// keys [up, left, right, down] at the window's last frame; the seed's direction index and
/// balancing; horizontal flips with left and right swapped; and a split **by recording**, so
/// neighbouring, near-identical windows never sit on both sides of it.
public struct WindowedDataset: Sendable {
    public let recordings: [RecordingFile]
    public let windowLength: Int, stride: Int

    /// Checks that all recordings share frame size and key set (naming the first that differs).
    public init(recordings: [RecordingFile], windowLength: Int = 20, stride: Int = 1) throws {
        precondition(windowLength > 0 && stride > 0, "window length and stride must be positive")
        guard let first = recordings.first else {
            throw RecordingError(path: "(no files)", "a data set needs at least one recording")
        }
        for r in recordings {
            try r.requireFrames()
            let m = r.fingerprint.mismatches(
                fps: first.fingerprint.fps, width: first.fingerprint.width, height: first.fingerprint.height,
                keys: first.fingerprint.keys)
            if !m.isEmpty {
                throw RecordingError(
                    path: r.url.path, "does not match \(first.url.lastPathComponent): " + m.joined(separator: "; "))
            }
        }
        self.recordings = recordings
        self.windowLength = windowLength
        self.stride = stride
    }

    /// Every window of the recordings `parts` (all when nil), in recording and frame order.
    public func examples(recordings selected: [Int]? = nil) -> [WindowExample] {
        var out: [WindowExample] = []
        for r in selected ?? Array(recordings.indices) {
            for i in Swift.stride(from: 0, to: recordings[r].count, by: stride) {
                out.append(WindowExample(recording: r, frame: i))
            }
        }
        return out
    }

    /// The label [up, left, right, down] of an example (left and right swapped when flipped).
    public func label(_ e: WindowExample) -> [Bool] {
        let k = recordings[e.recording].seedKeys(e.frame)
        return e.flipped ? [k[0], k[2], k[1], k[3]] : k
    }

    /// The seed's direction index: each class's examples (an example can be in several).
    public func directionIndex(_ examples: [WindowExample]) -> [KeyDirection: [WindowExample]] {
        var index: [KeyDirection: [WindowExample]] = [:]
        for c in KeyDirection.allCases { index[c] = [] }
        for e in examples {
            let l = label(e)
            for c in KeyDirection.classes(up: l[0], left: l[1], right: l[2], down: l[3]) {
                index[c, default: []].append(e)
            }
        }
        return index
    }

    /// The seed's balancing: every left-turn, right-turn, backwards and coast example, plus as many
    /// forwards examples (drawn at random) as the larger of the two turn classes. Unlike the seed,
    /// an example in two classes is taken once, not twice. Returned in recording and frame order.
    public func balanced(_ examples: [WindowExample], seed: UInt64 = 69) -> [WindowExample] {
        let index = directionIndex(examples)
        var chosen = Set<WindowExample>()
        for c in [KeyDirection.left, .right, .backwards, .coast] { chosen.formUnion(index[c] ?? []) }
        var rng = SeededGenerator(seed: seed)
        let forwards = (index[.forwards] ?? []).filter { !chosen.contains($0) }.shuffled(using: &rng)
        let wanted = Swift.max(index[.left]?.count ?? 0, index[.right]?.count ?? 0)
        chosen.formUnion(forwards.prefix(wanted))
        return chosen.sorted {
            ($0.recording, $0.frame, $0.flipped ? 1 : 0) < ($1.recording, $1.frame, $1.flipped ? 1 : 0)
        }
    }

    /// The examples and, after each, its mirror image (left and right swapped).
    public func withFlips(_ examples: [WindowExample]) -> [WindowExample] {
        examples.flatMap { [$0, WindowExample(recording: $0.recording, frame: $0.frame, flipped: true)] }
    }

    /// Assigns whole recordings to train, validation and test (seeded shuffle; fractions of the
    /// recordings, at least one each for a non-zero validation or test fraction when there are three
    /// or more recordings; with two, one trains and one validates). No recording is in two parts, and
    /// validation is never the training set.
    public func split(validation: Double = 0.1, test: Double = 0.1, seed: UInt64 = 69) -> [DatasetPart: [Int]] {
        var order = Array(recordings.indices)
        var rng = SeededGenerator(seed: seed)
        order.shuffle(using: &rng)
        let n = order.count
        var nVal = Int((Double(n) * validation).rounded())
        var nTest = Int((Double(n) * test).rounded())
        if n >= 3 {
            if validation > 0 { nVal = Swift.max(1, nVal) }
            if test > 0 { nTest = Swift.max(1, nTest) }
        } else if n == 2 {
            nVal = validation > 0 ? 1 : 0
            nTest = 0
        } else {
            nVal = 0
            nTest = 0
        }
        while nVal + nTest >= n && n > 1 { if nTest > 0 { nTest -= 1 } else { nVal -= 1 } }
        return [
            .validation: Array(order[0..<nVal]).sorted(), .test: Array(order[nVal..<(nVal + nTest)]).sorted(),
            .train: Array(order[(nVal + nTest)...]).sorted(),
        ]
    }
}
