//! Revenue curves: the run-rate `R(t)` and its integral over a time range.
//!
//! `t` is in years from the scenario start (act/365). A period's revenue is
//! the integral of the annualised run-rate over the period, so a flat run-rate
//! of 12 earns `12 * 31/365` in a 31-day month, and growth inside a period is
//! counted exactly rather than by a mid-point rule. Everything here is closed
//! form, allocation-free, and cheap enough to call per period per path.

use crate::model::{Growth, Revenue};

/// Annualised run-rate at time `t`.
pub fn run_rate(r: &Revenue, v: &[f64], t: f64) -> f64 {
    let r0 = r.run_rate.of(v);
    match &r.growth {
        Growth::Constant { rate } => r0 * (1.0 + rate.of(v)).powf(t),
        Growth::Path { rates } => {
            let (k, s) = year_and_offset(t);
            let rk = path_level(r0, rates, v, k);
            rk * (1.0 + path_rate(rates, v, k)).powf(s)
        }
        Growth::SCurve { ceiling, steepness } => {
            let k = ceiling.of(v);
            let a = s_curve_a(k, r0);
            k / (1.0 + a * (-steepness.of(v) * t).exp())
        }
    }
}

/// Revenue earned between `a` and `b` (years, `a <= b`): the integral of the run-rate.
pub fn revenue_between(r: &Revenue, v: &[f64], a: f64, b: f64) -> f64 {
    if b <= a {
        return 0.0;
    }
    let r0 = r.run_rate.of(v);
    match &r.growth {
        Growth::Constant { rate } => r0 * growth_integral(rate.of(v), a, b),
        Growth::Path { rates } => {
            // Sum year by year; within year k the run-rate is R_k (1+g_k)^(t-k).
            let mut total = 0.0;
            let mut k = a.floor().max(0.0) as usize;
            let mut level = path_level(r0, rates, v, k);
            let mut lo = a;
            while lo < b {
                let hi = b.min(k as f64 + 1.0);
                let g = path_rate(rates, v, k);
                total += level * growth_integral(g, lo - k as f64, hi - k as f64);
                level *= 1.0 + g;
                k += 1;
                lo = hi;
            }
            total
        }
        Growth::SCurve { ceiling, steepness } => {
            let (k, s) = (ceiling.of(v), steepness.of(v));
            let a_coef = s_curve_a(k, r0);
            // d/dt [t + ln(1 + A e^(-s t)) / s] = 1 / (1 + A e^(-s t)).
            let prim = |t: f64| t + (a_coef * (-s * t).exp()).ln_1p() / s;
            k * (prim(b) - prim(a))
        }
    }
}

/// Revenue in a run of adjacent periods, from the curve's primitive.
///
/// A period's revenue is `F(t1) - F(t0)`; periods share their ends, so a
/// run needs `F` at its `n + 1` boundaries rather than `2n` evaluations of
/// [`revenue_between`] (each an `exp` and a `ln_1p` on an S-curve). `fill`
/// returns false for a growth path (piecewise by year), which the caller
/// then integrates period by period.
#[derive(Debug, Clone, Copy)]
pub struct Primitive {
    /// Revenue = scale * (F[k+1] - F[k]).
    scale: f64,
}

impl Primitive {
    /// Writes `F` at each time of `bounds` into `out`; `None` for a growth path.
    ///
    /// `gaps[k]` is the whole days from `bounds[k]` to `bounds[k + 1]`, so
    /// `e^(c t)` steps from one boundary to the next by a factor `e^(c gap / 365)`
    /// taken from a handful of distinct gaps (28 to 31 days on a monthly grid)
    /// instead of an `exp` per boundary.
    pub fn fill(
        r: &Revenue,
        v: &[f64],
        bounds: &[f64],
        gaps: &[u32],
        out: &mut [f64],
    ) -> Option<Primitive> {
        let r0 = r.run_rate.of(v);
        match &r.growth {
            Growth::Constant { rate } => {
                let l = (1.0 + rate.of(v)).ln();
                if l.abs() < 1e-12 {
                    out.copy_from_slice(bounds);
                    return Some(Primitive { scale: r0 });
                }
                exps(l, bounds, gaps, out);
                Some(Primitive { scale: r0 / l })
            }
            Growth::SCurve { ceiling, steepness } => {
                let (k, s) = (ceiling.of(v), steepness.of(v));
                let a_coef = s_curve_a(k, r0);
                exps(-s, bounds, gaps, out);
                for (o, &t) in out.iter_mut().zip(bounds) {
                    *o = t + (a_coef * *o).ln_1p() / s;
                }
                Some(Primitive { scale: k })
            }
            Growth::Path { .. } => None,
        }
    }

