//! Monte Carlo over a scenario's drivers: N paths, their metrics, fans and
//! probabilities, each estimate with its standard error.
//!
//! How a run goes:
//! 1. A [`Sampler`] gives each path its uniforms (one per driver),
//!    reproducibly from the seed and the path index alone.
//! 2. Each driver turns its uniform into a value by its distribution's
//!    inverse CDF, brought back inside the parameter's range (a normal
//!    margin can draw 1.02; months are rounded) and counted when it is.
//! 3. Paths are evaluated in fixed chunks of [`CHUNK`] on rayon's threads,
//!    [`LANES`] at a time by a [`BlockEvaluator`] (the first 1024 paths
//!    also by the one-path [`Evaluator`], to set the fans' ranges). Each
//!    path's drivers, metrics and events are written to its own row; the
//!    per-period fans are histograms whose counts add up. Nothing
//!    depends on which thread did what, so a seed gives bit-identical
//!    results on 1 or 16 threads.
//! 4. Statistics are then read from the rows in path order: means, exact
//!    percentiles, probabilities, undefined IRRs counted by reason.
//!
//! Standard errors: plain Monte Carlo uses `sd / sqrt(n)` (means) and
//! `sqrt(p (1 - p) / n)` (probabilities). Latin hypercube and Sobol paths are
//! not independent, so their SE is the spread of the estimates over the
//! sampler's independent replicates: `sd(replicate estimates) / sqrt(R)`.
//! Percentiles use that replicate (for plain Monte Carlo, batch) spread for
//! every method.

use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::engine::Plan;
use crate::model::{Model, When};

use super::block::BlockEvaluator;
use super::estimate;
use super::fan::{Fan, Ranges};
use super::metric::{Measure, Metric};
use super::path::{Evaluator, Why};
use super::sampling::{Method, Sampler};
use super::spec::{Driver, Spec};
use crate::engine::block::{Lanes, LANES};

/// Paths per chunk: the unit of parallel work and of progress.
pub const CHUNK: usize = 1024;
/// Paths whose series set the fans' histogram ranges.
const PILOT: usize = 1024;
/// Percentiles reported per metric.
pub const PERCENTILES: [f64; 9] = [0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99];
/// Batches for the SE of percentiles under plain Monte Carlo.
const BATCHES: u32 = 16;

/// How to run: what the command line may override.
#[derive(Debug, Clone)]
pub struct Options {
    pub paths: u64,
    pub seed: u64,
    pub method: Method,
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
    /// Show a progress bar on stderr (hidden anyway when it is not a terminal).
    pub progress: bool,
}

impl Options {
    pub fn of(spec: &Spec) -> Options {
        Options {
            paths: spec.paths,
            seed: spec.seed,
            method: spec.method,
            threads: None,
            progress: false,
        }
    }
}

/// An estimate and its standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    /// `None` when there is nothing to estimate it from: fewer than two
    /// paths, or fewer than two replicates (or batches) with paths.
    pub se: Option<f64>,
}

/// A metric across paths.
#[derive(Debug, Clone)]
pub struct MetricStats {
    pub metric: Metric,
    /// The base case's value, if defined.
    pub base: Option<f64>,
    /// Paths with a value.
    pub defined: u64,
    /// Paths without one, by reason (only reasons that occurred).
    pub undefined: Vec<(Why, u64)>,
    pub mean: Option<Estimate>,
    pub sd: f64,
    pub min: f64,
    pub max: f64,
    /// `(level, estimate)` for each of [`PERCENTILES`].
    pub percentiles: Vec<(f64, Estimate)>,
    /// Share of defined paths below the break-even line (0 for IRR, 1x for MOIC).
    pub below_break_even: Option<Estimate>,
    pub histogram: Histogram,
}

impl MetricStats {
    pub fn percentile(&self, level: f64) -> Option<f64> {
        self.percentiles
            .iter()
            .find(|(l, _)| (*l - level).abs() < 1e-9)
            .map(|(_, e)| e.value)
    }
}

/// Fixed bins over a metric's P0.5..P99.5; the paths beyond are counted.
#[derive(Debug, Clone, Default)]
pub struct Histogram {
    pub edges: Vec<f64>,
    pub counts: Vec<u64>,
    pub below: u64,
    pub above: u64,
}

