/// The seed's five direction classes of a key state [up, left, right, down]. A state can be in
/// several (up + left is both forwards and a left turn); none held is coast.
public enum KeyDirection: String, CaseIterable, Sendable, Codable {
    case forwards, left, right, backwards, coast

    /// The classes of a key state given as held flags in the seed's order [up, left, right, down].
    public static func classes(up: Bool, left: Bool, right: Bool, down: Bool) -> [KeyDirection] {
        var out: [KeyDirection] = []
        if up { out.append(.forwards) }
        if left { out.append(.left) }
        if right { out.append(.right) }
        if down { out.append(.backwards) }
        if out.isEmpty { out.append(.coast) }
        return out
    }
}

/// Bit masks over a recording's key set.
public enum KeyMask {
    /// The mask of `held` over `keys` (bit i = keys[i] held).
    public static func mask(_ held: Set<String>, keys: [String]) -> Int {
        var m = 0
        for (i, k) in keys.enumerated() where held.contains(k) { m |= 1 << i }
        return m
    }

    /// The held keys of `mask` over `keys`.
    public static func keys(_ mask: Int, keys: [String]) -> [String] {
        keys.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element)
    }
}
