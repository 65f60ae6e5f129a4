//! Internal rate of return on dated cash flows: XIRR, XNPV and act/365 year
//! fractions.
//!
//! # Conventions
//!
//! * **Amounts** are signed: negative = money out (an investment), positive =
//!   money in (a return). Units cancel out, so any currency works.
//! * **Time** is measured in act/365 years: `days / 365`, leap days included
//!   as ordinary days (Excel's and pyxirr's convention).
//! * [`xirr`] measures time from the **earliest** flow's date. [`xnpv`]
//!   discounts to a **base date the caller chooses**; flows before it are
//!   compounded forward.
//! * Rates are annual and compounded annually: `0.1` means 10% a year. The
//!   NPV at rate `r` is `sum(a_i * (1 + r)^(-t_i))`; an IRR is a rate where
//!   that sum is zero.
//! * **Which root**: when the flows change sign more than once, several rates
//!   can zero the NPV. We return the **lowest root above -100%** (what pyxirr
//!   returns) and set [`Irr::several_possible`]. Roots are searched in
//!   `(-0.9999, 1e6)`, i.e. from -99.99% to +100,000,000%.
//! * Flows on the same date are **netted** first: `-100` and `+100` on one
//!   day are the same as nothing on that day.
//! * When no rate exists the functions say why ([`IrrUndefined`]); they never
//!   return NaN or infinity.
//!
//! # Example
//!
//! ```
//! use chrono::NaiveDate;
//! use dealsim::metrics::irr::{xirr, xnpv, IrrUndefined};
//!
//! let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("valid date");
//!
//! // Invest 100, get 121 back exactly two years (731 days, one leap day) later.
//! let flows = [(d(2020, 1, 1), -100.0), (d(2022, 1, 1), 121.0)];
//! let irr = xirr(&flows).expect("one sign change, so a rate exists");
//! // act/365: 731 days are 731/365 years, so the rate is 1.21^(365/731) - 1,
//! // a hair under 10% a year.
//! assert!((irr.rate - (1.21f64.powf(365.0 / 731.0) - 1.0)).abs() < 1e-12);
//! assert!(!irr.several_possible);
//!
//! // At the IRR the NPV (discounted to the first date) is zero.
//! let npv = xnpv(irr.rate, &flows, d(2020, 1, 1)).expect("rate > -100%");
//! assert!(npv.abs() < 1e-9);
//!
//! // Money only going out has no rate of return, and we say why.
//! let err = xirr(&[(d(2020, 1, 1), -100.0), (d(2021, 1, 1), -5.0)]).unwrap_err();
//! assert_eq!(err, IrrUndefined::NoSignChange { all_positive: false });
//! assert_eq!(err.code(), "no_sign_change");
//! assert_eq!(err.to_string(), "no sign change in the flows (all flows are outflows)");
//! ```
//!
//! # Monte Carlo
//!
//! When the dates are the same on every path, compute the year fractions once
//! with [`year_fraction`] and call [`xirr_years`] per path: it allocates
//! nothing and its work is bounded (at most 50 Newton steps, a fixed scan of
//! 141 rates and 100 Brent steps). Passing the previous path's rate as the
//! guess usually saves a Newton step or two.

use chrono::NaiveDate;
use std::fmt;

/// Lowest rate the root search looks at (-99.99%).
pub const MIN_RATE: f64 = -0.9999;
/// Highest rate the root search looks at (+100,000,000%).
pub const MAX_RATE: f64 = 1e6;

const DEFAULT_GUESS: f64 = 0.1;
const DAYS_PER_YEAR: f64 = 365.0;
/// Relative tolerance on the rate: stop when a step is below `REL_TOL * (1 + |r|)`.
const REL_TOL: f64 = 1e-12;
const MAX_NEWTON: u32 = 50;
const MAX_BRENT: u32 = 100;
/// Past this, `exp(-t * ln(1 + r))` gets near the f64 overflow at e^709, so
/// the NPV is rescaled to the latest date instead of the earliest.
const MAX_EXPONENT: f64 = 600.0;

/// The bracketing grid, in `x = ln(1 + r)`: a few coarse points for deep
/// losses (-99.99% .. -50%), a fine mesh where real deals live (-50% .. +200%,
/// steps of ~2% in `1 + r`, so roots 10% apart are told apart), and coarse
/// points up to +1e6. Segments are `(x_lo, x_hi, steps)` with the bounds
/// precomputed as `ln_1p` of -0.9999, -0.5, 2 and 1e6 (checked in a test) so
/// the scan costs no logarithms.
const GRID: [(f64, f64, u32); 3] = [
    (-9.210_340_371_976_294, -std::f64::consts::LN_2, 20),
    (-std::f64::consts::LN_2, 1.098_612_288_668_109_6, 90),
    (1.098_612_288_668_109_6, 13.815_511_557_963_774, 30),
];
const GRID_POINTS: u32 = GRID[0].2 + GRID[1].2 + GRID[2].2 + 1;

