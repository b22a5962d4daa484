import Foundation

extension SortReport {
    /// What a person reads after a sort: clicks against the lower bound and the original gem
    /// sorter's algorithm, time, re-plans, items lost, cells left in place, and how it ended.
    public var summary: String {
        let lost = itemsBefore.reduce(0) { $0 + $1.value } - itemsAfter.reduce(0) { $0 + $1.value }
        var s = """
            Clicks: \(clicks) (lower bound \(lowerBound); the original gem sorter's algorithm: \(seedClicks), \(String(format: "%.0f", SeedTiming.seconds(forClicks: seedClicks))) s with its fixed sleeps)
            Time: \(String(format: "%.1f", seconds)) s; re-plans after a surprise: \(replans); items lost: \(lost)
            """
        if !unrecognised.isEmpty {
            s += "\nLeft in place (classifier unsure): " + unrecognised.map(\.description).joined(separator: " ")
        }
        s += completed ? "\nSorted; the cursor is empty." : "\nStopped: \(stopReason ?? "not sorted")"
        return s
    }
}
