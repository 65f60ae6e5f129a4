//! A block of stress paths: [`LANES`] parameter sets in, their metrics out.
//!
//! The block counterpart of [`super::path::Evaluator`]: it runs the block
//! engine ([`crate::engine::block`]) and computes each wanted [`Metric`] on
//! every lane, with the same definitions, so a path's figures do not depend on
//! which evaluator computed them (`tests/stress.rs` checks both against a
//! full run). What makes it fast:
//!
//! - cash, NPV and the fans' series are loops over lanes on per-period totals;
//! - the IRR of every lane is found together, by Newton's method with
//!   Halley's correction in `v = ln(1 + r) / 365`, from the base case's IRR.
//!   One evaluation of the NPV costs an `exp` per lane (`y = e^-v`) and then
//!   only multiplications: each period end's discount factor is the previous
//!   one times `y` to the power of the days between them, taken from a handful
//!   of distinct gaps. A lane takes this road only when the running sums of
//!   its flows prove the IRR unique (one sign change from the start and none
//!   from the end, or the reverse: Norstrom's bound), and only while Newton
//!   stays inside the bracket and converges; any other lane is handed to
//!   [`irr::xirr_days`], the reference solver, with the same warm start.

// Loops over lanes index several arrays in step, which is what vectorises.
#![allow(clippy::needless_range_loop)]

use crate::engine::block::{Block, Dated, Lanes, LANES};
use crate::engine::Plan;
use crate::metrics::irr;
use crate::metrics::lanes::LaneIrr;
use crate::model::Model;

use super::metric::{Measure, Metric};
use super::path::{Evaluator, Why};

const ZERO: Lanes = [0.0; LANES];

/// Evaluates blocks of paths of one model; see the module docs.
#[derive(Debug)]
pub struct BlockEvaluator<'a> {
    m: &'a Model,
    block: Block<'a>,
    metrics: Vec<Metric>,
    irr: LaneIrr,
    /// Discount factors to each period end at `disc_rate`.
    disc: Vec<f64>,
    disc_rate: f64,
    /// Years from the start to each period end.
    t_end: Vec<f64>,
    /// Base-case IRR per party: where Newton starts.
    guess: Vec<Option<f64>>,
    /// Scratch: a party's flows per period end (terminal value included).
    flows: Vec<Lanes>,
    values: Vec<Lanes>,
    why: Vec<[Option<Why>; LANES]>,
}