/// The probability of an event across paths.
#[derive(Debug, Clone)]
pub struct Probability {
    pub id: String,
    pub label: String,
    pub estimate: Estimate,
}

/// Which series a fan shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Series {
    /// Cumulative net, terminal value included at the horizon.
    CumulativeNet,
    /// Opening cash plus cumulative cash flows.
    Cash,
}

/// Per-period percentile bands of one party's series.
#[derive(Debug, Clone)]
pub struct FanStats {
    pub party: usize,
    pub series: Series,
    /// P5, P25, P50, P75, P95 per period.
    pub bands: Vec<[f64; 5]>,
    /// The base case's series.
    pub base: Vec<f64>,
    /// Path-periods that fell outside the histogram range (their percentile
    /// reads are clamped to it).
    pub outside: u64,
}

/// What a driver drew.
#[derive(Debug, Clone)]
pub struct DriverStats {
    pub address: String,
    pub dist: String,
    pub mean: f64,
    pub sd: f64,
    pub min: f64,
    pub max: f64,
    /// Draws moved back inside the parameter's range.
    pub clamped: u64,
}

/// Everything a Monte Carlo run produces.
#[derive(Debug)]
pub struct MonteCarlo {
    pub paths: u64,
    pub seed: u64,
    pub method: Method,
    pub replicates: u32,
    pub threads: usize,
    /// The sampler and the pilot paths that set the fans' ranges.
    pub setup_elapsed: Duration,
    /// The path loop: drawing, evaluating and measuring every path.
    pub loop_elapsed: Duration,
    /// The whole Monte Carlo, its statistics included.
    pub elapsed: Duration,
    pub drivers: Vec<DriverStats>,
    pub metrics: Vec<MetricStats>,
    pub probabilities: Vec<Probability>,
    pub fans: Vec<FanStats>,
    /// Per path: drivers then metrics, `paths x (drivers + metrics)`.
    pub rows: Vec<f64>,
    /// Per path: each metric's [`Why`] (0 when defined, else 1 + its index
    /// in [`Why::ALL`]) then each event (0 or 1).
    pub flags: Vec<u8>,
    pub events: Vec<Event>,
}

impl MonteCarlo {
    pub fn width(&self) -> usize {
        self.drivers.len() + self.metrics.len()
    }

    /// Metric `k` of `path`, or why it has none.
    pub fn value(&self, path: usize, k: usize) -> Result<f64, Why> {
        let kw = self.metrics.len() + self.events.len();
        match self.flags[path * kw + k] {
            0 => Ok(self.rows[path * self.width() + self.drivers.len() + k]),
            w => Err(Why::ALL[w as usize - 1]),
        }
    }
}

/// Something that happens or not on each path.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: String,
    pub label: String,
    what: EventKind,
}

#[derive(Debug, Clone, Copy)]
enum EventKind {
    Loss { party: usize },
    CashNegative { party: usize },
    CapReached { share: usize },
    TranchePaid { index: usize },
    MilestoneFired { milestone: usize },
}

fn events(m: &Model) -> Vec<Event> {
    let mut out = Vec::new();
    for (pi, p) in m.deal_parties() {
        if m.investments.iter().any(|inv| inv.investor == pi) {
            out.push(Event {
                id: format!("{}.loses_money", p.id),
                label: format!("{} loses money (net < 0)", p.name),
                what: EventKind::Loss { party: pi },
            });
        }
    }
    for li in m.labs() {
        let p = &m.parties[li];
        out.push(Event {
            id: format!("{}.cash_negative", p.id),
            label: format!("{}'s cash goes negative", p.name),
            what: EventKind::CashNegative { party: li },
        });
    }
    for (s, rs) in m.revenue_shares.iter().enumerate() {
        if rs.cap.is_some() {
            out.push(Event {
                id: format!("revenue_share.{}.cap_reached", rs.id),
                label: format!("{} cap reached by {}", rs.id, rs.end.min(m.grid.end)),
                what: EventKind::CapReached { share: s },
            });
        }
    }
    let mut index = 0;
    for inv in &m.investments {
        for t in &inv.tranches {
            out.push(Event {
                id: format!("tranche.{}/{}.paid", inv.id, t.id),
                label: format!("{} tranche {} paid", inv.id, t.id),
                what: EventKind::TranchePaid { index },
            });
            index += 1;
        }
    }
    for (i, ms) in m.milestones.iter().enumerate() {
        let used = m
            .investments
            .iter()
            .flat_map(|inv| &inv.tranches)
            .any(|t| t.when == When::Milestone(i));
        if !used {
            out.push(Event {
                id: format!("milestone.{}.fired", ms.id),
                label: format!("{} happens", ms.name),
                what: EventKind::MilestoneFired { milestone: i },
            });
        }
    }
    out
}

