//! One stress path: parameter values in, the metrics of a run out.
//!
//! An [`Evaluator`] runs the period engine with a sink that only
//! accumulates what the metrics need (per-party cash by period, terminal
//! value, the few flows dated inside a period) instead of keeping a ledger,
//! then computes each wanted [`Metric`] the way [`crate::metrics`] does for
//! a full run. It owns every buffer it uses: after the first path, evaluating
//! one allocates nothing, so a stress can call it a million times.
//!
//! ```
//! # let run = dealsim::Run::from_file("scenarios/amazon-openai-2026.toml".as_ref(), &[]).unwrap();
//! use dealsim::stress::metric::Metric;
//! use dealsim::stress::path::Evaluator;
//! let irr = Metric::parse(&run.model, "amazon.irr").unwrap();
//! let mut ev = Evaluator::new(&run.model, &run.plan, &[irr]);
//! ev.eval(&run.model.params.values);
//! let from_run = run.summary.parties.iter().find(|p| p.id == "amazon").unwrap().irr.value().unwrap();
//! assert!((ev.value(0).unwrap() - from_run).abs() < 1e-9);
//! ```

use chrono::NaiveDate;

use crate::engine::{self, Flow, FlowKind, Outcome, Plan, Sink};
use crate::metrics::irr::{self, IrrUndefined};
use crate::model::{Model, EXTERNAL};

use super::metric::{Measure, Metric};

/// Why a path has no value for a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Why {
    NoFlows,
    AllZero,
    NoSignChange,
    NoRoot,
    InvalidInput,
    /// MOIC of a party that paid nothing.
    NothingPaid,
}

impl Why {
    pub const ALL: [Why; 6] = [
        Why::NoFlows,
        Why::AllZero,
        Why::NoSignChange,
        Why::NoRoot,
        Why::InvalidInput,
        Why::NothingPaid,
    ];

    /// Stable snake_case code, as in `summary.json`.
    pub fn code(self) -> &'static str {
        match self {
            Why::NoFlows => "no_flows",
            Why::AllZero => "all_zero",
            Why::NoSignChange => "no_sign_change",
            Why::NoRoot => "no_root",
            Why::InvalidInput => "invalid_input",
            Why::NothingPaid => "nothing_paid",
        }
    }

    pub(crate) fn of_irr(e: IrrUndefined) -> Why {
        match e {
            IrrUndefined::NoFlows => Why::NoFlows,
            IrrUndefined::AllZero => Why::AllZero,
            IrrUndefined::NoSignChange { .. } => Why::NoSignChange,
            IrrUndefined::NoRoot => Why::NoRoot,
            IrrUndefined::InvalidInput => Why::InvalidInput,
        }
    }
}

/// Accumulates a run's flows per party instead of keeping them.
#[derive(Debug, Default)]
struct PathSink {
    periods: usize,
    period_end: Vec<NaiveDate>,
    start: NaiveDate,
    /// `[party * periods + p]`: cash flows dated on the period's end.
    end_net: Vec<f64>,
    /// Cash flows dated inside a period, per party: (period, day, amount),
    /// in time order.
    inside: Vec<Vec<(u32, i32, f64)>>,
    paid: Vec<f64>,
    received: Vec<f64>,
    terminal: Vec<f64>,
}

impl PathSink {
    fn new(m: &Model) -> PathSink {
        let (np, n) = (m.parties.len(), m.grid.len());
        PathSink {
            periods: n,
            period_end: m.grid.periods.iter().map(|p| p.end).collect(),
            start: m.grid.start,
            end_net: vec![0.0; np * n],
            inside: vec![Vec::with_capacity(16); np],
            paid: vec![0.0; np],
            received: vec![0.0; np],
            terminal: vec![0.0; np],
        }
    }

    fn reset(&mut self) {
        self.end_net.fill(0.0);
        self.inside.iter_mut().for_each(Vec::clear);
        self.paid.fill(0.0);
        self.received.fill(0.0);
        self.terminal.fill(0.0);
    }

