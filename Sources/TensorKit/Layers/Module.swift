/// A tensor that a module keeps and saves but does not train, such as batch norm's running
/// statistics. Wrap such state in `Buffer` so reflection tells it from a parameter.
public final class Buffer {
    /// The current value. Replace or update it in place.
    public var value: Tensor
    public init(_ value: Tensor) { self.value = value }
}

/// The base class of layers and models, in the spirit of MLXNN's `Module`.
///
/// Parameters are stored properties of type ``Tensor``; non-trainable state is a ``Buffer``;
/// sub-layers are stored properties of a ``Module`` type or arrays of them. Reflection finds them
/// and names them with dotted keys in snake case (`runningMean` → `running_mean`, an array
/// element → `layers.0`), which match PyTorch's `state_dict` names for the same architecture.
open class Module {
    /// True in training mode (dropout active, batch norm uses batch statistics).
    public private(set) var isTraining = true

    public init() {}

    /// Direct sub-modules with their keys. The default finds them by reflection.
    open func children() -> [(String, Module)] {
        var result: [(String, Module)] = []
        for child in Mirror(reflecting: self).allChildren {
            guard let label = child.label else { continue }
            let key = Module.snakeCase(label)
            if let m = child.value as? Module {
                result.append((key, m))
            } else if let ms = child.value as? [Module] {
                for (i, m) in ms.enumerated() { result.append(("\(key).\(i)", m)) }
            } else if let om = child.value as? Module?, let m = om {
                result.append((key, m))
            }
        }
        return result
    }

    /// This module's own parameters (not its children's). The default finds them by reflection.
    open func ownParameters() -> [(String, Tensor)] {
        var result: [(String, Tensor)] = []
        for child in Mirror(reflecting: self).allChildren {
            guard let label = child.label else { continue }
            if let t = child.value as? Tensor {
                result.append((Module.snakeCase(label), t))
            } else if let ot = child.value as? Tensor?, let t = ot {
                result.append((Module.snakeCase(label), t))
            }
        }
        return result
    }

    /// This module's own buffers. The default finds them by reflection.
    open func ownBuffers() -> [(String, Buffer)] {
        var result: [(String, Buffer)] = []
        for child in Mirror(reflecting: self).allChildren {
            guard let label = child.label, let b = child.value as? Buffer else { continue }
            result.append((Module.snakeCase(label), b))
        }
        return result
    }

    /// Every parameter of this module and its descendants, with dotted keys, in declaration order.
    public func namedParameters() -> [(String, Tensor)] {
        var result = ownParameters()
        for (name, child) in children() {
            result += child.namedParameters().map { ("\(name).\($0.0)", $0.1) }
        }
        return result
    }

    /// Every buffer of this module and its descendants, with dotted keys.
    public func namedBuffers() -> [(String, Buffer)] {
        var result = ownBuffers()
        for (name, child) in children() {
            result += child.namedBuffers().map { ("\(name).\($0.0)", $0.1) }
        }
        return result
    }

    /// The parameters that are not frozen.
    public func trainableParameters() -> [Tensor] {
        namedParameters().map(\.1).filter(\.requiresGrad)
    }

    /// Total number of parameter elements.
    public var parameterCount: Int { namedParameters().reduce(0) { $0 + $1.1.count } }

    /// Switches this module and its descendants to training (`true`) or evaluation mode.
    open func train(_ on: Bool = true) {
        isTraining = on
        for (_, c) in children() { c.train(on) }
    }

    /// Switches to evaluation mode.
    public func eval() { train(false) }

    /// Stops gradients to every parameter (for a frozen feature extractor).
    public func freeze() { for (_, p) in namedParameters() { p.requiresGrad = false } }

    /// Lets gradients reach every parameter again.
    public func unfreeze() { for (_, p) in namedParameters() { p.requiresGrad = true } }

    /// Parameters and buffers by key.
    public func stateDict() -> [String: Tensor] {
        var d: [String: Tensor] = [:]
        for (k, p) in namedParameters() { d[k] = p }
        for (k, b) in namedBuffers() { d[k] = b.value }
        return d
    }

    /// Copies values from `state` into this module's parameters and buffers.
    ///
    /// With `strict`, a missing key, an unexpected key or a shape that differs is an error that
    /// names every offending tensor.
    public func load(stateDict state: [String: Tensor], strict: Bool = true) throws {
        var problems: [String] = []
        var seen = Set<String>()
        for (k, p) in namedParameters() {
            seen.insert(k)
            guard let v = state[k] else {
                problems.append("missing tensor '\(k)' (expected shape \(p.shape))")
                continue
            }
            guard v.shape == p.shape else {
                problems.append("tensor '\(k)' has shape \(v.shape), expected \(p.shape)")
                continue
            }
            p.assign(v)
        }
        for (k, b) in namedBuffers() {
            seen.insert(k)
            guard let v = state[k] else {
                problems.append("missing tensor '\(k)' (expected shape \(b.value.shape))")
                continue
            }
            guard v.shape == b.value.shape else {
                problems.append("tensor '\(k)' has shape \(v.shape), expected \(b.value.shape)")
                continue
            }
            b.value.assign(v)
        }
        if strict {
            for k in state.keys.sorted() where !seen.contains(k) { problems.append("unexpected tensor '\(k)'") }
            if !problems.isEmpty { throw TensorError.stateMismatch(problems.joined(separator: "; ")) }
        } else if !problems.isEmpty {
            // Non-strict: shape mismatches are still errors; missing keys are allowed.
            let bad = problems.filter { $0.contains("has shape") }
            if !bad.isEmpty { throw TensorError.stateMismatch(bad.joined(separator: "; ")) }
        }
    }

    /// `camelCase` → `snake_case`, with digits after a letter kept together (`weightIhL0` → `weight_ih_l0`).
    static func snakeCase(_ s: String) -> String {
        var out = ""
        for ch in s {
            if ch == "_" && out.isEmpty { continue }
            if ch.isUppercase {
                if !out.isEmpty { out.append("_") }
                out.append(Character(ch.lowercased()))
            } else {
                out.append(ch)
            }
        }
        return out
    }
}

/// A module that maps one tensor to one tensor.
public protocol UnaryLayer: Module {
    func callAsFunction(_ x: Tensor) -> Tensor
}

extension Mirror {
    /// Children of this type and its superclasses (subclass properties last).
    var allChildren: [Mirror.Child] {
        var result: [Mirror.Child] = []
        var m: Mirror? = self
        var chain: [Mirror] = []
        while let mm = m {
            chain.append(mm)
            m = mm.superclassMirror
        }
        for mm in chain.reversed() { result += mm.children }
        return result
    }
}
