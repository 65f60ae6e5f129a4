//! Deterministic what-ifs: tornadoes, two-input grids and named cases.
//!
//! Each is a set of runs of the base case with some inputs changed, every
//! other input at its base value (after `--set`). Changes written as
//! `"-30%"` apply to the base value; a result outside the parameter's range
//! is brought back inside it (a take-or-pay share of 0.8 + 30% is 1).
//!
//! A tornado swings one input at a time to its low and high value and sorts
//! the inputs by how far the metric moves (`|at high - at low|`), largest
//! first.

use crate::engine::Plan;
use crate::model::{Model, P};
use crate::scenario::file::Level;

use super::metric::Metric;
use super::path::{Evaluator, Why};
use super::spec::{self, Spec};

/// A metric's value, or why it has none.
pub type Value = Result<f64, Why>;

/// One tornado: a metric and its inputs by swing.
#[derive(Debug, Clone)]
pub struct Tornado {
    pub metric: Metric,
    pub base: Value,
    /// Largest swing first.
    pub rows: Vec<TornadoRow>,
}

#[derive(Debug, Clone)]
pub struct TornadoRow {
    pub address: String,
    pub low_input: f64,
    pub high_input: f64,
    pub at_low: Value,
    pub at_high: Value,
    /// `|at_high - at_low|`; with one end undefined, the distance of the
    /// other from the base; 0 when neither is defined.
    pub swing: f64,
}

impl Tornado {
    /// Whether any input moves the metric by 0.1% of its base or more; a
    /// tornado of a metric nothing moves is not worth a chart.
    pub fn moves(&self) -> bool {
        let scale = self.base.map_or(0.0, f64::abs);
        self.rows
            .iter()
            .any(|r| r.swing > (1e-3 * scale).max(1e-12))
    }
}

/// A metric over a grid of two inputs.
#[derive(Debug, Clone)]
pub struct Grid {
    pub id: String,
    pub metric: Metric,
    pub x: spec::Axis,
    pub y: spec::Axis,
    /// `cells[iy][ix]`.
    pub cells: Vec<Vec<Value>>,
    pub base: Value,
    /// The cell whose inputs are the base values, if there is one.
    pub base_cell: Option<(usize, usize)>,
}

/// A named case's metrics and series.
#[derive(Debug, Clone)]
pub struct Case {
    pub id: String,
    pub name: String,
    /// The values the case sets, after changes and range limits.
    pub set: Vec<(String, f64)>,
    /// The spec's metrics, in order.
    pub metrics: Vec<Value>,
    /// Cumulative net per deal party (indexed like `Model::parties`; empty for `external`).
    pub cumulative: Vec<Vec<f64>>,
}

/// The value a level gives parameter `p`, inside its range.
pub fn level_value(m: &Model, base: &[f64], p: P, level: Level) -> f64 {
    m.params.info[p.ix()].range.clamp(level.apply(p.of(base)))
}

fn value(ev: &Evaluator, k: usize) -> Value {
    match ev.why(k) {
        None => Ok(ev.value(k).unwrap_or(0.0)),
        Some(w) => Err(w),
    }
}

