//! Stage 3 of the pipeline: the period engine.
//!
//! [`Plan::new`] compiles a [`Model`] once: period tables, each commitment's
//! scheduled share per period, which credit pools serve which commitment.
//! [`run`] then evaluates the deal for one set of parameter values, period by
//! period, writing every [`Flow`] into a [`Sink`] and the events (milestones
//! fired, tranches paid, caps reached, credits drawn) into a reusable
//! [`Outcome`]. Nothing in the period step allocates or does I/O.
//! [`block::Block`] runs the same steps on a block of paths at once, holding
//! only what metrics need: that is what a stress's million paths run.
//!
//! Order inside a period (see `docs/conventions.md`):
//! 1. one-off payments and tranches due on a date (fixed, or a milestone's
//!    expected date) inside the period;
//! 2. operating revenue and operating cost;
//! 3. compute commitments, drawing credits before cash;
//! 4. revenue shares, up to their caps;
//! 5. milestones with a condition, tested on the state at the period end;
//!    their tranches are paid on that date;
//! 6. credits past their expiry lapse; at the last period, terminal values.

pub mod block;
pub mod curve;
pub mod ledger;

use chrono::{Months, NaiveDate};

pub use ledger::{Deal, Flow, FlowKind, Ledger, Sink};

use crate::model::{Basis, Condition, ExitValue, Model, Ramp, When, EXTERNAL};

/// What a model compiles to: tables that do not depend on parameter values.
#[derive(Debug, Clone)]
pub struct Plan {
    periods: usize,
    /// `weights[c * periods + p]`: commitment c's share of its total in period p.
    weights: Vec<f64>,
    /// Share of each commitment's value that falls outside the window.
    pub outside_share: Vec<f64>,
    /// `share_window[s * periods + p]`: the part of period p (in years) inside revenue share s.
    share_window: Vec<Option<(f64, f64)>>,
    /// Whether revenue share s covers all of period p (`[s * periods + p]`):
    /// its base is then the period's revenue, already computed.
    share_full: Vec<bool>,
    /// Credit pools serving each commitment, in draw order (earliest expiry first).
    credit_pools: Vec<Vec<usize>>,
    /// The (buyer, provider) pair index of each commitment.
    pair_of: Vec<usize>,
    pairs: Vec<(usize, usize)>,
    /// The revenue line of each party, if it has one.
    revenue_of: Vec<Option<usize>>,
    /// Period of each one-off payment (`None` outside the window).
    payment_period: Vec<Option<usize>>,
    /// Period of each fixed-date tranche, flattened over investments.
    tranche_offset: Vec<usize>,
    tranche_period: Vec<Option<usize>>,
    /// Period boundaries in years: each period's `t0`, then the last `t1`.
    bounds: Vec<f64>,
    /// Whole days between consecutive `bounds`.
    gaps: Vec<u32>,
}

