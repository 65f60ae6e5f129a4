//! Stage 4 of the pipeline: figures computed from a run's ledger.
//!
//! Each number here is computed once and rendered many times (terminal,
//! `summary.json`, charts). Conventions, stated once:
//!
//! - *Cash* flows exclude terminal value; *net* and *cumulative net* include it.
//! - Cash balance = opening cash + cumulative cash flows, at period ends.
//! - NPV: base date = scenario start, act/365, the scenario's discount rate.
//! - IRR: XIRR (act/365), the lowest root above -100%; see [`irr`].
//! - MOIC = everything received (terminal value included) / everything paid.
//!   Equity MOIC = terminal value / amount invested (cash tranches + credits drawn).
//! - Peak exposure: the most negative cumulative net over the flows by date.
//!   Payback: the first date after that trough where cumulative net is >= 0.
//! - Round trip of an investor that also sells compute to its investee:
//!   compute revenue from the investee / amount invested in it; the net
//!   version counts compute revenue x gross margin.

pub mod irr;
pub mod lanes;
pub mod root;
pub mod table;

use chrono::NaiveDate;
use serde::Serialize;

use crate::engine::{FlowKind, Ledger, Outcome, Plan};
use crate::model::{Model, When};
pub use table::PeriodTable;

/// A figure that may not exist, with the reason when it does not.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Figure {
    Value(f64),
    Undefined { undefined: String },
}

impl Figure {
    pub fn undefined(reason: impl Into<String>) -> Figure {
        Figure::Undefined {
            undefined: reason.into(),
        }
    }

    pub fn value(&self) -> Option<f64> {
        match self {
            Figure::Value(v) => Some(*v),
            Figure::Undefined { .. } => None,
        }
    }
}

