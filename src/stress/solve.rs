//! Goal seek: the value of one input at which a metric, or a Monte Carlo
//! statistic of it, reaches a target.
//!
//! The question is a root of `g(x) = stat(metric | input = x) - target` on a
//! range `[lo, hi]`. The range is first searched for a sign change (both
//! ends, then a scan of [`SCAN`] points, since `g` need not be monotone), and
//! the bracket is closed by Brent's method. A Monte Carlo statistic uses the
//! same uniforms for every `x` (common random numbers), so `g` is a fixed
//! function of `x` rather than a noisy one and the root is stable; with a
//! Bernoulli driver it is a fine staircase, and the answer is where it steps
//! past the target. No sign change in the range is an answer too: the
//! metric's values at both ends, never a guess.
//!
//! ```
//! # let run = dealsim::Run::from_file("scenarios/amazon-openai-2026.toml".as_ref(), &[]).unwrap();
//! use dealsim::stress::solve::{solve, Goal, Stat, Answer};
//! use dealsim::stress::metric::Metric;
//! let goal = Goal {
//!     vary: run.model.params.find("exit.openai.revenue_multiple").unwrap(),
//!     metric: Metric::parse(&run.model, "amazon.irr").unwrap(),
//!     target: 0.15,
//!     stat: Stat::Value,
//!     range: (1.0, 12.0),
//! };
//! match solve(&run.model, &run.plan, None, &goal).unwrap() {
//!     Answer::Solved { x, .. } => assert!(x > 1.0 && x < 8.0),
//!     other => panic!("{other:?}"),
//! }
//! ```

use rayon::prelude::*;

use crate::engine::Plan;
use crate::metrics::root;
use crate::model::{Model, P};

use super::block::BlockEvaluator;
use super::metric::Metric;
use super::monte_carlo::{apply, Options};
use super::path::{Evaluator, Why};
use super::sampling::Sampler;
use super::spec::Spec;
use crate::engine::block::LANES;

/// Points scanned for a sign change when the ends do not bracket one.
pub const SCAN: usize = 16;
/// Brent stops when the bracket is this share of the range: tight for a
/// deterministic metric; for a Monte Carlo statistic, whose own standard
/// error is far wider, three digits of the range are plenty and each
/// evaluation is a whole Monte Carlo.
const X_TOL: f64 = 1e-9;
const X_TOL_MC: f64 = 1e-3;
const MAX_ITER: u32 = 100;

/// What to reach.
#[derive(Debug, Clone)]
pub struct Goal {
    pub vary: P,
    pub metric: Metric,
    pub target: f64,
    pub stat: Stat,
    pub range: (f64, f64),
}

/// Which number of the metric must reach the target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stat {
    /// The base case's value (no Monte Carlo).
    Value,
    /// The mean over paths with a value.
    Mean,
    /// A percentile over paths with a value, `0.1` for P10.
    Percentile(f64),
}

impl std::fmt::Display for Stat {
    /// As written on the command line: `value`, `mean`, `p10`.
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Stat::Value => f.write_str("value"),
            Stat::Mean => f.write_str("mean"),
            Stat::Percentile(l) => write!(f, "p{}", (l * 1000.0).round() / 10.0),
        }
    }
}

impl std::str::FromStr for Stat {
    type Err = String;
    /// `value`, `mean`, or `pNN` (`p10`, `p50`, `p95`, `p2.5`).
    fn from_str(s: &str) -> Result<Stat, String> {
        match s {
            "value" => Ok(Stat::Value),
            "mean" => Ok(Stat::Mean),
            _ => {
                let n: f64 = s
                    .strip_prefix('p')
                    .and_then(|n| n.parse().ok())
                    .filter(|n: &f64| *n > 0.0 && *n < 100.0)
                    .ok_or_else(|| {
                        format!("`{s}` is not a statistic; use value, mean or pNN (e.g. p10)")
                    })?;
                Ok(Stat::Percentile(n / 100.0))
            }
        }
    }
}

/// The answer to a goal.
#[derive(Debug, Clone)]
pub enum Answer {
    Solved {
        x: f64,
        /// The statistic at `x`.
        at: f64,
        evaluations: u32,
    },
    /// The metric jumps past the target between two values of the input
    /// (`(input, metric)` on each side): whole months, or a step in the deal.
    Jump {
        below: (f64, f64),
        above: (f64, f64),
        evaluations: u32,
    },
    /// No sign change of `stat - target` in the range.
    NoSolution {
        at_lo: Result<f64, String>,
        at_hi: Result<f64, String>,
        evaluations: u32,
    },
}