impl Plan {
    pub fn new(m: &Model) -> Plan {
        let n = m.grid.len();
        let mut weights = vec![0.0; m.commitments.len() * n];
        let mut outside_share = Vec::with_capacity(m.commitments.len());
        for (c, cm) in m.commitments.iter().enumerate() {
            let mut inside = 0.0;
            for (p, per) in m.grid.periods.iter().enumerate() {
                let w = ramp_share(&cm.ramp, cm.start, cm.end, per.start, per.end);
                weights[c * n + p] = w;
                inside += w;
            }
            outside_share.push((1.0 - inside).max(0.0));
        }
        let mut share_window = vec![None; m.revenue_shares.len() * n];
        let mut share_full = vec![false; m.revenue_shares.len() * n];
        for (s, rs) in m.revenue_shares.iter().enumerate() {
            for (p, per) in m.grid.periods.iter().enumerate() {
                let lo = per.start.max(rs.start);
                let hi = per.end.min(rs.end);
                if lo <= hi {
                    share_window[s * n + p] = Some((m.grid.years(lo), m.grid.years_end_of(hi)));
                    share_full[s * n + p] = lo == per.start && hi == per.end;
                }
            }
        }
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        let mut pair_of = Vec::new();
        let mut credit_pools = Vec::new();
        for cm in &m.commitments {
            let pair = (cm.buyer, cm.provider);
            let ix = pairs.iter().position(|x| *x == pair).unwrap_or_else(|| {
                pairs.push(pair);
                pairs.len() - 1
            });
            pair_of.push(ix);
            let mut pools: Vec<usize> = (0..m.investments.len())
                .filter(|&i| {
                    let inv = &m.investments[i];
                    inv.investor == cm.provider
                        && inv.investee == cm.buyer
                        && inv.credit_expiry.is_some()
                })
                .collect();
            pools.sort_by_key(|&i| (m.investments[i].credit_expiry, i));
            credit_pools.push(pools);
        }
        // Milestone conditions may name a pair no commitment serves; give it a slot too.
        for ms in &m.milestones {
            if let Some(Condition::CumulativeSpend {
                buyer, provider, ..
            }) = ms.condition
            {
                if !pairs.contains(&(buyer, provider)) {
                    pairs.push((buyer, provider));
                }
            }
        }
        let mut revenue_of = vec![None; m.parties.len()];
        for (r, rev) in m.revenues.iter().enumerate() {
            revenue_of[rev.party] = Some(r);
        }
        let mut tranche_offset = Vec::new();
        let mut tranche_period = Vec::new();
        for inv in &m.investments {
            tranche_offset.push(tranche_period.len());
            for t in &inv.tranches {
                tranche_period.push(match t.when {
                    When::Date(d) => m.grid.period_of(d),
                    When::Milestone(_) => None,
                });
            }
        }
        let payment_period = m
            .payments
            .iter()
            .map(|pm| m.grid.period_of(pm.date))
            .collect();
        let mut bounds: Vec<f64> = m.grid.periods.iter().map(|p| p.t0).collect();
        bounds.extend(m.grid.periods.last().map(|p| p.t1));
        let gaps = m.grid.periods.iter().map(|p| p.days).collect();
        Plan {
            bounds,
            gaps,
            periods: n,
            weights,
            outside_share,
            share_window,
            share_full,
            credit_pools,
            pair_of,
            pairs,
            revenue_of,
            payment_period,
            tranche_offset,
            tranche_period,
        }
    }

    /// Scheduled share of commitment `c` in period `p`.
    pub fn weight(&self, c: usize, p: usize) -> f64 {
        self.weights[c * self.periods + p]
    }

    /// Index into flattened per-tranche vectors.
    pub fn tranche_ix(&self, investment: usize, tranche: usize) -> usize {
        self.tranche_offset[investment] + tranche
    }

    pub fn tranche_count(&self) -> usize {
        self.tranche_period.len()
    }
}

/// Share of a contract `[cs, ce]` scheduled in `[ps, pe]` (all inclusive).
///
/// With `x` the fraction of contract days elapsed, the cumulative share is
/// `F(x)`: flat `x`, linear `x^2`, front-loaded `1-(1-x)^2`, back-loaded `x^3`;
/// a schedule spreads each contract year's amount flat over its days.
pub fn ramp_share(ramp: &Ramp, cs: NaiveDate, ce: NaiveDate, ps: NaiveDate, pe: NaiveDate) -> f64 {
    let lo = ps.max(cs);
    let hi = pe.min(ce);
    if lo > hi {
        return 0.0;
    }
    let total_days = ((ce - cs).num_days() + 1) as f64;
    let x0 = (lo - cs).num_days() as f64 / total_days;
    let x1 = ((hi - cs).num_days() + 1) as f64 / total_days;
    let f = |x: f64| match ramp {
        Ramp::Flat | Ramp::Schedule(_) => x,
        Ramp::Linear => x * x,
        Ramp::FrontLoaded => 1.0 - (1.0 - x) * (1.0 - x),
        Ramp::BackLoaded => x * x * x,
    };
    match ramp {
        Ramp::Schedule(shares) => {
            let mut total = 0.0;
            for (k, share) in shares.iter().enumerate() {
                let ys = cs
                    .checked_add_months(Months::new(12 * k as u32))
                    .unwrap_or(NaiveDate::MAX);
                let ye = cs
                    .checked_add_months(Months::new(12 * (k as u32 + 1)))
                    .and_then(|d| d.pred_opt())
                    .unwrap_or(NaiveDate::MAX)
                    .min(ce);
                let (a, b) = (lo.max(ys), hi.min(ye));
                if a <= b && ys <= ye {
                    let days = ((ye - ys).num_days() + 1) as f64;
                    total += share * ((b - a).num_days() + 1) as f64 / days;
                }
            }
            total
        }
        _ => f(x1) - f(x0),
    }
}

