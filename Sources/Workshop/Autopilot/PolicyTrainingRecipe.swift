import Autopilot
import Foundation
import Imaging
import Recording
import TensorKit
import TrainingReports

/// Trains a policy as `train policy`, `demo autopilot` and `drive bench` do: ``PolicyTraining``,
/// then the model file and its side files beside it (`.history.csv`, `.curves.png`, `.report.txt`).
public enum PolicyTrainingRecipe {
    /// The side files written beside a model at `output`.
    public struct SideFiles: Sendable {
        public var history: URL
        public var curves: URL
        public var report: URL
        public init(model output: URL) {
            history = URL(fileURLWithPath: output.path + ".history.csv")
            curves = URL(fileURLWithPath: output.path + ".curves.png")
            report = URL(fileURLWithPath: output.path + ".report.txt")
        }
    }

    /// One line saying what is trained on what: architecture, recordings, window and frame size, keys.
    public static func headline(
        recordings: [RecordingFile], corrections: [RecordingFile], options: PolicyTrainingOptions
    ) -> String {
        let p = options.preprocessing
        let kind = options.architecture == .seed ? "original autopilot's" : "small"
        let fixes = corrections.isEmpty ? "" : " and \(corrections.count) corrections file(s)"
        let keys = recordings.first?.fingerprint.keys.joined(separator: ",") ?? ""
        return
            "Training the \(kind) policy on \(recordings.count) recording(s)\(fixes): windows of \(p.windowLength) frames at \(p.width)x\(p.height), keys \(keys)"
    }

    /// Trains, writes the best epoch's model to `output` (also after every improvement) and the side files.
    /// - Parameters:
    ///   - names: the recordings' paths, in order, for the report.
    ///   - progress: each training event (epochs, steps, improvements, early stopping).
    public static func train(
        recordings: [RecordingFile], corrections: [RecordingFile] = [], options: PolicyTrainingOptions, output: URL,
        names: [String], progress: (TrainingEvent) -> Void = { _ in }
    ) throws -> PolicyTrainingResult {
        let training = PolicyTraining(recordings: recordings, corrections: corrections, options: options)
        let result = try training.run(
            checkpoint: { model, _ in try model.write(to: output) }, progress: progress)
        // The best weights are restored: write them (the checkpoint already holds them; rewrite to be sure).
        try result.model.write(to: output)
        let files = SideFiles(model: output)
        try result.history.writeCSV(to: files.history)
        try PNG.write(LearningCurves.picture(result.history), path: files.curves.path)
        try PolicyTrainingReport.text(result, names: names).write(to: files.report, atomically: true, encoding: .utf8)
        return result
    }
}