/// Everything `dealsim run` reports.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub scenario: String,
    pub unit: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub period: String,
    pub discount_rate: f64,
    pub parties: Vec<PartyFigures>,
    pub labs: Vec<LabFigures>,
    pub round_trips: Vec<RoundTrip>,
    pub revenue_shares: Vec<ShareFigures>,
    pub tranches: Vec<TrancheStatus>,
    pub credits: Vec<CreditFigures>,
    pub commitments: Vec<CommitmentFigures>,
    /// Largest per-period sum of all parties' net flows (0 up to rounding).
    pub ledger_imbalance: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PartyFigures {
    pub id: String,
    pub name: String,
    pub paid: f64,
    pub received: f64,
    /// received - paid, terminal value included.
    pub net: f64,
    pub terminal_value: f64,
    pub invested: f64,
    /// What the party does in this scenario: `lab`, `investor`, `provider`,
    /// `investor & provider`, or `other`.
    pub role: String,
    pub peak_exposure: f64,
    pub peak_exposure_date: Option<NaiveDate>,
    /// Payback counting the terminal value (a paper gain at the horizon).
    pub payback_date: Option<NaiveDate>,
    /// Payback on cash flows only.
    pub cash_payback_date: Option<NaiveDate>,
    pub npv: Figure,
    pub irr: Figure,
    pub irr_several_possible: bool,
    pub moic: Figure,
    pub equity_moic: Figure,
    pub closing_cash: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct LabFigures {
    pub id: String,
    pub lowest_cash: f64,
    pub lowest_cash_date: NaiveDate,
    pub first_negative_cash: Option<NaiveDate>,
    pub revenue: f64,
    /// Scheduled spend of its commitments inside the window.
    pub committed_spend: f64,
    pub billed_spend: f64,
    pub committed_to_revenue: Figure,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoundTrip {
    pub investor: String,
    pub investee: String,
    pub invested: f64,
    pub compute_revenue: f64,
    pub ratio: Figure,
    pub net_of_cost_of_serving: Figure,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShareFigures {
    pub id: String,
    pub payer: String,
    pub payee: String,
    pub paid_in_run: f64,
    pub paid_to_date_before: f64,
    pub cap: Option<f64>,
    /// Date the cap binds, or `None` ("not reached").
    pub cap_reached: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrancheStatus {
    pub investment: String,
    pub tranche: String,
    pub investor: String,
    pub investee: String,
    pub amount: f64,
    pub milestone: Option<String>,
    pub expected: Option<NaiveDate>,
    pub deadline: Option<NaiveDate>,
    pub paid: Option<NaiveDate>,
    pub stake: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CreditFigures {
    pub investment: String,
    pub granted: f64,
    pub drawn: f64,
    pub lapsed: f64,
    pub unused_at_horizon: f64,
    pub expiry: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CommitmentFigures {
    pub id: String,
    pub buyer: String,
    pub provider: String,
    pub total: f64,
    pub scheduled_in_window: f64,
    pub billed: f64,
    pub outside_window: f64,
}

/// Computes the summary of one run.
pub fn summarize(
    m: &Model,
    plan: &Plan,
    ledger: &Ledger,
    out: &Outcome,
    table: &PeriodTable,
) -> Summary {
    let v = &m.params.values;
    let rate = m.meta.discount_rate.of(v);
    let np = m.parties.len();
    let mut parties = Vec::new();
    for (pi, party) in m.deal_parties() {
        let mut paid = 0.0;
        let mut received = 0.0;
        let mut tv = 0.0;
        let mut dated: Vec<(NaiveDate, f64)> = Vec::new();
        let mut cash_dated: Vec<(NaiveDate, f64)> = Vec::new();
        for f in &ledger.flows {
            let signed = if f.payee as usize == pi {
                received += f.amount;
                f.amount
            } else if f.payer as usize == pi {
                paid += f.amount;
                -f.amount
            } else {
                continue;
            };
            if f.kind == FlowKind::TerminalValue {
                tv += f.amount;
            } else {
                cash_dated.push((f.date, signed));
            }
            dated.push((f.date, signed));
        }
        dated.sort_by_key(|x| x.0);
        cash_dated.sort_by_key(|x| x.0);
        let by_date = merge_dates(&dated);
        let (peak, peak_date, payback) = exposure(&by_date);
        let (_, _, cash_payback) = exposure(&merge_dates(&cash_dated));
        let npv = match irr::xnpv(rate, &by_date, m.grid.start) {
            Some(v) if v.is_finite() => Figure::Value(v),
            _ => Figure::undefined("the discounted flows overflow"),
        };
        let (irr_fig, several) = match irr::xirr(&by_date) {
            Ok(r) => (Figure::Value(r.rate), r.several_possible),
            Err(e) => (Figure::undefined(irr_reason(e)), false),
        };
        let invested = invested(m, out, |inv| inv.investor == pi);
        let invests = m.investments.iter().any(|inv| inv.investor == pi);
        let sells = m.commitments.iter().any(|c| c.provider == pi);
        let role = match (party.kind, invests, sells) {
            (crate::model::PartyKind::Lab, _, _) => "lab",
            (_, true, true) => "investor & provider",
            (_, true, false) => "investor",
            (_, false, true) => "provider",
            _ => "other",
        };
        let moic = if paid > 0.0 {
            Figure::Value(received / paid)
        } else {
            Figure::undefined("nothing paid")
        };
        let equity_moic = if invested > 0.0 {
            Figure::Value(tv / invested)
        } else {
            Figure::undefined("no investment")
        };
        parties.push(PartyFigures {
            id: party.id.clone(),
            name: party.name.clone(),
            paid,
            received,
            net: received - paid,
            terminal_value: tv,
            invested,
            role: role.to_string(),
            peak_exposure: peak,
            peak_exposure_date: peak_date,
            payback_date: payback,
            cash_payback_date: cash_payback,
            npv,
            irr: irr_fig,
            irr_several_possible: several,
            moic,
            equity_moic,
            closing_cash: table.cash_balance(pi, m.grid.len().saturating_sub(1)),
        });
    }

    let mut labs = Vec::new();
    for li in m.labs() {
        let n = m.grid.len();
        let (mut low, mut low_date, mut first_neg) = (f64::INFINITY, m.grid.end, None);
        for p in 0..n {
            let cash = table.cash_balance(li, p);
            if cash < low {
                low = cash;
                low_date = m.grid.periods[p].end;
            }
            if cash < 0.0 && first_neg.is_none() {
                first_neg = Some(m.grid.periods[p].end);
            }
        }
        let revenue = table.kind_total(li, FlowKind::Revenue, true);
        let committed: f64 = m
            .commitments
            .iter()
            .enumerate()
            .filter(|(_, c)| c.buyer == li)
            .map(|(c, _)| out.scheduled[c])
            .sum();
        let billed: f64 = m
            .commitments
            .iter()
            .enumerate()
            .filter(|(_, c)| c.buyer == li)
            .map(|(c, _)| out.billed[c])
            .sum();
        labs.push(LabFigures {
            id: m.parties[li].id.clone(),
            lowest_cash: if low.is_finite() { low } else { 0.0 },
            lowest_cash_date: low_date,
            first_negative_cash: first_neg,
            revenue,
            committed_spend: committed,
            billed_spend: billed,
            committed_to_revenue: if revenue > 0.0 {
                Figure::Value(committed / revenue)
            } else {
                Figure::undefined("no revenue")
            },
        });
    }

    let mut round_trips = Vec::new();
    let mut seen = Vec::new();
    for inv in &m.investments {
        let pair = (inv.investor, inv.investee);
        if seen.contains(&pair)
            || !m
                .commitments
                .iter()
                .any(|c| c.provider == inv.investor && c.buyer == inv.investee)
        {
            continue;
        }
        seen.push(pair);
        let invested = invested(m, out, |inv| (inv.investor, inv.investee) == pair);
        let compute: f64 = ledger
            .flows
            .iter()
            .filter(|f| f.kind == FlowKind::Compute && (f.payee as usize, f.payer as usize) == pair)
            .map(|f| f.amount)
            .sum();
        let gm = m.parties[inv.investor]
            .gross_margin
            .map_or(1.0, |g| g.of(v));
        let (ratio, net) = if invested > 0.0 {
            (
                Figure::Value(compute / invested),
                Figure::Value(compute * gm / invested),
            )
        } else {
            (
                Figure::undefined("nothing invested in the run"),
                Figure::undefined("nothing invested in the run"),
            )
        };
        round_trips.push(RoundTrip {
            investor: m.parties[inv.investor].id.clone(),
            investee: m.parties[inv.investee].id.clone(),
            invested,
            compute_revenue: compute,
            ratio,
            net_of_cost_of_serving: net,
        });
    }

    let revenue_shares = m
        .revenue_shares
        .iter()
        .enumerate()
        .map(|(s, rs)| {
            let before = rs.paid_to_date.of(v);
            ShareFigures {
                id: rs.id.clone(),
                payer: m.parties[rs.payer].id.clone(),
                payee: m.parties[rs.payee].id.clone(),
                paid_in_run: out.share_paid[s] - before,
                paid_to_date_before: before,
                cap: rs.cap.map(|c| c.of(v)),
                cap_reached: out.cap_reached[s],
            }
        })
        .collect();

    let mut tranches = Vec::new();
    for (ii, inv) in m.investments.iter().enumerate() {
        for (ti, t) in inv.tranches.iter().enumerate() {
            let (milestone, expected, deadline) = match t.when {
                When::Date(d) => (None, Some(d), None),
                When::Milestone(mi) => {
                    let ms = &m.milestones[mi];
                    (Some(ms.id.clone()), Some(ms.expected), Some(ms.deadline))
                }
            };
            let paid = out.tranche_paid[plan.tranche_ix(ii, ti)];
            tranches.push(TrancheStatus {
                investment: inv.id.clone(),
                tranche: t.id.clone(),
                investor: m.parties[inv.investor].id.clone(),
                investee: m.parties[inv.investee].id.clone(),
                amount: t.amount.of(v),
                milestone,
                expected,
                deadline,
                paid,
                stake: if paid.is_some() {
                    t.amount.of(v) / t.post_money.of(v)
                } else {
                    0.0
                },
            });
        }
    }

    let credits = m
        .investments
        .iter()
        .enumerate()
        .filter(|(i, _)| out.credits_granted[*i] > 0.0)
        .map(|(i, inv)| CreditFigures {
            investment: inv.id.clone(),
            granted: out.credits_granted[i],
            drawn: out.credits_drawn[i],
            lapsed: out.credits_lapsed[i],
            unused_at_horizon: out.credits_unused[i],
            expiry: inv.credit_expiry,
        })
        .collect();

    let commitments = m
        .commitments
        .iter()
        .enumerate()
        .map(|(c, cm)| CommitmentFigures {
            id: cm.id.clone(),
            buyer: m.parties[cm.buyer].id.clone(),
            provider: m.parties[cm.provider].id.clone(),
            total: cm.total.of(v),
            scheduled_in_window: out.scheduled[c],
            billed: out.billed[c],
            outside_window: cm.total.of(v) * plan.outside_share[c],
        })
        .collect();

    Summary {
        scenario: m.meta.name.clone(),
        unit: m.meta.money_label(),
        start: m.grid.start,
        end: m.grid.end,
        period: m.grid.kind.name().to_string(),
        discount_rate: rate,
        parties,
        labs,
        round_trips,
        revenue_shares,
        tranches,
        credits,
        commitments,
        ledger_imbalance: ledger.imbalance(np, m.grid.len()),
    }
}

/// Amount invested by the investments `which` selects: cash tranches paid plus
/// credits drawn (what actually left the investor in the ledger).
fn invested(m: &Model, out: &Outcome, which: impl Fn(&crate::model::Investment) -> bool) -> f64 {
    m.investments
        .iter()
        .zip(out.invested_cash.iter().zip(&out.credits_drawn))
        .filter(|(inv, _)| which(inv))
        .map(|(_, (cash, credits))| cash + credits)
        .sum::<f64>()
        + 0.0 // an empty sum is -0.0
}

/// Why a party has no IRR, in terms of its flows (which are netted by date first).
fn irr_reason(e: irr::IrrUndefined) -> String {
    match e {
        irr::IrrUndefined::NoSignChange { all_positive: true } => {
            "its net flow is an inflow on every date, so no rate makes the NPV zero".into()
        }
        irr::IrrUndefined::NoSignChange {
            all_positive: false,
        } => "its net flow is an outflow on every date, so no rate makes the NPV zero".into(),
        other => format!("{other} (flows netted by date)"),
    }
}

/// Sums flows that share a date (input sorted by date).
fn merge_dates(sorted: &[(NaiveDate, f64)]) -> Vec<(NaiveDate, f64)> {
    let mut out: Vec<(NaiveDate, f64)> = Vec::new();
    for &(d, a) in sorted {
        match out.last_mut() {
            Some(last) if last.0 == d => last.1 += a,
            _ => out.push((d, a)),
        }
    }
    out
}

/// (peak exposure <= 0, its date, payback date) over flows merged by date.
///
/// Peak exposure is the lowest cumulative net (0 when it never goes below
/// zero); payback is the first date after that trough with cumulative net >= 0.
pub fn exposure(by_date: &[(NaiveDate, f64)]) -> (f64, Option<NaiveDate>, Option<NaiveDate>) {
    let mut cum = 0.0;
    let (mut low, mut low_at, mut low_ix) = (0.0, None, None);
    for (i, (d, a)) in by_date.iter().enumerate() {
        cum += a;
        if cum < low {
            low = cum;
            low_at = Some(*d);
            low_ix = Some(i);
        }
    }
    let payback = low_ix.and_then(|start| {
        let mut cum: f64 = by_date[..=start].iter().map(|x| x.1).sum();
        by_date[start + 1..].iter().find_map(|(d, a)| {
            cum += a;
            (cum >= 0.0).then_some(*d)
        })
    });
    (low, low_at, payback)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn exposure_finds_trough_and_payback() {
        // Cumulative: -10, -25, -5, +5 -> trough -25 on 2026-02-28, back >= 0 on 2026-04-30.
        let flows = [
            (d(2026, 1, 31), -10.0),
            (d(2026, 2, 28), -15.0),
            (d(2026, 3, 31), 20.0),
            (d(2026, 4, 30), 10.0),
        ];
        assert_eq!(
            exposure(&flows),
            (-25.0, Some(d(2026, 2, 28)), Some(d(2026, 4, 30)))
        );
    }

    #[test]
    fn exposure_without_trough_or_recovery() {
        assert_eq!(exposure(&[(d(2026, 1, 31), 5.0)]), (0.0, None, None));
        assert_eq!(
            exposure(&[(d(2026, 1, 31), -5.0), (d(2026, 2, 28), 1.0)]),
            (-5.0, Some(d(2026, 1, 31)), None)
        );
    }
}
