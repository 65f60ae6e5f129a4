//! The period engine over a block of paths at once: what a stress runs.
//!
//! [`super::run`] evaluates one set of parameter values and hands every
//! [`super::Flow`] to a sink, which is what a `dealsim run` needs (a ledger).
//! A stress needs only each party's cash per period, its terminal value and
//! the events (tranches paid, caps reached), for a million paths. A [`Block`]
//! evaluates [`LANES`] paths together with the same steps in the same order,
//! holding each quantity as a `[f64; LANES]` (structure of arrays), so the
//! per-period arithmetic is a loop over lanes that the compiler vectorises,
//! and flows are added straight into per-party period totals instead of
//! being described one by one.
//!
//! Each flow is computed as the scalar engine computes it, and reaches a
//! period's totals in the same order: a flow the scalar engine skips (an
//! amount of zero or less) is added here as `+0.0`, which leaves a total
//! unchanged (a stake sums its tranches in the order they are paid).
//! Two things differ in the last bits only: the S-curve's
//! logarithm is [`curve::ln_1p_all`] (within two ulps of the platform's),
//! and a party's gross paid and received are summed in another order (each
//! kind of flow over the periods first, in `Block::flows`). When no step
//! reads what a later step wrote in an earlier period, the whole horizon
//! runs in one call (see [`Block::run`]). The block is checked
//! against [`super::run`] on every shipped scenario and on random deals
//! (`tests/properties.rs`).
//!
//! Nothing in [`Block::run`] allocates once the block has run a first time:
//! the few flows dated inside a period (a tranche paid on a milestone's date)
//! go to per-lane lists that keep their capacity.
//!
//! ```
//! # let run = dealsim::Run::from_file("scenarios/amazon-openai-2026.toml".as_ref(), &[]).unwrap();
//! use dealsim::engine::block::{Block, LANES};
//! let mut block = Block::new(&run.model, &run.plan);
//! for lane in 0..LANES {
//!     block.values_mut(lane).copy_from_slice(&run.model.params.values);
//! }
//! block.run();
//! let amazon = run.model.party_index("amazon").unwrap();
//! // Every lane holds the base case: the summary's net.
//! let net = run.summary.parties.iter().find(|p| p.id == "amazon").unwrap().net;
//! assert!((block.received(amazon)[3] - block.paid(amazon)[3] - net).abs() < 1e-9);
//! ```

// Loops over lanes index several arrays in step, which is what vectorises.
#![allow(clippy::needless_range_loop)]

use chrono::NaiveDate;

use super::curve;
use super::Plan;

use crate::model::{Growth, Model, When, EXTERNAL};

/// Paths evaluated together.
pub const LANES: usize = 16;

/// One number per lane.
pub type Lanes = [f64; LANES];

const ZERO: Lanes = [0.0; LANES];
const NEVER: u32 = u32::MAX;

/// A flow dated inside a period: `(period, days from the start, signed amount)`.
pub type Dated = (u32, i32, f64);

