import SeededRandom

/// One item in the stash arena: a gem with a look, a name, a level and a quality, and an id that
/// lets tests check that no item was lost or duplicated.
public struct StashItem: Hashable, Sendable {
    public var id: Int
    public var look: GemLook
    public var name: String
    public var level: Int
    public var quality: Int

    public var color: GemColor { look.color }

    static let names: [GemColor: [String]] = [
        .red: [
            "Cleave", "Heavy Strike", "Molten Strike", "Sunder", "Ground Slam", "Infernal Blow", "Leap Slam",
            "Warlord's Mark",
        ],
        .green: [
            "Frenzy", "Lightning Arrow", "Split Arrow", "Tornado Shot", "Ice Shot", "Blade Vortex", "Whirling Blades",
            "Puncture",
        ],
        .blue: ["Arc", "Fireball", "Freezing Pulse", "Spark", "Frostbolt", "Storm Brand", "Flame Dash", "Clarity"],
    ]

    /// A random gem of `colour`.
    public static func random(id: Int, color: GemColor, using rng: inout SeededGenerator) -> StashItem {
        let look = GemLook.random(color, using: &rng)
        let pool = names[color]!
        let base = pool[Int(rng.next() % UInt64(pool.count))]
        return StashItem(
            id: id, look: look, name: look.vaal ? "Vaal \(base)" : base,
            level: 1 + Int(rng.next() % 20), quality: Int(rng.next() % 4) * 5)
    }

    /// The text Path of Exile copies to the clipboard for this gem (Ctrl+C over it).
    public var clipboardText: String {
        let (attr, value): (String, Int) =
            color == .red
            ? ("Str", 30 + level * 4) : color == .green ? ("Dex", 30 + level * 4) : ("Int", 30 + level * 4)
        var s = "Item Class: Skill Gems\nRarity: Gem\n\(name)\n--------\n"
        s +=
            (look.vaal ? "Vaal, " : "")
            + (color == .blue ? "Spell, Intelligence" : color == .green ? "Attack, Dexterity" : "Attack, Strength")
            + "\n"
        s += "Level: \(level)\(level >= 20 ? " (Max)" : "")\n"
        if quality > 0 { s += "Quality: +\(quality)% (augmented)\n" }
        s += "--------\nRequirements:\nLevel: \(Swift.min(100, level * 3 + 1))\n\(attr): \(value)\n"
        return s
    }
}
