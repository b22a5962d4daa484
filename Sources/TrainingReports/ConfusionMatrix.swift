import Foundation

/// Counts of (true class, predicted class) pairs, with accuracy and a printable table.
public struct ConfusionMatrix: Equatable, Sendable {
    public let classNames: [String]
    /// `counts[truth][prediction]`.
    public private(set) var counts: [[Int]]

    public init(classNames: [String]) {
        self.classNames = classNames
        counts = Array(repeating: Array(repeating: 0, count: classNames.count), count: classNames.count)
    }

    public mutating func add(truth: Int, prediction: Int) { counts[truth][prediction] += 1 }

    public var total: Int { counts.joined().reduce(0, +) }
    public var correct: Int { classNames.indices.reduce(0) { $0 + counts[$1][$1] } }
    public var accuracy: Double { total > 0 ? Double(correct) / Double(total) : .nan }

    /// Recall of each class (correct / true count), nil for a class with no samples.
    public var recall: [Double?] {
        counts.enumerated().map { i, row in
            let n = row.reduce(0, +)
            return n > 0 ? Double(row[i]) / Double(n) : nil
        }
    }

    /// A text table: rows are true classes, columns predictions, with per-class recall.
    public func table() -> String {
        let w = Swift.max(7, (classNames.map(\.count).max() ?? 0) + 2)
        func pad(_ s: String) -> String { String(repeating: " ", count: Swift.max(0, w - s.count)) + s }
        var out = pad("true\\pred") + classNames.map(pad).joined() + pad("recall") + "\n"
        for (i, row) in counts.enumerated() {
            let r = recall[i].map { String(format: "%.0f%%", $0 * 100) } ?? "-"
            out += pad(classNames[i]) + row.map { pad("\($0)") }.joined() + pad(r) + "\n"
        }
        return out
    }
}
