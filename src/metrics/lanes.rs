//! XIRR of [`LANES`] flow sets at once, on one grid of dates.
//!
//! A stress computes an investor's IRR on every path: flows at the same
//! period ends (the amounts differ by path) plus a few dated inside a period
//! (a tranche paid on a milestone's date). [`LaneIrr::solve`] finds the IRR
//! of [`LANES`] such flow sets together and gives, lane by lane, what
//! [`xirr_days`] gives (the lowest root in `(-99.99%, +1e8%)`, or why there is
//! none), which is what it falls back on whenever it cannot prove its answer.
//!
//! How: Newton's method with Halley's correction in `v = ln(1 + r) / 365`,
//! from the caller's guess (a stress passes the base case's IRR). One NPV
//! evaluation costs an `exp` per lane (`y = e^-v`) and then only
//! multiplications, vectorised over lanes: each period end's discount factor
//! is the previous one times `y` to the power of the days between them, from
//! a handful of distinct gaps. A lane takes this road only when the running
//! sums of its flows (Norstrom's bounds) allow at most one root below 0% and
//! two above, and it is kept inside a bracket on the lowest root:
//!
//! - one root possible below 0%: it is there iff the NPV at -99.99% and at 0%
//!   differ in sign, and then it is the lowest; the bracket is `(-99.99%, 0%)`;
//! - one root possible above 0%: points with 0%'s sign lie below it, the others
//!   above;
//! - two possible above 0%: a point with the other sign than at 0% has exactly
//!   one root below it; until one is seen, nothing is bracketed.
//!
//! A lane is done when Halley's and Newton's steps are below 1e-10 (Halley's
//! error is about the cube of its step) and the root is proven: by a bracket
//! closed from both sides, or by the slope (the NPV leaves 0%'s sign at the
//! lowest root as the rate rises, and returns at the second). Any lane not
//! done after [`MAX_STEPS`] goes to [`xirr_days`].
//!
//! ```
//! use dealsim::engine::block::LANES;
//! use dealsim::metrics::lanes::LaneIrr;
//! // -100 on day 0, then +60 on days 365 and 730: x = 1/(1+r) solves
//! // -100 + 60x + 60x^2 = 0, x = (-60 + sqrt(60^2 + 4*60*100)) / 120.
//! let x = (-60.0 + (3600.0f64 + 24000.0).sqrt()) / 120.0;
//! let mut irr = LaneIrr::new(vec![0, 365, 730]);
//! let flows = [[-100.0; LANES], [60.0; LANES], [60.0; LANES]];
//! let found = irr.solve(&flows, |_| &[], Some(0.2));
//! assert!((found[3].unwrap() - (1.0 / x - 1.0)).abs() < 1e-12);
//! ```

// Loops over lanes index several arrays in step, which is what vectorises.
#![allow(clippy::needless_range_loop)]

use crate::engine::block::{Dated, Lanes, LANES};

use super::irr::{xirr_days, IrrUndefined};

const ZERO: Lanes = [0.0; LANES];
/// Steps before a lane is handed to [`xirr_days`].
pub const MAX_STEPS: u32 = 24;
/// The rates [`xirr_days`] searches: `(-0.9999, 1e6)`.
const RATE_LO: f64 = -0.9999;
const RATE_HI: f64 = 1e6;

/// The solver for one grid of period ends; see the module docs.
#[derive(Debug, Clone)]
pub struct LaneIrr {
    /// Days from the start to each period end.
    day_end: Vec<i32>,
    /// Index into `gaps` of the days between period ends `p - 1` and `p`.
    gap_ix: Vec<usize>,
    gaps: Vec<u32>,
    /// Scratch for the reference solver.
    days: Vec<i32>,
    amounts: Vec<f64>,
    /// Lanes handed to [`xirr_days`] so far.
    pub fallbacks: u64,
}

