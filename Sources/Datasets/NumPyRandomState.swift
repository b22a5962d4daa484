/// NumPy's legacy `RandomState` (MT19937) for an integer seed, enough to reproduce
/// `RandomState(seed).shuffle(list)` exactly. Keras's `image_dataset_from_directory` shuffles its
/// file list this way, so PixelPilot's split of a class-folder set equals Keras's for the same seed.
public struct NumPyRandomState {
    private var mt = [UInt32](repeating: 0, count: 624)
    private var index = 624

    /// Seeds like `numpy.random.RandomState(seed)` with an integer seed (`init_genrand`).
    public init(seed: UInt32) {
        mt[0] = seed
        for i in 1..<624 {
            mt[i] = 1812433253 &* (mt[i - 1] ^ (mt[i - 1] >> 30)) &+ UInt32(i)
        }
    }

    /// The next 32-bit output of MT19937.
    public mutating func nextUInt32() -> UInt32 {
        if index >= 624 { twist() }
        var y = mt[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    private mutating func twist() {
        for i in 0..<624 {
            let y = (mt[i] & 0x8000_0000) | (mt[(i + 1) % 624] & 0x7FFF_FFFF)
            var v = mt[(i + 397) % 624] ^ (y >> 1)
            if y & 1 != 0 { v ^= 0x9908_B0DF }
            mt[i] = v
        }
        index = 0
    }

    /// A uniform integer in `0...max` by NumPy's legacy masked rejection sampling.
    public mutating func interval(_ max: UInt32) -> UInt32 {
        if max == 0 { return 0 }
        var mask = max
        mask |= mask >> 1
        mask |= mask >> 2
        mask |= mask >> 4
        mask |= mask >> 8
        mask |= mask >> 16
        while true {
            let v = nextUInt32() & mask
            if v <= max { return v }
        }
    }

    /// Shuffles in place exactly as `RandomState.shuffle` does for a 1-D list.
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, through: 1, by: -1) {
            let j = Int(interval(UInt32(i)))
            array.swapAt(i, j)
        }
    }
}
