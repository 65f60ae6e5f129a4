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
//! # How the root is found
//!
//! With flows netted by date and in time order, `a_0 .. a_n` at times
//! `t_0 < .. < t_n`, the NPV is `f(x) = sum(a_k x^t_k)` with `x = 1/(1+r)`.
//! Two cheap counts bound its roots (Norstrom 1972, generalised to real
//! times): rates **above 0%** are at most the sign changes of the running
//! sums `A_k = a_0 + .. + a_k`, rates **between -100% and 0%** at most those
//! of the sums from the end `B_k = a_k + .. + a_n` (derivation at
//! `Shape`). Both come from the pass that nets the flows, no exponentials.
//!
//! * When at most one root can lie below 0% and at most two above, the
//!   lowest root is found without a scan. Below 0% first: there is one iff
//!   the NPV at -99.99% and at 0% differ in sign. Above 0%, with one root
//!   possible: iff the NPV at 0% and at +1e8% differ. With two (typical when
//!   a few small inflows precede the first investment; the other root is
//!   then an absurd rate): a rate where the NPV has the other sign than at
//!   0% has exactly one root below it, the lowest. The root is polished by
//!   Newton's method in `ln(1 + r)` with Halley's second-order correction,
//!   from the caller's guess, kept inside the bracket (a bisection step
//!   whenever a step leaves it or fails to halve the NPV). This covers most
//!   deals, including ones with several sign changes, e.g. a follow-on
//!   investment between monthly returns.
//! * Otherwise (or when the sign that would prove it never shows) a fixed
//!   grid of 141 rates is scanned upward and the first sign change refined
//!   with Brent's method; two roots closer than the grid spacing can hide
//!   each other.
//!
//! Either way the answer is the same rate: the lowest root in the interval.
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
//! When the dates are the same on every path, compute whole days from any
//! base once and call [`xirr_days`] per path with the base case's IRR as the
//! guess: it allocates nothing, and on sorted days an NPV costs a
//! multiplication per flow (discount factors of consecutive flows differ by
//! a power of the daily factor, and monthly flows have few distinct gaps).
//! [`xirr_years`] does the same on fractional years with one `exp` per flow.
//! Work is bounded: at most 100 safeguarded Newton steps, or 141 grid points
//! and 100 Brent steps.

use chrono::NaiveDate;
use std::fmt;

/// Lowest rate the root search looks at (-99.99%).
pub const MIN_RATE: f64 = -0.9999;
/// Highest rate the root search looks at (+100,000,000%).
pub const MAX_RATE: f64 = 1e6;

const DAYS_PER_YEAR: f64 = 365.0;
/// Relative tolerance on the rate: stop when a step is below `REL_TOL * (1 + |r|)`.
const REL_TOL: f64 = 1e-12;
/// Steps of the bracketed Newton (Newton and bisection steps together).
/// Bisection alone needs about 45 to shrink the widest bracket to `REL_TOL`.
const MAX_NEWTON: u32 = 100;
const MAX_BRENT: u32 = 100;
/// Past this, `exp(-t * ln(1 + r))` gets near the f64 overflow at e^709, so
/// the NPV is rescaled to the latest date instead of the earliest.
const MAX_EXPONENT: f64 = 600.0;
/// A step that did not at least halve |NPV| makes the next step a bisection.
const MIN_REDUCTION: f64 = 0.5;

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
/// `ln(1 + MIN_RATE)` and `ln(1 + MAX_RATE)`: the ends of the search in `ln(1 + r)`.
const LN_MIN: f64 = GRID[0].0;
const LN_MAX: f64 = GRID[2].1;

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
    /// than once, so by the sign pattern alone several IRRs could exist;
    /// `rate` is then the lowest root. It does not say whether uniqueness
    /// was proven (often it is: see the module docs).
    pub several_possible: bool,
    /// Work done, in NPV evaluations: Newton and bisection steps, bracket
    /// ends, grid points, Brent steps. 0 when none was needed (the two-flow
    /// closed form, or a root at exactly 0%). Typically under 10 unless the
    /// grid was scanned.
    pub iterations: u32,
}

/// XIRR of dated `flows`: the annual rate at which their NPV, act/365 from
/// the earliest date, is zero.
///
/// Dates may be unsorted and several flows may share a date (they are
/// netted). Amounts can be of any magnitude (1e-12 or 1e15 work alike).
/// Computed by [`xirr_days`] on whole days from the earliest date, so a run
/// and a stress path get the same rate from the same flows. See the module
/// docs for how the root is chosen and [`IrrUndefined`] for the failure cases.
pub fn xirr(flows: &[(NaiveDate, f64)]) -> Result<Irr, IrrUndefined> {
    let Some(base) = flows.iter().map(|&(date, _)| date).min() else {
        return Err(IrrUndefined::NoFlows);
    };
    // Sorted days take xirr_days' fast path.
    let mut pairs = Vec::with_capacity(flows.len());
    for &(date, amount) in flows {
        let days =
            i32::try_from((date - base).num_days()).map_err(|_| IrrUndefined::InvalidInput)?;
        pairs.push((days, amount));
    }
    pairs.sort_by_key(|&(days, _)| days);
    let (days, amounts): (Vec<i32>, Vec<f64>) = pairs.into_iter().unzip();
    xirr_days(&days, &amounts, None)
}

/// XIRR on whole days: `days[i]` is the date of `amounts[i]` in days from
/// any base (only differences matter; act/365, so 365 days are one year).
/// `guess` is a starting rate, e.g. the base case's IRR on a stress path; a
/// bad guess costs steps, never the answer. Without one Newton starts at 0%,
/// where the NPV and its slope need no exponentials.
///
/// This is the Monte Carlo hot path: no heap allocation and bounded work.
/// On sorted `days` an NPV evaluation costs a multiplication per flow (the
/// discount factor of a flow is the previous one times a power of the daily
/// factor, cached for the few distinct gaps between dates, so a monthly
/// series needs about four `exp` per evaluation). Unsorted days are accepted
/// and give the same rate, at one `exp` per flow and an O(n × distinct
/// dates) netting pass.
///
/// ```
/// use dealsim::metrics::irr::xirr_days;
///
/// // -100 on day 0, +60 on day 365, +60 on day 730:
/// // -100 + 60x + 60x^2 = 0 with x = 1/(1+r)  =>  x = (-60 + sqrt(60^2 + 4*60*100)) / (2*60).
/// let x = (-60.0 + (3600.0f64 + 24000.0).sqrt()) / 120.0;
/// let irr = xirr_days(&[0, 365, 730], &[-100.0, 60.0, 60.0], None).expect("defined");
/// assert!((irr.rate - (1.0 / x - 1.0)).abs() < 1e-12);
/// // Any base and any guess give the same rate.
/// let again = xirr_days(&[-1000, -635, -270], &[-100.0, 60.0, 60.0], Some(3.0)).expect("defined");
/// assert!((again.rate - irr.rate).abs() < 1e-12);
/// ```
pub fn xirr_days(days: &[i32], amounts: &[f64], guess: Option<f64>) -> Result<Irr, IrrUndefined> {
    solve(Days(days), amounts, guess)
}

/// XIRR on precomputed year fractions: `times[i]` is the time of
/// `amounts[i]` in years from any base (only differences matter), e.g. from
/// [`year_fraction`]. `guess` is a starting rate; a bad guess costs steps,
/// never the answer. Without one Newton starts at 0%.
///
/// Same method and answers as [`xirr_days`] (see the module docs), for
/// callers whose times are not whole days; an NPV evaluation costs one `exp`
/// per flow. No heap allocation and bounded work. Sorted `times` are
/// netted in O(n); unsorted ones are accepted but netting same-time flows
/// then costs O(n × distinct times) once.
///
/// Amounts are divided by the largest absolute amount, so only their ratios
/// matter.
pub fn xirr_years(times: &[f64], amounts: &[f64], guess: Option<f64>) -> Result<Irr, IrrUndefined> {
    solve(Years(times), amounts, guess)
}

/// The shared solver behind [`xirr_days`] and [`xirr_years`]:
/// 1. early exits: no flows, all zero, one sign only, one date only;
/// 2. exactly two (netted) dates: closed form;
/// 3. the Norstrom bounds allow at most one root below 0% and two above:
///    the lowest root by bracketed Newton ([`proven_root`]);
/// 4. otherwise, or if that cannot decide: grid scan and Brent ([`scan`]).
fn solve<T: FlowTimes>(times: T, amounts: &[f64], guess: Option<f64>) -> Result<Irr, IrrUndefined> {
    if times.len() != amounts.len() {
        return Err(IrrUndefined::InvalidInput);
    }
    if amounts.is_empty() {
        return Err(IrrUndefined::NoFlows);
    }

    let (totals, shape) = survey(times, amounts)?;
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
        let years = (t1 - t0) / T::PER_YEAR;
        let rate = ((a1.abs().ln() - a0.abs().ln()) / years).exp_m1();
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

    let npv = Npv::new(times, amounts, &totals);
    let mut iterations = 0;
    let rate = match proven_root(&npv, &shape, guess, &mut iterations) {
        Proven::Root(rate) => Some(rate),
        Proven::NoRoot => None,
        Proven::Unproven => scan(&npv, &mut iterations),
    };
    match rate {
        Some(rate) => Ok(Irr {
            rate,
            several_possible,
            iterations,
        }),
        None => Err(IrrUndefined::NoRoot),
    }
}