/// Writes path values for `drivers` from their uniforms `u` into `values`
/// (a copy of the base values); returns a bit mask of the drivers whose draw
/// was moved into range. Bernoulli drivers that read their probability from
/// a parameter go last, so that a driven probability is already in place.
pub fn apply(m: &Model, drivers: &[Driver], u: &[f64], values: &mut [f64], clamped: &mut [u64]) {
    for pass in [false, true] {
        for (i, d) in drivers.iter().enumerate() {
            if d.p_from.is_some() != pass {
                continue;
            }
            let raw = match d.p_from {
                // As the Bernoulli's quantile: 1 for the top p of uniforms,
                // so a correlation keeps its sign.
                Some(p) => f64::from(u8::from(u[i] > 1.0 - p.of(values))),
                None => d.dist.quantile(u[i]),
            };
            let range = m.params.info[d.param.ix()].range;
            let v = range.clamp(raw);
            // Rounding a draw to whole months is not a clamp.
            let rounded = range == crate::model::params::Range::Months && v == raw.round();
            if v != raw && !rounded {
                clamped[i] += 1;
            }
            values[d.param.ix()] = v;
        }
    }
}

/// The series a fan is drawn for: every party's cumulative net and every
/// lab's cash.
fn fan_series(m: &Model) -> Vec<(usize, Series)> {
    let mut out: Vec<(usize, Series)> = m
        .deal_parties()
        .map(|(i, _)| (i, Series::CumulativeNet))
        .collect();
    out.extend(m.labs().map(|l| (l, Series::Cash)));
    out
}

/// Per-thread state of the path loop: a block evaluator and the thread's
/// share of the fans.
struct Worker<'a> {
    ev: BlockEvaluator<'a>,
    u: Vec<f64>,
    periods: usize,
    fans: Vec<Fan>,
    clamped: Vec<u64>,
    /// Series of the last paths not yet counted in the fans,
    /// `[(series * periods + p) * FAN_BLOCK + slot]`, and how many slots
    /// are filled.
    pending: Vec<f64>,
    filled: usize,
}

/// Paths whose series are counted into the fans together: each period's
/// histogram row then takes [`FAN_BLOCK`] values while it is in cache,
/// instead of a few per block (which thrashes the cache of two cores).
const FAN_BLOCK: usize = 256;