/// act/365 year fraction from `base` to `date`: whole days between them
/// divided by 365. Negative when `date` is before `base`; `0.0` on the same
/// day. A leap year is 366/365 years long.
pub fn year_fraction(base: NaiveDate, date: NaiveDate) -> f64 {
    (date - base).num_days() as f64 / DAYS_PER_YEAR
}

/// Net present value of dated `flows` at the annual `rate`, discounted to
/// `base` with act/365 year fractions: `sum(cf / (1 + rate)^year_fraction(base, d))`.
///
/// Flows dated before `base` get a negative exponent, i.e. they are
/// compounded forward to `base`. Returns `None` when `rate` is not finite or
/// not above -1 (-100%), or when the result overflows. No flows give
/// `Some(0.0)`. The result is in the units of the amounts.
pub fn xnpv(rate: f64, flows: &[(NaiveDate, f64)], base: NaiveDate) -> Option<f64> {
    if !rate.is_finite() || rate <= -1.0 {
        return None;
    }
    // ln_1p keeps precision for rates near 0.
    let ln_growth = rate.ln_1p();
    let npv: f64 = flows
        .iter()
        .map(|&(date, amount)| amount * (-year_fraction(base, date) * ln_growth).exp())
        .sum();
    npv.is_finite().then_some(npv)
}

/// Why an IRR does not exist. `Display` gives a short human reason;
/// [`IrrUndefined::code`] a stable machine-readable one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum IrrUndefined {
    /// No flows at all.
    NoFlows,
    /// Every amount is zero.
    AllZero,
    /// Every non-zero amount has the same sign, so the NPV can never be zero.
    /// `all_positive` is true when all are inflows.
    NoSignChange {
        /// True when every non-zero flow is an inflow (positive).
        all_positive: bool,
    },
    /// The flows change sign but the NPV is not zero anywhere in the search
    /// interval `(-0.9999, 1e6)`. Also returned when all flows fall on one
    /// date (the NPV is then the same at every rate, so either no rate works
    /// or, if they sum to exactly zero, every rate does, and none is
    /// meaningful), and when netting same-date flows removes every sign change.
    NoRoot,
    /// A time or amount is NaN or infinite, or `times` and `amounts` differ in
    /// length (a caller bug, reported instead of panicking).
    InvalidInput,
}

impl IrrUndefined {
    /// Stable snake_case code for reports and JSON: `"no_flows"`,
    /// `"all_zero"`, `"no_sign_change"`, `"no_root"` or `"invalid_input"`.
    pub fn code(&self) -> &'static str {
        match self {
            IrrUndefined::NoFlows => "no_flows",
            IrrUndefined::AllZero => "all_zero",
            IrrUndefined::NoSignChange { .. } => "no_sign_change",
            IrrUndefined::NoRoot => "no_root",
            IrrUndefined::InvalidInput => "invalid_input",
        }
    }
}

impl fmt::Display for IrrUndefined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reason = match self {
            IrrUndefined::NoFlows => "no cash flows",
            IrrUndefined::AllZero => "all flows are zero",
            IrrUndefined::NoSignChange { all_positive: true } => {
                "no sign change in the flows (all flows are inflows)"
            }
            IrrUndefined::NoSignChange {
                all_positive: false,
            } => "no sign change in the flows (all flows are outflows)",
            IrrUndefined::NoRoot => "no rate between -99.99% and +1e8% makes the NPV zero",
            IrrUndefined::InvalidInput => {
                "invalid input (NaN or infinite value, or times and amounts of different lengths)"
            }
        };
        f.write_str(reason)
    }
}

impl std::error::Error for IrrUndefined {}

/// An internal rate of return.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Irr {
    /// Annual rate as a fraction (`0.1` = 10% a year), in `(-1, 1e6]`.
    pub rate: f64,
    /// True when the (same-date netted, time-ordered) flows change sign more
    /// than once, so several IRRs may exist; `rate` is then the lowest root
    /// above -100% found on the search grid.
    pub several_possible: bool,
    /// Work done: Newton steps + grid points scanned + Brent steps
    /// (0 for the two-flow closed form). Typically under 10 for one sign change.
    pub iterations: u32,
}

/// XIRR of dated `flows`: the annual rate at which their NPV, act/365 from
/// the earliest date, is zero.
///
/// Dates may be unsorted and several flows may share a date (they are
/// netted). Amounts can be of any magnitude (1e-12 or 1e15 work alike).
/// See [`xirr_years`] for how the root is chosen and [`IrrUndefined`] for the
/// failure cases.
pub fn xirr(flows: &[(NaiveDate, f64)]) -> Result<Irr, IrrUndefined> {
    let Some(base) = flows.iter().map(|&(date, _)| date).min() else {
        return Err(IrrUndefined::NoFlows);
    };
    // Sorted input lets xirr_years net same-date flows in one pass.
    let mut pairs: Vec<(f64, f64)> = flows
        .iter()
        .map(|&(date, amount)| (year_fraction(base, date), amount))
        .collect();
    pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
    let (times, amounts): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
    xirr_years(&times, &amounts, None)
}

