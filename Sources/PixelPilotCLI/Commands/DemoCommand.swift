import ArgumentParser

/// `pixelpilot demo`: the stash sorter's demo (the default), the layout reader's or the autopilot's.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a demo: the stash sorter (default), the layout reader or the autopilot.",
        discussion: """
              pixelpilot demo [stash]   sort a shuffled stash in the arena, end to end
              pixelpilot demo layout    the map arena plays itself; the live reader
                                        names its layout on the guide overlay
              pixelpilot demo autopilot the expert drives and is recorded, a policy
                                        learns from it, then drives unseen tracks
            """,
        subcommands: [DemoStash.self, DemoLayout.self, DemoAutopilot.self], defaultSubcommand: DemoStash.self)
}
