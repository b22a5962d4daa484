import Arena
import Autopilot
import Foundation
import Recording

/// The expert's disturbed drive on one track in simulated time, recorded as `drive bench` and
/// `demo autopilot` train on it: a person's reaction delay and slips (`HumanLikeKeys` seeded by the
/// track), and every `perturbEvery` s on average a moment of coasting, a stop or a swerve while the
/// frames keep the expert's keys as labels.
public enum DisturbedExpert {
    /// Records track `seed` into a new file at `url` (an old one is replaced).
    /// - Returns: the drive's outcome and the line a person reads about it.
    public static func record(
        track seed: UInt64, trackSize: Double = 1, seconds: Double, fps: Double, width: Int, height: Int,
        perturbEvery: Double, to url: URL, label: String = ""
    ) throws -> (SimulatedRacer.Outcome, String) {
        try? FileManager.default.removeItem(at: url)
        let o = try SimulatedRacer.recordExpert(
            track: RacerTrack(seed: seed, size: trackSize), seconds: seconds, fps: fps, width: width,
            height: height, human: HumanLikeKeys(seed: seed),
            perturbation: ExpertPerturbation(interval: perturbEvery, seed: seed), to: url)
        let line = String(
            format: "   track %llu%@: %.2f laps, off track %.1f s", seed, label, o.metrics.progress,
            o.metrics.offTrackTime)
        return (o, line)
    }
}