/// XIRR on precomputed year fractions: `times[i]` is the time of
/// `amounts[i]` in years from any base (only differences matter), e.g. from
/// [`year_fraction`]. `guess` is a starting rate (default 0.1); a bad guess
/// costs steps, never the answer.
///
/// This is the Monte Carlo hot path: no heap allocation and bounded work.
/// Sorted `times` are processed in O(n) per evaluation; unsorted ones are
/// accepted but netting same-time flows then costs O(n × distinct times) once.
///
/// How the root is found:
/// 1. Early exits: no flows, all zero, one sign only, one date only.
/// 2. Exactly two (netted) dates: closed form `r = (-a1/a0)^(1/(t1-t0)) - 1`.
/// 3. One sign change in time order: by Descartes' rule of signs at most one
///    root exists, so Newton from `guess` is accepted once it converges.
/// 4. Several sign changes (or Newton failed): scan a fixed grid of 141
///    rates in `(-0.9999, 1e6)` upward, take the first sign change of the NPV
///    and refine it with Brent's method to ~1e-12 relative. Two roots closer
///    than the grid spacing (about 2% in `1 + r` between -50% and +200%) can
///    hide each other. No sign change on the grid gives
///    [`IrrUndefined::NoRoot`].
///
/// Amounts are divided by the largest absolute amount, so only their ratios
/// matter.
pub fn xirr_years(times: &[f64], amounts: &[f64], guess: Option<f64>) -> Result<Irr, IrrUndefined> {
    if times.len() != amounts.len() {
        return Err(IrrUndefined::InvalidInput);
    }
    if amounts.is_empty() {
        return Err(IrrUndefined::NoFlows);
    }

    // One pass for validity, scale, signs, time span and sortedness.
    let (mut amax, mut any_pos, mut any_neg) = (0.0_f64, false, false);
    let (mut tmin, mut tmax) = (f64::INFINITY, f64::NEG_INFINITY);
    let mut sorted = true;
    let mut prev_t = f64::NEG_INFINITY;
    for (&t, &a) in times.iter().zip(amounts) {
        if !t.is_finite() || !a.is_finite() {
            return Err(IrrUndefined::InvalidInput);
        }
        amax = amax.max(a.abs());
        any_pos |= a > 0.0;
        any_neg |= a < 0.0;
        tmin = tmin.min(t);
        tmax = tmax.max(t);
        sorted &= t >= prev_t;
        prev_t = t;
    }
    if amax == 0.0 {
        return Err(IrrUndefined::AllZero);
    }
    if !(any_pos && any_neg) {
        return Err(IrrUndefined::NoSignChange {
            all_positive: any_pos,
        });
    }
    if tmin == tmax {
        // All on one date: the NPV does not depend on the rate.
        return Err(IrrUndefined::NoRoot);
    }

    let shape = Shape::of(times, amounts, sorted);
    if shape.nonzero < 2 || shape.sign_changes == 0 {
        // After netting, at most one date carries money, or all nets share a
        // sign: the NPV cannot cross zero.
        return Err(IrrUndefined::NoRoot);
    }
    let several_possible = shape.sign_changes > 1;

    if shape.nonzero == 2 {
        // a0 + a1 (1+r)^-(t1-t0) = 0  =>  r = (-a1/a0)^(1/(t1-t0)) - 1, done
        // in logs so extreme ratios do not overflow and exp_m1 keeps precision.
        let ((t0, a0), (t1, a1)) = (shape.first, shape.last);
        let rate = ((a1.abs().ln() - a0.abs().ln()) / (t1 - t0)).exp_m1();
        return if rate.is_finite() && rate > -1.0 && rate <= MAX_RATE {
            Ok(Irr {
                rate,
                several_possible,
                iterations: 0,
            })
        } else {
            Err(IrrUndefined::NoRoot)
        };
    }

    let npv = ScaledNpv {
        times,
        amounts,
        amax,
        tmin,
        tmax,
    };
    let mut iterations = 0;
    if !several_possible {
        let start = match guess {
            Some(g) if g.is_finite() && g > -1.0 => g.min(MAX_RATE),
            _ => DEFAULT_GUESS,
        };
        if let Some(rate) = newton(&npv, start, &mut iterations) {
            return Ok(Irr {
                rate,
                several_possible,
                iterations,
            });
        }
    }
    match scan(&npv, &mut iterations) {
        Some(rate) => Ok(Irr {
            rate,
            several_possible,
            iterations,
        }),
        None => Err(IrrUndefined::NoRoot),
    }
}

/// Sign pattern of the flows after netting same-time amounts, in time order.
struct Shape {
    /// Dates whose net amount is not (numerically) zero.
    nonzero: u32,
    /// Sign changes between consecutive non-zero nets.
    sign_changes: u32,
    /// First and last non-zero net as `(time, amount)`.
    first: (f64, f64),
    last: (f64, f64),
}