/// State and results of [`LANES`] paths; see the module docs.
#[derive(Debug, Clone)]
pub struct Block<'a> {
    m: &'a Model,
    plan: &'a Plan,
    np: usize,
    periods: usize,
    /// Parameter values, lane by lane: `flat[lane * np + param]`.
    flat: Vec<f64>,
    /// The same, parameter by parameter: `v[param][lane]`.
    v: Vec<Lanes>,

    // Results.
    /// `[party * periods + p]`: cash flows dated on the period's end.
    net: Vec<Lanes>,
    /// Cash flows dated inside a period, `[party * LANES + lane]`, in time order.
    inside: Vec<Vec<Dated>>,
    paid: Vec<Lanes>,
    received: Vec<Lanes>,
    terminal: Vec<Lanes>,
    /// Per tranche (see [`Plan::tranche_ix`]): paid on this path.
    tranche_paid: Vec<[bool; LANES]>,
    milestone_fired: Vec<[bool; LANES]>,
    cap_reached: Vec<[bool; LANES]>,

    // State within a run.
    period_end: Vec<NaiveDate>,
    start: NaiveDate,
    /// Per revenue line, `[r * periods + p]`: the period's revenue.
    revenue_line: Vec<Lanes>,
    /// The flows of steps 2 to 4 in the order they are booked in a
    /// period, as `(payer, payee)`: revenue and operating cost per revenue
    /// line; per commitment, a draw per credit pool, the spend and the
    /// provider's cost (when it has a margin); per revenue share with a
    /// revenue to share, the amount due. See [`Block::flows`].
    streams: Vec<(usize, usize)>,
    /// Scratch: each stream's sum over the periods of a call to `flows`.
    stream_sum: Vec<Lanes>,
    /// Days in each period.
    days: Vec<f64>,
    /// Whether the steps must run period by period (see [`Block::run`]).
    period_by_period: bool,
    /// Scratch: a revenue line's primitive at the period boundaries.
    prim_lanes: Vec<Lanes>,
    /// The distinct day gaps between period boundaries, and which one each
    /// step `k -> k + 1` takes.
    gap_kinds: Vec<u32>,
    gap_kind: Vec<usize>,
    stake: Vec<Lanes>,
    credit_balance: Vec<Lanes>,
    share_paid: Vec<Lanes>,
    pair_spend: Vec<Lanes>,
    /// Per date-based milestone: the date it fires on each lane, if it does.
    milestone_date: Vec<[Option<NaiveDate>; LANES]>,
    /// Per tranche: the period it falls due on each lane ([`NEVER`] when it
    /// is paid by a condition or not at all), and the range over lanes.
    due: Vec<[u32; LANES]>,
    due_range: Vec<(u32, u32)>,
}