/// Flow times as the solver reads them: fractional years or whole days.
trait FlowTimes: Copy {
    /// Time units per year: 1 for years, 365 for days.
    const PER_YEAR: f64;
    /// Whether every time is finite by construction (days are).
    const ALWAYS_FINITE: bool;
    fn len(self) -> usize;
    /// Time of flow `i` in this series' units (exact for days).
    fn at(self, i: usize) -> f64;
    /// All the times, in order.
    fn iter(self) -> impl Iterator<Item = f64>;
    /// The scaled NPV and its derivatives at `ln(1 + r) = ln_growth`.
    fn eval(npv: &Npv<'_, Self>, ln_growth: f64, origin: Origin) -> Eval;
}

#[derive(Clone, Copy)]
struct Years<'a>(&'a [f64]);

#[derive(Clone, Copy)]
struct Days<'a>(&'a [i32]);

impl FlowTimes for Years<'_> {
    const PER_YEAR: f64 = 1.0;
    const ALWAYS_FINITE: bool = false;
    fn len(self) -> usize {
        self.0.len()
    }
    fn at(self, i: usize) -> f64 {
        self.0[i]
    }
    fn iter(self) -> impl Iterator<Item = f64> {
        self.0.iter().copied()
    }
    fn eval(npv: &Npv<'_, Self>, ln_growth: f64, origin: Origin) -> Eval {
        npv.eval_exp(ln_growth, origin)
    }
}

impl FlowTimes for Days<'_> {
    const PER_YEAR: f64 = DAYS_PER_YEAR;
    const ALWAYS_FINITE: bool = true;
    fn len(self) -> usize {
        self.0.len()
    }
    fn at(self, i: usize) -> f64 {
        f64::from(self.0[i])
    }
    fn iter(self) -> impl Iterator<Item = f64> {
        self.0.iter().map(|&d| f64::from(d))
    }
    fn eval(npv: &Npv<'_, Self>, ln_growth: f64, origin: Origin) -> Eval {
        if !npv.sorted {
            return npv.eval_exp(ln_growth, origin);
        }
        let (days, amounts) = (npv.times.0, npv.amounts);
        let per_day = ln_growth / DAYS_PER_YEAR;
        // Walk away from the origin so every factor shrinks (or, for
        // `First` at a moderately negative rate, grows below e^MAX_EXPONENT).
        match origin {
            Origin::First => walk_days(days.iter().zip(amounts), days[0], -per_day, npv.scale),
            Origin::Last => walk_days(
                days.iter().zip(amounts).rev(),
                days[days.len() - 1],
                per_day,
                npv.scale,
            ),
        }
    }
}

/// The NPV on sorted days by the recurrence `v_next = v * e^(k * gap)`,
/// starting from `v = 1` at `origin`, `gap` the whole days between
/// consecutive flows: one multiplication per flow, and an `exp` only for
/// gaps not in a small cache.
///
/// Rounding: each step adds about an ulp of relative error to `v` (the
/// rounded product and the rounded cached power), so after 600 flows the
/// factors are within ~1e-13 of `exp` evaluated directly, under the 1e-12
/// the root is solved to (checked in a test).
#[inline]
fn walk_days<'a>(
    flows: impl Iterator<Item = (&'a i32, &'a f64)>,
    origin: i32,
    k: f64,
    scale: f64,
) -> Eval {
    let mut powers = GapPowers::new(k);
    let origin = i64::from(origin);
    let (mut prev, mut v) = (origin, 1.0);
    let mut e = Eval::default();
    for (&day, &a) in flows {
        let day = i64::from(day);
        v *= powers.get((day - prev).abs());
        prev = day;
        // Scaled per term: a factor may reach e^MAX_EXPONENT.
        let term = a * scale * v;
        let lag = (day - origin) as f64;
        e.f += term;
        e.df += lag * term;
        e.d2f += lag * lag * term;
        e.magnitude += term.abs();
    }
    e.df /= -DAYS_PER_YEAR;
    e.d2f /= DAYS_PER_YEAR * DAYS_PER_YEAR;
    e
}

/// `e^(k * gap)` for whole-day gaps, cached direct-mapped by `gap mod 32` on
/// the stack: a monthly series has gaps 28..31 (plus a few odd ones), so
/// almost every lookup hits. Gap 0 (flows on one date) is preset to 1.
struct GapPowers {
    k: f64,
    gaps: [i64; 32],
    powers: [f64; 32],
}

impl GapPowers {
    fn new(k: f64) -> GapPowers {
        let mut gaps = [-1; 32];
        gaps[0] = 0;
        GapPowers {
            k,
            gaps,
            powers: [1.0; 32],
        }
    }

    #[inline]
    fn get(&mut self, gap: i64) -> f64 {
        let slot = (gap & 31) as usize;
        if self.gaps[slot] == gap {
            self.powers[slot]
        } else {
            let p = (self.k * gap as f64).exp();
            self.gaps[slot] = gap;
            self.powers[slot] = p;
            p
        }
    }
}

/// Where the discount factors are 1. The NPV is scaled by `(1 + r)^t_origin`,
/// a positive factor, so roots and signs do not depend on it: `First` keeps
/// every factor <= 1 for rates >= 0, `Last` for rates <= 0.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Origin {
    First,
    Last,
}

/// A scaled NPV and its first two derivatives, from one pass over the flows.
#[derive(Debug, Clone, Copy, Default)]
struct Eval {
    /// `sum(a_i / amax * e^(-(t_i - t_origin) ln(1 + r)))`
    f: f64,
    /// `df / d ln(1 + r)`
    df: f64,
    /// `d2f / d ln(1 + r)^2`
    d2f: f64,
    /// `sum |terms|`: the size the rounding error of `f` is relative to.
    magnitude: f64,
}

/// The NPV as a function of `ln(1 + r)`, scaled so that no term can
/// overflow: amounts divided by `amax` and factors measured from an
/// [`Origin`].
struct Npv<'a, T> {
    times: T,
    amounts: &'a [f64],
    /// `1 / amax`
    scale: f64,
    /// Earliest and latest time, in the series' units.
    tmin: f64,
    tmax: f64,
    sorted: bool,
    /// Sum of the amounts (the NPV at 0%) and of their absolute values, unscaled.
    total: f64,
    gross: f64,
}

impl<'a, T: FlowTimes> Npv<'a, T> {
    fn new(times: T, amounts: &'a [f64], totals: &Totals) -> Npv<'a, T> {
        Npv {
            times,
            amounts,
            scale: 1.0 / totals.amax,
            tmin: totals.tmin,
            tmax: totals.tmax,
            sorted: totals.sorted,
            total: totals.total,
            gross: totals.gross,
        }
    }

    fn eval(&self, ln_growth: f64, origin: Origin) -> Eval {
        T::eval(self, ln_growth, origin)
    }

    /// One `exp` per flow; any order of times.
    fn eval_exp(&self, ln_growth: f64, origin: Origin) -> Eval {
        let t0 = match origin {
            Origin::First => self.tmin,
            Origin::Last => self.tmax,
        };
        let per_unit = ln_growth / T::PER_YEAR;
        let mut e = Eval::default();
        for (t, &a) in self.times.iter().zip(self.amounts) {
            let dt = t - t0;
            let term = a * self.scale * (-dt * per_unit).exp();
            e.f += term;
            e.df += dt * term;
            e.d2f += dt * dt * term;
            e.magnitude += term.abs();
        }
        e.df /= -T::PER_YEAR;
        e.d2f /= T::PER_YEAR * T::PER_YEAR;
        e
    }

    /// The NPV at 0%, where every factor is 1: no exponentials.
    fn at_zero(&self, origin: Origin) -> Eval {
        let t0 = match origin {
            Origin::First => self.tmin,
            Origin::Last => self.tmax,
        };
        let mut e = Eval {
            f: self.total * self.scale,
            magnitude: self.gross * self.scale,
            ..Eval::default()
        };
        for (t, &a) in self.times.iter().zip(self.amounts) {
            let (dt, a) = (t - t0, a * self.scale);
            e.df += dt * a;
            e.d2f += dt * dt * a;
        }
        e.df /= -T::PER_YEAR;
        e.d2f /= T::PER_YEAR * T::PER_YEAR;
        e
    }

    /// Origin for the grid scan: normally the earliest time; for deep
    /// negative rates over long spans the latest, so factors stay finite.
    fn origin_for(&self, ln_growth: f64) -> Origin {
        let years = (self.tmax - self.tmin) / T::PER_YEAR;
        if ln_growth < 0.0 && years * -ln_growth > MAX_EXPONENT {
            Origin::Last
        } else {
            Origin::First
        }
    }

    /// The scaled NPV at `rate` from a fixed origin, or `None` if not finite.
    fn value(&self, rate: f64, origin: Origin) -> Option<f64> {
        let f = self.eval(rate.ln_1p(), origin).f;
        f.is_finite().then_some(f)
    }
}

/// Sums over the flows that the solver needs, from the same pass as the
/// [`Shape`].
struct Totals {
    amax: f64,
    any_pos: bool,
    any_neg: bool,
    /// Sum of the amounts (the NPV at 0%) and of their absolute values.
    total: f64,
    gross: f64,
    /// Earliest and latest time, in the series' units.
    tmin: f64,
    tmax: f64,
    sorted: bool,
}

impl Totals {
    /// A pass over flows in any order (the sorted path gets these from
    /// [`Shape::sorted`]).
    fn of<T: FlowTimes>(times: T, amounts: &[f64]) -> Result<Totals, IrrUndefined> {
        let mut s = Totals {
            amax: 0.0,
            any_pos: false,
            any_neg: false,
            total: 0.0,
            gross: 0.0,
            tmin: f64::INFINITY,
            tmax: f64::NEG_INFINITY,
            sorted: true,
        };
        let mut prev_t = f64::NEG_INFINITY;
        for (t, &a) in times.iter().zip(amounts) {
            if !t.is_finite() || !a.is_finite() {
                return Err(IrrUndefined::InvalidInput);
            }
            s.amax = s.amax.max(a.abs());
            s.any_pos |= a > 0.0;
            s.any_neg |= a < 0.0;
            s.total += a;
            s.gross += a.abs();
            s.tmin = s.tmin.min(t);
            s.tmax = s.tmax.max(t);
            s.sorted &= t >= prev_t;
            prev_t = t;
        }
        Ok(s)
    }