impl LaneIrr {
    /// A solver for flows at `day_end` (days from any start, increasing).
    pub fn new(day_end: Vec<i32>) -> LaneIrr {
        let mut gaps: Vec<u32> = Vec::new();
        let mut gap_ix = vec![0; day_end.len()];
        for p in 1..day_end.len() {
            let g = (day_end[p] - day_end[p - 1]) as u32;
            gap_ix[p] = gaps.iter().position(|&x| x == g).unwrap_or_else(|| {
                gaps.push(g);
                gaps.len() - 1
            });
        }
        let n = day_end.len();
        LaneIrr {
            day_end,
            gap_ix,
            gaps,
            days: Vec::with_capacity(2 * n + 16),
            amounts: Vec::with_capacity(2 * n + 16),
            fallbacks: 0,
        }
    }

    /// The IRR of each lane's flows: `flows[p][lane]` at period end `p`, plus
    /// `inside(lane)` (period, day, amount) in time order. `guess` is where
    /// Newton starts.
    pub fn solve<'b>(
        &mut self,
        flows: &[Lanes],
        inside: impl Fn(usize) -> &'b [Dated],
        guess: Option<f64>,
    ) -> [Result<f64, IrrUndefined>; LANES] {
        let mut out = [Err(IrrUndefined::NoFlows); LANES];
        if flows.is_empty() {
            return out;
        }
        // Each lane's bracket: which side of 0% its lowest root is on, and
        // whether the far end of the bracket is known to hold the other sign.
        let mut mode = [Mode::Reference; LANES];
        let mut sign0 = ZERO;
        let (mut lo, mut hi) = (ZERO, ZERO);
        let (v_lo, v_hi) = (RATE_LO.ln_1p() / 365.0, RATE_HI.ln_1p() / 365.0);
        let mut need_lo = false;
        let shape = sign_changes(flows, &inside);
        for l in 0..LANES {
            let (forward, backward, total) = (shape.forward[l], shape.backward[l], shape.total[l]);
            sign0[l] = total.signum();
            if total == 0.0 || !total.is_finite() || forward > 2 || backward > 1 {
                continue;
            }
            mode[l] = match (forward, backward) {
                (_, 1) => {
                    need_lo = true;
                    Mode::MaybeBelow { forward }
                }
                (1, 0) => Mode::Above { verified: false },
                (2, 0) => Mode::AboveOfTwo,
                _ => Mode::Reference,
            };
            (lo[l], hi[l]) = (0.0, v_hi);
        }
        // One root at most below 0%: it is there iff the NPV at -99.99%
        // differs in sign from the NPV at 0%, and then it is the lowest.
        if need_lo {
            let (f, _, _) = self.npv_slopes(flows, &inside, &[v_lo; LANES]);
            for l in 0..LANES {
                if let Mode::MaybeBelow { forward } = mode[l] {
                    mode[l] = if f[l].signum() != sign0[l] && f[l] != 0.0 {
                        (lo[l], hi[l]) = (v_lo, 0.0);
                        Mode::Below
                    } else {
                        match forward {
                            1 => Mode::Above { verified: false },
                            2 => Mode::AboveOfTwo,
                            _ => Mode::Reference,
                        }
                    };
                }
            }
        }
        let start = guess.unwrap_or(0.1).ln_1p() / 365.0;
        let mut v = ZERO;
        for l in 0..LANES {
            v[l] = if start > lo[l] && start < hi[l] {
                start
            } else if mode[l] == Mode::Below {
                // Rates just below 0% rather than the middle (-99%).
                -1e-4
            } else {
                0.5 * (lo[l] + hi[l])
            };
        }
        let mut done = [false; LANES];
        for l in 0..LANES {
            done[l] = mode[l] == Mode::Reference;
        }
        for _ in 0..MAX_STEPS {
            if done.iter().all(|&d| d) {
                break;
            }
            let (f, f1, f2) = self.npv_slopes(flows, &inside, &v);
            for l in 0..LANES {
                if done[l] {
                    continue;
                }
                if f[l] == 0.0 {
                    // An exact root: the lowest, unless two may lie above
                    // 0% and this could be the second.
                    if mode[l] == Mode::AboveOfTwo {
                        mode[l] = Mode::Reference;
                    }
                    done[l] = true;
                    continue;
                }
                if !f[l].is_finite() {
                    (done[l], mode[l]) = (true, Mode::Reference);
                    continue;
                }
                // Keep the bracket on the root: the NPV has sign0's sign
                // between 0% and the root.
                let zero_side = f[l].signum() == sign0[l];
                match mode[l] {
                    Mode::Below if zero_side => hi[l] = v[l],
                    Mode::Below => lo[l] = v[l],
                    Mode::Above { .. } if zero_side => lo[l] = v[l],
                    Mode::Above { .. } => {
                        hi[l] = v[l];
                        mode[l] = Mode::Above { verified: true };
                    }
                    // With two roots above 0%, a point on 0%'s side may be
                    // past the second: it bounds nothing. A point on the
                    // other side has exactly one root below it.
                    Mode::AboveOfTwo if zero_side => {}
                    Mode::AboveOfTwo => {
                        (lo[l], hi[l]) = (0.0, v[l]);
                        mode[l] = Mode::Above { verified: true };
                    }
                    Mode::MaybeBelow { .. } | Mode::Reference => {}
                }
                // Halley's step, Newton's if it fails, bisection if either
                // leaves the bracket.
                let denom = 2.0 * f1[l] * f1[l] - f[l] * f2[l];
                let halley = -2.0 * f[l] * f1[l] / denom;
                let newton = -f[l] / f1[l];
                let step = if halley.is_finite() { halley } else { newton };
                let mut next = v[l] + step;
                let bisect = !(next > lo[l] && next < hi[l]);
                if bisect {
                    next = 0.5 * (lo[l] + hi[l]);
                }
                // Halley's error is about the cube of its step, so a step
                // of 1e-10 leaves an answer exact to rounding; Newton's step
                // must agree (Halley's is also small where the curvature is
                // large). A root so found is proven by a bracket closed from
                // both sides, or by the slope: the lowest root above 0% is
                // where the NPV leaves 0%'s sign as the rate rises, the
                // second where it returns. Bisection is done only when the
                // bracket itself is below rounding.
                let scale = 365.0 / (1.0 + (v[l] * 365.0).abs());
                let verified = matches!(mode[l], Mode::Above { verified: true } | Mode::Below);
                done[l] = if bisect {
                    verified && (hi[l] - lo[l]) * scale <= 1e-14
                } else if (next - v[l]).abs().max(newton.abs()) * scale <= 1e-10 {
                    let leaves = f1[l] != 0.0 && f1[l].signum() == -sign0[l];
                    match mode[l] {
                        Mode::Above { .. } | Mode::AboveOfTwo => verified || leaves,
                        Mode::Below => true,
                        Mode::MaybeBelow { .. } | Mode::Reference => false,
                    }
                } else {
                    false
                };
                v[l] = next;
            }
        }
        for l in 0..LANES {
            let rate = (v[l] * 365.0).exp_m1();
            let fast = mode[l] != Mode::Reference && done[l];
            if fast && rate > RATE_LO && rate < RATE_HI {
                out[l] = Ok(rate);
                continue;
            }
            // The reference solver, with the same warm start.
            self.fallbacks += 1;
            self.dated(flows, inside(l), l);
            out[l] = xirr_days(&self.days, &self.amounts, guess).map(|r| r.rate);
        }
        out
    }

    /// The NPV of the flows (period ends in `flows`, plus `inside`) at
    /// `v = ln(1 + r) / 365` per lane, with its first and second derivative
    /// in `v`: `f = sum a y^d`, `f1 = -sum a d y^d`, `f2 = sum a d^2 y^d`
    /// with `y = e^-v` and `d` in days from the start.
    fn npv_slopes<'b>(
        &self,
        flows: &[Lanes],
        inside: &impl Fn(usize) -> &'b [Dated],
        v: &Lanes,
    ) -> (Lanes, Lanes, Lanes) {
        // Four lanes per instruction where the CPU has them: the same IEEE
        // operations (no fused multiply-add), so the same answers.
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            return unsafe { self.npv_slopes_avx2(flows, inside, v) };
        }
        self.npv_slopes_each(flows, inside, v)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn npv_slopes_avx2<'b>(
        &self,
        flows: &[Lanes],
        inside: &impl Fn(usize) -> &'b [Dated],
        v: &Lanes,
    ) -> (Lanes, Lanes, Lanes) {
        self.npv_slopes_each(flows, inside, v)
    }

    #[inline(always)]
    fn npv_slopes_each<'b>(
        &self,
        flows: &[Lanes],
        inside: &impl Fn(usize) -> &'b [Dated],
        v: &Lanes,
    ) -> (Lanes, Lanes, Lanes) {
        let n = flows.len();
        let mut y = ZERO;
        for l in 0..LANES {
            y[l] = (-v[l]).exp();
        }
        // y to the power of each gap between period ends, for the first few gaps.
        let mut pow = [ZERO; 8];
        for (g, &gap) in self.gaps.iter().enumerate().take(pow.len()) {
            pow[g] = powi(&y, gap);
        }
        let (mut f, mut f1, mut f2) = (ZERO, ZERO, ZERO);
        let mut disc = powi(&y, self.day_end[0].max(0) as u32);
        for p in 0..n {
            if p > 0 {
                let gi = self.gap_ix[p];
                if gi < pow.len() {
                    for l in 0..LANES {
                        disc[l] *= pow[gi][l];
                    }
                } else {
                    let step = powi(&y, self.gaps[gi]);
                    for l in 0..LANES {
                        disc[l] *= step[l];
                    }
                }
            }
            let d = f64::from(self.day_end[p]);
            let a = &flows[p];
            for l in 0..LANES {
                let t = a[l] * disc[l];
                f[l] += t;
                f1[l] -= t * d;
                f2[l] += t * d * d;
            }
        }
        for l in 0..LANES {
            for &(_, day, a) in inside(l) {
                let d = f64::from(day);
                let t = a * (-v[l] * d).exp();
                f[l] += t;
                f1[l] -= t * d;
                f2[l] += t * d * d;
            }
        }
        (f, f1, f2)
    }

    /// Lane `lane`'s flows in time order into `days`/`amounts`.
    fn dated(&mut self, flows: &[Lanes], inside: &[Dated], lane: usize) {
        self.days.clear();
        self.amounts.clear();
        let mut inside = inside.iter().peekable();
        for (p, f) in flows.iter().enumerate() {
            while let Some(&&(q, t, a)) = inside.peek() {
                if q as usize != p {
                    break;
                }
                self.days.push(t);
                self.amounts.push(a);
                inside.next();
            }
            if f[lane] != 0.0 {
                self.days.push(self.day_end[p]);
                self.amounts.push(f[lane]);
            }
        }
    }
}

