import ArgumentParser
import Arena
import Foundation
import Workshop
import Imaging
import LayoutReader
import TensorKit
import TrainingReports

struct TrainLayout: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layout",
        abstract: "Train the layout classifier (the original layout reader's ViT) on the map arena's layouts.",
        discussion: """
            Training data: --instances full layouts per class from the map arena, their exact \
            wall lines at the original layout reader's half scale, --paths generated explorations of each from the \
            entrance (routes, wandering, back-tracking; each cut to a random share of its length), \
            revealed with the original layout reader's light radius of 65 px and cut into 32 px tokens around the \
            entrance. A background worker makes the samples during the first epoch; they are kept \
            for later epochs. Steps are class-balanced (at least --per-class samples of each class \
            per step) and padded to one size with a loss mask, as the original layout reader does; Adam.

            Test set: --test-instances layouts per class never trained on (other seeds), walked by \
            the arena's scripted player (its autoplay routes) for --walk-seconds; the revealed \
            walls are captured every second. Every --eval-every steps the test regime (captures \
            with at least 20, 30, 50 % of the walls revealed and the full layout) is scored and \
            the best model by test accuracy is saved to --out.

            At the end the best model is evaluated: accuracy against the explored share (10, 20, \
            30, 50, 100 %), a confusion matrix and the distance walked before the answer is right \
            and stays right. Beside the model: <out>.history.csv, <out>.curves.png, \
            <out>.evaluation.txt, <out>.confusion.png, <out>.accuracy.png.

            Example: pixelpilot train layout --out layout-vit.safetensors --seconds 600
            """)

    @Option(name: .shortAndLong, help: "Where to write the best model (.safetensors).")
    var out = "layout-vit.safetensors"
    @Option(parsing: .unconditional, help: "Training layouts per class.") var instances = 8
    @Option(parsing: .unconditional, help: "Generated explorations per training layout (0: none, e.g. with --walks).")
    var paths = 40
    @Option(
        parsing: .unconditional,
        help: "More explorations per training layout that tour several places in turn, as the scripted player does.")
    var tours = 0
    @Flag(help: "Add each training layout fully revealed.") var fullLayouts = false
    @Option(
        parsing: .unconditional,
        help:
            "Walks of the arena's scripted player (the test's kind of exploration and fog) per training layout, each with its own random explorer; their captures become samples. Training layouts only."
    ) var walks = 0
    @Option(
        parsing: .unconditional,
        help: "With --walks: one capture becomes a sample every this many seconds of each walk.")
    var walkEvery = 4.0
    @Option(parsing: .unconditional, help: "Unseen test layouts per class.") var testInstances = 4
    @Option(
        parsing: .unconditional,
        help:
            "The first test instance that chooses the best model (instances --first-test-instance ..< + --test-instances); start above the instances you keep for the final evaluation, e.g. 12 to keep 4-11 held out."
    ) var firstTestInstance = 0
    @Option(parsing: .unconditional, help: "Seconds of game time the scripted player walks each test layout.")
    var walkSeconds = 120.0
    @Option(parsing: .unconditional, help: "Stop after this many seconds of training.") var seconds = 600.0
    @Option(parsing: .unconditional, help: "Stop after this many epochs.") var epochs = 1000
    @Option(parsing: .unconditional, help: "Adam learning rate (the original layout reader's 1e-3).") var learningRate:
        Float = 1e-3
    @Option(parsing: .unconditional, help: "Score the test set every this many steps (the original layout reader's 5).")
    var evalEvery = 5
    @Option(parsing: .unconditional, help: "Samples of the rarest class per step (the original layout reader's 5).")
    var perClass = 5
    @Option(parsing: .unconditional, help: "Embedding width (the original layout reader's 256).") var width = 256
    @Option(parsing: .unconditional, help: "Encoder blocks (the original layout reader's 3).") var depth = 3
    @Option(parsing: .unconditional, help: "Attention heads (the original layout reader's 4).") var heads = 4
    @Option(parsing: .unconditional, help: "MLP hidden width (the original layout reader's 512).") var mlp = 512
    @Option(parsing: .unconditional, help: "Tokens per sample (the original layout reader's 128).") var tokens = 128
    @Option(parsing: .unconditional, help: "Random seed of weights, paths, shuffling and dropout.") var seed: UInt64 = 0
    @Option(help: "Start from this model's weights (same network shape) instead of random ones.") var resume: String?
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Score and save an exponential moving average of the weights with this decay (e.g. 0.998) instead of the last step's.",
            valueName: "decay")) var averageDecay: Float?
    @Flag(help: "Lower the learning rate along a half cosine to 0 at the end of --seconds.") var cosineDecay = false
    @Option(
        help:
            "What chooses the best model: regime (captures with at least 20, 30, 50 % of the walls and the full layouts) or expert (the expert regime: from the moment the landmark is revealed, as the final evaluation scores)."
    ) var chooseOn: LayoutClassifierRecipe.ChoosingSamples = .regime

    func configurationValue() throws -> ViTConfiguration {
        let c = ViTConfiguration(width: width, depth: depth, heads: heads, mlp: mlp, tokens: tokens, classes: 9)
        if let p = c.problem { throw ValidationError("network shape: \(p)") }
        return c
    }

    func validate() throws {
        guard instances > 0, paths >= 0, testInstances > 0, tours >= 0, firstTestInstance >= 0 else {
            throw ValidationError(
                "--instances and --test-instances must be positive, --paths, --tours and --first-test-instance not negative"
            )
        }
        guard paths + tours + walks > 0 || fullLayouts else {
            throw ValidationError("no training samples: give --paths, --tours, --walks or --full-layouts")
        }
        guard seconds > 0, epochs > 0, evalEvery > 0, perClass > 0, walkSeconds >= 5 else {
            throw ValidationError(
                "--seconds, --epochs, --eval-every and --per-class must be positive, --walk-seconds at least 5")
        }
        guard walks >= 0, walkEvery > 0 else {
            throw ValidationError("--walks must not be negative, --walk-every positive")
        }
        guard learningRate > 0 else { throw ValidationError("--learning-rate must be positive") }
        if let d = averageDecay, !(d > 0 && d < 1) {
            throw ValidationError("--average-decay must be between 0 and 1 (e.g. 0.998), got \(d)")
        }
        _ = try configurationValue()
    }

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)
        let output = URL(fileURLWithPath: out)
        let dir = output.deletingLastPathComponent().path
        guard FileManager.default.isWritableFile(atPath: dir.isEmpty ? "." : dir) else {
            throw ValidationError("--out: cannot write into \(dir)")
        }
        var c = LayoutClassifierRecipe.Configuration(network: try configurationValue())
        (c.instances, c.paths, c.tours, c.fullLayouts) = (instances, paths, tours, fullLayouts)
        (c.walks, c.walkEvery, c.walkSeconds) = (walks, walkEvery, walkSeconds)
        (c.testInstances, c.firstTestInstance) = (testInstances, firstTestInstance)
        c.chooseOn = chooseOn
        c.resume = resume.map { URL(fileURLWithPath: $0) }
        c.options.epochs = epochs
        c.options.timeLimit = seconds
        c.options.learningRate = learningRate
        c.options.minimumPerClassPerStep = perClass
        c.options.evaluateEvery = evalEvery
        c.options.seed = seed
        c.options.averageDecay = averageDecay
        c.options.cosineDecay = cosineDecay
        let outcome = try LayoutClassifierRecipe(c).run(output: output, log: { print($0) }, progress: Self.progress())
        print(outcome.evaluation.report(classNames: outcome.classNames), terminator: "")
        print("History: \(out).history.csv  Curves: \(out).curves.png  Evaluation: \(out).evaluation.txt")
    }

    /// Keras-like console output of the classifier's training events.
    static func progress() -> (ViTTraining.Event) -> Void {
        let bar = ProgressBar()
        return { event in
            switch event {
            case .realised, .epochEnded: break
            case .step(let epoch, let step, let steps, let loss, let elapsed):
                bar.update(
                    done: step, total: steps, elapsed: elapsed,
                    suffix: String(format: "epoch %d - loss: %.4f - %@", epoch, loss, ProgressBar.duration(elapsed)))
            case .evaluated(let log, let improved):
                bar.finish(
                    String(
                        format: "step %d - %@%@", log.epoch,
                        KerasProgress.metrics([
                            ("loss", log.loss), ("accuracy", log.accuracy), ("test_loss", log.validationLoss ?? .nan),
                            ("test_accuracy", log.validationAccuracy ?? .nan),
                        ]), improved ? " (best, saved)" : ""))
            }
        }
    }
}

