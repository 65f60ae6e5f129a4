//! The key-metrics tables, from the run's [`Summary`]: returns and exposure
//! per party, lab funding, round trips, revenue shares, tranches, credits and
//! commitments. A figure that does not exist reads "undefined" with its
//! reason as a footnote.

use chrono::NaiveDate;

use super::doc::{Block, Cell, Table, TableKind};
use super::fmt::{date, money, multiple, pct};
use crate::metrics::{Figure, Summary};
use crate::model::Model;

/// Every metrics table that has rows, with the notes that explain them.
pub fn metrics(m: &Model, s: &Summary) -> Vec<Block> {
    let mut out = Vec::new();
    let u = &s.unit;
    out.push(Block::Table(returns(m, s)));
    out.extend(returns_notes(s).into_iter().map(Block::Small));
    out.push(Block::Table(exposure(m, s)));
    out.push(Block::Small(
        "Peak exposure is the lowest cumulative net; payback is the first date after it when cumulative net is back to zero or above, on cash flows only or counting the terminal value.".into(),
    ));
    let optional = [
        labs(m, s),
        round_trips(m, s),
        revenue_shares(m, s),
        tranches(m, s),
        credits(s),
        commitments(m, s),
    ];
    for t in optional.into_iter().flatten() {
        out.push(Block::Table(t));
    }
    if !s.round_trips.is_empty() {
        out.push(Block::Small(format!(
            "Round trip: compute revenue an investor earns from its investee in the window per {u} invested (cash tranches plus credits drawn); net of the cost of serving it counts the investor's gross margin only."
        )));
    }
    out
}

fn table(caption: String, head: &[(&str, bool)], rows: Vec<Vec<Cell>>) -> Table {
    Table {
        caption,
        head: head.iter().map(|(h, _)| h.to_string()).collect(),
        numeric: head.iter().map(|(_, n)| *n).collect(),
        rows,
        kind: TableKind::Figures,
    }
}

/// A party's display name from its id (the id itself if unknown).
pub fn party(m: &Model, id: &str) -> String {
    m.party_index(id)
        .and_then(|i| m.parties.get(i))
        .map_or_else(|| id.to_string(), |p| p.name.clone())
}

fn pair(m: &Model, from: &str, to: &str) -> Cell {
    Cell::text(format!("{} \u{2192} {}", party(m, from), party(m, to)))
}

fn money_cell(x: f64) -> Cell {
    Cell::text(money(x))
}

fn date_cell(d: Option<NaiveDate>, none: &str) -> Cell {
    Cell::text(d.map_or_else(|| none.to_string(), date))
}

/// A figure in a table: its value formatted, or "undefined" with the reason.
fn figure(f: &Figure, show: impl Fn(f64) -> String) -> Cell {
    match f {
        Figure::Value(v) if v.is_finite() => Cell::text(show(*v)),
        Figure::Value(_) => Cell::noted("undefined", "the value is not a finite number"),
        Figure::Undefined { undefined } => Cell::noted("undefined", undefined.clone()),
    }
}

fn returns(m: &Model, s: &Summary) -> Table {
    let rows = s
        .parties
        .iter()
        .map(|p| {
            let mut irr = figure(&p.irr, pct);
            if p.irr_several_possible && irr.note.is_none() {
                irr.note = Some(
                    "the flows change sign several times, so several IRRs are possible; the lowest is shown".into(),
                );
            }
            vec![
                Cell::text(party(m, &p.id)),
                Cell::text(p.role.clone()),
                money_cell(p.paid),
                money_cell(p.received),
                money_cell(p.terminal_value),
                money_cell(p.net),
                figure(&p.npv, money),
                irr,
                figure(&p.moic, multiple),
                figure(&p.equity_moic, multiple),
            ]
        })
        .collect();
    table(
        format!("Returns by party ({})", s.unit),
        &[
            ("Party", false),
            ("Role", false),
            ("Paid", true),
            ("Received", true),
            ("of which terminal value", true),
            ("Net", true),
            ("NPV", true),
            ("IRR", true),
            ("MOIC", true),
            ("Equity MOIC", true),
        ],
        rows,
    )
}

fn returns_notes(s: &Summary) -> Vec<String> {
    let mut out = vec![format!(
        "NPV at {} a year to {}, act/365; IRR is XIRR on flows netted by date. MOIC = received / paid; equity MOIC = terminal value / amount invested.",
        pct(s.discount_rate),
        date(s.start)
    )];
    if s.parties.iter().any(|p| p.terminal_value > 0.0) {
        out.push("Received, net, NPV, IRR and MOIC count equity stakes at their value at the horizon (terminal value).".into());
    }
    if s.parties
        .iter()
        .any(|p| p.role != "investor" && p.role != "investor & provider")
    {
        out.push("For a lab, provider or other party these figures cover all its flows in the scenario, not an investment.".into());
    }
    out
}

fn exposure(m: &Model, s: &Summary) -> Table {
    let rows = s
        .parties
        .iter()
        .map(|p| {
            let exposed = p.peak_exposure_date.is_some();
            let none = if exposed { "not reached" } else { "\u{2013}" };
            vec![
                Cell::text(party(m, &p.id)),
                money_cell(p.peak_exposure),
                date_cell(p.peak_exposure_date, "\u{2013}"),
                date_cell(p.cash_payback_date, none),
                date_cell(p.payback_date, none),
                money_cell(p.closing_cash),
            ]
        })
        .collect();
    table(
        format!("Exposure and payback ({})", s.unit),
        &[
            ("Party", false),
            ("Peak exposure", true),
            ("on", true),
            ("Payback (cash)", true),
            ("Payback (with terminal value)", true),
            ("Closing cash", true),
        ],
        rows,
    )
}

