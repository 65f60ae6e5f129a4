//! Monte Carlo over a scenario's drivers: N paths, their metrics, fans and
//! probabilities, each estimate with its standard error.
//!
//! How a run goes:
//! 1. A [`Sampler`] gives each path its uniforms (one per driver),
//!    reproducibly from the seed and the path index alone.
//! 2. Each driver turns its uniform into a value by its distribution's
//!    inverse CDF, brought back inside the parameter's range (a normal
//!    margin can draw 1.02; months are rounded) and counted when it is.
//! 3. Paths are evaluated in fixed chunks of [`CHUNK`] on rayon's threads.
//!    Each path's drivers, metrics and events are written to its own row;
//!    the per-period fans are histograms whose counts add up. Nothing depends
//!    on which thread did what, so a seed gives bit-identical results on 1 or
//!    16 threads.
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

use super::fan::{Fan, Ranges};
use super::metric::{Measure, Metric};
use super::path::{Evaluator, Why};
use super::sampling::{Method, Sampler};
use super::spec::{Driver, Spec};

/// Paths per chunk: the unit of parallel work and of progress.
pub const CHUNK: usize = 1024;
/// Paths whose series set the fans' histogram ranges.
const PILOT: usize = 1024;
/// Percentiles reported per metric.
pub const PERCENTILES: [f64; 9] = [0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99];
/// Bins of a metric's histogram (for its chart).
const HISTOGRAM_BINS: usize = 60;
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
    pub se: f64,
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

/// Per-thread state of the path loop.
struct Worker<'a> {
    ev: Evaluator<'a>,
    u: Vec<f64>,
    values: Vec<f64>,
    cum: Vec<f64>,
    cash: Vec<f64>,
    fans: Vec<Fan>,
    clamped: Vec<u64>,
    /// Series of the last paths not yet counted in the fans,
    /// `[(series * periods + p) * FAN_BLOCK + lane]`.
    pending: Vec<f64>,
    lanes: usize,
}

/// Paths whose series are counted into the fans together.
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
            ev: Evaluator::new(m, plan, metrics),
            u: vec![0.0; dims],
            values: m.params.values.clone(),
            cum: vec![0.0; n],
            cash: vec![0.0; n],
            fans: (0..series).map(|_| Fan::new(n)).collect(),
            clamped: vec![0; dims],
            pending: vec![0.0; series * n * FAN_BLOCK],
            lanes: 0,
        }
    }

    /// Keeps the last path's series for the fans; counts them every
    /// [`FAN_BLOCK`] paths.
    fn keep_series(&mut self, series: &[(usize, Series)], ranges: &[Ranges]) {
        let n = self.cum.len();
        let lane = self.lanes;
        for (s, &which) in series.iter().enumerate() {
            self.fill_series(which);
            let values = if which.1 == Series::Cash {
                &self.cash
            } else {
                &self.cum
            };
            for (p, &v) in values.iter().enumerate() {
                self.pending[(s * n + p) * FAN_BLOCK + lane] = v;
            }
        }
        self.lanes += 1;
        if self.lanes == FAN_BLOCK {
            self.count_series(ranges);
        }
    }

    fn count_series(&mut self, ranges: &[Ranges]) {
        let n = self.cum.len();
        for (s, fan) in self.fans.iter_mut().enumerate() {
            for p in 0..n {
                let at = (s * n + p) * FAN_BLOCK;
                fan.add_column(&ranges[s], p, &self.pending[at..at + self.lanes]);
            }
        }
        self.lanes = 0;
    }

    /// Evaluates `path`: its uniforms, values and run.
    fn eval(&mut self, m: &Model, sampler: &Sampler, drivers: &[Driver], path: u64) {
        sampler.uniforms(path, &mut self.u);
        self.values.copy_from_slice(&m.params.values);
        apply(m, drivers, &self.u, &mut self.values, &mut self.clamped);
        self.ev.eval(&self.values);
    }

    /// Writes the last path's series into `self.cum` (cumulative net) and,
    /// for a cash series, `self.cash`.
    fn fill_series(&mut self, (party, what): (usize, Series)) {
        let cash = (what == Series::Cash).then_some(&mut self.cash[..]);
        self.ev.series(party, &self.values, &mut self.cum, cash);
    }
}