    /// The cases with no rate whatever the shape.
    fn check(&self) -> Result<(), IrrUndefined> {
        if self.amax == 0.0 {
            return Err(IrrUndefined::AllZero);
        }
        if !(self.any_pos && self.any_neg) {
            return Err(IrrUndefined::NoSignChange {
                all_positive: self.any_pos,
            });
        }
        if self.tmin == self.tmax {
            // All on one date: the NPV does not depend on the rate.
            return Err(IrrUndefined::NoRoot);
        }
        Ok(())
    }
}

/// Validates the flows, nets them by date and bounds the roots, reporting
/// errors in the documented order: one pass when the times are sorted (a
/// second one only if the bound below 0% needs it), else a validation pass
/// and the netting of unsorted times.
fn survey<T: FlowTimes>(times: T, amounts: &[f64]) -> Result<(Totals, Shape), IrrUndefined> {
    // Error bound of a running sum of the amounts, per unit of the absolute
    // amounts summed (naive summation, with room for netting and a
    // subtraction): a sum this close to 0 has no trustworthy sign.
    let tol_per_gross = 4.0 * (amounts.len() + 1) as f64 * f64::EPSILON;
    let (totals, mut shape) = match Shape::sorted(times, amounts, tol_per_gross, None)? {
        Some((totals, shape)) => {
            totals.check()?;
            if shape.roots_below_zero == UNDECIDED && totals.gross.is_finite() {
                let below = (totals.total, tol_per_gross * totals.gross);
                match Shape::sorted(times, amounts, tol_per_gross, Some(below))? {
                    Some((_, counted)) => (totals, counted),
                    None => unreachable!("the same times were sorted a moment ago"),
                }
            } else {
                (totals, shape)
            }
        }
        None => {
            let totals = Totals::of(times, amounts)?;
            totals.check()?;
            let below = (totals.total, tol_per_gross * totals.gross);
            let shape = Shape::unsorted(times, amounts, tol_per_gross, below);
            (totals, shape)
        }
    };
    if !totals.gross.is_finite() {
        // Amounts near f64::MAX: the running sums overflow and bound nothing.
        shape.roots_above_zero = UNDECIDED;
        shape.roots_below_zero = UNDECIDED;
    }
    Ok((totals, shape))
}

/// A bound on roots that is not settled (the first pass could not, or the
/// sums overflow): as good as none.
const UNDECIDED: u32 = u32::MAX;

/// Sign pattern of the flows after netting same-time amounts, in time order,
/// and the Norstrom bounds on the number of roots.
///
/// # The Norstrom bounds
///
/// Net the flows by date: `a_k` at `t_0 < .. < t_n`, and write the NPV as
/// `f(x) = sum_k a_k x^t_k` with `x = 1/(1+r)`. With the running sums
/// `A_k = a_0 + .. + a_k` (`A_-1 = 0`), `a_k = A_k - A_(k-1)`, and the sum
/// telescopes (summation by parts):
///
/// ```text
/// f(x) = sum_{k<n} A_k (x^t_k - x^t_(k+1)) + A_n x^t_n.
/// ```
///
/// For `0 < x < 1` (rates above 0%) every `x^t_k - x^t_(k+1)` is > 0, and
/// with `x = e^-s`, `s = ln(1+r) > 0`, each is `s` times the integral of
/// `e^-su` over `[t_k, t_(k+1))`, and `x^t_n` is `s` times it over
/// `[t_n, inf)`. So `f = s L(s)` with `L` the Laplace transform of the step
/// function `A(u) = A_k` on `[t_k, t_(k+1))` (`A_n` after `t_n`). If `A`
/// changes sign `m` times, `L` has at most `m` zeros in `s > 0`, counted
/// with multiplicity: for `m = 0`, `A` is of one sign and not identically 0
/// (else every `a_k` is 0), so `L != 0`; for `m > 0`, with `u_1` the first
/// change, `g(s) = e^(s u_1) L(s)` has the zeros of `L` and
/// `g'(s) = -int (u - u_1) A(u) e^(-s(u - u_1)) du`, whose integrand changes
/// sign `m - 1` times, so by Rolle `g` has at most one zero more than `g'`,
/// i.e. at most `m`. Hence: **roots with r > 0 <= sign changes of
/// A_0, .., A_n.**
///
/// For `x > 1` (-100% < r < 0%) put `y = 1/x < 1`: `f(x) = x^t_n sum_k a_k
/// y^(t_n - t_k)`, the same kind of sum with time reversed, whose running
/// sums from the last flow back are `B_k = a_k + .. + a_n`. Hence: **roots
/// with -1 < r < 0 <= sign changes of B_n, .., B_0.** `A_n = B_0` is the NPV
/// at 0%.
///
/// Here `B_k = total - A_(k-1)`, which has no sign change when `total` is
/// above (or below) every `A_(k-1)`: the first pass checks that, and counts
/// them only if not. Rounding can hide a sign change when a sum is near 0,
/// so such sums count as two possible changes; Descartes' rule (roots of
/// both sides together <= sign changes of the `a_k`) caps each side as well.
struct Shape {
    /// Dates whose net amount is not (numerically) zero.
    nonzero: u32,
    /// Sign changes between consecutive non-zero nets.
    sign_changes: u32,
    /// First and last non-zero net as `(time, amount)`.
    first: (f64, f64),
    last: (f64, f64),
    /// At most this many roots (with multiplicity) have `r > 0`...
    roots_above_zero: u32,
    /// ... and this many `-1 < r < 0`.
    roots_below_zero: u32,
}

impl Shape {
    /// One pass over flows in time order: validates them, nets same-time
    /// amounts and counts. `below` is `(total, its error bound)` when the
    /// sums from the end are to be counted. `Ok(None)` as soon as a time is
    /// out of order.
    fn sorted<T: FlowTimes>(
        times: T,
        amounts: &[f64],
        tol_per_gross: f64,
        below: Option<(f64, f64)>,
    ) -> Result<Option<(Totals, Shape)>, IrrUndefined> {
        let t_first = times.at(0);
        let (mut amax, mut any_pos, mut any_neg) = (0.0_f64, false, false);
        let mut b = ShapeBuilder::new(tol_per_gross, below);
        let mut date = Date::at(t_first);
        for (t, &a) in times.iter().zip(amounts) {
            if !(T::ALWAYS_FINITE || t.is_finite()) || !a.is_finite() {
                return Err(IrrUndefined::InvalidInput);
            }
            if t != date.t {
                if t < date.t {
                    return Ok(None);
                }
                b.push(&date);
                date = Date::at(t);
            }
            date.add(a);
            if a.abs() > amax {
                amax = a.abs();
            }
            any_pos |= a > 0.0;
            any_neg |= a < 0.0;
        }
        b.push(&date);
        let totals = Totals {
            amax,
            any_pos,
            any_neg,
            // The nets add up to the total, the dates' gross to the gross.
            total: b.running,
            gross: b.gross,
            tmin: t_first,
            tmax: date.t,
            sorted: true,
        };
        Ok(Some((totals, b.finish())))
    }