impl<'a> BlockEvaluator<'a> {
    /// An evaluator of `metrics` (in that order) for `m`.
    pub fn new(m: &'a Model, plan: &'a Plan, metrics: &[Metric]) -> BlockEvaluator<'a> {
        let start = m.grid.start;
        let day_end: Vec<i32> = m
            .grid
            .periods
            .iter()
            .map(|p| (p.end - start).num_days() as i32)
            .collect();
        // Warm starts from the base case, as the scalar evaluator has them.
        let base = Evaluator::new(m, plan, metrics);
        let mut guess = vec![None; m.parties.len()];
        for (k, metric) in metrics.iter().enumerate() {
            if metric.measure == Measure::Irr {
                guess[metric.party] = base.value(k);
            }
        }
        let n = day_end.len();
        BlockEvaluator {
            m,
            block: Block::new(m, plan),
            metrics: metrics.to_vec(),
            irr: LaneIrr::new(day_end),
            disc: vec![0.0; n],
            disc_rate: f64::NAN,
            t_end: m
                .grid
                .periods
                .iter()
                .map(|p| irr::year_fraction(start, p.end))
                .collect(),
            guess,
            flows: vec![ZERO; n],
            values: vec![ZERO; metrics.len()],
            why: vec![[None; LANES]; metrics.len()],
        }
    }

    /// Lanes whose IRR the fast solver handed to the reference one so far.
    pub fn irr_fallbacks(&self) -> u64 {
        self.irr.fallbacks
    }

    /// The parameter values of `lane`, to write a path's values into.
    pub fn values_mut(&mut self, lane: usize) -> &mut [f64] {
        self.block.values_mut(lane)
    }

    pub fn values(&self, lane: usize) -> &[f64] {
        self.block.values(lane)
    }

    /// The engine's results of the last block (events, flows).
    pub fn block(&self) -> &Block<'a> {
        &self.block
    }

    /// Runs every lane and computes every metric.
    pub fn eval(&mut self) {
        self.block.run();
        // Four lanes per instruction where the CPU has them (the same IEEE
        // operations, no fused multiply-add: the same values).
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            unsafe { self.measure_all_avx2() };
            return;
        }
        self.measure_all();
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn measure_all_avx2(&mut self) {
        self.measure_all();
    }

    /// Every metric of the block just run.
    #[inline(always)]
    fn measure_all(&mut self) {
        for k in 0..self.metrics.len() {
            let Metric { party, measure } = self.metrics[k];
            let (v, why) = self.measure(party, measure);
            self.values[k] = v;
            self.why[k] = why;
        }
    }

    /// Metric `k` on `lane`, or why it is undefined.
    pub fn value(&self, k: usize, lane: usize) -> Result<f64, Why> {
        match self.why[k][lane] {
            None => Ok(self.values[k][lane]),
            Some(w) => Err(w),
        }
    }

    /// One measure of `party` on every lane, and why a lane has none.
    #[inline(always)]
    pub fn measure(&mut self, party: usize, measure: Measure) -> (Lanes, [Option<Why>; LANES]) {
        let b = &self.block;
        let (paid, received) = (b.paid(party), b.received(party));
        let mut out = ZERO;
        let mut why = [None; LANES];
        match measure {
            Measure::Paid => out = *paid,
            Measure::Received => out = *received,
            Measure::Net => {
                for l in 0..LANES {
                    out[l] = received[l] - paid[l];
                }
            }
            Measure::TerminalValue => out = *b.terminal(party),
            Measure::Moic => {
                for l in 0..LANES {
                    if paid[l] > 0.0 {
                        out[l] = received[l] / paid[l];
                    } else {
                        why[l] = Some(Why::NothingPaid);
                    }
                }
            }
            Measure::LowestCash | Measure::ClosingCash => {
                let (low, close) = self.cash_extremes(party);
                out = if measure == Measure::LowestCash {
                    low
                } else {
                    close
                };
            }
            Measure::Npv => {
                (out, why) = self.npv(party);
            }
            Measure::Irr => {
                (out, why) = self.irr(party);
            }
        }
        (out, why)
    }

    /// Lowest and closing cash balance of `party` per lane.
    #[inline(always)]
    fn cash_extremes(&self, party: usize) -> (Lanes, Lanes) {
        let b = &self.block;
        let n = b.periods();
        let mut bal = ZERO;
        for (l, x) in bal.iter_mut().enumerate() {
            *x = self.m.parties[party].opening_cash.of(b.values(l));
        }
        let mut low = [f64::INFINITY; LANES];
        let mut inside = Inside::new(b, party);
        for p in 0..n {
            let net = b.net(party, p);
            for l in 0..LANES {
                bal[l] += net[l];
            }
            if inside.due(p) {
                inside.add(p, &mut bal);
            }
            for l in 0..LANES {
                low[l] = low[l].min(bal[l]);
            }
        }
        for x in &mut low {
            if !x.is_finite() {
                *x = 0.0;
            }
        }
        (low, bal)
    }

    #[inline(always)]
    fn npv(&mut self, party: usize) -> (Lanes, [Option<Why>; LANES]) {
        let b = &self.block;
        let n = b.periods();
        let mut out = ZERO;
        let mut why = [None; LANES];
        if n == 0 {
            return (out, why);
        }
        let rate = self.m.meta.discount_rate;
        let same = (0..LANES).all(|l| rate.of(b.values(l)) == rate.of(b.values(0)));
        if same {
            let r = rate.of(b.values(0));
            if r != self.disc_rate {
                let ln = r.ln_1p();
                for (d, &t) in self.disc.iter_mut().zip(&self.t_end) {
                    *d = (-t * ln).exp();
                }
                self.disc_rate = r;
            }
            for p in 0..n {
                let (net, d) = (b.net(party, p), self.disc[p]);
                for l in 0..LANES {
                    out[l] += net[l] * d;
                }
            }
            let (term, d) = (b.terminal(party), self.disc[n - 1]);
            for l in 0..LANES {
                out[l] += term[l] * d;
            }
        } else {
            // A drawn discount rate: each lane discounts at its own.
            for l in 0..LANES {
                let ln = rate.of(b.values(l)).ln_1p();
                for p in 0..n {
                    out[l] += b.net(party, p)[l] * (-self.t_end[p] * ln).exp();
                }
                out[l] += b.terminal(party)[l] * (-self.t_end[n - 1] * ln).exp();
            }
        }
        for l in 0..LANES {
            let ln = rate.of(b.values(l)).ln_1p();
            for &(_, day, a) in b.inside(party, l) {
                let t = f64::from(day) / 365.0;
                out[l] += a * (-t * ln).exp();
            }
            if !out[l].is_finite() {
                out[l] = 0.0;
                why[l] = Some(Why::InvalidInput);
            }
        }
        (out, why)
    }

    /// `party`'s cumulative net through each period (terminal value included
    /// at the last) and, if `cash` is given, its cash balance at each period
    /// end, per lane.
    pub fn series(&self, party: usize, cumulative: &mut [Lanes], cash: Option<&mut [Lanes]>) {
        match cash {
            Some(cash) => self.each_period(party, |p, cum, bal| {
                cumulative[p] = *cum;
                cash[p] = *bal;
            }),
            None => self.each_period(party, |p, cum, _| cumulative[p] = *cum),
        }
    }

    /// Calls `f(p, cumulative, cash)` for each period `p` with `party`'s
    /// cumulative net through `p` (terminal value included at the last) and
    /// its cash balance at the end of `p`, per lane: what [`Self::series`]
    /// gives, without the copies.
    #[inline(always)]
    pub fn each_period(&self, party: usize, mut f: impl FnMut(usize, &Lanes, &Lanes)) {
        let b = &self.block;
        let n = b.periods();
        let mut cum = ZERO;
        let mut bal = ZERO;
        for (l, x) in bal.iter_mut().enumerate() {
            *x = self.m.parties[party].opening_cash.of(b.values(l));
        }
        let mut inside = Inside::new(b, party);
        let mut dated: Lanes;
        for p in 0..n {
            // The period's flows, read in place unless some lane has a flow
            // dated inside it (then a copy with those flows added, in the
            // scalar engine's order).
            let mut flow = b.net(party, p);
            if inside.due(p) {
                dated = *flow;
                inside.add(p, &mut dated);
                flow = &dated;
            }
            for l in 0..LANES {
                cum[l] += flow[l];
                bal[l] += flow[l];
            }
            if p + 1 == n {
                let term = b.terminal(party);
                let mut last = ZERO;
                for l in 0..LANES {
                    last[l] = cum[l] + term[l];
                }
                f(p, &last, &bal);
            } else {
                f(p, &cum, &bal);
            }
        }
    }

    /// The IRR of `party` on every lane (see [`LaneIrr`]).
    #[inline(always)]
    fn irr(&mut self, party: usize) -> (Lanes, [Option<Why>; LANES]) {
        let n = self.block.periods();
        if n == 0 {
            return (ZERO, [Some(Why::NoFlows); LANES]);
        }
        let b = &self.block;
        for p in 0..n {
            self.flows[p] = *b.net(party, p);
        }
        let term = *b.terminal(party);
        for l in 0..LANES {
            self.flows[n - 1][l] += term[l];
        }
        let found = self
            .irr
            .solve(&self.flows, |l| b.inside(party, l), self.guess[party]);
        let mut out = ZERO;
        let mut why = [None; LANES];
        for l in 0..LANES {
            match found[l] {
                Ok(r) => out[l] = r,
                Err(e) => why[l] = Some(Why::of_irr(e)),
            }
        }
        (out, why)
    }
}