impl Shape {
    fn of(times: &[f64], amounts: &[f64], sorted: bool) -> Shape {
        let mut shape = Shape {
            nonzero: 0,
            sign_changes: 0,
            first: (0.0, 0.0),
            last: (0.0, 0.0),
        };
        if sorted {
            let mut i = 0;
            while i < times.len() {
                let t = times[i];
                let (mut net, mut gross, mut count) = (0.0, 0.0, 0_u32);
                while i < times.len() && times[i] == t {
                    net += amounts[i];
                    gross += amounts[i].abs();
                    count += 1;
                    i += 1;
                }
                shape.push(t, net, gross, count);
            }
        } else {
            // Visit distinct times in increasing order without sorting (no
            // allocation): repeatedly pick the smallest time above the last.
            let mut current = f64::NEG_INFINITY;
            loop {
                let next = times
                    .iter()
                    .copied()
                    .filter(|&t| t > current)
                    .fold(f64::INFINITY, f64::min);
                if next == f64::INFINITY {
                    break;
                }
                let (mut net, mut gross, mut count) = (0.0, 0.0, 0_u32);
                for (&t, &a) in times.iter().zip(amounts) {
                    if t == next {
                        net += a;
                        gross += a.abs();
                        count += 1;
                    }
                }
                shape.push(next, net, gross, count);
                current = next;
            }
        }
        shape
    }

    fn push(&mut self, t: f64, net: f64, gross: f64, count: u32) {
        // A net within rounding error of zero (e.g. 0.1 + 0.2 - 0.3) is zero.
        if net.abs() <= 4.0 * f64::EPSILON * f64::from(count) * gross {
            return;
        }
        if self.nonzero > 0 && (net > 0.0) != (self.last.1 > 0.0) {
            self.sign_changes += 1;
        }
        if self.nonzero == 0 {
            self.first = (t, net);
        }
        self.last = (t, net);
        self.nonzero += 1;
    }
}

/// The NPV scaled so that no term can overflow: amounts divided by `amax`
/// and the whole sum multiplied by `(1 + r)^shift` (a positive factor, so
/// roots and signs are unchanged).
struct ScaledNpv<'a> {
    times: &'a [f64],
    amounts: &'a [f64],
    amax: f64,
    tmin: f64,
    tmax: f64,
}

impl ScaledNpv<'_> {
    /// Time origin for `ln(1 + r) = ln_growth`: normally the earliest time
    /// (every discount factor <= 1 for r >= 0); for deep negative rates over
    /// long spans, the latest time, so factors stay <= 1 there too.
    fn shift_for(&self, ln_growth: f64) -> f64 {
        if ln_growth < 0.0 && (self.tmax - self.tmin) * -ln_growth > MAX_EXPONENT {
            self.tmax
        } else {
            self.tmin
        }
    }

    /// `(f, df/d ln(1+r), sum |terms|)` at `ln(1 + r) = ln_growth`, from one
    /// `exp` per flow shared by the value and the derivative.
    fn eval(&self, ln_growth: f64, shift: f64) -> (f64, f64, f64) {
        let (mut f, mut df, mut magnitude) = (0.0, 0.0, 0.0);
        for (&t, &a) in self.times.iter().zip(self.amounts) {
            let years = t - shift;
            let term = a / self.amax * (-years * ln_growth).exp();
            f += term;
            df -= years * term;
            magnitude += term.abs();
        }
        (f, df, magnitude)
    }

    /// The scaled NPV at `rate` with a fixed `shift`, or `None` if not finite.
    fn value(&self, rate: f64, shift: f64) -> Option<f64> {
        let f = self.eval(rate.ln_1p(), shift).0;
        f.is_finite().then_some(f)
    }
}

/// Newton's method from `start`, kept inside (-1, MAX_RATE]. `Some(root)` when
/// the step falls below the tolerance at a point where the NPV is tiny
/// compared with its terms; `None` when it diverges, stalls or runs out of steps.
fn newton(npv: &ScaledNpv<'_>, start: f64, iterations: &mut u32) -> Option<f64> {
    let mut rate = start;
    for _ in 0..MAX_NEWTON {
        *iterations += 1;
        let ln_growth = rate.ln_1p();
        let (f, df_dln, magnitude) = npv.eval(ln_growth, npv.shift_for(ln_growth));
        // d/dr = d/d ln(1+r) * 1/(1+r)
        let df = df_dln / (1.0 + rate);
        if !f.is_finite() || !df.is_finite() {
            return None;
        }
        if f == 0.0 {
            return Some(rate);
        }
        if df == 0.0 {
            return None;
        }
        let mut next = rate - f / df;
        if !next.is_finite() {
            return None;
        }
        // Overshooting past -100% or the cap: go halfway to the wall instead.
        if next <= -1.0 {
            next = 0.5 * (rate - 1.0);
        } else if next > MAX_RATE {
            next = 0.5 * (rate + MAX_RATE);
        }
        if (next - rate).abs() < REL_TOL * (1.0 + rate.abs()) {
            // A tiny step with a large residual means a stall, not a root.
            return (f.abs() <= 1e-9 * magnitude).then_some(next);
        }
        rate = next;
    }
    None
}