    /// Flows in any order: visits distinct times in increasing order
    /// without sorting (no allocation) by repeatedly picking the smallest
    /// time above the last, so O(n × distinct times).
    fn unsorted<T: FlowTimes>(
        times: T,
        amounts: &[f64],
        tol_per_gross: f64,
        below: (f64, f64),
    ) -> Shape {
        let next_after = |current: f64| {
            (0..amounts.len())
                .map(|i| times.at(i))
                .filter(|&t| t > current)
                .fold(f64::INFINITY, f64::min)
        };
        let mut b = ShapeBuilder::new(tol_per_gross, Some(below));
        let mut current = next_after(f64::NEG_INFINITY);
        while current < f64::INFINITY {
            let mut date = Date::at(current);
            for (i, &a) in amounts.iter().enumerate() {
                if times.at(i) == current {
                    date.add(a);
                }
            }
            b.push(&date);
            current = next_after(current);
        }
        b.finish()
    }
}

/// The flows of one date, netted.
struct Date {
    t: f64,
    net: f64,
    gross: f64,
    count: u32,
}

impl Date {
    fn at(t: f64) -> Date {
        Date {
            t,
            net: 0.0,
            gross: 0.0,
            count: 0,
        }
    }

    fn add(&mut self, a: f64) {
        self.net += a;
        self.gross += a.abs();
        self.count += 1;
    }
}

/// Sign changes of a sequence whose terms carry rounding error: a term
/// within the error bound of 0 could have either sign, so it counts as two
/// possible changes.
#[derive(Default)]
struct SignChanges {
    started: bool,
    positive: bool,
    certain: u32,
    unsure: u32,
}

impl SignChanges {
    #[inline]
    fn push(&mut self, value: f64, tol: f64) {
        if value.abs() <= tol {
            self.unsure += 1;
            return;
        }
        let positive = value > 0.0;
        self.certain += u32::from(self.started && positive != self.positive);
        self.positive = positive;
        self.started = true;
    }

    fn at_most(&self) -> u32 {
        self.certain + 2 * self.unsure
    }
}

/// Netting and the bounds, fed one date at a time in increasing order.
struct ShapeBuilder {
    shape: Shape,
    /// `A_(k-1)` before date `k` is pushed, `A_k` after.
    running: f64,
    /// Sum of |amounts| so far: the error bound of `running` is
    /// `tol_per_gross` times this.
    gross: f64,
    tol_per_gross: f64,
    forward: SignChanges,
    /// Whether `B_k` is counted in this pass, from `total` with error `tol_total`.
    count_below: bool,
    total: f64,
    tol_total: f64,
    backward: SignChanges,
    /// Extremes of `A_-1 = 0, A_0, .., A_(n-1)`.
    low: f64,
    high: f64,
}

impl ShapeBuilder {
    fn new(tol_per_gross: f64, below: Option<(f64, f64)>) -> ShapeBuilder {
        ShapeBuilder {
            shape: Shape {
                nonzero: 0,
                sign_changes: 0,
                first: (0.0, 0.0),
                last: (0.0, 0.0),
                roots_above_zero: 0,
                roots_below_zero: 0,
            },
            running: 0.0,
            gross: 0.0,
            tol_per_gross,
            forward: SignChanges::default(),
            count_below: below.is_some(),
            total: below.map_or(0.0, |b| b.0),
            tol_total: below.map_or(0.0, |b| b.1),
            backward: SignChanges::default(),
            low: 0.0,
            high: 0.0,
        }
    }

    #[inline]
    fn push(&mut self, date: &Date) {
        // B_k = total - A_(k-1), then A_k (see `Shape`).
        let before = self.running;
        if before < self.low {
            self.low = before;
        }
        if before > self.high {
            self.high = before;
        }
        if self.count_below {
            self.backward.push(self.total - before, self.tol_total);
        }
        self.running = before + date.net;
        self.gross += date.gross;
        self.forward
            .push(self.running, self.tol_per_gross * self.gross);

        let shape = &mut self.shape;
        // A net within rounding error of zero (e.g. 0.1 + 0.2 - 0.3) is zero.
        let net = date.net;
        let zero = if date.count == 1 {
            net == 0.0
        } else {
            net.abs() <= 4.0 * f64::EPSILON * f64::from(date.count) * date.gross
        };
        if zero {
            return;
        }
        if shape.nonzero > 0 && (net > 0.0) != (shape.last.1 > 0.0) {
            shape.sign_changes += 1;
        }
        if shape.nonzero == 0 {
            shape.first = (date.t, net);
        }
        shape.last = (date.t, net);
        shape.nonzero += 1;
    }

    fn finish(self) -> Shape {
        let mut shape = self.shape;
        let changes = shape.sign_changes;
        shape.roots_above_zero = self.forward.at_most().min(changes);
        shape.roots_below_zero = if self.count_below {
            self.backward.at_most().min(changes)
        } else {
            // Every B_k = total - A_(k-1) of one sign: none below 0%.
            let (total, tol) = (self.running, self.tol_per_gross * self.gross);
            if total - self.high > tol || self.low - total > tol {
                0
            } else {
                UNDECIDED
            }
        };
        shape
    }
}

/// Outcome of the search that needs no grid.
#[derive(Debug, PartialEq)]
enum Proven {
    /// The lowest root in `[MIN_RATE, MAX_RATE]`.
    Root(f64),
    /// No root in `[MIN_RATE, MAX_RATE]`.
    NoRoot,
    /// The bounds allow several roots on a side (or a step failed): scan.
    Unproven,
}

/// The lowest root when the Norstrom bounds allow at most one root below 0%
/// and at most two above: the side below 0% first (its root is the lower),
/// each side bracketed by the NPV's signs at 0% (known without
/// exponentials) and at the end of the search interval or a point found on
/// the way. Two roots above 0% are common: a few small inflows before the
/// first investment give a second root at an absurd rate (where the NPV is
/// the first flow's), and the parity argument at [`Bracket::at_most`] still
/// finds the lower one.
fn proven_root<T: FlowTimes>(
    npv: &Npv<'_, T>,
    shape: &Shape,
    guess: Option<f64>,
    iterations: &mut u32,
) -> Proven {
    if shape.roots_below_zero > 1 {
        return Proven::Unproven;
    }
    let f0 = npv.total * npv.scale;
    if f0 == 0.0 {
        // 0% is a root; it is the lowest only if none can lie below.
        return if shape.roots_below_zero == 0 {
            Proven::Root(0.0)
        } else {
            Proven::Unproven
        };
    }
    let guess = guess
        .filter(|g| g.is_finite() && *g > -1.0)
        .map(|g| g.min(MAX_RATE).ln_1p());

    if shape.roots_below_zero == 1 {
        // Below 0% the latest date as origin keeps every factor <= 1.
        *iterations += 1;
        let f_min = npv.eval(LN_MIN, Origin::Last).f;
        if f_min == 0.0 {
            return Proven::Root(MIN_RATE);
        }
        if !f_min.is_finite() {
            return Proven::Unproven;
        }
        if (f_min > 0.0) != (f0 > 0.0) {
            let bracket = Bracket {
                lo: LN_MIN,
                f_lo: f_min,
                hi: 0.0,
                f_hi: Some(f0),
                at_most: 1,
            };
            return newton(npv, Origin::Last, bracket, guess, iterations);
        }
        // One sign at both ends and at most one root: none in [-99.99%, 0%).
    }
    // Far above 0% the NPV has the sign of the first net flow: if that is
    // not its sign at 0%, the number of roots above 0% is odd.
    let odd = (shape.first.1 > 0.0) != (f0 > 0.0);
    match shape.roots_above_zero {
        0 => Proven::NoRoot,
        2 if odd => newton(npv, Origin::First, Bracket::above(f0, 1), guess, iterations),
        at_most @ (1 | 2) => newton(
            npv,
            Origin::First,
            Bracket::above(f0, at_most),
            guess,
            iterations,
        ),
        _ => Proven::Unproven,
    }
}

/// An interval `lo < hi` of `ln(1 + r)` searched for the lowest root on one
/// side of 0%: no root lies between that side's start and `lo`, where the
/// NPV is `f_lo`; `f_hi`, once known, has the other sign.
struct Bracket {
    lo: f64,
    f_lo: f64,
    hi: f64,
    f_hi: Option<f64>,
    /// Roots the bounds allow on this side (with multiplicity): 1 or 2.
    ///
    /// With 1, a point where the NPV has `f_lo`'s sign has the root, if any,
    /// above it, and one sign at both ends means no root.
    ///
    /// With 2 (above 0% only), a point `p` where the NPV has the sign
    /// opposite to its sign at 0% has an odd number of roots in `(0%, p)`,
    /// so exactly one, the lowest: `p` becomes `hi`, and from then on it is
    /// as with 1. Before such a point is seen, a point with the sign at 0%
    /// proves nothing (0 or 2 roots below it), so `lo` stays at 0%, and a
    /// root found is accepted only once a point just above it shows the
    /// other sign.
    at_most: u32,
}

impl Bracket {
    /// From 0% (NPV `f0`) up to +1e8%, whose NPV is only needed if a
    /// bisection is.
    fn above(f0: f64, at_most: u32) -> Bracket {
        Bracket {
            lo: 0.0,
            f_lo: f0,
            hi: LN_MAX,
            f_hi: None,
            at_most,
        }
    }