/// A party's flows dated inside periods, lane by lane, read in period
/// order as a walk over the periods reaches them.
struct Inside<'b> {
    lists: [&'b [Dated]; LANES],
    cursor: [usize; LANES],
    /// The first period at or after the cursors with a flow on some lane.
    next: usize,
}

impl<'b> Inside<'b> {
    #[inline(always)]
    fn new(b: &'b Block, party: usize) -> Inside<'b> {
        let mut inside = Inside {
            lists: std::array::from_fn(|l| b.inside(party, l)),
            cursor: [0; LANES],
            next: usize::MAX,
        };
        inside.find_next();
        inside
    }

    fn find_next(&mut self) {
        self.next = (0..LANES)
            .filter_map(|l| self.lists[l].get(self.cursor[l]))
            .map(|&(q, _, _)| q as usize)
            .min()
            .unwrap_or(usize::MAX);
    }

    /// Whether some lane has a flow dated inside period `p`.
    #[inline(always)]
    fn due(&self, p: usize) -> bool {
        p == self.next
    }

    /// Adds the flows dated inside period `p` to `x`, lane by lane in time
    /// order, and moves past them.
    #[inline(never)]
    fn add(&mut self, p: usize, x: &mut Lanes) {
        for (l, x) in x.iter_mut().enumerate() {
            while let Some(&(q, _, a)) = self.lists[l].get(self.cursor[l]) {
                if q as usize != p {
                    break;
                }
                *x += a;
                self.cursor[l] += 1;
            }
        }
        self.find_next();
    }
}