impl<'a> Worker<'a> {
    fn new(
        m: &'a Model,
        plan: &'a Plan,
        metrics: &[Metric],
        dims: usize,
        series: usize,
    ) -> Worker<'a> {
        let n = m.grid.len();
        Worker {
            ev: BlockEvaluator::new(m, plan, metrics),
            u: vec![0.0; dims],
            periods: n,
            fans: (0..series).map(|_| Fan::new(n)).collect(),
            clamped: vec![0; dims],
            pending: vec![0.0; series * n * FAN_BLOCK],
            filled: 0,
        }
    }

    /// Evaluates paths `first..first + count` (at most [`LANES`]); the
    /// lanes past `count` run the base case and are ignored.
    fn eval(&mut self, m: &Model, sampler: &Sampler, drivers: &[Driver], first: u64, count: usize) {
        for lane in 0..LANES {
            let values = self.ev.values_mut(lane);
            values.copy_from_slice(&m.params.values);
            if lane < count {
                sampler.uniforms(first + lane as u64, &mut self.u);
                apply(m, drivers, &self.u, values, &mut self.clamped);
            }
        }
        self.ev.eval();
    }

    /// Keeps the series of the block's first `lanes` lanes for the fans;
    /// counts them every [`FAN_BLOCK`] paths.
    fn keep_series(&mut self, series: &[(usize, Series)], ranges: &[Ranges], lanes: usize) {
        if self.filled + lanes > FAN_BLOCK {
            self.count_series(ranges);
        }
        // Four lanes per instruction where the CPU has them: the walk's
        // running sums then stay in registers (the same operations, so the
        // same values).
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            unsafe { self.pend_avx2(series, lanes) };
            return;
        }
        self.pend(series, lanes);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn pend_avx2(&mut self, series: &[(usize, Series)], lanes: usize) {
        self.pend(series, lanes);
    }

    /// Writes the block's series into the pending rows.
    #[inline(always)]
    fn pend(&mut self, series: &[(usize, Series)], lanes: usize) {
        // A series listed twice would keep stale rows under its second entry.
        debug_assert!(series
            .iter()
            .enumerate()
            .all(|(i, x)| !series[..i].contains(x)));
        let n = self.periods;
        let (pending, filled) = (&mut self.pending, self.filled);
        // One walk per party, writing both of its series (cumulative net
        // and, for a lab, cash) straight into their pending rows.
        for (s, &(party, what)) in series.iter().enumerate() {
            if what == Series::Cash && series.contains(&(party, Series::CumulativeNet)) {
                continue;
            }
            let cash = series.iter().position(|&x| x == (party, Series::Cash));
            let cum = (what == Series::CumulativeNet).then_some(s);
            // A whole block is a copy of known size, which inlines; only
            // the last, partial block takes a call.
            let mut keep = |s: usize, p: usize, x: &Lanes| {
                let at = (s * n + p) * FAN_BLOCK + filled;
                if lanes == LANES {
                    pending[at..at + LANES].copy_from_slice(x);
                } else {
                    pending[at..at + lanes].copy_from_slice(&x[..lanes]);
                }
            };
            self.ev.each_period(party, |p, c, bal| {
                if let Some(s) = cum {
                    keep(s, p, c);
                }
                if let Some(s) = cash {
                    keep(s, p, bal);
                }
            });
        }
        self.filled += lanes;
    }

    /// Counts the pending series into the fans, period by period.
    fn count_series(&mut self, ranges: &[Ranges]) {
        let n = self.periods;
        for (s, fan) in self.fans.iter_mut().enumerate() {
            for p in 0..n {
                let at = (s * n + p) * FAN_BLOCK;
                fan.add_column(&ranges[s], p, &self.pending[at..at + self.filled]);
            }
        }
        self.filled = 0;
    }
}

/// Whether event `e` happened on each lane of the last block; `metrics`
/// are the block's metrics, reused when one holds what the event needs.
fn event_happened(ev: &mut BlockEvaluator, metrics: &[Metric], e: &Event) -> [bool; LANES] {
    let mut below_zero = |party: usize, measure: Measure| {
        let known = metrics.iter().position(|x| *x == Metric { party, measure });
        let (values, why) = match known {
            Some(k) => {
                let mut v = [0.0; LANES];
                let mut w = [None; LANES];
                for l in 0..LANES {
                    match ev.value(k, l) {
                        Ok(x) => v[l] = x,
                        Err(y) => w[l] = Some(y),
                    }
                }
                (v, w)
            }
            None => ev.measure(party, measure),
        };
        std::array::from_fn(|l| why[l].is_none() && values[l] < 0.0)
    };
    match e.what {
        EventKind::Loss { party } => return below_zero(party, Measure::Net),
        EventKind::CashNegative { party } => return below_zero(party, Measure::LowestCash),
        _ => {}
    }
    let b = ev.block();
    match e.what {
        EventKind::Loss { .. } | EventKind::CashNegative { .. } => [false; LANES],
        EventKind::CapReached { share } => std::array::from_fn(|l| b.cap_reached(share, l)),
        EventKind::TranchePaid { index } => std::array::from_fn(|l| b.tranche_paid(index, l)),
        EventKind::MilestoneFired { milestone } => {
            std::array::from_fn(|l| b.milestone_fired(milestone, l))
        }
    }
}