struct LayoutEvaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score a layout classifier on the scripted player's walks through unseen arena layouts.",
        discussion: """
            Walks --test-instances layouts per class (seeds never used for training) with the \
            arena's scripted player for --walk-seconds and reports the accuracy against the share \
            of the walls revealed (10, 20, 30, 50, 100 %), the confusion matrix of the test regime \
            (at least 20 % revealed) and the distance walked from the entrance before the answer \
            is right and stays right. The lines are the arena's true walls revealed along the \
            route (no UNet). Pictures go to --out.

            --live-path reads the same captures the way `layout live` does as well: the map as \
            the stitcher holds it (the revealed lines over the arena's ground and effects) goes \
            through the line extractor (--extractor, --unet, --no-cleanup), the tokens and the \
            classifier, and the report puts its accuracy beside the true walls' (expert regime, \
            by explored share, recall per class). It runs the extractor on the whole map at each \
            capture: about half a second a capture on two cores.

            Examples:
              pixelpilot layout evaluate --test-instances 8 --out eval/
              pixelpilot layout evaluate --test-instances 32 --first-instance 28 --live-path
            """)
    @Option(help: "The model (default: the built-in layout classifier).") var model: String?
    /// The old form: the model as the first argument.
    @Argument(help: .hidden) var oldFormModel: String?
    @Option(parsing: .unconditional, help: "Unseen test layouts per class.") var testInstances = 4
    @Option(parsing: .unconditional, help: "Seconds of game time the scripted player walks each layout.")
    var walkSeconds = 120.0
    @Option(
        parsing: .unconditional,
        help:
            "Start at this test instance (train layout scores instances 0..<its --test-instances while it picks the best model; start above them for layouts that played no part in training or choosing)."
    ) var firstInstance = 0
    @Option(name: .shortAndLong, help: "Folder for evaluation.txt, confusion.png and accuracy.png.") var out: String?
    @Option(
        help:
            "Folder for a picture of every expert-regime capture answered wrongly (the revealed walls over the full layout, truth and answer)."
    ) var mistakes: String?
    @Flag(
        help:
            "Walk the training instances' layouts instead (train layout's seeds; with --first-instance 0 the layouts the model was trained on), to compare training and test accuracy."
    ) var trainingSeeds = false
    @Flag(help: "Also read every capture through the line extractor, as `layout live` does, and compare.")
    var livePath = false
    @Option(help: "Line extractor of --live-path: unet or threshold (a colour threshold).")
    var extractor: LayoutModelOptions.ExtractorKind = .unet
    @Option(help: "UNet model file of --live-path (default: the committed small UNet).") var unet: String?
    @Flag(help: "--live-path without the sparse-pixel cleanup after the extractor.") var noCleanup = false

    func run() throws {
        let classifier: ViTLayoutClassifier
        if let model = model ?? oldFormModel {
            classifier = try ViTLayoutClassifier(contentsOf: URL(fileURLWithPath: model))
        } else {
            let (c, url) = try ViTLayoutClassifier.loadDefault()
            print("Model: \(url.path)")
            classifier = c
        }
        let t0 = Date()
        guard firstInstance >= 0, testInstances > 0 else {
            throw ValidationError("--first-instance must not be negative and --test-instances must be positive")
        }
        let walks = ArenaLayoutData.testWalks(
            instances: testInstances, first: firstInstance, seconds: walkSeconds,
            tokens: classifier.network.configuration.tokens,
            seedBase: trainingSeeds ? ArenaLayoutData.trainSeedBase : ArenaLayoutData.testSeedBase)
        print(String(format: "%d walks in %.1f s.", walks.count, Date().timeIntervalSince(t0)))
        let e = LayoutEvaluation(classifier: classifier, walks: walks)
        print(e.report(classNames: classifier.classNames), terminator: "")
        if let out {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try e.write(classNames: classifier.classNames, base: (out as NSString).appendingPathComponent("layout-vit"))
        }
        if let mistakes {
            try FileManager.default.createDirectory(atPath: mistakes, withIntermediateDirectories: true)
            for (k, m) in e.mistakes.enumerated() {
                let name = String(
                    format: "%03d-%@-%@.png", k, classifier.classNames[m.layoutClass], m.capture.description)
                try PNG.write(
                    LayoutEvaluation.mistakePicture(m, classNames: classifier.classNames),
                    path: (mistakes as NSString).appendingPathComponent(name.replacingOccurrences(of: "%", with: "pc")))
            }
            print("\(e.mistakes.count) mistake pictures in \(mistakes)")
        }
        if livePath { try evaluateLivePath(classifier) }
    }

    /// The live path on the same walks, beside the true walls.
    func evaluateLivePath(_ classifier: ViTLayoutClassifier) throws {
        let lines = try LayoutModelOptions.lineExtractor(extractor, unet: unet, noCleanup: noCleanup)
        var c = LinePathEvaluation.Configuration()
        (c.instances, c.firstInstance, c.walkSeconds) = (testInstances, firstInstance, walkSeconds)
        c.seedBase = trainingSeeds ? ArenaLayoutData.trainSeedBase : ArenaLayoutData.testSeedBase
        print("Live path (\(lines.name) lines of the rendered map, effects \(c.effects.rawValue)):")
        let bar = ProgressBar()
        let t0 = Date()
        let e = try LinePathEvaluation.run(classifier: classifier, extractor: lines, configuration: c) { done, all in
            bar.update(done: done, total: all, elapsed: Date().timeIntervalSince(t0), suffix: "walks")
        }
        bar.finish("\(e.walks) walks")
        let report = e.report(extractor: lines.name)
        print(report, terminator: "")
        if let out {
            let path = (out as NSString).appendingPathComponent("live-path.txt")
            try report.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }
}

extension LayoutClassifierRecipe.ChoosingSamples: ExpressibleByArgument {}
