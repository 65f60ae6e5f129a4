//! Warnings that need a run: legal but suspicious outcomes.
//!
//! Validation ([`crate::model::build`]) judges the file; these checks judge
//! what the file does once run: a commitment far beyond its buyer's revenue,
//! a cap that is never reached, credits that lapse unused, tranches that are
//! never paid. Each warning points at the value that drives it.

use crate::diagnostic::Diagnostic;
use crate::engine::FlowKind;
use crate::model::P;
use crate::Run;

/// A commitment larger than this multiple of its buyer's revenue over the
/// window is flagged.
pub const COMMITMENT_TO_REVENUE: f64 = 10.0;

/// Money amounts above this, in the scenario's unit, look like a unit mix-up
/// when the unit is billions (1e5 billions is $100 trillion).
pub const IMPLAUSIBLE_BILLIONS: f64 = 1e5;

/// Every run-based warning for `run`.
pub fn check(run: &Run) -> Vec<Diagnostic> {
    let m = &run.model;
    let s = &run.summary;
    let span = |p: P| m.params.info[p.ix()].span.clone();
    let mut out = Vec::new();

    for (c, cm) in m.commitments.iter().enumerate() {
        let revenue = run.table.kind_total(cm.buyer, FlowKind::Revenue, true);
        let scheduled = run.outcome.scheduled[c];
        if scheduled > COMMITMENT_TO_REVENUE * revenue.max(0.0) && scheduled > 0.0 {
            let ratio = if revenue > 0.0 {
                format!("{:.0}x", scheduled / revenue)
            } else {
                "with no revenue".into()
            };
            out.push(
                Diagnostic::warning(
                    format!("commitment.{}.total", cm.id),
                    span(cm.total),
                    format!(
                        "commitment `{}` schedules {scheduled:.1} in the window against {revenue:.1} of `{}` revenue ({ratio})",
                        cm.id, m.parties[cm.buyer].id
                    ),
                )
                .hint("check the unit and the buyer's [[revenue]]; a buyer rarely commits over 10x its revenue"),
            );
        }
    }
    for (i, rs) in m.revenue_shares.iter().enumerate() {
        let (Some(cap), None) = (rs.cap, s.revenue_shares[i].cap_reached) else {
            continue;
        };
        let paid = run.outcome.share_paid[i];
        out.push(
            Diagnostic::warning(
                format!("revenue_share.{}.cap", rs.id),
                span(cap),
                format!(
                    "the cap of revenue share `{}` is never reached: {paid:.1} of {:.1} paid by the end of the share",
                    rs.id,
                    cap.of(&m.params.values)
                ),
            )
            .hint("legal, but the cap does not bind in this scenario"),
        );
    }
    for (i, inv) in m.investments.iter().enumerate() {
        let lapsed = run.outcome.credits_lapsed[i];
        if lapsed > 0.0 {
            out.push(
                Diagnostic::warning(
                    format!("investment.{}.credit_expiry", inv.id),
                    span(inv.credit_share),
                    format!("{lapsed:.1} of `{}` credits lapse unused at expiry", inv.id),
                )
                .hint("the investee's spend with the investor before credit_expiry is smaller than the credits"),
            );
        }
    }
    if m.meta.unit == crate::model::Unit::Billions {
        for (i, info) in m.params.info.iter().enumerate() {
            let money = [
                "total",
                "amount",
                "run_rate",
                "ceiling",
                "cap",
                "valuation",
                "post_money",
                "fixed_opex",
                "opening_cash",
            ];
            let field = info.address.rsplit('.').next().unwrap_or("");
            let v = m.params.values[i];
            if money.contains(&field) && v.abs() > IMPLAUSIBLE_BILLIONS {
                out.push(
                    Diagnostic::warning(
                        info.address.clone(),
                        info.span.clone(),
                        format!("`{}` = {v} billion looks too large", info.address),
                    )
                    .hint("the scenario's unit is billions: was this written in millions?"),
                );
            }
        }
    }
    out
}
