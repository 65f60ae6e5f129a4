//! Per party and period: inflows, outflows, net, cumulative net, cash balance,
//! and flows by kind. The one aggregation of the ledger that tables, charts
//! and metrics all read.

use crate::engine::{FlowKind, Ledger};
use crate::model::Model;

/// Dense `[party][period]` (and `[party][period][kind]`) aggregates of a ledger.
#[derive(Debug, Clone)]
pub struct PeriodTable {
    pub parties: usize,
    pub periods: usize,
    pub inflow: Vec<f64>,
    pub outflow: Vec<f64>,
    /// Net cash flow (terminal value excluded).
    pub cash_net: Vec<f64>,
    pub opening_cash: Vec<f64>,
    /// Signed flows by kind: `by_kind[(party * periods + period) * KINDS + kind]`.
    pub by_kind: Vec<f64>,
}

const KINDS: usize = FlowKind::ALL.len();

impl PeriodTable {
    pub fn new(m: &Model, ledger: &Ledger) -> PeriodTable {
        let (np, n) = (m.parties.len(), m.grid.len());
        let mut t = PeriodTable {
            parties: np,
            periods: n,
            inflow: vec![0.0; np * n],
            outflow: vec![0.0; np * n],
            cash_net: vec![0.0; np * n],
            opening_cash: m
                .parties
                .iter()
                .map(|p| p.opening_cash.of(&m.params.values))
                .collect(),
            by_kind: vec![0.0; np * n * KINDS],
        };
        for f in &ledger.flows {
            let p = f.period as usize;
            let k = f.kind as usize;
            let (to, from) = (f.payee as usize * n + p, f.payer as usize * n + p);
            t.inflow[to] += f.amount;
            t.outflow[from] += f.amount;
            t.by_kind[to * KINDS + k] += f.amount;
            t.by_kind[from * KINDS + k] -= f.amount;
            if f.kind.is_cash() {
                t.cash_net[to] += f.amount;
                t.cash_net[from] -= f.amount;
            }
        }
        t
    }

    fn ix(&self, party: usize, period: usize) -> usize {
        party * self.periods + period
    }

    pub fn net(&self, party: usize, period: usize) -> f64 {
        let i = self.ix(party, period);
        self.inflow[i] - self.outflow[i]
    }

    /// Cumulative net (terminal value included) through `period`.
    pub fn cumulative_net(&self, party: usize, period: usize) -> f64 {
        (0..=period).map(|p| self.net(party, p)).sum()
    }

    /// Opening cash plus cumulative cash flows through `period`.
    pub fn cash_balance(&self, party: usize, period: usize) -> f64 {
        self.opening_cash[party]
            + (0..=period)
                .map(|p| self.cash_net[self.ix(party, p)])
                .sum::<f64>()
    }

    /// Signed flow of one kind for a party in a period (+ received, - paid).
    pub fn kind(&self, party: usize, period: usize, kind: FlowKind) -> f64 {
        self.by_kind[self.ix(party, period) * KINDS + kind as usize]
    }

    /// Total of one kind over the run; `received` picks the sign.
    pub fn kind_total(&self, party: usize, kind: FlowKind, received: bool) -> f64 {
        let s: f64 = (0..self.periods).map(|p| self.kind(party, p, kind)).sum();
        if received {
            s
        } else {
            -s
        }
    }
}