/// Events of one run, kept beside the ledger. Reused across runs.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub milestone_fired: Vec<Option<NaiveDate>>,
    /// Flattened per tranche (see [`Plan::tranche_ix`]).
    pub tranche_paid: Vec<Option<NaiveDate>>,
    /// Stake bought so far, per investment (sum of amount / post-money).
    pub stake: Vec<f64>,
    pub invested_cash: Vec<f64>,
    pub credits_granted: Vec<f64>,
    pub credits_drawn: Vec<f64>,
    pub credits_lapsed: Vec<f64>,
    /// Credits still unspent and unexpired at the horizon.
    pub credits_unused: Vec<f64>,
    pub credit_balance: Vec<f64>,
    /// Cumulative paid per revenue share, including `paid_to_date`.
    pub share_paid: Vec<f64>,
    pub cap_reached: Vec<Option<NaiveDate>>,
    /// Scheduled and billed spend per commitment, over the run.
    pub scheduled: Vec<f64>,
    pub billed: Vec<f64>,
    /// Revenue per party in the current period (scratch).
    revenue: Vec<f64>,
    /// Cumulative spend per (buyer, provider) pair.
    pair_spend: Vec<f64>,
    /// Date each date-based milestone fires this run, if it does.
    milestone_date: Vec<Option<NaiveDate>>,
    /// Each revenue line's primitive at the period boundaries
    /// (`[r * (periods + 1) + k]`), when its curve has one.
    rev_prim: Vec<f64>,
    prim: Vec<Option<curve::Primitive>>,
}

impl Outcome {
    fn reset(&mut self, m: &Model, plan: &Plan) {
        fn fill<T: Clone>(v: &mut Vec<T>, n: usize, x: T) {
            v.clear();
            v.resize(n, x);
        }
        let ni = m.investments.len();
        fill(&mut self.milestone_fired, m.milestones.len(), None);
        fill(&mut self.milestone_date, m.milestones.len(), None);
        fill(&mut self.tranche_paid, plan.tranche_count(), None);
        for v in [
            &mut self.stake,
            &mut self.invested_cash,
            &mut self.credits_granted,
            &mut self.credits_drawn,
            &mut self.credits_lapsed,
            &mut self.credits_unused,
            &mut self.credit_balance,
        ] {
            fill(v, ni, 0.0);
        }
        fill(&mut self.share_paid, m.revenue_shares.len(), 0.0);
        fill(&mut self.cap_reached, m.revenue_shares.len(), None);
        fill(&mut self.scheduled, m.commitments.len(), 0.0);
        fill(&mut self.billed, m.commitments.len(), 0.0);
        fill(&mut self.revenue, m.parties.len(), 0.0);
        fill(&mut self.pair_spend, plan.pairs.len(), 0.0);
        fill(
            &mut self.rev_prim,
            m.revenues.len() * plan.bounds.len(),
            0.0,
        );
        fill(&mut self.prim, m.revenues.len(), None);
    }
}