/// Runs the Monte Carlo of `spec` on `m`.
pub fn run(m: &Model, plan: &Plan, spec: &Spec, opts: &Options) -> Result<MonteCarlo, String> {
    if spec.drivers.is_empty() {
        return Err(
            "the [stress] section has no [[stress.driver]], so a Monte Carlo has nothing to vary"
                .into(),
        );
    }
    let pool = {
        let mut b = rayon::ThreadPoolBuilder::new();
        if let Some(t) = opts.threads {
            b = b.num_threads(t);
        }
        b.build()
            .map_err(|e| format!("cannot start worker threads: {e}"))?
    };
    pool.install(|| run_in_pool(m, plan, spec, opts))
}

fn run_in_pool(m: &Model, plan: &Plan, spec: &Spec, opts: &Options) -> Result<MonteCarlo, String> {
    let started = Instant::now();
    let n = opts.paths as usize;
    let dims = spec.drivers.len();
    let metrics = &spec.metrics;
    let k = metrics.len();
    let events = events(m);
    let series = fan_series(m);
    let periods = m.grid.len();
    let sampler = Sampler::new(
        opts.method,
        opts.seed,
        opts.paths,
        dims,
        spec.correlation.clone(),
    )?;

    // Pilot: the first paths set each fan's histogram range.
    let pilot_n = n.min(PILOT);
    let ranges: Vec<Ranges> = {
        let mut ev = Evaluator::new(m, plan, &[]);
        let (mut u, mut values) = (vec![0.0; dims], m.params.values.clone());
        let mut clamped = vec![0; dims];
        let (mut cum, mut cash) = (vec![0.0; periods], vec![0.0; periods]);
        let mut pilot = vec![Vec::with_capacity(pilot_n * periods); series.len()];
        for path in 0..pilot_n {
            sampler.uniforms(path as u64, &mut u);
            values.copy_from_slice(&m.params.values);
            apply(m, &spec.drivers, &u, &mut values, &mut clamped);
            ev.eval(&values);
            for (s, &(party, what)) in series.iter().enumerate() {
                ev.series(party, &values, &mut cum, Some(&mut cash));
                pilot[s].extend_from_slice(if what == Series::Cash { &cash } else { &cum });
            }
        }
        pilot
            .iter()
            .map(|p| Ranges::from_pilot(p, periods))
            .collect()
    };
    let setup_elapsed = started.elapsed();

    let width = dims + k;
    let fw = k + events.len();
    let mut rows = vec![0.0; n * width];
    let mut flags = vec![0u8; n * fw.max(1)];
    let bar = progress_bar(opts.paths, opts.progress);
    let (fans, clamped) = rows
        .par_chunks_mut(CHUNK * width)
        .zip(flags.par_chunks_mut(CHUNK * fw.max(1)))
        .enumerate()
        .fold(
            || Worker::new(m, plan, metrics, dims, series.len()),
            |mut w, (c, (rows, flags))| {
                let first = c * CHUNK;
                let count = rows.len() / width;
                for block in (0..count).step_by(LANES) {
                    let lanes = LANES.min(count - block);
                    let path0 = (first + block) as u64;
                    w.eval(m, &sampler, &spec.drivers, path0, lanes);
                    w.keep_series(&series, &ranges, lanes);
                    for l in 0..lanes {
                        let j = block + l;
                        let row = &mut rows[j * width..(j + 1) * width];
                        let values = w.ev.values(l);
                        for (i, d) in spec.drivers.iter().enumerate() {
                            row[i] = values[d.param.ix()];
                        }
                        let f = &mut flags[j * fw..(j + 1) * fw];
                        for kk in 0..k {
                            match w.ev.value(kk, l) {
                                Ok(v) => {
                                    row[dims + kk] = v;
                                    f[kk] = 0;
                                }
                                Err(why) => {
                                    row[dims + kk] = f64::NAN;
                                    f[kk] = 1
                                        + Why::ALL.iter().position(|x| *x == why).unwrap_or(0)
                                            as u8;
                                }
                            }
                        }
                    }
                    for (e, event) in events.iter().enumerate() {
                        let hit = event_happened(&mut w.ev, metrics, event);
                        for l in 0..lanes {
                            flags[(block + l) * fw + k + e] = u8::from(hit[l]);
                        }
                    }
                }
                if let Some(bar) = &bar {
                    bar.inc(count as u64);
                }
                w
            },
        )
        .map(|mut w| {
            w.count_series(&ranges);
            (w.fans, w.clamped)
        })
        .reduce(
            || {
                (
                    (0..series.len()).map(|_| Fan::new(periods)).collect(),
                    vec![0; dims],
                )
            },
            |(mut fa, mut ca), (fb, cb)| {
                for (a, b) in fa.iter_mut().zip(&fb) {
                    a.merge(b);
                }
                for (a, b) in ca.iter_mut().zip(&cb) {
                    *a += b;
                }
                (fa, ca)
            },
        );
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let loop_elapsed = started.elapsed() - setup_elapsed;

    // The base case, for markers and fans.
    let mut base_ev = Evaluator::new(m, plan, metrics);
    let base_values = m.params.values.clone();
    base_ev.eval(&base_values);

    let replicate = |path: usize| match opts.method {
        Method::MonteCarlo => None,
        _ => Some(sampler.replicate(path as u64)),
    };
    let groups = match opts.method {
        Method::MonteCarlo => BATCHES.min(opts.paths.max(1) as u32),
        _ => sampler.replicates(),
    };
    let group_of = |path: usize| replicate(path).unwrap_or(path as u32 % groups);

    let base_metric: Vec<Option<f64>> = (0..k).map(|kk| base_ev.value(kk)).collect();
    let summary = estimate::summarise(
        &estimate::Rows {
            values: &rows,
            flags: &flags,
            paths: n,
            drivers: dims,
            metrics: k,
            events: events.len(),
        },
        metrics,
        &base_metric,
        groups,
        group_of,
        opts.method,
    );
    let drivers = spec
        .drivers
        .iter()
        .zip(summary.drivers)
        .enumerate()
        .map(|(i, (d, (mean, sd, min, max)))| DriverStats {
            address: d.address.clone(),
            dist: d.dist.describe(),
            mean,
            sd,
            min,
            max,
            clamped: clamped[i],
        })
        .collect();
    let metric_stats = summary.metrics;
    let probabilities = events
        .iter()
        .zip(summary.events)
        .map(|(event, estimate)| Probability {
            id: event.id.clone(),
            label: event.label.clone(),
            estimate,
        })
        .collect();

    let fans = series
        .iter()
        .zip(&fans)
        .zip(&ranges)
        .map(|((&(party, what), fan), r)| {
            let mut cum = vec![0.0; periods];
            let mut cash = vec![0.0; periods];
            base_ev.series(party, &base_values, &mut cum, Some(&mut cash));
            FanStats {
                party,
                series: what,
                bands: fan.bands(r),
                base: if what == Series::Cash { cash } else { cum },
                outside: fan.outside,
            }
        })
        .collect();

    Ok(MonteCarlo {
        paths: opts.paths,
        seed: opts.seed,
        method: opts.method,
        replicates: groups,
        threads: rayon::current_num_threads(),
        setup_elapsed,
        loop_elapsed,
        elapsed: started.elapsed(),
        drivers,
        metrics: metric_stats,
        probabilities,
        fans,
        rows,
        flags,
        events,
    })
}

