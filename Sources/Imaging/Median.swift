extension Collection where Element: BinaryFloatingPoint {
    /// The median: the middle of the sorted values, the mean of the two middle ones for an even count, NaN when
    /// there are none.
    public var median: Element {
        guard !isEmpty else { return .nan }
        let sorted = self.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
