/// How many *stale* tiles one ``UNetLineExtractor`` update reruns: tiles whose pixels did not
/// change but whose mask was made with statistics that are no longer in force (see
/// ``UNetNormalization``). Changed and new tiles are not counted here: they always run in the
/// update that sees them.
///
/// Stale tiles run nearest first to the tiles that changed in this update (the newest capture,
/// i.e. around the player; ties by row, then column), in batches, until one of the limits is hit;
/// the rest wait for the next updates. Each update runs at least ``minimumTiles`` stale tiles (when
/// there are that many), so a map that stops changing converges to a full pass in at most
/// `ceil(tiles / minimumTiles)` updates.
public struct UNetStaleTileBudget: Sendable, Equatable {
    /// At most this many stale tiles an update (nil: no count limit).
    public var tiles: Int?
    /// No further stale batch starts when it would take the update past this many seconds (its
    /// time estimated from the tiles already run; nil: no time limit).
    public var seconds: Double?
    /// Stale tiles run every update regardless of the limits above (when there are that many).
    public var minimumTiles: Int

    public init(tiles: Int? = nil, seconds: Double? = nil, minimumTiles: Int = 0) {
        precondition(tiles.map { $0 >= 0 } ?? true, "the stale-tile budget must not be negative")
        precondition(seconds.map { $0 >= 0 } ?? true, "the stale-tile time budget must not be negative")
        precondition(minimumTiles >= 0, "the minimum stale tiles must not be negative")
        self.tiles = tiles
        self.seconds = seconds
        self.minimumTiles = minimumTiles
    }

    /// Every stale tile reruns in the update that makes it stale: the mask always equals a full
    /// pass with the statistics in force (the seed's behaviour; slow when a big map's statistics move).
    public static let all = UNetStaleTileBudget()

    /// The live reader's default: stale batches stop once the update has taken 0.5 s (leaving room
    /// for the mask assembly and the cleanup under the 1 s goal), and at least 32 stale tiles run
    /// every update. Chosen by measurement: BENCHMARKS.md, UNet live updates.
    public static let live = UNetStaleTileBudget(seconds: 0.5, minimumTiles: 32)
}