    #[inline(always)]
    fn book(&mut self, party: usize, f: &Flow, signed: f64) {
        if signed > 0.0 {
            self.received[party] += signed;
        } else {
            self.paid[party] -= signed;
        }
        if f.kind == FlowKind::TerminalValue {
            self.terminal[party] += signed;
            return;
        }
        let p = f.period as usize;
        if f.date == self.period_end[p] {
            self.end_net[party * self.periods + p] += signed;
        } else {
            let t = (f.date - self.start).num_days() as i32;
            let list = &mut self.inside[party];
            // Keep time order; flows of one period arrive together.
            let at = list
                .iter()
                .rposition(|&(q, s, _)| (q, s) <= (f.period, t))
                .map_or(0, |i| i + 1);
            list.insert(at, (f.period, t, signed));
        }
    }
}

impl Sink for PathSink {
    #[inline]
    fn flow(&mut self, f: Flow) {
        // `external` has no metrics: only the deal's parties are booked.
        if f.payee as usize != EXTERNAL {
            self.book(f.payee as usize, &f, f.amount);
        }
        if f.payer as usize != EXTERNAL {
            self.book(f.payer as usize, &f, -f.amount);
        }
    }
}

/// Evaluates paths of one model; see the module docs.
#[derive(Debug)]
pub struct Evaluator<'a> {
    m: &'a Model,
    plan: &'a Plan,
    metrics: Vec<Metric>,
    outcome: Outcome,
    sink: PathSink,
    /// Years from the start to each period end.
    t_end: Vec<f64>,
    /// Days from the start to each period end.
    day_end: Vec<i32>,
    /// Discount factors to each period end at `disc_rate`.
    disc: Vec<f64>,
    disc_rate: f64,
    /// IRR of the base case per party: where Newton starts.
    guess: Vec<Option<f64>>,
    days: Vec<i32>,
    amounts: Vec<f64>,
    values: Vec<f64>,
    why: Vec<Option<Why>>,
}

