import Foundation

/// A rate as reports print it: `10` for whole numbers, `12.50` otherwise.
public func rateText(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(format: "%.2f", v) }
