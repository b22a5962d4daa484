/// How ``UNetLineExtractor`` chooses the per-channel statistics that standardise the map
/// (`(x - mean) / (std + 1e-8)`, population std, as the seed; reference §7.1), over the pixels with
/// data while ``UNetLineExtractor/noDataMargin`` is set (the seed also counts the black canvas).
///
/// When the statistics change, every tile's mask is out of date ("stale"); how many stale tiles
/// an update reruns is the extractor's ``UNetStaleTileBudget``. With ``UNetStaleTileBudget/all``
/// every tile reruns at once, so the mask always equals a full pass with the statistics in force;
/// with a limited budget the stale tiles rerun over the next updates (see ``UNetLineExtractor``).
public enum UNetNormalization: Sendable, Equatable {
    /// The seed's rule: the statistics of the whole current map at every call. Every new pixel
    /// moves them, so on a growing map every update makes every tile stale.
    case exact
    /// The statistics of the map when they were last refreshed. They are refreshed (and every tile
    /// made stale) when a channel's mean or std on the current map has moved by more than
    /// `tolerance` times that channel's std. The held statistics differ from the current map's by
    /// at most `tolerance` std.
    case refreshed(tolerance: Float)
    /// Fixed statistics, one mean and std per RGB channel (0-255 units): no tile ever goes stale,
    /// so updates are always incremental and always equal a full pass.
    case fixed(mean: [Float], std: [Float])
}
