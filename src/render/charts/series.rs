//! The numbers each chart plots, read from a [`Run`]: flows by kind per
//! display period, running totals per model period, scheduled spend, and
//! revenue-share payments with and without their cap.

use std::ops::Range;

use chrono::{Datelike, NaiveDate};

use crate::engine::{curve, Deal, FlowKind};
use crate::model::{PeriodKind, EXTERNAL};
use crate::Run;

/// More model periods than this and bars are summed into longer periods.
pub const MAX_BARS: usize = 40;

/// A display period: one or more consecutive model periods.
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub periods: Range<usize>,
}

/// The display periods of a run's bars, and the kind they were summed to
/// when the model's own periods are too many to draw (`None` otherwise).
pub fn buckets(run: &Run) -> (Vec<Bucket>, Option<PeriodKind>) {
    let grid = &run.model.grid;
    let own = || {
        grid.periods
            .iter()
            .enumerate()
            .map(|(i, p)| Bucket {
                start: p.start,
                end: p.end,
                periods: i..i + 1,
            })
            .collect()
    };
    if grid.len() <= MAX_BARS {
        return (own(), None);
    }
    for kind in [PeriodKind::Quarter, PeriodKind::Year] {
        if kind.months() <= grid.kind.months() {
            continue;
        }
        let key = |d: NaiveDate| (d.year(), d.month0() / kind.months());
        let mut out: Vec<Bucket> = Vec::new();
        for (i, p) in grid.periods.iter().enumerate() {
            match out.last_mut() {
                Some(b) if key(b.start) == key(p.start) => {
                    b.end = p.end;
                    b.periods.end = i + 1;
                }
                _ => out.push(Bucket {
                    start: p.start,
                    end: p.end,
                    periods: i..i + 1,
                }),
            }
        }
        if out.len() <= MAX_BARS || kind == PeriodKind::Year {
            return (out, Some(kind));
        }
    }
    (own(), None)
}

/// Signed flows of `party` per bucket, indexed like [`FlowKind::ALL`].
pub fn flows_by_kind(
    run: &Run,
    party: usize,
    buckets: &[Bucket],
) -> Vec<[f64; FlowKind::ALL.len()]> {
    buckets
        .iter()
        .map(|b| {
            let mut sums = [0.0; FlowKind::ALL.len()];
            for (k, kind) in FlowKind::ALL.iter().enumerate() {
                sums[k] = b
                    .periods
                    .clone()
                    .map(|p| run.table.kind(party, p, *kind))
                    .sum();
            }
            sums
        })
        .collect()
}

/// Whether `party` has any flow in the run.
pub fn has_flows(run: &Run, party: usize) -> bool {
    party != EXTERNAL
        && run
            .ledger
            .flows
            .iter()
            .any(|f| usize::from(f.payer) == party || usize::from(f.payee) == party)
}

/// Running sum of `per_period`.
pub fn running(per_period: impl IntoIterator<Item = f64>, start: f64) -> Vec<f64> {
    per_period
        .into_iter()
        .scan(start, |acc, v| {
            *acc += v;
            Some(*acc)
        })
        .collect()
}

/// Cumulative net of `party` (terminal value included) at each period end.
pub fn cumulative_net(run: &Run, party: usize) -> Vec<f64> {
    running((0..run.table.periods).map(|p| run.table.net(party, p)), 0.0)
}

/// Cash balance of `party` at each period end.
pub fn cash_balance(run: &Run, party: usize) -> Vec<f64> {
    (0..run.table.periods)
        .map(|p| run.table.cash_balance(party, p))
        .collect()
}

/// Cumulative revenue of `party` at each period end.
pub fn cumulative_revenue(run: &Run, party: usize) -> Vec<f64> {
    running(
        (0..run.table.periods).map(|p| run.table.kind(party, p, FlowKind::Revenue).max(0.0)),
        0.0,
    )
}

/// Cumulative scheduled spend of `buyer`'s commitments with `provider`.
pub fn cumulative_scheduled(run: &Run, buyer: usize, provider: usize) -> Vec<f64> {
    let v = &run.model.params.values;
    let per_period = (0..run.table.periods).map(|p| {
        run.model
            .commitments
            .iter()
            .enumerate()
            .filter(|(_, c)| c.buyer == buyer && c.provider == provider)
            .map(|(c, cm)| cm.total.of(v) * run.plan.weight(c, p))
            .sum::<f64>()
    });
    running(per_period, 0.0)
}

/// Cumulative payments of revenue share `s` at each period end, including
/// what was paid before the run.
pub fn share_paid(run: &Run, s: usize) -> Vec<f64> {
    let mut per_period = vec![0.0; run.table.periods];
    for f in &run.ledger.flows {
        if f.deal == Deal::RevenueShare(s as u16) {
            if let Some(x) = per_period.get_mut(f.period as usize) {
                *x += f.amount;
            }
        }
    }
    running(
        per_period,
        run.model.revenue_shares[s]
            .paid_to_date
            .of(&run.model.params.values),
    )
}

/// What revenue share `s` would have paid cumulatively without its cap
/// (the rate on the payer's revenue inside the share's dates), or `None`
/// when the payer has no revenue line.
pub fn share_uncapped(run: &Run, s: usize) -> Option<Vec<f64>> {
    let m = &run.model;
    let v = &m.params.values;
    let rs = &m.revenue_shares[s];
    let revenue = m.revenues.iter().find(|r| r.party == rs.payer)?;
    let rate = rs.rate.of(v);
    let per_period = m.grid.periods.iter().map(|per| {
        let (lo, hi) = (per.start.max(rs.start), per.end.min(rs.end));
        if lo > hi {
            0.0
        } else {
            rate * curve::revenue_between(revenue, v, m.grid.years(lo), m.grid.years_end_of(hi))
        }
    });
    Some(running(per_period, rs.paid_to_date.of(v)))
}