/// `ln(1 + r)` at the `k`-th point of the bracketing grid (`k` in
/// `0..GRID_POINTS`), increasing with `k`.
fn grid_x(k: u32) -> f64 {
    let mut start = 0;
    for (x_lo, x_hi, steps) in GRID {
        if k < start + steps {
            return x_lo + (x_hi - x_lo) * f64::from(k - start) / f64::from(steps);
        }
        start += steps;
    }
    GRID[2].1
}

/// The `k`-th rate of the bracketing grid, from exactly `MIN_RATE` (k = 0)
/// to exactly `MAX_RATE` (k = GRID_POINTS - 1).
fn grid_rate(k: u32) -> f64 {
    if k == 0 {
        MIN_RATE
    } else if k + 1 >= GRID_POINTS {
        MAX_RATE
    } else {
        grid_x(k).exp_m1()
    }
}

/// Lowest root on the grid: scan rates upward, refine the first sign change
/// with Brent. At most `GRID_POINTS` evaluations (one `exp` per flow each)
/// plus a Brent run per sign change that fails to refine (in practice one).
fn scan(npv: &ScaledNpv<'_>, iterations: &mut u32) -> Option<f64> {
    // (grid index, scaled NPV) of the last finite grid point.
    let mut previous: Option<(u32, f64)> = None;
    for k in 0..GRID_POINTS {
        *iterations += 1;
        let ln_growth = grid_x(k);
        let f = npv.eval(ln_growth, npv.shift_for(ln_growth)).0;
        if !f.is_finite() {
            previous = None;
            continue;
        }
        if f == 0.0 {
            return Some(grid_rate(k));
        }
        if let Some((k_lo, f_lo)) = previous {
            if (f_lo > 0.0) != (f > 0.0) {
                // One scaling for the whole bracket so Brent sees a continuous function.
                let shift = npv.shift_for(grid_x(k_lo));
                let bracket = (grid_rate(k_lo), grid_rate(k));
                if let Some(root) = brent(npv, bracket.0, bracket.1, shift, iterations) {
                    return Some(root);
                }
            }
        }
        previous = Some((k, f));
    }
    None
}