fn progress_bar(paths: u64, wanted: bool) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !wanted || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(paths);
    // `{per_sec}` prints decimals of a path: whole paths per second instead.
    let style =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} paths  {rate}  ETA {eta}")
            .map(|s| {
                s.with_key(
                    "rate",
                    |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{:.0} paths/s", state.per_sec());
                    },
                )
            })
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}

/// The parameter values of path `path` of a run with `opts`: what
/// `dealsim run FILE --path N --seed S` replays.
pub fn path_values(m: &Model, spec: &Spec, opts: &Options, path: u64) -> Result<Vec<f64>, String> {
    if path >= opts.paths {
        return Err(format!(
            "path {path} is not in a run of {} paths (they are numbered 0 to {}); give --paths as in the stress run",
            opts.paths,
            opts.paths - 1
        ));
    }
    let sampler = Sampler::new(
        opts.method,
        opts.seed,
        opts.paths,
        spec.drivers.len(),
        spec.correlation.clone(),
    )?;
    let mut u = vec![0.0; spec.drivers.len()];
    sampler.uniforms(path, &mut u);
    let mut values = m.params.values.clone();
    let mut clamped = vec![0; spec.drivers.len()];
    apply(m, &spec.drivers, &u, &mut values, &mut clamped);
    Ok(values)
}
