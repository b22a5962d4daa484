import XCTest
import TensorKit

/// Compares core ops with PyTorch (fixtures from tools/fixtures/core.py) within 1e-4 relative.
final class CoreParityTests: XCTestCase {
    func testArithmetic() throws {
        let f = try Fixture.load("core_arith")
        let a = leaf(f["a"])
        let b = leaf(f["b"])
        let c = leaf(f["c"])
        let y = (a + b) * c - a / (b * b + 2)
        assertClose(y, f["y"], "y")
        (y * f["w"]!).sum().backward()
        assertClose(a.grad, f["grad_a"], "grad a")
        assertClose(b.grad, f["grad_b"], "grad b")
        assertClose(c.grad, f["grad_c"], "grad c")
    }

    func testMatmul() throws {
        let f = try Fixture.load("core_matmul")
        let a = leaf(f["a"])
        let b = leaf(f["b"])
        let y = a.matmul(b)
        assertClose(y, f["y"], "y")
        (y * f["w"]!).sum().backward()
        assertClose(a.grad, f["grad_a"], "grad a")
        assertClose(b.grad, f["grad_b"], "grad b")
    }

    func testReductions() throws {
        let f = try Fixture.load("core_reduce")
        let x = leaf(f["x"])
        let s = x.sum(alongAxes: [1])
        let mn = x.mean(alongAxes: [0, 2], keepDims: true)
        let mx = x.max(alongAxis: 2)
        let p = x.permuted([2, 0, 1]).reshaped([4, 6])
        assertClose(s, f["sum1"], "sum")
        assertClose(mn, f["mean02"], "mean")
        assertClose(mx, f["max2"], "max")
        assertClose(p, f["perm"], "permute")
        ((s * f["ws"]!).sum() + (mn * f["wm"]!).sum() + (mx * f["wx"]!).sum() + (p * f["wp"]!).sum()).backward()
        assertClose(x.grad, f["grad_x"], "grad x")
    }

    func testLinear() throws {
        let f = try Fixture.load("core_linear")
        let l = Linear(5, 3)
        try l.load(stateDict: ["weight": f["weight"]!, "bias": f["bias"]!])
        let x = leaf(f["x"])
        let y = l(x)
        assertClose(y, f["y"], "y")
        (y * f["w"]!).sum().backward()
        assertClose(x.grad, f["grad_x"], "grad x")
        assertClose(l.weight.grad, f["grad_weight"], "grad weight")
        assertClose(l.bias!.grad, f["grad_bias"], "grad bias")
    }
}