impl<'a> Block<'a> {
    /// A block for `m`, every lane at the base values.
    pub fn new(m: &'a Model, plan: &'a Plan) -> Block<'a> {
        let np = m.params.values.len();
        let n = m.grid.len();
        let parties = m.parties.len();
        let mut flat = Vec::with_capacity(np * LANES);
        for _ in 0..LANES {
            flat.extend_from_slice(&m.params.values);
        }
        let tranches = plan.tranche_count();
        let mut streams = Vec::new();
        for rev in &m.revenues {
            streams.extend([(EXTERNAL, rev.party), (rev.party, EXTERNAL)]);
        }
        for (c, cm) in m.commitments.iter().enumerate() {
            for &ii in &plan.credit_pools[c] {
                let inv = &m.investments[ii];
                streams.push((inv.investor, inv.investee));
            }
            streams.push((cm.buyer, cm.provider));
            if m.parties[cm.provider].gross_margin.is_some() {
                streams.push((cm.provider, EXTERNAL));
            }
        }
        for rs in &m.revenue_shares {
            if plan.revenue_of[rs.payer].is_some() {
                streams.push((rs.payer, rs.payee));
            }
        }
        let mut gap_kinds: Vec<u32> = Vec::new();
        let gap_kind = plan
            .gaps
            .iter()
            .map(|g| {
                gap_kinds.iter().position(|k| k == g).unwrap_or_else(|| {
                    gap_kinds.push(*g);
                    gap_kinds.len() - 1
                })
            })
            .collect();
        Block {
            m,
            plan,
            np,
            periods: n,
            flat,
            v: vec![ZERO; np],
            net: vec![ZERO; parties * n],
            inside: vec![Vec::with_capacity(8); parties * LANES],
            paid: vec![ZERO; parties],
            received: vec![ZERO; parties],
            terminal: vec![ZERO; parties],
            tranche_paid: vec![[false; LANES]; tranches],
            milestone_fired: vec![[false; LANES]; m.milestones.len()],
            cap_reached: vec![[false; LANES]; m.revenue_shares.len()],
            period_end: m.grid.periods.iter().map(|p| p.end).collect(),
            start: m.grid.start,
            revenue_line: vec![ZERO; m.revenues.len() * n],
            stream_sum: vec![ZERO; streams.len()],
            streams,
            days: m.grid.periods.iter().map(|p| f64::from(p.days)).collect(),
            // A condition reads spend to date; a credit draw reads tranches
            // paid to date.
            period_by_period: m.milestones.iter().any(|ms| ms.condition.is_some())
                || plan.credit_pools.iter().any(|pools| !pools.is_empty()),
            prim_lanes: vec![ZERO; plan.bounds.len()],
            gap_kinds,
            gap_kind,
            stake: vec![ZERO; m.investments.len()],
            credit_balance: vec![ZERO; m.investments.len()],
            share_paid: vec![ZERO; m.revenue_shares.len()],
            pair_spend: vec![ZERO; plan.pairs.len()],
            milestone_date: vec![[None; LANES]; m.milestones.len()],
            due: vec![[NEVER; LANES]; tranches],
            due_range: vec![(NEVER, NEVER); tranches],
        }
    }

    /// The parameter values of `lane`, to write a path's values into.
    pub fn values_mut(&mut self, lane: usize) -> &mut [f64] {
        &mut self.flat[lane * self.np..(lane + 1) * self.np]
    }

    /// The parameter values of `lane`.
    pub fn values(&self, lane: usize) -> &[f64] {
        &self.flat[lane * self.np..(lane + 1) * self.np]
    }

    pub fn periods(&self) -> usize {
        self.periods
    }

    /// `party`'s cash flows dated on the end of period `p`, per lane.
    pub fn net(&self, party: usize, p: usize) -> &Lanes {
        &self.net[party * self.periods + p]
    }

    /// `party`'s cash flows dated inside a period on `lane`, in time order.
    pub fn inside(&self, party: usize, lane: usize) -> &[Dated] {
        &self.inside[party * LANES + lane]
    }

    pub fn paid(&self, party: usize) -> &Lanes {
        &self.paid[party]
    }

    pub fn received(&self, party: usize) -> &Lanes {
        &self.received[party]
    }

    pub fn terminal(&self, party: usize) -> &Lanes {
        &self.terminal[party]
    }

    /// Whether tranche `k` (see [`Plan::tranche_ix`]) was paid on `lane`.
    pub fn tranche_paid(&self, k: usize, lane: usize) -> bool {
        self.tranche_paid[k][lane]
    }

    pub fn milestone_fired(&self, milestone: usize, lane: usize) -> bool {
        self.milestone_fired[milestone][lane]
    }

    pub fn cap_reached(&self, share: usize, lane: usize) -> bool {
        self.cap_reached[share][lane]
    }

    /// Evaluates the deal on every lane, from the values written with
    /// [`Block::values_mut`].
    ///
    /// The steps run in the scalar engine's order within each period. When
    /// no step reads what a later step of an earlier period wrote (no
    /// milestone waits on a condition, no commitment draws credits), the
    /// dated payments of the whole horizon are booked first and then the
    /// other flows in one pass over the periods. Otherwise the steps run
    /// period by period, with the conditions and credit expiries between
    /// them. The totals of each period get their flows in the same order
    /// either way.
    ///
    /// The loops over lanes run four lanes per instruction where the CPU
    /// has them (the same IEEE operations, no fused multiply-add: the same
    /// answers either way).
    pub fn run(&mut self) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            unsafe { self.run_avx2() };
            return;
        }
        self.run_each();
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn run_avx2(&mut self) {
        self.run_each();
    }

    /// [`Block::run`]'s body: what it calls inline is compiled with it.
    #[inline(always)]
    fn run_each(&mut self) {
        self.reset();
        let n = self.periods;
        if self.period_by_period {
            for p in 0..n {
                self.steps(p, p + 1);
                self.conditions(p);
                self.expire_credits(p);
            }
        } else {
            self.steps(0, n);
        }
        if n > 0 {
            self.terminal_values();
        }
    }

    /// Steps 1 to 4 of the engine over periods `a..b`.
    #[inline(always)]
    fn steps(&mut self, a: usize, b: usize) {
        self.dated(a, b);
        self.flows(a, b);
    }

    /// 1. Dated payments and tranches falling due in `a..b`.
    fn dated(&mut self, a: usize, b: usize) {
        let m = self.m;
        for (i, pm) in m.payments.iter().enumerate() {
            let Some(p) = self.plan.payment_period[i] else {
                continue;
            };
            if p < a || p >= b {
                continue;
            }
            for l in 0..LANES {
                let amount = self.v[pm.amount.ix()][l];
                if amount > 0.0 {
                    self.book_lane(p, l, pm.date, pm.payer, pm.payee, amount);
                }
            }
        }
        // Period by period, so that a stake sums its tranches in the order
        // they are paid, as the scalar engine does.
        // Only the periods some tranche falls due in, on some lane.
        let (first, last) = self
            .due_range
            .iter()
            .filter(|r| r.0 != NEVER)
            .fold((NEVER, 0), |(lo, hi), r| (lo.min(r.0), hi.max(r.1)));
        for p in (a as u32).max(first)..(b as u32).min(last.saturating_add(1)) {
            for (ii, inv) in m.investments.iter().enumerate() {
                for (ti, t) in inv.tranches.iter().enumerate() {
                    let k = self.plan.tranche_ix(ii, ti);
                    let (lo, hi) = self.due_range[k];
                    if lo == NEVER || p < lo || p > hi {
                        continue;
                    }
                    for l in 0..LANES {
                        if self.due[k][l] != p {
                            continue;
                        }
                        let date = match t.when {
                            When::Date(d) => d,
                            When::Milestone(mi) => {
                                self.milestone_date[mi][l].unwrap_or(self.period_end[p as usize])
                            }
                        };
                        self.pay_tranche(ii, ti, p as usize, l, date);
                    }
                }
            }
        }
    }

    /// Steps 2 to 4 over periods `a..b`, one period at a time: operating
    /// revenue and cost, compute commitments (credits drawn first), and
    /// revenue shares up to their caps.
    ///
    /// Each flow goes straight into its parties' totals for the period,
    /// which stay in cache while the period's steps run, and into its
    /// stream's sum (see [`Block::streams`]); the sums reach gross paid and
    /// received at the end, stream by stream, so each party's totals are
    /// not reloaded for every flow.
    #[inline(always)]
    fn flows(&mut self, a: usize, b: usize) {
        let (m, plan) = (self.m, self.plan);
        let n = self.periods;
        self.stream_sum.fill(ZERO);
        if a == 0 {
            for (s, rs) in m.revenue_shares.iter().enumerate() {
                self.share_paid[s] = self.v[rs.paid_to_date.ix()];
            }
        }
        for p in a..b {
            // The order of the streams is the order of `streams`.
            let mut k = 0;
            // 2. Operating revenue and cost.
            for (r, rev) in m.revenues.iter().enumerate() {
                let (share, fixed) = (self.v[rev.opex_share.ix()], self.v[rev.fixed_opex.ix()]);
                let amount = self.revenue_line[r * n + p];
                let days = self.days[p];
                let income: Lanes = std::array::from_fn(|l| positive(amount[l]));
                let cost: Lanes = std::array::from_fn(|l| {
                    positive(share[l] * amount[l] + fixed[l] * days / 365.0)
                });
                self.flow(p, k, EXTERNAL, rev.party, &income);
                self.flow(p, k + 1, rev.party, EXTERNAL, &cost);
                k += 2;
            }
            // 3. Compute commitments, credits drawn first.
            for (c, cm) in m.commitments.iter().enumerate() {
                let total = self.v[cm.total.ix()];
                let w = plan.weight(c, p);
                let mut spend: Lanes = std::array::from_fn(|l| total[l] * w);
                if let Some(ds) = cm.demand_share {
                    let (ds, top) = (self.v[ds.ix()], self.v[cm.take_or_pay.ix()]);
                    let revenue =
                        plan.revenue_of[cm.buyer].map_or(ZERO, |r| self.revenue_line[r * n + p]);
                    for l in 0..LANES {
                        let scheduled = spend[l];
                        let demand = ds[l] * revenue[l];
                        spend[l] = clamp(demand, top[l] * scheduled, scheduled);
                    }
                }
                // A period scheduling nothing spends nothing.
                for l in 0..LANES {
                    if total[l] * w <= 0.0 || (total[l] * w).is_nan() {
                        spend[l] = 0.0;
                    }
                    spend[l] = positive(spend[l]);
                }
                let mut uncovered = spend;
                for &ii in &plan.credit_pools[c] {
                    let inv = &m.investments[ii];
                    let stream = k;
                    k += 1;
                    if inv.credit_expiry.is_none_or(|e| self.period_end[p] > e) {
                        continue;
                    }
                    let mut draw = ZERO;
                    let balance = &mut self.credit_balance[ii];
                    for l in 0..LANES {
                        if balance[l] > 0.0 && uncovered[l] > 0.0 {
                            draw[l] = balance[l].min(uncovered[l]);
                        }
                        balance[l] -= draw[l];
                        uncovered[l] -= draw[l];
                    }
                    self.flow(p, stream, inv.investor, inv.investee, &draw);
                }
                self.flow(p, k, cm.buyer, cm.provider, &spend);
                k += 1;
                // Spend to date feeds milestone conditions only, and those
                // run period by period.
                if self.period_by_period {
                    let pair = &mut self.pair_spend[plan.pair_of[c]];
                    for l in 0..LANES {
                        pair[l] += spend[l];
                    }
                }
                if let Some(gm) = m.parties[cm.provider].gross_margin {
                    let gm = self.v[gm.ix()];
                    let cost: Lanes = std::array::from_fn(|l| positive((1.0 - gm[l]) * spend[l]));
                    self.flow(p, k, cm.provider, EXTERNAL, &cost);
                    k += 1;
                }
            }
            // 4. Revenue shares, up to their caps.
            for (s, rs) in m.revenue_shares.iter().enumerate() {
                let Some(r) = plan.revenue_of[rs.payer] else {
                    continue;
                };
                let Some((t0, t1)) = plan.share_window[s * n + p] else {
                    self.flow(p, k, rs.payer, rs.payee, &ZERO);
                    k += 1;
                    continue;
                };
                let rate = self.v[rs.rate.ix()];
                let mut due = if plan.share_full[s * n + p] {
                    self.revenue_line[r * n + p]
                } else {
                    std::array::from_fn(|l| {
                        let values = &self.flat[l * self.np..(l + 1) * self.np];
                        curve::revenue_between(&m.revenues[r], values, t0, t1)
                    })
                };
                for l in 0..LANES {
                    due[l] *= rate[l];
                }
                let mut paid = self.share_paid[s];
                if let Some(cap) = rs.cap {
                    let cap = self.v[cap.ix()];
                    let reached = &mut self.cap_reached[s];
                    for l in 0..LANES {
                        let room = (cap[l] - paid[l]).max(0.0);
                        if due[l] >= room {
                            due[l] = room;
                            reached[l] = true;
                        }
                    }
                }
                for l in 0..LANES {
                    due[l] = positive(due[l]);
                    paid[l] += due[l];
                }
                self.share_paid[s] = paid;
                self.flow(p, k, rs.payer, rs.payee, &due);
                k += 1;
            }
            // `streams` is built from the model as this loop walks it.
            assert_eq!(k, self.streams.len(), "streams out of step");
        }
        for (sum, &(payer, payee)) in self.stream_sum.iter().zip(&self.streams) {
            if payee != EXTERNAL {
                add(&mut self.received[payee], sum);
            }
            if payer != EXTERNAL {
                add(&mut self.paid[payer], sum);
            }
        }
    }

    /// Books `amount` (per lane, zero where nothing flows) of stream `k`
    /// from `payer` to `payee` at the end of period `p`. Whole arrays in
    /// and out: the compiler cannot tell the period totals from the stream
    /// sums apart, and would otherwise go lane by lane.
    #[inline(always)]
    fn flow(&mut self, p: usize, k: usize, payer: usize, payee: usize, amount: &Lanes) {
        let n = self.periods;
        if payee != EXTERNAL {
            add(&mut self.net[payee * n + p], amount);
        }
        if payer != EXTERNAL {
            let row = &mut self.net[payer * n + p];
            let mut v = *row;
            for l in 0..LANES {
                v[l] -= amount[l];
            }
            *row = v;
        }
        add(&mut self.stream_sum[k], amount);
    }

    /// 5. Milestones with a condition, on the state at the end of period `p`.
    fn conditions(&mut self, p: usize) {
        let (m, plan) = (self.m, self.plan);
        let per = &m.grid.periods[p];
        for (mi, ms) in m.milestones.iter().enumerate() {
            let Some(cond) = &ms.condition else { continue };
            if per.end > ms.deadline {
                continue;
            }
            for l in 0..LANES {
                if self.milestone_fired[mi][l] || self.v[ms.fires.ix()][l] < 0.5 {
                    continue;
                }
                let pair_spend = &self.pair_spend;
                let values = &self.flat[l * self.np..(l + 1) * self.np];
                let holds =
                    super::condition_holds(m, plan, cond, values, |i| pair_spend[i][l], per.t1);
                if holds {
                    self.milestone_fired[mi][l] = true;
                    for (ii, inv) in m.investments.iter().enumerate() {
                        for (ti, t) in inv.tranches.iter().enumerate() {
                            if t.when == When::Milestone(mi) {
                                self.pay_tranche(ii, ti, p, l, per.end);
                            }
                        }
                    }
                }
            }
        }
    }

    /// 6. Credits past their expiry lapse at the end of period `p`.
    fn expire_credits(&mut self, p: usize) {
        let Some(&next) = self.period_end.get(p + 1) else {
            return;
        };
        for (ii, inv) in self.m.investments.iter().enumerate() {
            if inv.credit_expiry.is_some_and(|exp| next > exp) {
                self.credit_balance[ii] = ZERO;
            }
        }
    }

    #[inline(always)]
    fn reset(&mut self) {
        let (m, plan) = (self.m, self.plan);
        for (param, lanes) in self.v.iter_mut().enumerate() {
            for (l, x) in lanes.iter_mut().enumerate() {
                *x = self.flat[l * self.np + param];
            }
        }
        self.net.fill(ZERO);
        self.inside.iter_mut().for_each(Vec::clear);
        for v in [
            &mut self.paid,
            &mut self.received,
            &mut self.terminal,
            &mut self.stake,
            &mut self.credit_balance,
            &mut self.share_paid,
            &mut self.pair_spend,
        ] {
            v.fill(ZERO);
        }
        self.tranche_paid.fill([false; LANES]);
        self.milestone_fired.fill([false; LANES]);
        self.cap_reached.fill([false; LANES]);

        // Date-based milestones: expected date pushed back by the delay, if
        // before the deadline; fired if that date is on the grid.
        for (mi, ms) in m.milestones.iter().enumerate() {
            for l in 0..LANES {
                let v = &self.flat[l * self.np..(l + 1) * self.np];
                let mut date = None;
                if ms.condition.is_none() && ms.fires.of(v) >= 0.5 {
                    let delay = ms.delay_months.of(v).max(0.0) as u32;
                    let d = crate::model::grid::add_months(ms.expected, delay)
                        .unwrap_or(NaiveDate::MAX);
                    date = (d <= ms.deadline).then_some(d);
                }
                self.milestone_date[mi][l] = date;
                self.milestone_fired[mi][l] = date.is_some_and(|d| m.grid.period_of(d).is_some());
            }
        }
        for (ii, inv) in m.investments.iter().enumerate() {
            for (ti, t) in inv.tranches.iter().enumerate() {
                let k = plan.tranche_ix(ii, ti);
                let (mut lo, mut hi) = (NEVER, 0);
                for l in 0..LANES {
                    let due = match t.when {
                        When::Date(_) => plan.tranche_period[k],
                        When::Milestone(mi) => {
                            self.milestone_date[mi][l].and_then(|d| m.grid.period_of(d))
                        }
                    }
                    .map_or(NEVER, |p| p as u32);
                    self.due[k][l] = due;
                    if due != NEVER {
                        lo = lo.min(due);
                        hi = hi.max(due);
                    }
                }
                self.due_range[k] = (lo, hi);
            }
        }

        // Each revenue line's revenue per period, from its primitive.
        for r in 0..m.revenues.len() {
            self.revenue_per_period(r);
        }
    }

    /// Fills `revenue_line` for line `r`: the S-curve and constant growth
    /// from their primitive at the period boundaries, all lanes at once (as
    /// [`curve::Primitive::fill`] does one path at a time); a growth path
    /// period by period.
    #[inline(always)]
    fn revenue_per_period(&mut self, r: usize) {
        let (m, plan) = (self.m, self.plan);
        let n = self.periods;
        let rev = &m.revenues[r];
        let r0 = self.v[rev.run_rate.ix()];
        match rev.growth {
            Growth::SCurve { ceiling, steepness } => {
                let (k, s) = (self.v[ceiling.ix()], self.v[steepness.ix()]);
                let a: Lanes = std::array::from_fn(|l| curve::s_curve_a(k[l], r0[l]));
                self.exps(&std::array::from_fn(|l| -s[l]));
                // F(t) = t + ln(1 + A e^(-s t)) / s, the logarithms in one
                // pass over every boundary and lane (a long loop pipelines).
                let per_s: Lanes = std::array::from_fn(|l| 1.0 / s[l]);
                for f in self.prim_lanes.iter_mut() {
                    for l in 0..LANES {
                        f[l] *= a[l];
                    }
                }
                curve::ln_1p_all(self.prim_lanes.as_flattened_mut());
                for (f, &t) in self.prim_lanes.iter_mut().zip(&plan.bounds) {
                    for l in 0..LANES {
                        f[l] = t + f[l] * per_s[l];
                    }
                }
                for p in 0..n {
                    let (f0, f1) = (self.prim_lanes[p], self.prim_lanes[p + 1]);
                    let line = &mut self.revenue_line[r * n + p];
                    for l in 0..LANES {
                        line[l] = k[l] * (f1[l] - f0[l]);
                    }
                }
            }
            Growth::Constant { rate } => {
                let g = self.v[rate.ix()];
                let ln: Lanes = std::array::from_fn(|l| (1.0 + g[l]).ln());
                self.exps(&ln);
                for (f, &t) in self.prim_lanes.iter_mut().zip(&plan.bounds) {
                    for l in 0..LANES {
                        // No growth: the primitive of a flat rate is t.
                        if ln[l].abs() < 1e-12 {
                            f[l] = t;
                        }
                    }
                }
                let scale: Lanes = std::array::from_fn(|l| {
                    if ln[l].abs() < 1e-12 {
                        r0[l]
                    } else {
                        r0[l] / ln[l]
                    }
                });
                for p in 0..n {
                    let (f0, f1) = (self.prim_lanes[p], self.prim_lanes[p + 1]);
                    let line = &mut self.revenue_line[r * n + p];
                    for l in 0..LANES {
                        line[l] = scale[l] * (f1[l] - f0[l]);
                    }
                }
            }
            Growth::Path { .. } => {
                for l in 0..LANES {
                    let v = &self.flat[l * self.np..(l + 1) * self.np];
                    for (p, per) in m.grid.periods.iter().enumerate() {
                        self.revenue_line[r * n + p][l] =
                            curve::revenue_between(rev, v, per.t0, per.t1);
                    }
                }
            }
        }
    }

    /// `prim_lanes[k] = e^(c bounds[k])` per lane, stepping by each day
    /// gap's factor as `curve::exps` does.
    #[inline(always)]
    fn exps(&mut self, c: &Lanes) {
        let bounds = &self.plan.bounds;
        let Some(&t0) = bounds.first() else { return };
        let mut x: Lanes = std::array::from_fn(|l| (c[l] * t0).exp());
        let mut factors = [ZERO; 8];
        let kinds = self.gap_kinds.len();
        for (g, &gap) in self.gap_kinds.iter().enumerate().take(factors.len()) {
            for l in 0..LANES {
                factors[g][l] = (c[l] * gap as f64 / 365.0).exp();
            }
        }
        for k in 0..bounds.len() {
            self.prim_lanes[k] = x;
            let Some(&g) = self.gap_kind.get(k) else {
                break;
            };
            if g < factors.len() {
                for l in 0..LANES {
                    x[l] *= factors[g][l];
                }
            } else {
                let gap = self.gap_kinds[g.min(kinds - 1)];
                for l in 0..LANES {
                    x[l] *= (c[l] * gap as f64 / 365.0).exp();
                }
            }
        }
    }

    /// Books one lane's flow of `amount > 0` dated `date` in period `p`.
    fn book_lane(
        &mut self,
        p: usize,
        lane: usize,
        date: NaiveDate,
        payer: usize,
        payee: usize,
        amount: f64,
    ) {
        for (party, signed) in [(payee, amount), (payer, -amount)] {
            if party == EXTERNAL {
                continue;
            }
            if signed > 0.0 {
                self.received[party][lane] += signed;
            } else {
                self.paid[party][lane] -= signed;
            }
            if date == self.period_end[p] {
                self.net[party * self.periods + p][lane] += signed;
            } else {
                let t = (date - self.start).num_days() as i32;
                let list = &mut self.inside[party * LANES + lane];
                // Keep time order; flows of one period arrive together.
                let at = list
                    .iter()
                    .rposition(|&(q, s, _)| (q, s) <= (p as u32, t))
                    .map_or(0, |i| i + 1);
                list.insert(at, (p as u32, t, signed));
            }
        }
    }

    fn pay_tranche(&mut self, ii: usize, ti: usize, p: usize, l: usize, date: NaiveDate) {
        let k = self.plan.tranche_ix(ii, ti);
        if self.tranche_paid[k][l] {
            return;
        }
        let inv = &self.m.investments[ii];
        let t = &inv.tranches[ti];
        let amount = self.v[t.amount.ix()][l];
        self.tranche_paid[k][l] = true;
        self.stake[ii][l] += amount / self.v[t.post_money.ix()][l];
        let credit = amount * self.v[inv.credit_share.ix()][l];
        let cash = amount - credit;
        if credit > 0.0 {
            if let Some(e) = inv.credit_expiry {
                if date <= e {
                    self.credit_balance[ii][l] += credit;
                }
            }
        }
        if cash > 0.0 {
            self.book_lane(p, l, date, inv.investor, inv.investee, cash);
        }
    }

    fn terminal_values(&mut self) {
        let (m, plan) = (self.m, self.plan);
        let Some(last) = m.grid.periods.last() else {
            return;
        };
        for exit in &m.exits {
            let mut value = ZERO;
            for (l, x) in value.iter_mut().enumerate() {
                // No revenue to multiply: no terminal value, as in the scalar engine.
                *x = super::exit_value(m, plan, exit, self.values(l), last).unwrap_or(0.0);
            }
            // One flow per investor holding the company, summing its investments.
            for (i, inv) in m.investments.iter().enumerate() {
                if inv.investee != exit.company
                    || m.investments[..i]
                        .iter()
                        .any(|o| o.investee == exit.company && o.investor == inv.investor)
                {
                    continue;
                }
                for l in 0..LANES {
                    if self.stake[i][l] <= 0.0 {
                        continue;
                    }
                    let stake: f64 = m
                        .investments
                        .iter()
                        .zip(&self.stake)
                        .filter(|(o, _)| o.investee == exit.company && o.investor == inv.investor)
                        .map(|(_, s)| s[l])
                        .sum();
                    let amount = stake * value[l];
                    if amount > 0.0 {
                        self.terminal[inv.investor][l] += amount;
                        self.received[inv.investor][l] += amount;
                    }
                }
            }
        }
    }
}

/// `total += x`, lane by lane, whole arrays in and out (see [`Block::flow`]).
#[inline(always)]
fn add(total: &mut Lanes, x: &Lanes) {
    let mut v = *total;
    for l in 0..LANES {
        v[l] += x[l];
    }
    *total = v;
}

/// `x` where it is positive, else `+0.0`: a flow the scalar engine skips.
#[inline(always)]
fn positive(x: f64) -> f64 {
    if x > 0.0 {
        x
    } else {
        0.0
    }
}

/// `f64::clamp` without its panic on `lo > hi`.
#[inline(always)]
fn clamp(x: f64, lo: f64, hi: f64) -> f64 {
    if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }
}