/// Evaluates the deal for parameter values `v` (see [`crate::model::Params`]).
///
/// `out` is reset and refilled; flows go to `sink` in period order. After the
/// first call with a given model, nothing here allocates (the sink aside).
pub fn run<S: Sink>(m: &Model, plan: &Plan, v: &[f64], out: &mut Outcome, sink: &mut S) {
    out.reset(m, plan);
    // Date-based milestones: expected date pushed back by the delay, if before the deadline.
    for (i, ms) in m.milestones.iter().enumerate() {
        if ms.condition.is_none() && ms.fires.of(v) >= 0.5 {
            let delay = ms.delay_months.of(v).max(0.0) as u32;
            let date = crate::model::grid::add_months(ms.expected, delay).unwrap_or(NaiveDate::MAX);
            out.milestone_date[i] = (date <= ms.deadline).then_some(date);
        }
    }
    let nb = plan.bounds.len();
    for (r, rev) in m.revenues.iter().enumerate() {
        let slot = &mut out.rev_prim[r * nb..(r + 1) * nb];
        out.prim[r] = curve::Primitive::fill(rev, v, &plan.bounds, &plan.gaps, slot);
    }
    let last = m.grid.len().saturating_sub(1);
    for (p, per) in m.grid.periods.iter().enumerate() {
        let pu = p as u32;

        // 1. Dated payments and tranches.
        for (i, pm) in m.payments.iter().enumerate() {
            let amount = pm.amount.of(v);
            if plan.payment_period[i] == Some(p) && amount > 0.0 {
                sink.flow(Flow {
                    period: pu,
                    date: pm.date,
                    payer: pm.payer as u16,
                    payee: pm.payee as u16,
                    kind: FlowKind::Payment,
                    deal: Deal::Payment(i as u16),
                    amount,
                });
            }
        }
        for (mi, date) in out.milestone_date.iter().enumerate() {
            if let Some(d) = *date {
                if d >= per.start && d <= per.end {
                    out.milestone_fired[mi] = Some(d);
                }
            }
        }
        for (ii, inv) in m.investments.iter().enumerate() {
            for (ti, t) in inv.tranches.iter().enumerate() {
                let due = match t.when {
                    When::Date(d) => {
                        (plan.tranche_period[plan.tranche_ix(ii, ti)] == Some(p)).then_some(d)
                    }
                    When::Milestone(mi) => {
                        out.milestone_date[mi].filter(|d| *d >= per.start && *d <= per.end)
                    }
                };
                if let Some(date) = due {
                    pay_tranche(m, plan, v, out, sink, ii, ti, pu, date);
                }
            }
        }

        // 2. Operating revenue and cost.
        for (r, rev) in m.revenues.iter().enumerate() {
            let amount = match out.prim[r] {
                Some(f) => f.between(&out.rev_prim[r * nb..(r + 1) * nb], p),
                None => curve::revenue_between(rev, v, per.t0, per.t1),
            };
            out.revenue[rev.party] = amount;
            let party = rev.party as u16;
            if amount > 0.0 {
                sink.flow(Flow {
                    period: pu,
                    date: per.end,
                    payer: EXTERNAL as u16,
                    payee: party,
                    kind: FlowKind::Revenue,
                    deal: Deal::Revenue(r as u16),
                    amount,
                });
            }
            let cost =
                rev.opex_share.of(v) * amount + rev.fixed_opex.of(v) * per.days as f64 / 365.0;
            if cost > 0.0 {
                sink.flow(Flow {
                    period: pu,
                    date: per.end,
                    payer: party,
                    payee: EXTERNAL as u16,
                    kind: FlowKind::OperatingCost,
                    deal: Deal::Revenue(r as u16),
                    amount: cost,
                });
            }
        }

        // 3. Compute commitments.
        for (c, cm) in m.commitments.iter().enumerate() {
            let scheduled = cm.total.of(v) * plan.weight(c, p);
            if scheduled <= 0.0 {
                continue;
            }
            let spend = match cm.demand_share {
                Some(ds) => {
                    let demand = ds.of(v) * out.revenue[cm.buyer];
                    demand.clamp(cm.take_or_pay.of(v) * scheduled, scheduled)
                }
                None => scheduled,
            };
            out.scheduled[c] += scheduled;
            out.billed[c] += spend;
            if spend <= 0.0 {
                continue;
            }
            let mut uncovered = spend;
            for &ii in &plan.credit_pools[c] {
                let inv = &m.investments[ii];
                let usable = inv.credit_expiry.is_some_and(|e| per.end <= e);
                if !usable || out.credit_balance[ii] <= 0.0 || uncovered <= 0.0 {
                    continue;
                }
                let draw = out.credit_balance[ii].min(uncovered);
                out.credit_balance[ii] -= draw;
                out.credits_drawn[ii] += draw;
                uncovered -= draw;
                sink.flow(Flow {
                    period: pu,
                    date: per.end,
                    payer: inv.investor as u16,
                    payee: inv.investee as u16,
                    kind: FlowKind::Credit,
                    deal: Deal::Credit {
                        investment: ii as u16,
                        commitment: c as u16,
                    },
                    amount: draw,
                });
            }
            let deal = Deal::Commitment(c as u16);
            sink.flow(Flow {
                period: pu,
                date: per.end,
                payer: cm.buyer as u16,
                payee: cm.provider as u16,
                kind: FlowKind::Compute,
                deal,
                amount: spend,
            });
            if let Some(gm) = m.parties[cm.provider].gross_margin {
                let cost = (1.0 - gm.of(v)) * spend;
                if cost > 0.0 {
                    sink.flow(Flow {
                        period: pu,
                        date: per.end,
                        payer: cm.provider as u16,
                        payee: EXTERNAL as u16,
                        kind: FlowKind::CostOfServing,
                        deal,
                        amount: cost,
                    });
                }
            }
            out.pair_spend[plan.pair_of[c]] += spend;
        }

        // 4. Revenue shares.
        for (s, rs) in m.revenue_shares.iter().enumerate() {
            if p == 0 {
                out.share_paid[s] = rs.paid_to_date.of(v);
            }
            let Some((a, b)) = plan.share_window[s * plan.periods + p] else {
                continue;
            };
            let Some(r) = plan.revenue_of[rs.payer] else {
                continue;
            };
            let base = if plan.share_full[s * plan.periods + p] {
                out.revenue[rs.payer]
            } else {
                curve::revenue_between(&m.revenues[r], v, a, b)
            };
            let mut due = rs.rate.of(v) * base;
            if let Some(cap) = rs.cap {
                // Pay up to the cap; the period that reaches it pays the remainder.
                let room = (cap.of(v) - out.share_paid[s]).max(0.0);
                if due >= room {
                    due = room;
                    if out.cap_reached[s].is_none() {
                        out.cap_reached[s] = Some(per.end);
                    }
                }
            }
            if due > 0.0 {
                out.share_paid[s] += due;
                sink.flow(Flow {
                    period: pu,
                    date: per.end,
                    payer: rs.payer as u16,
                    payee: rs.payee as u16,
                    kind: FlowKind::RevenueShare,
                    deal: Deal::RevenueShare(s as u16),
                    amount: due,
                });
            }
        }

        // 5. Milestones with a condition, on the state at the period end.
        for (mi, ms) in m.milestones.iter().enumerate() {
            let Some(cond) = &ms.condition else { continue };
            if out.milestone_fired[mi].is_some() || per.end > ms.deadline || ms.fires.of(v) < 0.5 {
                continue;
            }
            let holds = condition_holds(m, plan, cond, v, |i| out.pair_spend[i], per.t1);
            if holds {
                out.milestone_fired[mi] = Some(per.end);
                for (ii, inv) in m.investments.iter().enumerate() {
                    for (ti, t) in inv.tranches.iter().enumerate() {
                        if t.when == When::Milestone(mi) {
                            pay_tranche(m, plan, v, out, sink, ii, ti, pu, per.end);
                        }
                    }
                }
            }
        }

        // 6. Credits past their expiry lapse; nothing later can use them.
        let next_end = m.grid.periods.get(p + 1).map(|q| q.end);
        for (ii, inv) in m.investments.iter().enumerate() {
            if let (Some(exp), Some(next)) = (inv.credit_expiry, next_end) {
                if next > exp && out.credit_balance[ii] > 0.0 {
                    out.credits_lapsed[ii] += out.credit_balance[ii];
                    out.credit_balance[ii] = 0.0;
                }
            }
        }
        if p == last {
            for ii in 0..m.investments.len() {
                out.credits_unused[ii] = out.credit_balance[ii];
            }
            terminal_values(m, plan, v, out, sink, pu, per.end);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn pay_tranche<S: Sink>(
    m: &Model,
    plan: &Plan,
    v: &[f64],
    out: &mut Outcome,
    sink: &mut S,
    ii: usize,
    ti: usize,
    period: u32,
    date: NaiveDate,
) {
    let k = plan.tranche_ix(ii, ti);
    if out.tranche_paid[k].is_some() {
        return;
    }
    let inv = &m.investments[ii];
    let t = &inv.tranches[ti];
    let amount = t.amount.of(v);
    out.tranche_paid[k] = Some(date);
    out.stake[ii] += amount / t.post_money.of(v);
    let credit = amount * inv.credit_share.of(v);
    let cash = amount - credit;
    if credit > 0.0 {
        out.credits_granted[ii] += credit;
        match inv.credit_expiry {
            Some(e) if date <= e => out.credit_balance[ii] += credit,
            _ => out.credits_lapsed[ii] += credit,
        }
    }
    if cash > 0.0 {
        out.invested_cash[ii] += cash;
        sink.flow(Flow {
            period,
            date,
            payer: inv.investor as u16,
            payee: inv.investee as u16,
            kind: FlowKind::Tranche,
            deal: Deal::Tranche {
                investment: ii as u16,
                tranche: ti as u16,
            },
            amount: cash,
        });
    }
}

/// Whether milestone condition `cond` holds at time `t1` (years), with
/// parameter values `v` and the cumulative spend of each (buyer, provider)
/// pair from `pair_spend`.
pub(crate) fn condition_holds(
    m: &Model,
    plan: &Plan,
    cond: &Condition,
    v: &[f64],
    pair_spend: impl Fn(usize) -> f64,
    t1: f64,
) -> bool {
    match *cond {
        Condition::CumulativeSpend {
            buyer,
            provider,
            at_least,
        } => {
            let pair = plan.pairs.iter().position(|x| *x == (buyer, provider));
            pair.is_some_and(|i| pair_spend(i) >= at_least.of(v))
        }
        Condition::RevenueRunRate { party, at_least } => plan.revenue_of[party]
            .is_some_and(|r| curve::run_rate(&m.revenues[r], v, t1) >= at_least.of(v)),
    }
}

/// What `exit` values its company at on the horizon (the last period
/// `last`), or `None` for a revenue multiple of a company without revenue.
pub(crate) fn exit_value(
    m: &Model,
    plan: &Plan,
    exit: &crate::model::Exit,
    v: &[f64],
    last: &crate::model::Period,
) -> Option<f64> {
    Some(match exit.value {
        ExitValue::Valuation(p) => p.of(v),
        ExitValue::Multiple { multiple, basis } => {
            let rev = &m.revenues[plan.revenue_of[exit.company]?];
            let base = match basis {
                Basis::RunRate => curve::run_rate(rev, v, last.t1),
                Basis::Ttm => {
                    let from = (last.t1 - 1.0).max(0.0);
                    curve::revenue_between(rev, v, from, last.t1) / (last.t1 - from)
                }
                Basis::LastPeriod => {
                    curve::revenue_between(rev, v, last.t0, last.t1) * 365.0 / last.days as f64
                }
            };
            multiple.of(v) * base
        }
    })
}

fn terminal_values<S: Sink>(
    m: &Model,
    plan: &Plan,
    v: &[f64],
    out: &Outcome,
    sink: &mut S,
    period: u32,
    date: NaiveDate,
) {
    let Some(last) = m.grid.periods.last() else {
        return;
    };
    for (x, exit) in m.exits.iter().enumerate() {
        let Some(value) = exit_value(m, plan, exit, v, last) else {
            continue;
        };
        // One flow per investor holding the company, summing its investments.
        for (i, inv) in m.investments.iter().enumerate() {
            if inv.investee != exit.company || out.stake[i] <= 0.0 {
                continue;
            }
            if m.investments[..i]
                .iter()
                .any(|o| o.investee == exit.company && o.investor == inv.investor)
            {
                continue;
            }
            let stake: f64 = m
                .investments
                .iter()
                .zip(&out.stake)
                .filter(|(o, _)| o.investee == exit.company && o.investor == inv.investor)
                .map(|(_, s)| s)
                .sum();
            let amount = stake * value;
            if amount > 0.0 {
                sink.flow(Flow {
                    period,
                    date,
                    payer: EXTERNAL as u16,
                    payee: inv.investor as u16,
                    kind: FlowKind::TerminalValue,
                    deal: Deal::Exit(x as u16),
                    amount,
                });
            }
        }
    }
}
