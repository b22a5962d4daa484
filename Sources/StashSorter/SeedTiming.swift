/// The seed's click timing, for comparing wall time: each click is move, 0.05 s, down, 0.05 s,
/// up, 0.05 s, plus the automation library's implicit 0.1 s after each of move, down and up;
/// the sort loop adds 0.2 s after every click of a move.
public enum SeedTiming {
    public static let secondsPerClick = 3 * 0.05 + 3 * 0.1 + 0.2

    /// Wall time of `clicks` clicks at the seed's fixed sleeps.
    public static func seconds(forClicks clicks: Int) -> Double { Double(clicks) * secondsPerClick }
}