/// Whether event `e` happened on the last path; `metrics` are the path's
/// metrics, reused when one of them already holds what the event needs.
fn event_happened(ev: &mut Evaluator, values: &[f64], metrics: &[Metric], e: &Event) -> bool {
    let mut below_zero = |party: usize, measure: Measure| {
        let known = metrics.iter().position(|x| *x == Metric { party, measure });
        match known.and_then(|k| ev.value(k)) {
            Some(v) => v < 0.0,
            None => ev.measure(party, measure, values).0 < 0.0,
        }
    };
    match e.what {
        EventKind::Loss { party } => below_zero(party, Measure::Net),
        EventKind::CashNegative { party } => below_zero(party, Measure::LowestCash),
        EventKind::CapReached { share } => ev.outcome().cap_reached[share].is_some(),
        EventKind::TranchePaid { index } => ev.outcome().tranche_paid[index].is_some(),
        EventKind::MilestoneFired { milestone } => {
            ev.outcome().milestone_fired[milestone].is_some()
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
        let mut w = Worker::new(m, plan, &[], dims, 0);
        let mut pilot = vec![Vec::with_capacity(pilot_n * periods); series.len()];
        for path in 0..pilot_n {
            w.eval(m, &sampler, &spec.drivers, path as u64);
            for (s, &which) in series.iter().enumerate() {
                w.fill_series(which);
                pilot[s].extend_from_slice(if which.1 == Series::Cash {
                    &w.cash
                } else {
                    &w.cum
                });
            }
        }
        pilot
            .iter()
            .map(|p| Ranges::from_pilot(p, periods))
            .collect()
    };

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
                for (j, row) in rows.chunks_mut(width).enumerate() {
                    let path = (first + j) as u64;
                    w.eval(m, &sampler, &spec.drivers, path);
                    w.keep_series(&series, &ranges);
                    for (i, d) in spec.drivers.iter().enumerate() {
                        row[i] = w.values[d.param.ix()];
                    }
                    let f = &mut flags[j * fw..(j + 1) * fw];
                    for kk in 0..k {
                        match w.ev.why(kk) {
                            None => {
                                row[dims + kk] = w.ev.value(kk).unwrap_or(0.0);
                                f[kk] = 0;
                            }
                            Some(why) => {
                                row[dims + kk] = f64::NAN;
                                f[kk] =
                                    1 + Why::ALL.iter().position(|x| *x == why).unwrap_or(0) as u8;
                            }
                        }
                    }
                    for (e, event) in events.iter().enumerate() {
                        f[k + e] = u8::from(event_happened(&mut w.ev, &w.values, metrics, event));
                    }
                }
                if let Some(bar) = &bar {
                    bar.inc((rows.len() / width) as u64);
                }
                w
            },
        )
        .map(|mut w| {
            w.count_series(&ranges);
            w
        })
        .map(|w| (w.fans, w.clamped))
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

    let drivers = spec
        .drivers
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let col: Vec<f64> = (0..n).map(|p| rows[p * width + i]).collect();
            let (mean, sd, min, max) = moments(&col);
            DriverStats {
                address: d.address.clone(),
                dist: d.dist.describe(),
                mean,
                sd,
                min,
                max,
                clamped: clamped[i],
            }
        })
        .collect();

    // Metrics are independent of each other: one per core.
    let base_metric: Vec<Option<f64>> = (0..k).map(|kk| base_ev.value(kk)).collect();
    let metric_stats = (0..k)
        .into_par_iter()
        .map(|kk| {
            let mut why_counts: Vec<(Why, u64)> = Why::ALL.iter().map(|&w| (w, 0)).collect();
            let mut vals = Vec::with_capacity(n);
            let mut grp = Vec::with_capacity(n);
            for p in 0..n {
                match flags[p * fw + kk] {
                    0 => {
                        vals.push(rows[p * width + dims + kk]);
                        grp.push(group_of(p));
                    }
                    w => why_counts[w as usize - 1].1 += 1,
                }
            }
            why_counts.retain(|x| x.1 > 0);
            let metric = metrics[kk];
            let be = metric.measure.break_even();
            let stats = describe(&vals, &grp, groups, opts.method, be);
            MetricStats {
                metric,
                base: base_metric[kk],
                defined: vals.len() as u64,
                undefined: why_counts,
                ..stats
            }
        })
        .collect();

    let probabilities = events
        .iter()
        .enumerate()
        .map(|(e, event)| {
            let (mut hits, mut by_group) = (0u64, vec![(0u64, 0u64); groups as usize]);
            for p in 0..n {
                let hit = u64::from(flags[p * fw + k + e]);
                hits += hit;
                let g = &mut by_group[group_of(p) as usize];
                g.0 += hit;
                g.1 += 1;
            }
            let estimate = probability(hits, n as u64, &by_group, opts.method);
            Probability {
                id: event.id.clone(),
                label: event.label.clone(),
                estimate,
            }
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
    let style =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} paths  {per_sec}  ETA {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}

/// A share of paths with its standard error: `sqrt(p (1 - p) / n)` for
/// plain Monte Carlo, the spread over replicates otherwise.
fn probability(hits: u64, n: u64, by_group: &[(u64, u64)], method: Method) -> Estimate {
    if n == 0 {
        return Estimate {
            value: 0.0,
            se: 0.0,
        };
    }
    let p = hits as f64 / n as f64;
    let se = match method {
        Method::MonteCarlo => (p * (1.0 - p) / n as f64).sqrt(),
        _ => spread(
            by_group
                .iter()
                .filter(|g| g.1 > 0)
                .map(|g| g.0 as f64 / g.1 as f64),
        ),
    };
    Estimate { value: p, se }
}

/// Mean, sd (n - 1), min and max; zeros for no values.
fn moments(values: &[f64]) -> (f64, f64, f64, f64) {
    let n = values.len() as f64;
    if values.is_empty() {
        return (0.0, 0.0, 0.0, 0.0);
    }
    let (mut sum, mut min, mut max) = (0.0, f64::INFINITY, f64::NEG_INFINITY);
    for &v in values {
        sum += v;
        min = min.min(v);
        max = max.max(v);
    }
    let mean = sum / n;
    let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    let sd = if n > 1.0 {
        (ss / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    (mean, sd, min, max)
}

/// A mean with its standard error.
fn mean_estimate(values: &[f64], group: &[u32], groups: u32, method: Method) -> Estimate {
    let n = values.len() as f64;
    if values.is_empty() {
        return Estimate {
            value: 0.0,
            se: 0.0,
        };
    }
    let (mean, sd, _, _) = moments(values);
    let se = match method {
        Method::MonteCarlo => sd / n.sqrt(),
        _ => {
            let (mut sums, mut counts) = (vec![0.0; groups as usize], vec![0.0; groups as usize]);
            for (v, &g) in values.iter().zip(group) {
                sums[g as usize] += v;
                counts[g as usize] += 1.0;
            }
            spread(
                sums.iter()
                    .zip(&counts)
                    .filter(|(_, c)| **c > 0.0)
                    .map(|(s, c)| s / c),
            )
        }
    };
    Estimate { value: mean, se }
}

/// sd / sqrt(R) of R group estimates (0 with fewer than 2).
fn spread(estimates: impl Iterator<Item = f64>) -> f64 {
    let v: Vec<f64> = estimates.collect();
    if v.len() < 2 {
        return 0.0;
    }
    let (_, sd, _, _) = moments(&v);
    sd / (v.len() as f64).sqrt()
}

/// The `level` quantile of sorted values (linear between order statistics).
fn quantile_sorted(sorted: &[f64], level: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let h = level * (sorted.len() - 1) as f64;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Everything in [`MetricStats`] that comes from the defined values alone.
fn describe(
    values: &[f64],
    group: &[u32],
    groups: u32,
    method: Method,
    break_even: Option<f64>,
) -> MetricStats {
    let mut sorted = values.to_vec();
    sorted.par_sort_unstable_by(f64::total_cmp);
    let (_, sd, min, max) = moments(values);
    let mean = (!values.is_empty()).then(|| mean_estimate(values, group, groups, method));
    // Percentiles per group, for their spread.
    let mut by_group: Vec<Vec<f64>> = vec![Vec::new(); groups as usize];
    for (v, &g) in values.iter().zip(group) {
        by_group[g as usize].push(*v);
    }
    by_group.iter_mut().for_each(|g| g.sort_by(f64::total_cmp));
    let percentiles = PERCENTILES
        .iter()
        .filter(|_| !values.is_empty())
        .map(|&l| {
            let se = spread(
                by_group
                    .iter()
                    .filter(|g| !g.is_empty())
                    .map(|g| quantile_sorted(g, l)),
            );
            (
                l,
                Estimate {
                    value: quantile_sorted(&sorted, l),
                    se,
                },
            )
        })
        .collect();
    let below_break_even = break_even.filter(|_| !values.is_empty()).map(|be| {
        let mut by_group = vec![(0u64, 0u64); groups as usize];
        for (&v, &g) in values.iter().zip(group) {
            let e = &mut by_group[g as usize];
            e.0 += u64::from(v < be);
            e.1 += 1;
        }
        let hits = by_group.iter().map(|g| g.0).sum();
        probability(hits, values.len() as u64, &by_group, method)
    });
    MetricStats {
        metric: Metric {
            party: 0,
            measure: Measure::Net,
        },
        base: None,
        defined: 0,
        undefined: Vec::new(),
        mean,
        sd,
        min: if values.is_empty() { 0.0 } else { min },
        max: if values.is_empty() { 0.0 } else { max },
        percentiles,
        below_break_even,
        histogram: histogram(&sorted),
    }
}

fn histogram(sorted: &[f64]) -> Histogram {
    if sorted.is_empty() {
        return Histogram::default();
    }
    let (lo, hi) = (
        quantile_sorted(sorted, 0.005),
        quantile_sorted(sorted, 0.995),
    );
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo - 0.5 * lo.abs().max(1e-9), hi + 0.5 * hi.abs().max(1e-9))
    };
    let w = (hi - lo) / HISTOGRAM_BINS as f64;
    let edges: Vec<f64> = (0..=HISTOGRAM_BINS).map(|i| lo + w * i as f64).collect();
    let mut h = Histogram {
        edges,
        counts: vec![0; HISTOGRAM_BINS],
        below: 0,
        above: 0,
    };
    for &v in sorted {
        if v < lo {
            h.below += 1;
        } else if v > hi {
            h.above += 1;
        } else {
            let b = (((v - lo) / w) as usize).min(HISTOGRAM_BINS - 1);
            h.counts[b] += 1;
        }
    }
    h
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
