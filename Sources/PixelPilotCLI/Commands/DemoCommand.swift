import ArgumentParser

/// `pixelpilot demo`: the stash sorter's demo (the default) or the autopilot's.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a demo: the stash sorter (default) or the autopilot.",
        discussion: """
            pixelpilot demo [stash]   sort a shuffled stash in the arena, end to end
            pixelpilot demo autopilot the expert drives and is recorded, a policy
                                      learns from it, then drives unseen tracks
            """,
        subcommands: [DemoStash.self, DemoAutopilot.self], defaultSubcommand: DemoStash.self)
}
