import Foundation
import Imaging
import StashSorter
import TensorKit
import TrainingReports

/// Trains the cell classifier as `train classifier` and `demo` do: ``ClassifierTraining``, then the
/// side files beside the model (`.history.csv`, `.curves.png`, `.split.txt`).
public enum ClassifierTrainingRecipe {
    /// The side files written beside a model at `output`.
    public struct SideFiles: Sendable {
        public var history: URL
        public var curves: URL
        public var split: URL
        public init(model output: URL) {
            history = URL(fileURLWithPath: output.path + ".history.csv")
            curves = URL(fileURLWithPath: output.path + ".curves.png")
            split = URL(fileURLWithPath: output.path + ".split.txt")
        }
    }

    /// Trains on the class folders in `directory`, writes the model to `output` and the side files.
    public static func train(
        directory: URL, options: ClassifierTraining.Options, output: URL,
        progress: (TrainingEvent) -> Void = { _ in }
    ) throws -> ClassifierTraining.Result {
        let result = try ClassifierTraining(directory: directory, options: options).run(
            output: output, progress: progress)
        let files = SideFiles(model: output)
        try result.history.writeCSV(to: files.history)
        try PNG.write(LearningCurves.picture(result.history), path: files.curves.path)
        let split =
            "# training (\(result.trainingFiles.count))\n" + result.trainingFiles.joined(separator: "\n")
            + "\n# validation (\(result.validationFiles.count))\n" + result.validationFiles.joined(separator: "\n")
            + "\n"
        try split.write(to: files.split, atomically: true, encoding: .utf8)
        return result
    }

    /// What a person reads after training: classes and counts, balance, calibration, the epoch kept.
    public static func summary(
        _ result: ClassifierTraining.Result, options: ClassifierTraining.Options, output: URL
    ) -> [String] {
        var lines: [String] = []
        let names = result.classifier.classNames
        lines.append(
            "Classes: \(names.joined(separator: ", ")); \(result.trainingCount) training (\(result.extraCount) drawn) and \(result.validationCount) validation images."
        )
        let perClass = names.indices.map {
            "\(names[$0]) \(result.classCounts[$0]) x \(String(format: "%.2f", result.classWeights[$0]))"
        }
        lines.append(
            "Class balance: " + (options.balanceClasses ? "on, images x loss weight: " : "off, images: ")
                + perClass.joined(separator: ", "))
        if let nll = result.validationNLL {
            lines.append(
                String(
                    format: "Calibration: temperature %.2f (validation NLL %.3f -> %.3f), stored in the model",
                    result.temperature, nll.before, nll.after))
        } else {
            lines.append("Calibration: none (\(options.calibrate ? "no validation split" : "--no-calibration"))")
        }
        if let best = result.history.bestEpoch {
            var s = "Saved epoch \(best.epoch) (accuracy \(String(format: "%.3f", best.accuracy))"
            if let va = best.validationAccuracy { s += ", val_accuracy \(String(format: "%.3f", va))" }
            lines.append(s + ") to \(output.path)")
        }
        let files = SideFiles(model: output)
        lines.append(
            "History: \(files.history.path)  Curves: \(files.curves.path)  Split: \(files.split.path)")
        return lines
    }
}