impl<'a> Evaluator<'a> {
    /// An evaluator of `metrics` (in that order) for `m`.
    pub fn new(m: &'a Model, plan: &'a Plan, metrics: &[Metric]) -> Evaluator<'a> {
        let t_end: Vec<f64> = m
            .grid
            .periods
            .iter()
            .map(|p| irr::year_fraction(m.grid.start, p.end))
            .collect();
        let n = t_end.len();
        let mut ev = Evaluator {
            m,
            plan,
            metrics: metrics.to_vec(),
            outcome: Outcome::default(),
            sink: PathSink::new(m),
            t_end,
            disc: vec![0.0; n],
            disc_rate: f64::NAN,
            guess: vec![None; m.parties.len()],
            days: Vec::with_capacity(2 * n + 16),
            day_end: m
                .grid
                .periods
                .iter()
                .map(|p| (p.end - m.grid.start).num_days() as i32)
                .collect(),
            amounts: Vec::with_capacity(2 * n + 16),
            values: vec![0.0; metrics.len()],
            why: vec![None; metrics.len()],
        };
        // Warm starts from the base case.
        let base = m.params.values.clone();
        ev.eval(&base);
        for (k, metric) in metrics.iter().enumerate() {
            if metric.measure == Measure::Irr {
                ev.guess[metric.party] = ev.value(k);
            }
        }
        ev
    }

    pub fn metrics(&self) -> &[Metric] {
        &self.metrics
    }

    /// Runs the deal for parameter `values` and computes every metric.
    pub fn eval(&mut self, values: &[f64]) {
        self.sink.reset();
        engine::run(self.m, self.plan, values, &mut self.outcome, &mut self.sink);
        let rate = self.m.meta.discount_rate.of(values);
        if rate != self.disc_rate {
            let ln = rate.ln_1p();
            for (d, &t) in self.disc.iter_mut().zip(&self.t_end) {
                *d = (-t * ln).exp();
            }
            self.disc_rate = rate;
        }
        for k in 0..self.metrics.len() {
            let Metric { party, measure } = self.metrics[k];
            let (v, why) = self.measure(party, measure, values);
            self.values[k] = v;
            self.why[k] = why;
        }
    }

    /// Metric `k` of the last path, or `None` when it is undefined.
    pub fn value(&self, k: usize) -> Option<f64> {
        match self.why[k] {
            None => Some(self.values[k]),
            Some(_) => None,
        }
    }

    /// Why metric `k` of the last path is undefined, if it is.
    pub fn why(&self, k: usize) -> Option<Why> {
        self.why[k]
    }

    /// The events of the last path (milestones, tranches, caps).
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    /// Cash flow of `party` in period `p` (terminal value excluded).
    pub fn cash(&self, party: usize, p: usize) -> f64 {
        let inside: f64 = self.sink.inside[party]
            .iter()
            .filter(|x| x.0 as usize == p)
            .map(|x| x.2)
            .sum();
        self.sink.end_net[party * self.sink.periods + p] + inside
    }

    /// Writes `party`'s cumulative net through each period into `out`
    /// (terminal value included at the last period) and, if `cash` is given,
    /// its cash balance (opening cash + cash flows) at each period end.
    pub fn series(
        &self,
        party: usize,
        values: &[f64],
        cumulative: &mut [f64],
        cash: Option<&mut [f64]>,
    ) {
        let n = self.sink.periods;
        let mut inside = self.sink.inside[party].iter().peekable();
        let (mut cum, mut bal) = (0.0, self.m.parties[party].opening_cash.of(values));
        let mut cash = cash;
        for p in 0..n {
            let mut flow = self.sink.end_net[party * n + p];
            while let Some(&&(q, _, a)) = inside.peek() {
                if q as usize != p {
                    break;
                }
                flow += a;
                inside.next();
            }
            cum += flow;
            bal += flow;
            cumulative[p] = if p + 1 == n {
                cum + self.sink.terminal[party]
            } else {
                cum
            };
            if let Some(c) = cash.as_deref_mut() {
                c[p] = bal;
            }
        }
    }

    /// One measure of `party` on the last path, or why it has none.
    pub fn measure(
        &mut self,
        party: usize,
        measure: Measure,
        values: &[f64],
    ) -> (f64, Option<Why>) {
        let s = &self.sink;
        match measure {
            Measure::Paid => (s.paid[party], None),
            Measure::Received => (s.received[party], None),
            Measure::Net => (s.received[party] - s.paid[party], None),
            Measure::TerminalValue => (s.terminal[party], None),
            Measure::Moic if s.paid[party] > 0.0 => (s.received[party] / s.paid[party], None),
            Measure::Moic => (0.0, Some(Why::NothingPaid)),
            Measure::LowestCash | Measure::ClosingCash => {
                let n = s.periods;
                let mut inside = s.inside[party].iter().peekable();
                let mut bal = self.m.parties[party].opening_cash.of(values);
                let mut low = f64::INFINITY;
                for p in 0..n {
                    bal += s.end_net[party * n + p];
                    while let Some(&&(q, _, a)) = inside.peek() {
                        if q as usize != p {
                            break;
                        }
                        bal += a;
                        inside.next();
                    }
                    low = low.min(bal);
                }
                match measure {
                    Measure::LowestCash if low.is_finite() => (low, None),
                    Measure::LowestCash => (0.0, None),
                    _ => (bal, None),
                }
            }
            Measure::Npv => {
                let n = s.periods;
                let ln = self.disc_rate.ln_1p();
                let mut npv = 0.0;
                for p in 0..n {
                    npv += s.end_net[party * n + p] * self.disc[p];
                }
                npv += s.terminal[party] * self.disc[n - 1];
                for &(_, day, a) in &s.inside[party] {
                    let t = f64::from(day) / 365.0;
                    npv += a * (-t * ln).exp();
                }
                if npv.is_finite() {
                    (npv, None)
                } else {
                    (0.0, Some(Why::InvalidInput))
                }
            }
            Measure::Irr => {
                self.dated(party);
                match irr::xirr_days(&self.days, &self.amounts, self.guess[party]) {
                    Ok(r) => (r.rate, None),
                    Err(e) => (0.0, Some(Why::of_irr(e))),
                }
            }
        }
    }

    /// `party`'s flows in time order into `days`/`amounts`.
    fn dated(&mut self, party: usize) {
        let s = &self.sink;
        let n = s.periods;
        self.days.clear();
        self.amounts.clear();
        let mut inside = s.inside[party].iter().peekable();
        for p in 0..n {
            while let Some(&&(q, t, a)) = inside.peek() {
                if q as usize != p {
                    break;
                }
                self.days.push(t);
                self.amounts.push(a);
                inside.next();
            }
            let mut a = s.end_net[party * n + p];
            if p + 1 == n {
                a += s.terminal[party];
            }
            if a != 0.0 {
                self.days.push(self.day_end[p]);
                self.amounts.push(a);
            }
        }
    }
}
