import ArgumentParser
import Foundation
import StashSorter
import Datasets

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure a model on a labelled class-folder set: accuracy and confusion matrix.",
        discussion: """
            DIR has one sub-folder per class, named like the model's classes. Folders the model does \
            not know are an error.

            Example:
              pixelpilot eval --model gem.safetensors gems/
            """)

    @Option(help: "The model file (.safetensors).")
    var model: String?

    @Argument(help: "Folder with one sub-folder of PNGs per class.")
    var directoryArgument: String

    /// The old form's second argument (`eval MODEL DIR`).
    @Argument(help: .hidden)
    var oldFormDirectory: String?

    var directory: String { oldFormDirectory ?? directoryArgument }

    func validate() throws {
        if model == nil && oldFormDirectory == nil { throw ValidationError("give the model: --model FILE") }
        if model != nil && oldFormDirectory != nil { throw ValidationError("give one folder after --model FILE") }
    }

    @Flag(help: "List every misclassified file.")
    var showErrors = false

    func run() throws {
        let model = self.model ?? directoryArgument
        let classifier = try CellClassifier(contentsOf: URL(fileURLWithPath: model))
        let folder = try ImageFolder(directory: URL(fileURLWithPath: directory), minimumClasses: 1)
        let unknown = folder.classNames.filter { !classifier.classNames.contains($0) }
        guard unknown.isEmpty else {
            throw CLIError(
                "\(directory): class folder(s) \(unknown.joined(separator: ", ")) are not among the model's classes (\(classifier.classNames.joined(separator: ", ")))"
            )
        }
        // Relabel to the model's class indices.
        let samples = folder.samples.map {
            ImageFolder.Sample(url: $0.url, label: classifier.classNames.firstIndex(of: folder.classNames[$0.label])!)
        }
        let data = try LabeledImages(samples: samples, width: classifier.inputSize, height: classifier.inputSize)
        let cm = classifier.evaluate(data)
        print("Accuracy: \(cm.correct)/\(cm.total) = \(String(format: "%.1f%%", cm.accuracy * 100))")
        print(cm.table(), terminator: "")
        if showErrors {
            let preds = classifier.predict(batch: data.images)
            for (i, p) in preds.enumerated() where p.index != data.labels[i] {
                print(
                    "  \(data.sources[i]): \(classifier.classNames[data.labels[i]]) predicted as \(p.className) (\(String(format: "%.1f%%", p.confidence * 100)))"
                )
            }
        }
    }
}