    /// True once the bracket provably holds exactly one root, the lowest.
    fn holds_root(&self) -> bool {
        self.f_hi.is_some()
    }

    /// True when one root is proven on this side, so any root found in the
    /// bracket is the lowest.
    fn proves_lowest(&self) -> bool {
        self.at_most == 1 || self.holds_root()
    }

    /// Shrinks the bracket to the side of `s` that holds the root. `sure`
    /// says rounding cannot have flipped the sign of `f`: only such a sign
    /// counts as the other sign that proves a root with two possible
    /// (elsewhere a wrong sign just misplaces the root by rounding error).
    fn narrow(&mut self, s: f64, f: f64, sure: bool) {
        let other = (f > 0.0) != (self.f_lo > 0.0);
        if other && (self.proves_lowest() || sure) {
            self.hi = s;
            self.f_hi = Some(f);
        } else if !other && self.proves_lowest() {
            self.lo = s;
            self.f_lo = f;
        }
    }
}

/// The rate at `ln(1 + r) = ln_growth`, exact at the ends of the search.
fn rate_at(ln_growth: f64) -> f64 {
    if ln_growth == LN_MIN {
        MIN_RATE
    } else if ln_growth == LN_MAX {
        MAX_RATE
    } else {
        ln_growth.exp_m1()
    }
}

/// Newton's method in `s = ln(1 + r)`, safeguarded: every point evaluated
/// narrows the bracket, and a step that leaves it, or follows a step that
/// did not halve |NPV|, is replaced by bisection. Each Newton step carries
/// Halley's second-order correction when that is small (the NPV's
/// curvature comes from the same pass), which makes convergence cubic: from
/// a warm start two or three evaluations. Starts at `guess` when it is
/// inside the bracket, else at 0% (NPV and derivatives without
/// exponentials). Stops when a step is below `REL_TOL * (1 + |r|)` in the
/// rate.
fn newton<T: FlowTimes>(
    npv: &Npv<'_, T>,
    origin: Origin,
    mut br: Bracket,
    guess: Option<f64>,
    iterations: &mut u32,
) -> Proven {
    // Rounding error of an NPV evaluation, per unit of `magnitude`.
    let noise = 4.0 * (npv.amounts.len() + 1) as f64 * f64::EPSILON;
    // With two roots possible and none bracketed, a root found at `root`
    // is the lower one if just above it the NPV surely has the other sign
    // than at `lo` (which stays at 0% until then).
    let positive_at_lo = br.f_lo > 0.0;
    let lower = |root: f64, e: &Eval, iterations: &mut u32| {
        *iterations += 1;
        let above = root + ln_tolerance(root).max(4.0 * noise * e.magnitude / e.df.abs());
        let p = npv.eval(above, origin);
        p.f.abs() > noise * p.magnitude && (p.f > 0.0) != positive_at_lo
    };
    let (mut s, mut e) = match guess.filter(|&s| br.lo < s && s < br.hi) {
        Some(s) => {
            *iterations += 1;
            (s, npv.eval(s, origin))
        }
        None => (0.0, npv.at_zero(origin)),
    };
    // |f| before the last Newton step; infinite after a bisection.
    let mut before = f64::INFINITY;
    let mut restarted = guess.is_none();
    for _ in 0..MAX_NEWTON {
        if !e.f.is_finite() || !e.df.is_finite() || !e.d2f.is_finite() {
            return Proven::Unproven;
        }
        // A root at `s` exactly, or within a tiny step of it.
        let mut found = (e.f == 0.0).then_some(s);
        br.narrow(s, e.f, e.f.abs() > noise * e.magnitude);
        let newton = e.f / e.df;
        // Halley: s - f/f' / (1 - f f'' / (2 f'^2)).
        let correction = newton * e.d2f / (2.0 * e.df);
        let mut step = s - if correction.abs() <= 0.5 {
            newton / (1.0 - correction)
        } else {
            newton
        };
        let tiny = (step - s).abs() < ln_tolerance(s);
        if found.is_none() && tiny && e.f.abs() <= 1e-9 * e.magnitude {
            // Converged (a step this small is trusted only where the NPV is
            // tiny next to its terms).
            found = Some(step);
        }
        if let Some(root) = found {
            // Outside a bracket of two possible roots it is the upper root:
            // bisect below.
            let inside = br.lo <= root && root <= br.hi;
            if br.at_most == 1 || (br.holds_root() && inside) {
                return Proven::Root(rate_at(root));
            }
            if !br.holds_root() {
                if lower(root, &e, iterations) {
                    return Proven::Root(rate_at(root));
                }
                if restarted {
                    return Proven::Unproven;
                }
                // The upper root: from 0% the first root upward is the lower.
                restarted = true;
                (s, e, before) = (0.0, npv.at_zero(origin), f64::INFINITY);
                continue;
            }
        }
        if !br.proves_lowest() {
            // Aim just past the root, by half the tolerance or as far as a
            // sure sign needs: landing there proves it the lower one.
            let past = (0.5 * ln_tolerance(step)).max(4.0 * noise * e.magnitude / e.df.abs());
            step += past.copysign(step - s);
        }
        // A tiny step with a large residual is a stall: bisect.
        let newton_ok =
            !tiny && br.lo < step && step < br.hi && e.f.abs() <= MIN_REDUCTION * before;
        let next = if newton_ok {
            before = e.f.abs();
            step
        } else {
            if !br.holds_root() && br.at_most > 1 && !restarted {
                // No bisection without a bracket. From 0% the first root
                // upward is the lower one: start again there (no cost).
                restarted = true;
                (s, e, before) = (0.0, npv.at_zero(origin), f64::INFINITY);
                continue;
            }
            if !br.holds_root() {
                *iterations += 1;
                let f_hi = npv.eval(br.hi, origin);
                let sure = f_hi.f.abs() > noise * f_hi.magnitude;
                let f_hi = f_hi.f;
                if !f_hi.is_finite() {
                    return Proven::Unproven;
                }
                let same_sign = (f_hi > 0.0) == (br.f_lo > 0.0);
                if br.at_most > 1 && (!sure || same_sign) {
                    // 0 or 2 roots on this side: the grid decides.
                    return Proven::Unproven;
                }
                if f_hi == 0.0 {
                    return Proven::Root(rate_at(br.hi));
                }
                if same_sign {
                    // At most one root on this side and one sign at both ends.
                    return Proven::NoRoot;
                }
                br.f_hi = Some(f_hi);
                // Now one root lies in (lo, hi), so `s` can narrow it too.
                br.narrow(s, e.f, false);
            }
            before = f64::INFINITY;
            let middle = 0.5 * (br.lo + br.hi);
            if 0.5 * (br.hi - br.lo) < ln_tolerance(middle) {
                return Proven::Root(rate_at(middle));
            }
            middle
        };
        *iterations += 1;
        s = next;
        e = npv.eval(s, origin);
    }
    Proven::Unproven
}

/// How far `ln(1 + r)` may move for the rate to move `REL_TOL * (1 + |r|)`:
/// `dr = (1 + r) ds`, so `REL_TOL` for `r >= 0` and
/// `REL_TOL * (2 / (1 + r) - 1)` below.
fn ln_tolerance(ln_growth: f64) -> f64 {
    if ln_growth >= 0.0 {
        REL_TOL
    } else {
        REL_TOL * (2.0 * (-ln_growth).exp() - 1.0)
    }
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
/// with Brent. At most `GRID_POINTS` evaluations plus a Brent run per sign
/// change that fails to refine (in practice one).
fn scan<T: FlowTimes>(npv: &Npv<'_, T>, iterations: &mut u32) -> Option<f64> {
    // (grid index, scaled NPV) of the last finite grid point.
    let mut previous: Option<(u32, f64)> = None;
    for k in 0..GRID_POINTS {
        *iterations += 1;
        let ln_growth = grid_x(k);
        let f = npv.eval(ln_growth, npv.origin_for(ln_growth)).f;
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
                let origin = npv.origin_for(grid_x(k_lo));
                let bracket = (grid_rate(k_lo), grid_rate(k));
                if let Some(root) = brent(npv, bracket.0, bracket.1, origin, iterations) {
                    return Some(root);
                }
            }
        }
        previous = Some((k, f));
    }
    None
}