    /// Revenue between boundaries `k` and `k + 1` of `values`.
    #[inline]
    pub fn between(&self, values: &[f64], k: usize) -> f64 {
        self.scale * (values[k + 1] - values[k])
    }
}

/// `out[k] = e^(c bounds[k])`, stepping by the factor of each day gap.
fn exps(c: f64, bounds: &[f64], gaps: &[u32], out: &mut [f64]) {
    // (gap, factor) of the distinct gaps seen so far; a grid has few.
    let mut seen = [(u32::MAX, 0.0); 6];
    let Some(&t0) = bounds.first() else { return };
    let mut x = (c * t0).exp();
    for (k, o) in out.iter_mut().enumerate() {
        *o = x;
        let Some(&gap) = gaps.get(k) else { break };
        let factor = match seen.iter().find(|s| s.0 == gap) {
            Some(s) => s.1,
            None => {
                let f = (c * gap as f64 / 365.0).exp();
                if let Some(slot) = seen.iter_mut().find(|s| s.0 == u32::MAX) {
                    *slot = (gap, f);
                }
                f
            }
        };
        x *= factor;
    }
}

/// The S-curve's `A = K / R0 - 1`, which is above -1 for any positive
/// ceiling; kept there when `K / R0` underflows (a ceiling of 1e-300), so
/// `ln(1 + A e^(-s t))` stays finite.
#[inline]
pub(crate) fn s_curve_a(ceiling: f64, run_rate: f64) -> f64 {
    (ceiling / run_rate - 1.0).max(-1.0 + 1e-12)
}

/// Integral of `(1+g)^t` from `a` to `b`.
#[inline]
fn growth_integral(g: f64, a: f64, b: f64) -> f64 {
    let l = (1.0 + g).ln();
    if l.abs() < 1e-12 {
        b - a
    } else {
        ((l * b).exp() - (l * a).exp()) / l
    }
}

fn year_and_offset(t: f64) -> (usize, f64) {
    let k = t.floor().max(0.0);
    (k as usize, t - k)
}

/// The rate for scenario year `k`; past the path's end the last rate holds.
#[inline]
fn path_rate(rates: &[crate::model::P], v: &[f64], k: usize) -> f64 {
    match rates.get(k).or(rates.last()) {
        Some(p) => p.of(v),
        None => 0.0,
    }
}

/// Run-rate at the start of scenario year `k`.
fn path_level(r0: f64, rates: &[crate::model::P], v: &[f64], k: usize) -> f64 {
    (0..k).fold(r0, |level, j| level * (1.0 + path_rate(rates, v, j)))
}

/// `ln(1 + x)` of each value in place, within an ulp or two of
/// [`f64::ln_1p`], in steps the compiler vectorises: the S-curve's
/// primitive takes one per lane per period boundary, and a call to the
/// platform's `log1p` per value was a fifth of the block engine.
///
/// fdlibm's `log` (musl's `log1p` correction for the rounding of `1 + x`):
/// `1 + x = 2^k m` with `m` in `[sqrt(2)/2, sqrt(2))`, `ln m` from
/// `s = (m - 1) / (m + 1)` and a degree-14 polynomial in `s`. Values not
/// above -1, or not finite, take [`f64::ln_1p`] (a NaN or an infinity
/// keeps its meaning).
///
/// ```
/// # use dealsim::engine::curve::ln_1p_all;
/// let mut x = [0.0, 1e-12, 0.5, 21.5, -0.75];
/// ln_1p_all(&mut x);
/// assert_eq!(x[0], 0.0);
/// assert!((x[2] - 1.5f64.ln()).abs() < 1e-15);
/// assert!((x[4] - 0.25f64.ln()).abs() < 1e-15);
/// ```
pub fn ln_1p_all(values: &mut [f64]) {
    let fast = |x: f64| x > -1.0 && x < 1e300;
    if !values.iter().fold(true, |ok, &x| ok & fast(x)) {
        // Value by value, so a value's answer does not depend on the others.
        for x in values.iter_mut() {
            if fast(*x) {
                ln_1p_each(std::slice::from_mut(x));
            } else {
                *x = x.ln_1p();
            }
        }
        return;
    }
    // Four lanes per instruction where the CPU has them. The operations
    // are the same IEEE ones (no fused multiply-add), so the answers are
    // identical either way.
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        unsafe { ln_1p_avx2(values) };
        return;
    }
    ln_1p_each(values);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn ln_1p_avx2(values: &mut [f64]) {
    ln_1p_each(values);
}