/// Every tornado of `spec` (one per tornado metric).
pub fn tornadoes(m: &Model, plan: &Plan, spec: &Spec) -> Vec<Tornado> {
    let metrics = &spec.tornado.metrics;
    if metrics.is_empty() || spec.tornado.swings.is_empty() {
        return Vec::new();
    }
    let base = m.params.values.clone();
    let mut ev = Evaluator::new(m, plan, metrics);
    ev.eval(&base);
    let base_values: Vec<Value> = (0..metrics.len()).map(|k| value(&ev, k)).collect();
    let mut runs = Vec::new();
    let mut values = base.clone();
    for s in &spec.tornado.swings {
        let lo = level_value(m, &base, s.param, s.low);
        let hi = level_value(m, &base, s.param, s.high);
        values[s.param.ix()] = lo;
        ev.eval(&values);
        let at_lo: Vec<Value> = (0..metrics.len()).map(|k| value(&ev, k)).collect();
        values[s.param.ix()] = hi;
        ev.eval(&values);
        let at_hi: Vec<Value> = (0..metrics.len()).map(|k| value(&ev, k)).collect();
        values[s.param.ix()] = base[s.param.ix()];
        runs.push((s.address.clone(), lo, hi, at_lo, at_hi));
    }
    metrics
        .iter()
        .enumerate()
        .map(|(k, &metric)| {
            let mut rows: Vec<TornadoRow> = runs
                .iter()
                .map(|(address, lo, hi, at_lo, at_hi)| {
                    let swing = match (at_lo[k], at_hi[k], base_values[k]) {
                        (Ok(a), Ok(b), _) => (b - a).abs(),
                        (Ok(a), Err(_), Ok(c)) | (Err(_), Ok(a), Ok(c)) => (a - c).abs(),
                        _ => 0.0,
                    };
                    TornadoRow {
                        address: address.clone(),
                        low_input: *lo,
                        high_input: *hi,
                        at_low: at_lo[k],
                        at_high: at_hi[k],
                        swing,
                    }
                })
                .collect();
            // Stable: equal swings keep the file's order.
            rows.sort_by(|a, b| b.swing.total_cmp(&a.swing));
            Tornado {
                metric,
                base: base_values[k],
                rows,
            }
        })
        .collect()
}

/// Every grid of `spec`.
pub fn grids(m: &Model, plan: &Plan, spec: &Spec) -> Vec<Grid> {
    let base = m.params.values.clone();
    spec.grids
        .iter()
        .map(|g| {
            let mut ev = Evaluator::new(m, plan, &[g.metric]);
            ev.eval(&base);
            let base_value = value(&ev, 0);
            let mut values = base.clone();
            let cells =
                g.y.values
                    .iter()
                    .map(|&y| {
                        values[g.y.param.ix()] = y;
                        g.x.values
                            .iter()
                            .map(|&x| {
                                values[g.x.param.ix()] = x;
                                ev.eval(&values);
                                value(&ev, 0)
                            })
                            .collect()
                    })
                    .collect();
            let at = |axis: &spec::Axis| {
                let b = axis.param.of(&base);
                axis.values
                    .iter()
                    .position(|v| (v - b).abs() <= 1e-12 * b.abs().max(1.0))
            };
            Grid {
                id: g.id.clone(),
                metric: g.metric,
                x: g.x.clone(),
                y: g.y.clone(),
                cells,
                base: base_value,
                base_cell: at(&g.x).zip(at(&g.y)),
            }
        })
        .collect()
}

/// The base case and every named case of `spec`: the base first, with id
/// `base`.
pub fn cases(m: &Model, plan: &Plan, spec: &Spec) -> Vec<Case> {
    let base = m.params.values.clone();
    let mut ev = Evaluator::new(m, plan, &spec.metrics);
    let n = m.grid.len();
    let mut run = |id: &str, name: &str, set: Vec<(String, f64)>, values: &[f64]| {
        ev.eval(values);
        let metrics = (0..spec.metrics.len()).map(|k| value(&ev, k)).collect();
        let cumulative = m
            .parties
            .iter()
            .enumerate()
            .map(|(pi, _)| {
                if pi == crate::model::EXTERNAL {
                    return Vec::new();
                }
                let mut cum = vec![0.0; n];
                ev.series(pi, values, &mut cum, None);
                cum
            })
            .collect();
        Case {
            id: id.to_string(),
            name: name.to_string(),
            set,
            metrics,
            cumulative,
        }
    };
    let mut out = vec![run("base", "Base case", Vec::new(), &base)];
    for c in &spec.cases {
        let mut values = base.clone();
        let mut set = Vec::new();
        for (p, address, level) in &c.set {
            let v = level_value(m, &base, *p, *level);
            values[p.ix()] = v;
            set.push((address.clone(), v));
        }
        out.push(run(&c.id, &c.name, set, &values));
    }
    out
}