/// Where a lane's lowest IRR is looked for, by the fast road or the reference solver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Not provably found by a bracketed Newton: [`irr::xirr_days`] decides.
    Reference,
    /// At most one root below 0%; whether it is there is not checked yet.
    /// `forward` is the bound on roots above 0%, in case it is not.
    MaybeBelow { forward: u32 },
    /// The root below 0%, in `(-99.99%, 0%)`.
    Below,
    /// The only root above 0%. `verified` once a point beyond it is seen.
    Above { verified: bool },
    /// Up to two roots above 0%: the lowest is bracketed once a point with
    /// the other sign than at 0% is seen.
    AboveOfTwo,
}

/// `y^e` per lane by binary powering: the same multiplications on every
/// lane, so the loop vectorises (a `powi` per lane is a call each).
#[inline(always)]
fn powi(y: &Lanes, mut e: u32) -> Lanes {
    let mut out = [1.0; LANES];
    let mut base = *y;
    while e > 0 {
        if e & 1 == 1 {
            for l in 0..LANES {
                out[l] *= base[l];
            }
        }
        for l in 0..LANES {
            base[l] *= base[l];
        }
        e >>= 1;
    }
    out
}

/// Norstrom's bounds on each lane's IRRs and the sum of its flows.
struct Shape {
    /// Sign changes of the running sums from the start: a bound on the
    /// rates above 0%.
    forward: [u32; LANES],
    /// From the end: a bound on the rates in (-100%, 0%).
    backward: [u32; LANES],
    /// The sum of the flows: the NPV at 0%.
    total: Lanes,
}