fn labs(m: &Model, s: &Summary) -> Option<Table> {
    if s.labs.is_empty() {
        return None;
    }
    let rows = s
        .labs
        .iter()
        .map(|l| {
            vec![
                Cell::text(party(m, &l.id)),
                money_cell(l.lowest_cash),
                Cell::text(date(l.lowest_cash_date)),
                date_cell(l.first_negative_cash, "never"),
                money_cell((-l.lowest_cash).max(0.0)),
                money_cell(l.revenue),
                money_cell(l.committed_spend),
                money_cell(l.billed_spend),
                figure(&l.committed_to_revenue, pct),
            ]
        })
        .collect();
    Some(table(
        format!("Lab funding ({})", s.unit),
        &[
            ("Lab", false),
            ("Lowest cash", true),
            ("on", true),
            ("Cash first negative", true),
            ("Funding gap", true),
            ("Revenue", true),
            ("Committed spend", true),
            ("Billed spend", true),
            ("Committed / revenue", true),
        ],
        rows,
    ))
}

fn round_trips(m: &Model, s: &Summary) -> Option<Table> {
    if s.round_trips.is_empty() {
        return None;
    }
    let rows = s
        .round_trips
        .iter()
        .map(|r| {
            vec![
                pair(m, &r.investor, &r.investee),
                money_cell(r.invested),
                money_cell(r.compute_revenue),
                figure(&r.ratio, multiple),
                figure(&r.net_of_cost_of_serving, multiple),
            ]
        })
        .collect();
    Some(table(
        format!("Round trips ({})", s.unit),
        &[
            ("Investor \u{2192} investee", false),
            ("Invested", true),
            ("Compute revenue back", true),
            ("Round trip", true),
            ("Net of cost of serving", true),
        ],
        rows,
    ))
}

fn revenue_shares(m: &Model, s: &Summary) -> Option<Table> {
    if s.revenue_shares.is_empty() {
        return None;
    }
    let rows = s
        .revenue_shares
        .iter()
        .map(|r| {
            vec![
                Cell::code(r.id.clone()),
                pair(m, &r.payer, &r.payee),
                money_cell(r.paid_in_run),
                money_cell(r.paid_to_date_before),
                Cell::text(r.cap.map_or_else(|| "no cap".into(), money)),
                date_cell(
                    r.cap_reached,
                    if r.cap.is_some() {
                        "not reached"
                    } else {
                        "\u{2013}"
                    },
                ),
            ]
        })
        .collect();
    Some(table(
        format!("Revenue shares and caps ({})", s.unit),
        &[
            ("Share", false),
            ("Payer \u{2192} payee", false),
            ("Paid in window", true),
            ("Paid before", true),
            ("Cap", true),
            ("Cap reached", true),
        ],
        rows,
    ))
}

fn tranches(m: &Model, s: &Summary) -> Option<Table> {
    if s.tranches.is_empty() {
        return None;
    }
    let rows = s
        .tranches
        .iter()
        .map(|t| {
            let trigger = match &t.milestone {
                Some(id) => m
                    .milestones
                    .iter()
                    .find(|ms| &ms.id == id)
                    .map_or_else(|| id.clone(), |ms| ms.name.clone()),
                None => "date".into(),
            };
            let paid = match (t.paid, t.deadline) {
                (Some(d), _) => Cell::text(date(d)),
                (None, Some(_)) => Cell::text("not paid"),
                (None, None) => Cell::text("not in window"),
            };
            vec![
                pair(m, &t.investor, &t.investee),
                Cell::code(t.tranche.clone()),
                money_cell(t.amount),
                Cell::text(trigger),
                date_cell(t.expected, "\u{2013}"),
                date_cell(t.deadline, "\u{2013}"),
                paid,
                Cell::text(if t.paid.is_some() {
                    format!("{:.2}%", t.stake * 100.0)
                } else {
                    "\u{2013}".into()
                }),
            ]
        })
        .collect();
    Some(table(
        format!("Investment tranches ({})", s.unit),
        &[
            ("Investor \u{2192} investee", false),
            ("Tranche", false),
            ("Amount", true),
            ("Trigger", false),
            ("Expected", true),
            ("Deadline", true),
            ("Paid", true),
            ("Stake", true),
        ],
        rows,
    ))
}

fn credits(s: &Summary) -> Option<Table> {
    if s.credits.is_empty() {
        return None;
    }
    let rows = s
        .credits
        .iter()
        .map(|c| {
            vec![
                Cell::code(c.investment.clone()),
                money_cell(c.granted),
                money_cell(c.drawn),
                money_cell(c.lapsed),
                money_cell(c.unused_at_horizon),
                date_cell(c.expiry, "none"),
            ]
        })
        .collect();
    Some(table(
        format!("Compute credits ({})", s.unit),
        &[
            ("Investment", false),
            ("Granted", true),
            ("Drawn", true),
            ("Lapsed", true),
            ("Unused at horizon", true),
            ("Expiry", true),
        ],
        rows,
    ))
}

fn commitments(m: &Model, s: &Summary) -> Option<Table> {
    if s.commitments.is_empty() {
        return None;
    }
    let rows = s
        .commitments
        .iter()
        .map(|c| {
            vec![
                Cell::code(c.id.clone()),
                pair(m, &c.buyer, &c.provider),
                money_cell(c.total),
                money_cell(c.scheduled_in_window),
                money_cell(c.billed),
                money_cell(c.outside_window),
            ]
        })
        .collect();
    Some(table(
        format!("Compute commitments ({})", s.unit),
        &[
            ("Commitment", false),
            ("Buyer \u{2192} provider", false),
            ("Total", true),
            ("Scheduled in window", true),
            ("Billed", true),
            ("Outside window", true),
        ],
        rows,
    ))
}