/// The body of [`ln_1p_all`] for values in `(-1, 1e300)`.
#[inline(always)]
fn ln_1p_each(values: &mut [f64]) {
    // fdlibm's constants, by their bits (as e_log.c gives them).
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    const LG1: f64 = f64::from_bits(0x3fe5_5555_5555_5593);
    const LG2: f64 = f64::from_bits(0x3fd9_9999_9997_fa04);
    const LG3: f64 = f64::from_bits(0x3fd2_4924_9422_9359);
    const LG4: f64 = f64::from_bits(0x3fcc_71c5_1d8e_78af);
    const LG5: f64 = f64::from_bits(0x3fc7_4664_96cb_03de);
    const LG6: f64 = f64::from_bits(0x3fc3_9a09_d078_c69f);
    const LG7: f64 = f64::from_bits(0x3fc2_f112_df3e_5244);
    // 2^52: an integer below it, in a double's low bits, is that integer
    // plus 2^52 (an `as f64` of a 64-bit integer does not vectorise).
    const TWO_52: f64 = 4_503_599_627_370_496.0;
    for x in values {
        let u = 1.0 + *x;
        let bits = u.to_bits();
        // The exponent of u, counted so that m falls in [sqrt(2)/2, sqrt(2)).
        let hx = (bits >> 32) + (0x3ff0_0000 - 0x3fe6_a09e);
        let biased = hx >> 20;
        let k = f64::from_bits(TWO_52.to_bits() | biased) - (TWO_52 + 1023.0);
        let hm = (hx & 0x000f_ffff) + 0x3fe6_a09e;
        let m = f64::from_bits((hm << 32) | (bits & 0xffff_ffff));
        let f = m - 1.0;
        // What 1 + x lost to rounding, exactly (Sterbenz), over u. As u is
        // 2^k m, 1/u is 2^-k (1 - f + f^2 - f^3) to within f^4 of itself:
        // a relative error below 3% on a term below half an ulp of the
        // result (below x^3 of an ulp when x is small), and no division.
        let c = if k >= 2.0 {
            1.0 - (u - *x)
        } else {
            *x - (u - 1.0)
        };
        let scale = f64::from_bits((2046 - biased) << 52);
        let c = c * scale * (1.0 - f * (1.0 - f * (1.0 - f)));
        let hfsq = 0.5 * f * f;
        let s = f / (2.0 + f);
        let z = s * s;
        let w = z * z;
        let t1 = w * (LG2 + w * (LG4 + w * LG6));
        let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
        let r = t2 + t1;
        let ln = s * (hfsq + r) + (k * LN2_LO + c) - hfsq + f + k * LN2_HI;
        // ln(1 + x) is x for x = 0 and -0 (the sum above gives +0 for -0).
        *x = if *x == 0.0 { *x } else { ln };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::params::{Params, Range};

    fn revenue(
        params: &mut Params,
        run_rate: f64,
        growth: impl FnOnce(&mut Params) -> Growth,
    ) -> Revenue {
        let rr = params.add("r", run_rate, None, Range::Any);
        let growth = growth(params);
        let z = params.add("z", 0.0, None, Range::Any);
        Revenue {
            party: 1,
            run_rate: rr,
            growth,
            opex_share: z,
            fixed_opex: z,
        }
    }

    #[test]
    fn flat_run_rate_earns_its_share_of_days() {
        let mut p = Params::default();
        let r = revenue(&mut p, 12.0, |p| Growth::Constant {
            rate: p.add("g", 0.0, None, Range::Any),
        });
        // 12 a year over a 31-day month: 12 * 31 / 365 = 1.019178082...
        let got = revenue_between(&r, &p.values, 0.0, 31.0 / 365.0);
        assert!((got - 12.0 * 31.0 / 365.0).abs() < 1e-12);
    }

    #[test]
    fn constant_growth_integrates_in_closed_form() {
        let mut p = Params::default();
        let r = revenue(&mut p, 10.0, |p| Growth::Constant {
            rate: p.add("g", 1.0, None, Range::Any),
        });
        // Doubling each year: integral over year 1 of 10 * 2^t = 10 * (2 - 1) / ln 2 = 14.4269504...
        let got = revenue_between(&r, &p.values, 0.0, 1.0);
        assert!((got - 10.0 / std::f64::consts::LN_2).abs() < 1e-10);
        // Run-rate after 1.5 years: 10 * 2^1.5 = 28.2842712...
        assert!((run_rate(&r, &p.values, 1.5) - 28.284271247461902).abs() < 1e-9);
    }

    #[test]
    fn growth_path_compounds_year_by_year() {
        let mut p = Params::default();
        let r = revenue(&mut p, 10.0, |p| Growth::Path {
            rates: vec![
                p.add("g1", 1.0, None, Range::Any),
                p.add("g2", 0.0, None, Range::Any),
            ],
        });
        // Year 1 grows 100%, year 2 is flat at 20: R(1.5) = 20, revenue in year 2 = 20.
        assert!((run_rate(&r, &p.values, 1.5) - 20.0).abs() < 1e-12);
        assert!((revenue_between(&r, &p.values, 1.0, 2.0) - 20.0).abs() < 1e-12);
        // Across the boundary: [0.5, 1.5] = 10*(2 - 2^0.5)/ln2 + 20*0.5 = 8.4506 + 10.
        let want = 10.0 * (2.0 - 2f64.sqrt()) / std::f64::consts::LN_2 + 10.0;
        assert!((revenue_between(&r, &p.values, 0.5, 1.5) - want).abs() < 1e-12);
    }

    #[test]
    fn s_curve_matches_numerical_integration() {
        let mut p = Params::default();
        let r = revenue(&mut p, 20.0, |p| Growth::SCurve {
            ceiling: p.add("k", 300.0, None, Range::Any),
            steepness: p.add("s", 0.9, None, Range::Any),
        });
        // R(0) = 300 / (1 + 14) = 20; an independent midpoint sum over [0, 3] with 30,000 steps.
        assert!((run_rate(&r, &p.values, 0.0) - 20.0).abs() < 1e-12);
        let n = 30_000;
        let h = 3.0 / n as f64;
        let numeric: f64 = (0..n)
            .map(|i| 300.0 / (1.0 + 14.0 * (-0.9 * (i as f64 + 0.5) * h).exp()) * h)
            .sum();
        assert!((revenue_between(&r, &p.values, 0.0, 3.0) - numeric).abs() < 1e-6);
    }

    #[test]
    fn ln_1p_all_is_within_an_ulp_of_the_platform_ln_1p() {
        // Dense deterministic inputs: tiny |x| (where the correction for
        // the rounding of 1 + x carries the answer), values either side of
        // each 2^j sqrt(2)/2 - 1 (where the exponent k steps), near -1, and
        // a geometric grid up to 1e299. The reference is the platform's
        // log1p, itself within about an ulp of the exact value.
        let mut xs = vec![0.0, 1e-300, -1e-300, -0.999_999, 1e299, 5e-324];
        let mut v: f64 = 2f64.powi(-60);
        while v < 1e299 {
            for m in [1.0, 1.37, 1.9, 21.5] {
                xs.push(v * m);
                if v * m < 1.0 {
                    xs.push(-v * m);
                }
            }
            v *= 1.07;
        }
        for j in -3..60 {
            let edge = 2f64.powi(j) * std::f64::consts::FRAC_1_SQRT_2 - 1.0;
            let mut x = edge;
            for _ in 0..8 {
                x = x.next_down();
            }
            for _ in 0..16 {
                if x > -1.0 {
                    xs.push(x);
                }
                x = x.next_up();
            }
        }
        let mut got = xs.clone();
        ln_1p_all(&mut got);
        // The wide-vector road, where the CPU takes it, gives the same bits.
        let mut plain = xs.clone();
        ln_1p_each(&mut plain);
        for (g, p) in got.iter().zip(&plain) {
            assert_eq!(g.to_bits(), p.to_bits());
        }
        for (&x, &g) in xs.iter().zip(&got) {
            let want = x.ln_1p();
            let ulp = want.abs().next_up() - want.abs();
            assert!((g - want).abs() <= ulp, "ln_1p({x:e}): {g:e} vs {want:e}");
        }
        let mut zeros = [-0.0];
        ln_1p_all(&mut zeros);
        assert!(zeros[0] == 0.0 && zeros[0].is_sign_negative());
        // One value off the fast road does not move the others' answers.
        let mut mixed = [0.5, f64::NAN, 21.5];
        ln_1p_all(&mut mixed);
        let mut alone = [0.5, 21.5];
        ln_1p_all(&mut alone);
        assert_eq!((mixed[0], mixed[2]), (alone[0], alone[1]));
        // Outside the fast road: the platform's answers.
        let mut odd = [-1.0, -2.0, f64::INFINITY, f64::NAN];
        ln_1p_all(&mut odd);
        assert_eq!(odd[0], f64::NEG_INFINITY);
        assert!(odd[1].is_nan() && odd[3].is_nan());
        assert_eq!(odd[2], f64::INFINITY);
    }
}
