import ArgumentParser
import Arena
import Foundation
import Imaging
import Workshop
import LayoutReader

/// How much of a full arena layout the classifier's nearest tokens can see: per class, the number
/// of non-empty 32 px patches, the distance of the last kept token, the share of the walls kept,
/// and whether the kept tokens reach the class's landmark (its waypoint: the fork's junction, the
/// hub's room, the u-turn's turn, ...).
struct LayoutReach: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reach",
        abstract: "Measure how much of each layout class the nearest --tokens tokens around the entrance contain.",
        discussion: """
            For --instances full layouts per class (training seeds, or --test for the test seeds), \
            with their exact wall lines: the non-empty 32 px patches, the distance from the \
            entrance of the --tokens-th nearest one (the original layout reader keeps the nearest 128), the share of \
            the wall pixels in the kept tokens, the distance of the class's waypoint (its \
            landmark) and the share of the wall pixels within 120 px of it that the kept tokens \
            hold. Medians over the instances, with the minimum and maximum.

            Example: pixelpilot layout reach --instances 8
            """)
    @Option(parsing: .unconditional, help: "Layouts per class.") var instances = 8
    @Option(parsing: .unconditional, help: "Tokens kept (the original layout reader's 128).") var tokens = 128
    @Flag(help: "Use the test instances' random seeds instead of the training ones.") var test = false

    func run() throws {
        guard instances > 0, tokens > 0 else { throw ValidationError("--instances and --tokens must be positive") }
        print(
            "class        patches    last kept token (px)   walls kept   waypoint (px)   landmark walls kept   (median [min-max] of \(instances))"
        )
        func f(_ v: [Double], _ fmt: String) -> String {
            let s = v.sorted()
            return String(format: "\(fmt) [\(fmt)-\(fmt)]", s.median, s.first!, s.last!)
        }
        for c in LayoutClass.allCases {
            let r = Workshop.LayoutReach.measure(c, instances: instances, tokens: tokens, test: test)
            print(
                String(c.description).padding(toLength: 12, withPad: " ", startingAt: 0) + " "
                    + f(r.map { Double($0.patches) }, "%.0f") + "   " + f(r.map(\.lastTokenDistance), "%.0f") + "   "
                    + f(r.map { $0.wallsKept * 100 }, "%.0f%%") + "   " + f(r.map(\.waypointDistance), "%.0f") + "   "
                    + f(r.map { $0.landmarkWallsKept * 100 }, "%.0f%%"))
        }
    }
}
