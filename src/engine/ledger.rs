//! The ledger: every movement of money, with a payer and a payee.
//!
//! A [`Flow`] is small and `Copy` so the engine can write millions of them
//! without allocating; its deal is a [`Deal`] index, turned into a readable id
//! only when a table is written. Because every flow names both sides, the
//! sum over all parties (including `external`) of inflows minus outflows is
//! zero in every period: [`Ledger::imbalance`] checks it.

use chrono::NaiveDate;

use crate::model::Model;

/// What a flow is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FlowKind {
    /// A party's operating revenue, from `external`.
    Revenue,
    /// A party's operating cost, to `external`.
    OperatingCost,
    /// Cash paid for equity.
    Tranche,
    /// Cloud credits drawn against compute spend (an in-kind investment).
    Credit,
    /// Compute bought under a commitment.
    Compute,
    /// A provider's cost of serving the compute it sold, to `external`.
    CostOfServing,
    /// A share of the payer's revenue.
    RevenueShare,
    /// A one-off dated payment.
    Payment,
    /// The value of an equity stake at the horizon (not cash).
    TerminalValue,
}

impl FlowKind {
    pub const ALL: [FlowKind; 9] = [
        FlowKind::Revenue,
        FlowKind::OperatingCost,
        FlowKind::Tranche,
        FlowKind::Credit,
        FlowKind::Compute,
        FlowKind::CostOfServing,
        FlowKind::RevenueShare,
        FlowKind::Payment,
        FlowKind::TerminalValue,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FlowKind::Revenue => "revenue",
            FlowKind::OperatingCost => "operating_cost",
            FlowKind::Tranche => "tranche",
            FlowKind::Credit => "credit",
            FlowKind::Compute => "compute",
            FlowKind::CostOfServing => "cost_of_serving",
            FlowKind::RevenueShare => "revenue_share",
            FlowKind::Payment => "payment",
            FlowKind::TerminalValue => "terminal_value",
        }
    }

    /// A human label for charts and tables.
    pub fn label(self) -> &'static str {
        match self {
            FlowKind::Revenue => "Revenue",
            FlowKind::OperatingCost => "Operating cost",
            FlowKind::Tranche => "Equity tranche",
            FlowKind::Credit => "Cloud credits",
            FlowKind::Compute => "Compute",
            FlowKind::CostOfServing => "Cost of serving",
            FlowKind::RevenueShare => "Revenue share",
            FlowKind::Payment => "Payment",
            FlowKind::TerminalValue => "Terminal value",
        }
    }

    /// Whether the flow moves cash (terminal value does not).
    pub fn is_cash(self) -> bool {
        self != FlowKind::TerminalValue
    }
}

/// Which line of the scenario a flow comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deal {
    Revenue(u16),
    Tranche {
        investment: u16,
        tranche: u16,
    },
    /// Credits of an investment, drawn under a commitment.
    Credit {
        investment: u16,
        commitment: u16,
    },
    Commitment(u16),
    RevenueShare(u16),
    Payment(u16),
    Exit(u16),
}

impl Deal {
    /// The deal id written in tables, e.g. `amazon-2026/first` for a tranche.
    pub fn id(self, m: &Model) -> String {
        match self {
            Deal::Revenue(r) => format!("revenue:{}", m.parties[m.revenues[r as usize].party].id),
            Deal::Tranche {
                investment,
                tranche,
            } => {
                let inv = &m.investments[investment as usize];
                format!("{}/{}", inv.id, inv.tranches[tranche as usize].id)
            }
            Deal::Credit { investment, .. } => m.investments[investment as usize].id.clone(),
            Deal::Commitment(c) => m.commitments[c as usize].id.clone(),
            Deal::RevenueShare(r) => m.revenue_shares[r as usize].id.clone(),
            Deal::Payment(p) => m.payments[p as usize].id.clone(),
            Deal::Exit(x) => format!("exit:{}", m.parties[m.exits[x as usize].company].id),
        }
    }
}

/// One movement of money.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flow {
    pub period: u32,
    pub date: NaiveDate,
    pub payer: u16,
    pub payee: u16,
    pub kind: FlowKind,
    pub deal: Deal,
    /// Always > 0, in the scenario's unit.
    pub amount: f64,
}

/// Where the engine writes flows. A full run keeps them all ([`Ledger`]);
/// a stress path may only accumulate what its metrics need.
pub trait Sink {
    fn flow(&mut self, flow: Flow);
}

/// Every flow of a run, in the order the engine produced them (by period).
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    pub flows: Vec<Flow>,
}

impl Sink for Ledger {
    #[inline]
    fn flow(&mut self, flow: Flow) {
        self.flows.push(flow);
    }
}

impl Ledger {
    /// Largest absolute per-period sum of all parties' net flows; zero (to
    /// rounding) when every flow has a payer and a payee.
    pub fn imbalance(&self, parties: usize, periods: usize) -> f64 {
        let mut net = vec![0.0; parties * periods];
        for f in &self.flows {
            let p = f.period as usize;
            net[p * parties + f.payee as usize] += f.amount;
            net[p * parties + f.payer as usize] -= f.amount;
        }
        net.chunks(parties.max(1))
            .map(|c| c.iter().sum::<f64>().abs())
            .fold(0.0, f64::max)
    }
}