/// Brent's root finder (Brent 1973, "zeroin") on `[a, b]`, whose ends must
/// bracket a sign change. Converges to `~1e-12 * (1 + |r|)`.
fn brent(npv: &ScaledNpv<'_>, a: f64, b: f64, shift: f64, iterations: &mut u32) -> Option<f64> {
    let (mut a, mut b) = (a, b);
    let mut fa = npv.value(a, shift)?;
    let mut fb = npv.value(b, shift)?;
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
    for _ in 0..MAX_BRENT {
        *iterations += 1;
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
        let tol = 2.0 * f64::EPSILON * b.abs() + 0.5 * REL_TOL * (1.0 + b.abs());
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
        fb = npv.value(b, shift)?;
    }
    // Unreachable in practice: bisection alone shrinks any grid cell below
    // the tolerance well within MAX_BRENT steps.
    Some(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    fn assert_rel(actual: f64, expected: f64, tol: f64) {
        let err = (actual - expected).abs() / expected.abs().max(1e-300);
        assert!(
            err <= tol,
            "actual {actual}, expected {expected}, relative error {err:e} > {tol:e}"
        );
    }

    fn excel_flows() -> Vec<(NaiveDate, f64)> {
        vec![
            (d(2008, 1, 1), -10000.0),
            (d(2008, 3, 1), 2750.0),
            (d(2008, 10, 30), 4250.0),
            (d(2009, 2, 15), 3250.0),
            (d(2009, 4, 1), 2750.0),
        ]
    }

    /// Monthly deal-like series over 2024-2025, three follow-on investments
    /// (5 sign changes). Used for the pyxirr comparison.
    fn deal_flows() -> Vec<(NaiveDate, f64)> {
        let amounts = [
            -1000.0, 80.0, 80.0, 80.0, 80.0, 80.0, -400.0, 90.0, 90.0, 90.0, 90.0, 90.0, 100.0,
            100.0, 100.0, 100.0, 100.0, 100.0, -200.0, 120.0, 120.0, 120.0, 120.0, 400.0,
        ];
        amounts
            .iter()
            .enumerate()
            .map(|(i, &a)| {
                let month = u32::try_from(i % 12).expect("small") + 1;
                (d(2024 + i32::from(i >= 12), month, 1), a)
            })
            .collect()
    }

    #[test]
    fn year_fraction_is_act_365() {
        // 2020 is a leap year: 366 days -> 366/365 years.
        assert_eq!(year_fraction(d(2020, 1, 1), d(2021, 1, 1)), 366.0 / 365.0);
        assert_eq!(year_fraction(d(2021, 1, 1), d(2022, 1, 1)), 1.0);
        assert_eq!(year_fraction(d(2022, 1, 1), d(2021, 1, 1)), -1.0);
        assert_eq!(year_fraction(d(2022, 1, 1), d(2022, 1, 1)), 0.0);
    }

    #[test]
    fn excel_documented_example() {
        // Microsoft's XIRR help page: this schedule returns 0.373362535 (37.34%).
        let irr = xirr(&excel_flows()).expect("defined");
        assert!((irr.rate - 0.373362535).abs() < 1e-8, "{irr:?}");
        assert!(!irr.several_possible);
        assert!(irr.iterations <= 10, "{irr:?}");
    }

    #[test]
    fn two_flows_closed_form() {
        // -100 on 2020-01-01, +121 on 2022-01-01: 731 days (2020 is leap).
        // r = 1.21^(365/731) - 1; python: 1.21**(365/731)-1 = 0.09985658773828732
        // (pyxirr.xirr gives the same 0.09985658773828732).
        let irr = xirr(&[(d(2020, 1, 1), -100.0), (d(2022, 1, 1), 121.0)]).expect("defined");
        assert_rel(irr.rate, 0.099_856_587_738_287_32, 1e-12);
        assert_eq!(irr.iterations, 0);
        assert!(!irr.several_possible);
    }

    #[test]
    fn pyxirr_deal_monthly_several_sign_changes() {
        // python -c "import pyxirr; from datetime import date as D;
        //   d=[D(2024,m,1) for m in range(1,13)]+[D(2025,m,1) for m in range(1,13)];
        //   a=[-1000,80,80,80,80,80,-400,90,90,90,90,90,100,100,100,100,100,100,-200,120,120,120,120,400];
        //   print(pyxirr.xirr(d,a))"
        // -> 0.5659188340398681. A 200k-point scan of (-0.9999, 1e6) in Python
        // found only one sign change, in (0.56585, 0.56603).
        let irr = xirr(&deal_flows()).expect("defined");
        assert_rel(irr.rate, 0.565_918_834_039_868_1, 1e-9);
        assert!(irr.several_possible);
    }

    #[test]
    fn pyxirr_tiny_amounts() {
        // Amounts of order 1e-9. pyxirr on these raw amounts returns its guess
        // 0.1 (its tolerance is absolute), so the reference is pyxirr on the
        // same flows times 1e9 (an IRR does not depend on scale):
        // python -c "import pyxirr; from datetime import date as D;
        //   print(pyxirr.xirr([D(2021,3,15),D(2021,9,30),D(2022,6,1),D(2023,1,10)],[-2.5,0.4,1.1,1.6]))"
        // -> 0.1626235010440911. That is only within ~5e-10 of the root (pyxirr
        // stops early), so we also check against a 50-digit bisection with
        // Python's decimal module on sum(a * exp(-days/365 * ln(1+r))):
        // 0.16262350149162990980... (at which pyxirr's rate is 2.8e-9 relative off).
        const PYXIRR: f64 = 0.162_623_501_044_091_1;
        const DECIMAL_BISECTION: f64 = 0.162_623_501_491_629_9;
        let flows = [
            (d(2021, 3, 15), -2.5e-9),
            (d(2021, 9, 30), 0.4e-9),
            (d(2022, 6, 1), 1.1e-9),
            (d(2023, 1, 10), 1.6e-9),
        ];
        let irr = xirr(&flows).expect("defined");
        assert_rel(irr.rate, DECIMAL_BISECTION, 1e-12);
        assert_rel(irr.rate, PYXIRR, 1e-8);
        // And at the 1e-12 scale too.
        let scaled: Vec<_> = flows.iter().map(|&(dt, a)| (dt, a * 1e-3)).collect();
        assert_rel(
            xirr(&scaled).expect("defined").rate,
            DECIMAL_BISECTION,
            1e-12,
        );
    }

    #[test]
    fn pyxirr_huge_amounts() {
        // Amounts of order 1e14. pyxirr on the raw amounts returns None; on
        // the same flows / 1e14 (scale-free):
        // python -c "import pyxirr; from datetime import date as D;
        //   print(pyxirr.xirr([D(2019,1,1),D(2020,6,30),D(2021,12,31),D(2023,7,1)],[-3,-1,1.5,3.2]))"
        // -> 0.04524120737860156 (and 0.0452412073786015 with amounts x 100).
        let flows = [
            (d(2019, 1, 1), -3e14),
            (d(2020, 6, 30), -1e14),
            (d(2021, 12, 31), 1.5e14),
            (d(2023, 7, 1), 3.2e14),
        ];
        let irr = xirr(&flows).expect("defined");
        assert_rel(irr.rate, 0.045_241_207_378_601_56, 1e-9);
        assert!(!irr.several_possible);
        // 1e15 scale as well.
        let scaled: Vec<_> = flows.iter().map(|&(dt, a)| (dt, a * 10.0)).collect();
        assert_rel(
            xirr(&scaled).expect("defined").rate,
            0.045_241_207_378_601_56,
            1e-9,
        );
    }

    #[test]
    fn pyxirr_unsorted_with_shared_dates() {
        // Unsorted, two flows on each of three dates (one date mixes signs).
        // python -c "import pyxirr; from datetime import date as D;
        //   print(pyxirr.xirr([D(2022,12,1),D(2020,1,1),D(2021,6,15),D(2020,1,1),D(2021,6,15),D(2022,12,1)],
        //                     [700,-1000,250,-200,-50,400]))"
        // -> 0.030219427511900206
        let flows = [
            (d(2022, 12, 1), 700.0),
            (d(2020, 1, 1), -1000.0),
            (d(2021, 6, 15), 250.0),
            (d(2020, 1, 1), -200.0),
            (d(2021, 6, 15), -50.0),
            (d(2022, 12, 1), 400.0),
        ];
        let irr = xirr(&flows).expect("defined");
        assert_rel(irr.rate, 0.030_219_427_511_900_206, 1e-9);
        // Netted per date the signs are -, +, +: one change.
        assert!(!irr.several_possible);

        // xirr_years on the unsorted times directly (no-allocation netting path).
        let base = d(2020, 1, 1);
        let times: Vec<f64> = flows
            .iter()
            .map(|&(dt, _)| year_fraction(base, dt))
            .collect();
        let amounts: Vec<f64> = flows.iter().map(|&(_, a)| a).collect();
        let irr = xirr_years(&times, &amounts, None).expect("defined");
        assert_rel(irr.rate, 0.030_219_427_511_900_206, 1e-9);
    }

    #[test]
    fn undefined_cases() {
        assert_eq!(xirr(&[]), Err(IrrUndefined::NoFlows));
        assert_eq!(
            xirr(&[(d(2020, 1, 1), 0.0), (d(2021, 1, 1), 0.0)]),
            Err(IrrUndefined::AllZero)
        );
        assert_eq!(
            xirr(&[
                (d(2020, 1, 1), 5.0),
                (d(2021, 1, 1), 0.0),
                (d(2022, 1, 1), 7.0)
            ]),
            Err(IrrUndefined::NoSignChange { all_positive: true })
        );
        assert_eq!(
            xirr(&[(d(2020, 1, 1), -5.0), (d(2021, 1, 1), -7.0)]),
            Err(IrrUndefined::NoSignChange {
                all_positive: false
            })
        );
        // All on one date: the NPV is -50 at every rate.
        assert_eq!(
            xirr(&[(d(2020, 1, 1), -100.0), (d(2020, 1, 1), 50.0)]),
            Err(IrrUndefined::NoRoot)
        );
        // ... and summing to exactly zero: every rate works, none is returned.
        assert_eq!(
            xirr(&[(d(2020, 1, 1), -100.0), (d(2020, 1, 1), 100.0)]),
            Err(IrrUndefined::NoRoot)
        );
        // Netting kills the only sign change: nets are -50 then -10.
        assert_eq!(
            xirr(&[
                (d(2020, 1, 1), -100.0),
                (d(2020, 1, 1), 50.0),
                (d(2021, 1, 1), -10.0)
            ]),
            Err(IrrUndefined::NoRoot)
        );
        assert_eq!(
            xirr_years(&[0.0, f64::NAN], &[-1.0, 2.0], None),
            Err(IrrUndefined::InvalidInput)
        );
        assert_eq!(
            xirr_years(&[0.0, 1.0], &[-1.0, f64::INFINITY], None),
            Err(IrrUndefined::InvalidInput)
        );
        assert_eq!(
            xirr_years(&[0.0, 1.0], &[-1.0], None),
            Err(IrrUndefined::InvalidInput)
        );
    }

    #[test]
    fn no_root_despite_sign_changes_is_bounded() {
        // -100 + 100/x - 100/x^2 = -(100/x^2)(x^2 - x + 1) < 0 for all x = 1+r > 0.
        let times = [0.0, 1.0, 2.0];
        let amounts = [-100.0, 100.0, -100.0];
        assert_eq!(
            xirr_years(&times, &amounts, None),
            Err(IrrUndefined::NoRoot)
        );
        // Bounded: the grid scan is GRID_POINTS evaluations, no Newton here.
        assert_eq!(GRID_POINTS, 141);
    }

    #[test]
    fn several_roots_returns_lowest() {
        // -100 + 230/x - 132/x^2 = 0  <=>  -100x^2 + 230x - 132 = 0
        // x = (230 ± sqrt(230^2 - 4*100*132)) / 200 = (230 ± 10) / 200 -> 1.1 or 1.2.
        // 2021 and 2022 are not leap years: both gaps are exactly 365 days.
        let flows = [
            (d(2021, 1, 1), -100.0),
            (d(2022, 1, 1), 230.0),
            (d(2023, 1, 1), -132.0),
        ];
        let irr = xirr(&flows).expect("defined");
        assert!((irr.rate - 0.10).abs() < 1e-12, "{irr:?}");
        assert!(irr.several_possible);
        // The guess does not change the choice, even right next to the other root.
        for guess in [0.2, 0.19, 5.0, -0.5] {
            let irr = xirr_years(&[0.0, 1.0, 2.0], &[-100.0, 230.0, -132.0], Some(guess))
                .expect("defined");
            assert!((irr.rate - 0.10).abs() < 1e-12, "guess {guess}: {irr:?}");
        }
    }

    #[test]
    fn xirr_years_agrees_with_xirr_from_any_base_and_guess() {
        let flows = excel_flows();
        let expected = xirr(&flows).expect("defined").rate;
        // Year fractions from an arbitrary earlier base: only differences matter.
        let base = d(2000, 6, 15);
        let times: Vec<f64> = flows
            .iter()
            .map(|&(dt, _)| year_fraction(base, dt))
            .collect();
        let amounts: Vec<f64> = flows.iter().map(|&(_, a)| a).collect();
        for guess in [
            None,
            Some(0.37),
            Some(-0.99),
            Some(1000.0),
            Some(f64::NAN),
            Some(-3.0),
        ] {
            let irr = xirr_years(&times, &amounts, guess).expect("defined");
            assert!(
                (irr.rate - expected).abs() < 1e-10,
                "guess {guess:?}: {irr:?} vs {expected}"
            );
            assert!(irr.iterations <= GRID_POINTS + MAX_NEWTON + MAX_BRENT);
        }

        let deal = deal_flows();
        let expected = xirr(&deal).expect("defined").rate;
        let times: Vec<f64> = deal
            .iter()
            .map(|&(dt, _)| year_fraction(base, dt))
            .collect();
        let amounts: Vec<f64> = deal.iter().map(|&(_, a)| a).collect();
        let irr = xirr_years(&times, &amounts, Some(3.0)).expect("defined");
        assert!((irr.rate - expected).abs() < 1e-10);
    }

    #[test]
    fn xnpv_hand_computed() {
        let base = d(2021, 1, 1);
        // -100 now, +110 in 365 days at 10%: -100 + 110/1.1 = 0.
        let flows = [(base, -100.0), (d(2022, 1, 1), 110.0)];
        assert!(xnpv(0.1, &flows, base).expect("valid").abs() < 1e-12);
        // A flow 365 days before the base is compounded forward: 100 * 1.1 = 110.
        let past = [(d(2020, 1, 2), 100.0)]; // 2020-01-02 .. 2021-01-01 = 365 days
        assert!((xnpv(0.1, &past, base).expect("valid") - 110.0).abs() < 1e-12);
        // Excel's XNPV help page example: the XIRR flows at 9% -> 2086.65;
        // pyxirr.xnpv(0.09, dates, amounts) = 2086.6476020315363.
        let npv = xnpv(0.09, &excel_flows(), d(2008, 1, 1)).expect("valid");
        assert_rel(npv, 2_086.647_602_031_536_3, 1e-12);
        // Invalid rates.
        assert_eq!(xnpv(-1.0, &flows, base), None);
        assert_eq!(xnpv(f64::NAN, &flows, base), None);
        assert_eq!(xnpv(0.1, &[], base), Some(0.0));
    }

    #[test]
    fn npv_at_returned_rate_is_zero() {
        for flows in [excel_flows(), deal_flows()] {
            let rate = xirr(&flows).expect("defined").rate;
            let scale: f64 = flows.iter().map(|&(_, a)| a.abs()).sum();
            let npv = xnpv(rate, &flows, flows[0].0).expect("valid");
            assert!(npv.abs() < 1e-9 * scale, "npv {npv}");
        }
    }

    #[test]
    fn codes_and_messages() {
        assert_eq!(IrrUndefined::NoFlows.code(), "no_flows");
        assert_eq!(IrrUndefined::AllZero.code(), "all_zero");
        assert_eq!(IrrUndefined::NoRoot.code(), "no_root");
        assert_eq!(IrrUndefined::InvalidInput.code(), "invalid_input");
        let e = IrrUndefined::NoSignChange { all_positive: true };
        assert_eq!(e.code(), "no_sign_change");
        assert_eq!(
            e.to_string(),
            "no sign change in the flows (all flows are inflows)"
        );
    }

    #[test]
    fn grid_is_increasing_and_spans_the_interval() {
        // The precomputed log bounds match the rates they stand for.
        let bounds = [(MIN_RATE, GRID[0].0), (-0.5, GRID[1].0), (2.0, GRID[2].0)];
        for (rate, x) in bounds.into_iter().chain([(MAX_RATE, GRID[2].1)]) {
            assert!(
                (rate.ln_1p() - x).abs() <= 4.0 * f64::EPSILON * x.abs(),
                "{rate}"
            );
        }
        assert_eq!(GRID[0].1, GRID[1].0);
        assert_eq!(GRID[1].1, GRID[2].0);
        assert_eq!(GRID_POINTS, GRID.iter().map(|g| g.2).sum::<u32>() + 1);
        assert_eq!(grid_rate(0), MIN_RATE);
        assert_eq!(grid_rate(GRID_POINTS - 1), MAX_RATE);
        for k in 1..GRID_POINTS {
            assert!(grid_rate(k) > grid_rate(k - 1), "k = {k}");
        }
        // Fine mesh: consecutive 1+r ratios in the -50%..+200% band are below
        // 1.1/1.2's gap, so roots at 10% and 20% are told apart.
        let ratio = (1.0 + grid_rate(21)) / (1.0 + grid_rate(20));
        assert!(ratio < 1.03, "{ratio}");
    }
}