/// The [`Shape`] of every lane's flows (period ends in `flows`, plus
/// `inside(lane)`) in time order. Same-day flows are not netted here, which
/// can only add changes: the bounds stay bounds.
fn sign_changes<'b>(flows: &[Lanes], inside: &impl Fn(usize) -> &'b [Dated]) -> Shape {
    // Four lanes per instruction where the CPU has them (comparisons and
    // additions only: the same answers).
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { sign_changes_avx2(flows, inside) };
    }
    sign_changes_each(flows, inside)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn sign_changes_avx2<'b>(flows: &[Lanes], inside: &impl Fn(usize) -> &'b [Dated]) -> Shape {
    sign_changes_each(flows, inside)
}

#[inline(always)]
fn sign_changes_each<'b>(flows: &[Lanes], inside: &impl Fn(usize) -> &'b [Dated]) -> Shape {
    let dated = (0..LANES).any(|l| !inside(l).is_empty());
    let mut forward = [0u32; LANES];
    let mut backward = [0u32; LANES];
    let mut sum = ZERO;
    let mut last = ZERO;
    let mut cursor = [0usize; LANES];
    for (p, f) in flows.iter().enumerate() {
        if dated {
            for l in 0..LANES {
                let inside = inside(l);
                while let Some(&(q, _, a)) = inside.get(cursor[l]) {
                    if q as usize != p {
                        break;
                    }
                    sum[l] += a;
                    see(sum[l], &mut last[l], &mut forward[l]);
                    cursor[l] += 1;
                }
            }
        }
        for l in 0..LANES {
            sum[l] += f[l];
            see(sum[l], &mut last[l], &mut forward[l]);
        }
    }
    let total = sum;
    // From the end: inside flows of a period come before its end.
    let mut sum = ZERO;
    let mut last = ZERO;
    let mut cursor: [usize; LANES] = std::array::from_fn(|l| inside(l).len());
    for p in (0..flows.len()).rev() {
        for l in 0..LANES {
            sum[l] += flows[p][l];
            see(sum[l], &mut last[l], &mut backward[l]);
        }
        if dated {
            for l in 0..LANES {
                let inside = inside(l);
                while cursor[l] > 0 && inside[cursor[l] - 1].0 as usize == p {
                    cursor[l] -= 1;
                    sum[l] += inside[cursor[l]].2;
                    see(sum[l], &mut last[l], &mut backward[l]);
                }
            }
        }
    }
    Shape {
        forward,
        backward,
        total,
    }
}

/// Counts a sign change of a running sum at `x` against the last non-zero
/// value, without branches (so that a loop over lanes vectorises).
#[inline(always)]
fn see(x: f64, last: &mut f64, changes: &mut u32) {
    let flip = (x > 0.0) & (*last < 0.0) | (x < 0.0) & (*last > 0.0);
    *changes += u32::from(flip);
    *last = if x != 0.0 { x } else { *last };
}