/// The statistic as a function of the varied input.
struct Objective<'a> {
    m: &'a Model,
    plan: &'a Plan,
    goal: &'a Goal,
    mc: Option<(&'a Spec, Sampler, u64)>,
    evaluations: u32,
    /// Every value tried: Brent asks again for its bracket's ends, and the
    /// answer's own value is reported; each is a whole Monte Carlo.
    seen: Vec<(f64, Result<f64, String>)>,
}

impl Objective<'_> {
    fn at(&mut self, x: f64) -> Result<f64, String> {
        if let Some((_, v)) = self.seen.iter().find(|(seen, _)| *seen == x) {
            return v.clone();
        }
        let v = self.evaluate(x);
        self.seen.push((x, v.clone()));
        v
    }

    fn evaluate(&mut self, x: f64) -> Result<f64, String> {
        self.evaluations += 1;
        let mut base = self.m.params.values.clone();
        base[self.goal.vary.ix()] = x;
        let metric = [self.goal.metric];
        let Some((spec, sampler, paths)) = &self.mc else {
            let mut ev = Evaluator::new(self.m, self.plan, &metric);
            ev.eval(&base);
            return ev.value(0).ok_or_else(|| undefined(ev.why(0)));
        };
        let (m, plan) = (self.m, self.plan);
        let dims = spec.drivers.len();
        // Blocks of paths, as a stress runs them; padding lanes give NaN.
        let blocks = paths.div_ceil(LANES as u64);
        let mut values: Vec<f64> = (0..blocks)
            .into_par_iter()
            .map_init(
                || {
                    (
                        BlockEvaluator::new(m, plan, &metric),
                        vec![0.0; dims],
                        vec![0; dims],
                    )
                },
                |(ev, u, clamped), block| {
                    let first = block * LANES as u64;
                    let count = (*paths - first).min(LANES as u64) as usize;
                    for lane in 0..LANES {
                        let vals = ev.values_mut(lane);
                        vals.copy_from_slice(&base);
                        if lane < count {
                            sampler.uniforms(first + lane as u64, u);
                            apply(m, &spec.drivers, u, vals, clamped);
                        }
                    }
                    ev.eval();
                    let out: [f64; LANES] = std::array::from_fn(|l| match ev.value(0, l) {
                        Ok(v) if l < count => v,
                        _ => f64::NAN,
                    });
                    out
                },
            )
            .flat_map_iter(|lanes| lanes)
            .collect();
        values.retain(|v| !v.is_nan());
        if values.is_empty() {
            return Err("no path has a value".into());
        }
        Ok(match self.goal.stat {
            Stat::Value | Stat::Mean => values.iter().sum::<f64>() / values.len() as f64,
            Stat::Percentile(l) => {
                values.sort_by(f64::total_cmp);
                let h = l * (values.len() - 1) as f64;
                let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
                values[lo] + (h - lo as f64) * (values[hi] - values[lo])
            }
        })
    }
}

fn undefined(why: Option<Why>) -> String {
    format!("undefined ({})", why.map_or("unknown", Why::code))
}

