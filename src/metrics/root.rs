//! Brent's root finder ("zeroin", Brent 1973) for any function with a
//! bracket: XIRR refines its bracket with it, and goal seek finds the input
//! that reaches a target.
//!
//! It keeps a bracket `[b, c]` with a sign change, tries inverse quadratic
//! interpolation or the secant, and falls back to bisection whenever the
//! step would leave the bracket or shrink it slower than bisection, so it
//! never needs more steps than bisection does (plus a few) and converges
//! superlinearly on smooth functions.
//!
//! ```
//! use dealsim::metrics::root::brent;
//! let mut steps = 0;
//! let f = |x: f64| Some(x * x - 2.0);
//! let r = brent(f, (0.0, -2.0), (2.0, 2.0), |_| 1e-12, 100, &mut steps).unwrap();
//! assert!((r - 2f64.sqrt()).abs() < 1e-11);
//! ```

/// The root of `f` between `a` and `b`, given `fa = f(a)` and `fb = f(b)`
/// of opposite signs (or one of them zero). `tol(x)` is the accuracy wanted
/// near `x`; at most `max` evaluations, each counted in `iterations`.
/// `None` when the ends do not bracket a sign change or `f` returns `None`.
pub fn brent(
    mut f: impl FnMut(f64) -> Option<f64>,
    (a, fa): (f64, f64),
    (b, fb): (f64, f64),
    tol: impl Fn(f64) -> f64,
    max: u32,
    iterations: &mut u32,
) -> Option<f64> {
    let (mut a, mut fa, mut b, mut fb) = (a, fa, b, fb);
    if fa == 0.0 {
        return Some(a);
    }
    if fb == 0.0 {
        return Some(b);
    }
    if (fa > 0.0) == (fb > 0.0) {
        return None;
    }
    // c is the other end of the bracket [b, c]; b is the best estimate.
    let (mut c, mut fc) = (a, fa);
    let (mut d, mut e) = (b - a, b - a);
    for _ in 0..max {
        if (fb > 0.0) == (fc > 0.0) {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol = 2.0 * f64::EPSILON * b.abs() + 0.5 * tol(b);
        let half = 0.5 * (c - b);
        if half.abs() <= tol || fb == 0.0 {
            return Some(b);
        }
        if e.abs() >= tol && fa.abs() > fb.abs() {
            // Secant (a == c) or inverse quadratic interpolation.
            let s = fb / fa;
            let (mut p, mut q) = if a == c {
                (2.0 * half * s, 1.0 - s)
            } else {
                let qa = fa / fc;
                let r = fb / fc;
                (
                    s * (2.0 * half * qa * (qa - r) - (b - a) * (r - 1.0)),
                    (qa - 1.0) * (r - 1.0) * (s - 1.0),
                )
            };
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            // Accept the interpolation only if it stays well inside the
            // bracket and shrinks faster than bisection would.
            if 2.0 * p < (3.0 * half * q - (tol * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = half;
                e = d;
            }
        } else {
            d = half;
            e = d;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol { d } else { tol.copysign(half) };
        *iterations += 1;
        fb = f(b)?;
    }
    Some(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_function_is_bisected_to_the_step() {
        // f jumps from -1 to +1 at x = 0.3: the answer is the step, found
        // within the tolerance in about log2(1 / 1e-6) = 20 steps.
        let mut steps = 0;
        let f = |x: f64| Some(if x < 0.3 { -1.0 } else { 1.0 });
        let r = brent(f, (0.0, -1.0), (1.0, 1.0), |_| 1e-6, 100, &mut steps).unwrap();
        assert!((r - 0.3).abs() < 1e-6, "{r}");
        assert!(steps <= 25, "{steps} steps");
    }

    #[test]
    fn no_bracket_is_no_answer() {
        let mut steps = 0;
        assert_eq!(
            brent(Some, (1.0, 1.0), (2.0, 2.0), |_| 1e-9, 10, &mut steps),
            None
        );
    }
}