/// Brent's method ([`super::root::brent`]) on `[a, b]`, whose ends must
/// bracket a sign change. Converges to `~1e-12 * (1 + |r|)`.
fn brent<T: FlowTimes>(
    npv: &Npv<'_, T>,
    a: f64,
    b: f64,
    origin: Origin,
    iterations: &mut u32,
) -> Option<f64> {
    let fa = npv.value(a, origin)?;
    let fb = npv.value(b, origin)?;
    super::root::brent(
        |x| npv.value(x, origin),
        (a, fa),
        (b, fb),
        |r| REL_TOL * (1.0 + r.abs()),
        MAX_BRENT,
        iterations,
    )
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

    // ---- xirr_days, the Norstrom bounds and the day recurrence -------------

    /// The flows as the solver sees them (sorted or not), with their shape.
    fn prepared<'a>(days: &'a [i32], amounts: &'a [f64]) -> (Npv<'a, Days<'a>>, Shape) {
        let (totals, shape) = survey(Days(days), amounts).unwrap_or_else(|_| {
            // No rate (one sign only, say), but the NPV is still defined.
            let totals = Totals::of(Days(days), amounts).expect("finite");
            let tol = 4.0 * (amounts.len() + 1) as f64 * f64::EPSILON;
            let below = (totals.total, tol * totals.gross);
            let shape = Shape::unsorted(Days(days), amounts, tol, below);
            (totals, shape)
        });
        (Npv::new(Days(days), amounts, &totals), shape)
    }

    /// (roots possible above 0%, roots possible below 0%)
    fn bounds(days: &[i32], amounts: &[f64]) -> (u32, u32) {
        let shape = prepared(days, amounts).1;
        let found = (shape.roots_above_zero, shape.roots_below_zero);
        // The unsorted path counts the same.
        let reversed_days: Vec<i32> = days.iter().rev().copied().collect();
        let reversed: Vec<f64> = amounts.iter().rev().copied().collect();
        let shape = prepared(&reversed_days, &reversed).1;
        assert_eq!((shape.roots_above_zero, shape.roots_below_zero), found);
        found
    }

    /// Deal-like netted monthly flows (94 dates, signs - + - +): -15 on
    /// 2026-03-31; +0.25 at each month end from April 2026 to May 2027;
    /// -35 + 0.25 on 2027-06-30 (a milestone tranche); +0.6 at each month
    /// end from July 2027 to December 2033, plus a terminal value of 120 on
    /// 2033-12-31. Days from 2026-03-31.
    fn milestone_deal() -> (Vec<i32>, Vec<f64>) {
        let start = d(2026, 3, 31);
        let mut flows = vec![(start, -15.0)];
        let (mut y, mut m) = (2026, 4);
        while (y, m) <= (2033, 12) {
            let next = if m == 12 {
                d(y + 1, 1, 1)
            } else {
                d(y, m + 1, 1)
            };
            let end = next.pred_opt().expect("valid");
            let amount = match (y, m) {
                (2027, 6) => 0.25 - 35.0,
                (2033, 12) => 0.6 + 120.0,
                _ if (y, m) < (2027, 6) => 0.25,
                _ => 0.6,
            };
            flows.push((end, amount));
            (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        }
        let days = flows
            .iter()
            .map(|&(dt, _)| i32::try_from((dt - start).num_days()).expect("small"))
            .collect();
        (days, flows.iter().map(|&(_, a)| a).collect())
    }

    /// NPV at `rate` of flows on `days`, one `exp` per flow, from day 0.
    fn direct_npv(rate: f64, days: &[i32], amounts: &[f64]) -> f64 {
        days.iter()
            .zip(amounts)
            .map(|(&dd, &a)| a * (-f64::from(dd) / 365.0 * rate.ln_1p()).exp())
            .sum()
    }

    #[test]
    fn excel_and_pyxirr_cases_through_xirr_days() {
        // Days computed with Python's datetime, e.g. (date(2008,3,1) -
        // date(2008,1,1)).days = 60; the references are those of the dated
        // tests above (Excel's help page, pyxirr, a decimal bisection).
        let excel = [-10000.0, 2750.0, 4250.0, 3250.0, 2750.0];
        for days in [
            [0, 60, 303, 411, 456],
            // Days since 1970-01-01 and an arbitrary negative base.
            [13879, 13939, 14182, 14290, 14335],
            [-500, -440, -197, -89, -44],
        ] {
            let irr = xirr_days(&days, &excel, None).expect("defined");
            assert!((irr.rate - 0.373362535).abs() < 1e-8, "{irr:?}");
            assert!(!irr.several_possible);
            assert!(irr.iterations <= 10, "{irr:?}");
        }

        // pyxirr: 0.5659188340398681 (monthly deal, 5 sign changes).
        let deal_days = [
            0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366, 397, 425, 456, 486, 517,
            547, 578, 609, 639, 670, 700,
        ];
        let deal: Vec<f64> = deal_flows().iter().map(|&(_, a)| a).collect();
        let irr = xirr_days(&deal_days, &deal, None).expect("defined");
        assert_rel(irr.rate, 0.565_918_834_039_868_1, 1e-9);
        assert!(irr.several_possible);

        // Tiny amounts: 50-digit decimal bisection 0.16262350149162990980.
        let tiny = [-2.5e-9, 0.4e-9, 1.1e-9, 1.6e-9];
        let irr = xirr_days(&[0, 199, 443, 666], &tiny, None).expect("defined");
        assert_rel(irr.rate, 0.162_623_501_491_629_9, 1e-12);

        // Huge amounts: pyxirr 0.04524120737860156.
        let huge = [-3e14, -1e14, 1.5e14, 3.2e14];
        let irr = xirr_days(&[0, 546, 1095, 1642], &huge, None).expect("defined");
        assert_rel(irr.rate, 0.045_241_207_378_601_56, 1e-9);
        assert!(!irr.several_possible);

        // Unsorted with shared dates: pyxirr 0.030219427511900206.
        let irr = xirr_days(
            &[1065, 0, 531, 0, 531, 1065],
            &[700.0, -1000.0, 250.0, -200.0, -50.0, 400.0],
            None,
        )
        .expect("defined");
        assert_rel(irr.rate, 0.030_219_427_511_900_206, 1e-9);
        assert!(!irr.several_possible);
    }

    #[test]
    fn xirr_days_undefined_cases() {
        assert_eq!(xirr_days(&[], &[], None), Err(IrrUndefined::NoFlows));
        assert_eq!(
            xirr_days(&[0, 1], &[0.0, 0.0], None),
            Err(IrrUndefined::AllZero)
        );
        assert_eq!(
            xirr_days(&[0, 1], &[1.0, 2.0], None),
            Err(IrrUndefined::NoSignChange { all_positive: true })
        );
        assert_eq!(
            xirr_days(&[5, 5], &[-1.0, 2.0], None),
            Err(IrrUndefined::NoRoot)
        );
        assert_eq!(
            xirr_days(&[0, 1], &[-1.0, f64::NAN], None),
            Err(IrrUndefined::InvalidInput)
        );
        assert_eq!(
            xirr_days(&[0, 1], &[-1.0], None),
            Err(IrrUndefined::InvalidInput)
        );
        // Days at the ends of i32 do not overflow the gap (2^32 - 1 days):
        // 2 = (1+r)^((2^32 - 1)/365)  =>  r = exp(ln 2 * 365 / 4294967295) - 1.
        let irr = xirr_days(&[i32::MIN, i32::MAX], &[-1.0, 2.0], None).expect("defined");
        assert_rel(
            irr.rate,
            (2f64.ln() * 365.0 / 4_294_967_295.0).exp_m1(),
            1e-12,
        );
    }

    #[test]
    fn three_sign_changes_unique_root_without_a_scan() {
        // Reference: 40-digit mpmath bisection of sum(a (1+r)^(-days/365))
        // on these flows: 0.25950593804531177361909521809...
        let (days, amounts) = milestone_deal();
        assert_eq!(days.len(), 94);
        // A_k: -15, rising by 0.25 to -11.5, then -46.25, rising by 0.6 to
        // -0.05, then +120.55: one change. B_k = 120.55 - A_(k-1) > 0: none.
        assert_eq!(bounds(&days, &amounts), (1, 0));

        for guess in [None, Some(0.26), Some(0.1), Some(-0.5), Some(40.0)] {
            let irr = xirr_days(&days, &amounts, guess).expect("defined");
            assert_rel(irr.rate, 0.259_505_938_045_311_77, 1e-11);
            // Signs - + - + : several roots were possible by the sign rule.
            assert!(irr.several_possible);
            // Bracketed Newton, no grid scan (which alone is 141 evaluations).
            assert!(irr.iterations <= 12, "guess {guess:?}: {irr:?}");
        }

        let rate = xirr_days(&days, &amounts, None).expect("defined").rate;
        let scale: f64 = amounts.iter().map(|a| a.abs()).sum();
        assert!(direct_npv(rate, &days, &amounts).abs() < 1e-10 * scale);
        // No root below: on a fine scan from -99.99% up to just under the
        // rate the NPV keeps the sign it has at 0% (positive: 120.55).
        let (lo, hi) = (MIN_RATE.ln_1p(), (rate * (1.0 - 1e-9)).ln_1p());
        for k in 0..=20_000 {
            let r = (lo + (hi - lo) * f64::from(k) / 20_000.0).exp_m1();
            assert!(
                direct_npv(r, &days, &amounts) > 0.0,
                "sign change below, at {r}"
            );
        }
        // The dated xirr and xirr_years agree.
        let start = d(2026, 3, 31);
        let dated: Vec<_> = days
            .iter()
            .zip(&amounts)
            .map(|(&dd, &a)| {
                (
                    start + chrono::Days::new(u64::try_from(dd).expect("sorted")),
                    a,
                )
            })
            .collect();
        assert_rel(xirr(&dated).expect("defined").rate, rate, 1e-12);
        let years: Vec<f64> = days.iter().map(|&dd| f64::from(dd) / 365.0).collect();
        let by_years = xirr_years(&years, &amounts, None).expect("defined");
        assert_rel(by_years.rate, rate, 1e-12);
    }

    #[test]
    fn inflows_before_the_first_investment_still_proven() {
        // The milestone deal with +0.05 on 2026-01-31 and 2026-02-28 first
        // (margin earned before investing, as for Amazon). A: +0.05, +0.1,
        // -14.9, ...: two changes, so two roots above 0% are possible (the
        // second is where the first flow dominates, beyond +1e8% here: the
        // NPV at 1e6 is -1.53, mpmath). Reference: 40-digit mpmath
        // bisection, 0.26018130423490673707...
        let (days, amounts) = milestone_deal();
        let days: Vec<i32> = [0, 28]
            .into_iter()
            .chain(days.iter().map(|&dd| dd + 59))
            .collect();
        let amounts: Vec<f64> = [0.05, 0.05].into_iter().chain(amounts).collect();
        assert_eq!(bounds(&days, &amounts), (2, 0));
        for guess in [
            None,
            Some(0.26),
            Some(0.1),
            Some(0.3),
            Some(40.0),
            Some(1e5),
        ] {
            let irr = xirr_days(&days, &amounts, guess).expect("defined");
            assert_rel(irr.rate, 0.260_181_304_234_906_7, 1e-11);
            assert!(irr.iterations <= 12, "guess {guess:?}: {irr:?}");
        }
    }

    #[test]
    fn two_roots_above_zero_return_the_lower_from_any_guess() {
        // +10, -100, +150 a year apart: A = 10, -90, 60 (two changes), B =
        // 60, 50, 150 (none). With x = 1/(1+r), 150x^2 - 100x + 10 = 0:
        // x = (100 ± sqrt(4000)) / 300, so r = 0.83772233983162066800 or
        // 7.1622776601683793320 (mpmath). A guess next to the upper root
        // must not return it.
        let days = [0, 365, 730];
        let amounts = [10.0, -100.0, 150.0];
        assert_eq!(bounds(&days, &amounts), (2, 0));
        for guess in [
            None,
            Some(0.8),
            Some(5.0),
            Some(7.0),
            Some(7.2),
            Some(100.0),
        ] {
            let irr = xirr_days(&days, &amounts, guess).expect("defined");
            assert_rel(irr.rate, 0.837_722_339_831_620_7, 1e-12);
        }
    }

    #[test]
    fn two_possible_roots_fall_back_to_the_scan_and_return_the_lowest() {
        // -100 + 230/(1+r) - 132/(1+r)^2 = 0 at r = 10% and 20% (see
        // several_roots_returns_lowest). A: -100, 130, -2 and B: -2, 98,
        // -132 both change sign twice, so neither side is proven.
        let days = [0, 365, 730];
        let amounts = [-100.0, 230.0, -132.0];
        assert_eq!(bounds(&days, &amounts), (2, 2));
        for guess in [None, Some(0.2), Some(0.19), Some(5.0), Some(-0.5)] {
            let irr = xirr_days(&days, &amounts, guess).expect("defined");
            assert!((irr.rate - 0.10).abs() < 1e-12, "guess {guess:?}: {irr:?}");
            assert!(irr.several_possible);
            // The scan passed the grid points below 10% (more than 20).
            assert!(irr.iterations > 20, "{irr:?}");
        }
    }

    #[test]
    fn bounds_prove_no_root_on_one_side() {
        // -100, +60, -10, +20 a year apart (3 sign changes). A: -100, -40,
        // -50, -30: no root above 0%. B (from 0%): -30, 70, 10, 20: one
        // below. 40-digit mpmath bisection: -0.20764602263456511371...
        let days = [0, 365, 730, 1095];
        let amounts = [-100.0, 60.0, -10.0, 20.0];
        assert_eq!(bounds(&days, &amounts), (0, 1));
        for guess in [None, Some(-0.2), Some(0.5)] {
            let irr = xirr_days(&days, &amounts, guess).expect("defined");
            assert_rel(irr.rate, -0.207_646_022_634_565_1, 1e-11);
            assert!(irr.several_possible);
            assert!(irr.iterations <= 15, "{irr:?}");
        }

        // One sign change with a negative root: -100, +30, +20. A: -100,
        // -70, -50: none above; B: -50, 50, 20: one below. mpmath:
        // -0.37830094339716980943...
        let irr = xirr_days(&[0, 365, 730], &[-100.0, 30.0, 20.0], None).expect("defined");
        assert_rel(irr.rate, -0.378_300_943_397_169_8, 1e-11);

        // -100, +90, -100: A = -100, -10, -110 and B = -110, -10, -100 have
        // no sign change, so there is no root at all and no NPV is evaluated.
        let (days, amounts) = ([0, 365, 730], [-100.0, 90.0, -100.0]);
        assert_eq!(bounds(&days, &amounts), (0, 0));
        let (npv, shape) = prepared(&days, &amounts);
        let mut iterations = 0;
        assert_eq!(
            proven_root(&npv, &shape, None, &mut iterations),
            Proven::NoRoot
        );
        assert_eq!(iterations, 0);
        assert_eq!(xirr_days(&days, &amounts, None), Err(IrrUndefined::NoRoot));

        // Profitable deal, one sign change: a root above 0%, none below.
        let irr = xirr_days(&[0, 60, 303, 411, 456], &excel_flows_amounts(), None);
        assert_eq!(
            bounds(&[0, 60, 303, 411, 456], &excel_flows_amounts()),
            (1, 0)
        );
        assert!(irr.expect("defined").rate > 0.0);
    }

    fn excel_flows_amounts() -> [f64; 5] {
        [-10000.0, 2750.0, 4250.0, 3250.0, 2750.0]
    }

    #[test]
    fn sums_near_zero_are_not_trusted() {
        // -100, +100, +50: A = -100, 0, 50, where the exact 0 counts as two
        // possible changes, capped at one by Descartes (one sign change in
        // the flows); B = 50, 150, 50: none. Root: -100 + 100x + 50x^2 = 0, x = 1/(1+r) =
        // (-100 + sqrt(100^2 + 4*50*100)) / 100 = sqrt(3) - 1.
        let days = [0, 365, 730];
        let amounts = [-100.0, 100.0, 50.0];
        assert_eq!(bounds(&days, &amounts), (1, 0));
        let irr = xirr_days(&days, &amounts, None).expect("defined");
        assert_rel(irr.rate, 1.0 / (3.0f64.sqrt() - 1.0) - 1.0, 1e-12);
        // -100, +100, -50, +80 (3 sign changes): A = -100, 0, -50, 30 is
        // unproven above 0% (the 0 could hide two changes); B = 30, 130,
        // 30, 80 proves none below, so the grid decides. With x = 1/(1+r):
        // 80x^3 - 50x^2 + 100x - 100 = 0 has one real root (mpmath
        // polyroots), x = 0.86049858546560317227, r = 0.16211695973784158750.
        let (days, amounts) = ([0, 365, 730, 1095], [-100.0, 100.0, -50.0, 80.0]);
        assert_eq!(bounds(&days, &amounts), (3, 0));
        let irr = xirr_days(&days, &amounts, None).expect("defined");
        assert_rel(irr.rate, 0.162_116_959_737_841_6, 1e-11);
        // The scan passes 20 coarse and 43 fine grid points below 16%:
        // ln(1.16) is 43 steps of (ln 3 - ln 0.5)/90 above ln 0.5.
        assert!(irr.iterations > 63, "{irr:?}");
    }

    #[test]
    fn day_recurrence_matches_direct_exp() {
        // 600 month ends (50 years) plus mid-month dates every 7th month, so
        // the gap cache sees 28..31-day gaps, odd gaps and collisions.
        let mut days = Vec::new();
        let start = d(2030, 1, 31);
        let mut date = start;
        for k in 0..600_u32 {
            days.push(i32::try_from((date - start).num_days()).expect("small"));
            if k % 7 == 3 {
                days.push(days[days.len() - 1] + 13);
            }
            date = (date + chrono::Days::new(1))
                .checked_add_months(chrono::Months::new(1))
                .and_then(|x| x.pred_opt())
                .expect("valid");
        }
        // Deterministic amounts in [1, 2), then with mixed signs.
        let positive: Vec<f64> = (0..days.len())
            .map(|k| 1.0 + f64::from(u32::try_from(k * 7919 % 1000).expect("small")) / 1000.0)
            .collect();
        let mixed: Vec<f64> = positive
            .iter()
            .enumerate()
            .map(|(k, a)| if k % 3 == 0 { -a } else { *a })
            .collect();
        for amounts in [&positive, &mixed] {
            let (npv, _) = prepared(&days, amounts);
            assert!(npv.sorted);
            let amax = amounts.iter().fold(0.0_f64, |m, a| m.max(a.abs()));
            for rate in [-0.9999, -0.9, -0.5, -0.05, 0.0, 1e-9, 0.1, 0.37, 2.0, 50.0] {
                let s = f64::ln_1p(rate);
                for (origin, day0) in [
                    (Origin::First, days[0]),
                    (Origin::Last, days[days.len() - 1]),
                ] {
                    // Direct: sum a exp(-s (d - d0) / 365), and its slope.
                    let (mut f, mut df, mut size, mut dsize) = (0.0, 0.0, 0.0, 0.0);
                    for (&dd, &a) in days.iter().zip(amounts.iter()) {
                        let years = f64::from(dd - day0) / 365.0;
                        let term = a * (-s * years).exp();
                        f += term;
                        df -= years * term;
                        size += term.abs();
                        dsize += (years * term).abs();
                    }
                    let e = npv.eval(s, origin);
                    let rel = (e.f * amax - f).abs() / size;
                    assert!(rel < 1e-12, "rate {rate} {origin:?}: rel {rel:e}");
                    if amounts == &positive {
                        let rel = (e.f * amax - f).abs() / f.abs();
                        assert!(rel < 1e-12, "rate {rate} {origin:?}: rel {rel:e}");
                    }
                    let rel = (e.df * amax - df).abs() / dsize.max(f64::MIN_POSITIVE);
                    assert!(rel < 1e-12, "slope, rate {rate} {origin:?}: rel {rel:e}");
                }
            }
        }
    }

    #[test]
    fn proven_roots_agree_with_the_grid_scan() {
        // Random deal-like monthly series (1 to 3 investments, noisy returns,
        // sometimes a loss-making tail, sometimes small inflows before the
        // first investment) from random guesses: wherever the bounds decide,
        // the answer is the scan's (the lowest root on the grid).
        let mut uniform = xorshift(0x2545_f491_4f6c_dd1d);
        let (mut proven, mut roots, mut two_possible) = (0, 0, 0);
        for _ in 0..400 {
            let months = 12 + (uniform() * 96.0) as usize;
            let early = if uniform() < 0.3 {
                1 + (uniform() * 3.0) as usize
            } else {
                0
            };
            let mut days = Vec::with_capacity(months);
            let mut amounts = Vec::with_capacity(months);
            for k in 0..months {
                days.push(i32::try_from(k * 30 + k / 2).expect("small"));
                let invest = k == early || uniform() < 0.03;
                amounts.push(if k < early {
                    0.2 * uniform()
                } else if invest {
                    -10.0 - 40.0 * uniform()
                } else {
                    (uniform() - 0.3) * 2.0
                });
            }
            amounts[months - 1] += 100.0 * uniform();
            let (npv, shape) = prepared(&days, &amounts);
            if shape.nonzero < 3 || shape.sign_changes == 0 {
                continue;
            }
            two_possible += usize::from(shape.roots_above_zero == 2);
            let guess = [
                None,
                Some(0.1),
                Some(-0.5 + 3.0 * uniform()),
                Some(1e4 * uniform()),
            ][(uniform() * 4.0) as usize];
            let mut iterations = 0;
            let result = proven_root(&npv, &shape, guess, &mut iterations);
            let scanned = scan(&npv, &mut iterations);
            match result {
                Proven::Root(rate) => {
                    proven += 1;
                    roots += 1;
                    let other = scanned.expect("the scan finds it too");
                    assert!(
                        (rate - other).abs() <= 1e-9 * (1.0 + rate.abs()),
                        "{rate} vs {other}, guess {guess:?}: {amounts:?}"
                    );
                }
                Proven::NoRoot => {
                    proven += 1;
                    assert_eq!(scanned, None, "{amounts:?}");
                }
                Proven::Unproven => {}
            }
        }
        // The test exercises the proven path, roots and all.
        assert!(
            proven > 250 && roots > 150 && two_possible > 50,
            "{proven} proven, {roots} roots, {two_possible} with two possible"
        );
    }

    #[test]
    fn lower_of_two_roots_from_random_guesses() {
        // k (x - x1)(x - x2) with x = 1/(1+r) at 0, 1 and 2 years: flows
        // k x1 x2, -k (x1 + x2), k. Both roots above 0% (x in (0, 1)); with
        // x1 + x2 < 1 the sums from the end (k(1-x1)(1-x2), k(1-x1-x2), k)
        // keep one sign, so the bounds say two above 0%, none below. The
        // lower rate is 1/max(x1, x2) - 1, whatever the guess.
        let mut uniform = xorshift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..500 {
            let x1 = 0.02 + 0.47 * uniform();
            let x2 = 0.02 + 0.47 * uniform();
            if (x1 - x2).abs() < 0.01 {
                continue;
            }
            let k = if uniform() < 0.5 { 100.0 } else { -3.0 };
            let amounts = [k * x1 * x2, -k * (x1 + x2), k];
            let days = [0, 365, 730];
            assert_eq!(bounds(&days, &amounts), (2, 0), "{x1} {x2}");
            let (low, high) = (1.0 / x1.max(x2) - 1.0, 1.0 / x1.min(x2) - 1.0);
            let guess = [
                None,
                Some(low * (1.0 + 0.1 * uniform())),
                Some(high * (1.0 + 0.1 * (uniform() - 0.5))),
                Some(high * (2.0 + 10.0 * uniform())),
                Some(0.5 * (low + high)),
            ][(uniform() * 5.0) as usize];
            let irr = xirr_days(&days, &amounts, guess).unwrap_or_else(|e| {
                panic!("{e:?}: x {x1} {x2}, guess {guess:?}, roots {low} {high}")
            });
            assert_rel(irr.rate, low, 1e-10);
        }
    }

    /// Deterministic uniform numbers in [0, 1) (xorshift64).
    fn xorshift(mut seed: u64) -> impl FnMut() -> f64 {
        move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    #[test]
    fn xirr_days_and_xirr_years_allocate_nothing() {
        let (days, amounts) = milestone_deal();
        let years: Vec<f64> = days.iter().map(|&dd| f64::from(dd) / 365.0).collect();
        let mut reversed_days = days.clone();
        reversed_days.reverse();
        let mut reversed = amounts.clone();
        reversed.reverse();
        let two_roots = ([0, 365, 730], [-100.0, 230.0, -132.0]);
        let before = counting_alloc::allocations();
        for guess in [None, Some(0.26)] {
            assert!(xirr_days(&days, &amounts, guess).is_ok());
            assert!(xirr_years(&years, &amounts, guess).is_ok());
            assert!(xirr_days(&reversed_days, &reversed, guess).is_ok());
            assert!(xirr_days(&two_roots.0, &two_roots.1, guess).is_ok());
        }
        assert_eq!(counting_alloc::allocations() - before, 0);
        // The counter works.
        let v = std::hint::black_box(vec![1_u8; 8]);
        assert_eq!(counting_alloc::allocations() - before, 1);
        drop(v);
    }

    /// Counts heap allocations made by the current thread (tests run in
    /// parallel threads, so a global count would see the others').
    mod counting_alloc {
        use std::alloc::{GlobalAlloc, Layout, System};
        use std::cell::Cell;

        thread_local! {
            static COUNT: Cell<usize> = const { Cell::new(0) };
        }

        pub fn allocations() -> usize {
            COUNT.with(Cell::get)
        }

        struct Counting;

        // SAFETY: forwards to the system allocator; the counter is a
        // const-initialised thread local, which does not allocate.
        unsafe impl GlobalAlloc for Counting {
            unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
                COUNT.with(|c| c.set(c.get() + 1));
                unsafe { System.alloc(layout) }
            }
            unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
                unsafe { System.dealloc(ptr, layout) }
            }
            unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
                COUNT.with(|c| c.set(c.get() + 1));
                unsafe { System.realloc(ptr, layout, new_size) }
            }
        }

        #[global_allocator]
        static GLOBAL: Counting = Counting;
    }
}