/// Solves `goal`. A Monte Carlo statistic needs `mc`: the stress spec and
/// its options (paths, seed, sampling); the varied input must not be one of
/// its drivers (its draws would overwrite it).
pub fn solve(
    m: &Model,
    plan: &Plan,
    mc: Option<(&Spec, &Options)>,
    goal: &Goal,
) -> Result<Answer, String> {
    let mc = match (goal.stat, mc) {
        (Stat::Value, _) => None,
        (_, None) => return Err("a Monte Carlo statistic needs [[stress.driver]] entries".into()),
        (_, Some((spec, opts))) => {
            if spec.drivers.is_empty() {
                return Err("a Monte Carlo statistic needs [[stress.driver]] entries".into());
            }
            if let Some(d) = spec.drivers.iter().find(|d| d.param == goal.vary) {
                return Err(format!(
                    "`{}` is a stochastic driver, so its draws would overwrite the value tried; \
                     vary a parameter of the deal it does not draw (for a milestone, its `probability`)",
                    d.address
                ));
            }
            let sampler = Sampler::new(
                opts.method,
                opts.seed,
                opts.paths,
                spec.drivers.len(),
                spec.correlation.clone(),
            )?;
            Some((spec, sampler, opts.paths))
        }
    };
    let (lo, hi) = goal.range;
    if lo.is_nan() || hi.is_nan() || lo >= hi {
        return Err(format!(
            "the range must have its low end below its high end, got {lo}..{hi}"
        ));
    }
    let range = m.params.info[goal.vary.ix()].range;
    if range == crate::model::params::Range::Flag {
        return Err(format!(
            "`{}` is 0 or 1, so nothing lies between: compare the two with a [[stress.case]] or the tornado",
            m.params.info[goal.vary.ix()].address
        ));
    }
    for x in [lo, hi] {
        range.check(x).map_err(|e| {
            format!(
                "the range end {x}: `{}` {e}",
                m.params.info[goal.vary.ix()].address
            )
        })?;
    }
    let mut f = Objective {
        m,
        plan,
        goal,
        mc,
        evaluations: 0,
        seen: Vec::new(),
    };
    // Look for a bracket: the ends, then a scan from the low end.
    let xs: Vec<f64> = (0..=SCAN)
        .map(|i| lo + (hi - lo) * i as f64 / SCAN as f64)
        .collect();
    let at_lo = f.at(lo);
    let at_hi = f.at(hi);
    let g = |v: &Result<f64, String>| v.as_ref().ok().map(|v| v - goal.target);
    let mut bracket = None;
    if let (Some(a), Some(b)) = (g(&at_lo), g(&at_hi)) {
        if a == 0.0 {
            return Ok(Answer::Solved {
                x: lo,
                at: goal.target,
                evaluations: f.evaluations,
            });
        }
        if b == 0.0 {
            return Ok(Answer::Solved {
                x: hi,
                at: goal.target,
                evaluations: f.evaluations,
            });
        }
        if (a < 0.0) != (b < 0.0) {
            bracket = Some((lo, hi));
        }
    }
    if bracket.is_none() {
        let mut prev: Option<(f64, f64)> = g(&at_lo).map(|v| (lo, v));
        for &x in &xs[1..SCAN] {
            let v = f.at(x);
            if let Some(gv) = g(&v) {
                if let Some((px, pv)) = prev {
                    if (pv < 0.0) != (gv < 0.0) || gv == 0.0 {
                        bracket = Some((px, x));
                        break;
                    }
                }
                prev = Some((x, gv));
            }
        }
    }
    let Some((a, b)) = bracket else {
        return Ok(Answer::NoSolution {
            at_lo,
            at_hi,
            evaluations: f.evaluations,
        });
    };
    let share = if f.mc.is_some() { X_TOL_MC } else { X_TOL };
    let tol = share * (hi - lo);
    // The ends were evaluated while bracketing; an undefined point inside
    // the bracket ends the search there.
    let (fa, fb) = (f.at(a)? - goal.target, f.at(b)? - goal.target);
    let mut failed = None;
    let mut steps = 0;
    let root = root::brent(
        |x| match f.at(x) {
            Ok(v) => Some(v - goal.target),
            Err(e) => {
                failed = Some(e);
                None
            }
        },
        (a, fa),
        (b, fb),
        |_| tol,
        MAX_ITER,
        &mut steps,
    );
    if let Some(e) = failed {
        return Err(format!(
            "the metric became {e} while searching; narrow the range"
        ));
    }
    let x = root.ok_or("the root search lost its bracket")?;
    let at = f.at(x)?;
    // A metric that jumps (whole months, a step in the deal) has no value
    // at the target: say where it jumps instead of passing the jump off as
    // an answer.
    let scale = match (&at_lo, &at_hi) {
        (Ok(a), Ok(b)) => (a - b).abs(),
        _ => 0.0,
    };
    if (at - goal.target).abs() > 1e-3 * scale + 1e-9 * goal.target.abs().max(1.0) {
        let (mut below, mut above) = match range {
            crate::model::params::Range::Months => (x.floor(), x.floor() + 1.0),
            _ => (x - tol, x + tol),
        };
        let side = |v: f64| v >= goal.target;
        if range == crate::model::params::Range::Months
            && below > lo
            && side(f.at(below)?) == side(f.at(above)?)
        {
            // x sits just past a whole month: the step is the month before.
            (below, above) = (below - 1.0, below);
        }
        return Ok(Answer::Jump {
            below: (below, f.at(below)?),
            above: (above, f.at(above)?),
            evaluations: f.evaluations,
        });
    }
    Ok(Answer::Solved {
        x,
        at,
        evaluations: f.evaluations,
    })
}
