//! The `Summary` sheet: every figure of `summary.json`, one row each, with
//! dealsim's value and, where an analyst would check it, an Excel formula
//! over the other sheets beside it and the difference (Excel - dealsim).
//!
//! Formulas: flow totals read `Cash flows`; NPV and IRR are `XNPV` and
//! `XIRR` over `Dated flows`; invested amounts, compute revenue and
//! billed spend are `SUMIFS` over `Ledger`; ratios divide the Excel cells
//! above them; inputs (rate, caps, margins, tranche amounts) come from
//! `Assumptions`.

use chrono::NaiveDate;
use rust_xlsxwriter::{RowNum, Worksheet, XlsxError};

use super::assumptions::Inputs;
use super::cells::{formula, rel, result, serial, text};
use super::dated::Block;
use super::flows::{CashFlows, Field};
use super::ledger::{Col, Ledger};
use super::shares::Share;
use super::style::{Num, Styles};
use crate::engine::FlowKind;
use crate::metrics::{Figure, PartyFigures};
use crate::Run;

pub const SHEET: &str = "Summary";

const HEADER: RowNum = 3;
const DEALSIM: u16 = 4;
const EXCEL: u16 = 5;
const DIFF: u16 = 6;
const NOTE: u16 = 7;

/// What the other sheets hold, for the formulas here.
pub struct Refs<'a> {
    pub ledger: &'a Ledger,
    pub inputs: &'a Inputs,
    pub cash: &'a CashFlows,
    pub dated: &'a [Block],
    pub shares: &'a [Share],
}

/// dealsim's value of a row.
enum Value {
    Num(f64),
    Date(Option<NaiveDate>, &'static str),
    Text(String),
}

impl Value {
    fn number(&self) -> Option<f64> {
        match self {
            Value::Num(v) => Some(*v),
            Value::Date(Some(d), _) => Some(serial(*d)),
            _ => None,
        }
    }

    fn figure(f: &Figure) -> Value {
        match f {
            Figure::Value(v) => Value::Num(*v),
            Figure::Undefined { undefined } => Value::Text(format!("undefined: {undefined}")),
        }
    }
}

/// One row of the table.
struct Line<'s> {
    subject: &'s str,
    metric: &'s str,
    unit: String,
    num: Num,
    dealsim: Value,
    /// The Excel formula checking it (written only when dealsim has a number).
    excel: Option<String>,
    note: String,
}

/// Writes rows one after another.
struct Table<'w> {
    ws: &'w mut Worksheet,
    st: &'w Styles,
    next: RowNum,
    section: &'static str,
}

impl Table<'_> {
    /// Writes a row; returns its row number (0-based).
    fn push(&mut self, line: Line) -> Result<RowNum, XlsxError> {
        let (r, st) = (self.next, self.st);
        self.next += 1;
        self.ws.write_string(r, 0, self.section)?;
        self.ws.write_string(r, 1, line.subject)?;
        self.ws.write_string(r, 2, line.metric)?;
        self.ws.write_string(r, 3, &line.unit)?;
        match &line.dealsim {
            Value::Num(v) => {
                self.ws
                    .write_number_with_format(r, DEALSIM, *v, st.input(line.num))?;
            }
            Value::Date(Some(d), _) => {
                self.ws
                    .write_number_with_format(r, DEALSIM, serial(*d), st.input(Num::Date))?;
            }
            Value::Date(None, none) => {
                self.ws.write_string(r, DEALSIM, *none)?;
            }
            Value::Text(t) => {
                self.ws.write_string(r, DEALSIM, t)?;
            }
        }
        if let (Some(f), Some(v)) = (&line.excel, line.dealsim.number()) {
            let num = if matches!(line.dealsim, Value::Date(..)) {
                Num::Date
            } else {
                line.num
            };
            formula(self.ws, r, EXCEL, f, v, st.formula(num))?;
            let diff = format!("{}-{}", rel(r, EXCEL), rel(r, DEALSIM));
            formula(self.ws, r, DIFF, &diff, 0.0, st.formula(Num::Difference))?;
        }
        if !line.note.is_empty() {
            self.ws
                .write_string_with_format(r, NOTE, &line.note, &st.note)?;
        }
        Ok(r)
    }
}

/// A row whose dealsim value is a number and whose Excel formula is `excel`.
fn num<'s>(
    subject: &'s str,
    metric: &'s str,
    unit: &str,
    num: Num,
    v: f64,
    excel: String,
) -> Line<'s> {
    Line {
        subject,
        metric,
        unit: unit.to_string(),
        num,
        dealsim: Value::Num(v),
        excel: Some(excel),
        note: String::new(),
    }
}

/// A row with dealsim's value only.
fn plain<'s>(subject: &'s str, metric: &'s str, unit: &str, num: Num, dealsim: Value) -> Line<'s> {
    Line {
        subject,
        metric,
        unit: unit.to_string(),
        num,
        dealsim,
        excel: None,
        note: String::new(),
    }
}

impl<'s> Line<'s> {
    fn note(mut self, note: impl Into<String>) -> Line<'s> {
        self.note = note.into();
        self
    }

    /// Keeps the formula only when `keep`.
    fn excel_if(mut self, keep: bool) -> Line<'s> {
        if !keep {
            self.excel = None;
        }
        self
    }
}

/// Writes the sheet.
pub fn write(run: &Run, st: &Styles, refs: &Refs) -> Result<Worksheet, XlsxError> {
    let m = &run.model;
    let mut ws = Worksheet::new();
    ws.set_name(SHEET)?;
    ws.write_string_with_format(0, 0, m.meta.name.replace("->", "\u{2192}"), &st.title)?;
    ws.write_string_with_format(1, 0, &m.meta.description, &st.note)?;
    ws.write_string_with_format(
        2,
        0,
        "Blue: numbers dealsim wrote (inputs and its results). Black: Excel formulas over the \
         other sheets. Difference = Excel - dealsim.",
        &st.note,
    )?;
    let unit = m.meta.money_label();
    let heads = [
        "Section".to_string(),
        "Subject".to_string(),
        "Metric".to_string(),
        "Unit".to_string(),
        "dealsim".to_string(),
        "Excel".to_string(),
        "Difference".to_string(),
        "Note".to_string(),
    ];
    for (c, h) in heads.iter().enumerate() {
        ws.write_string_with_format(HEADER, c as u16, h, &st.header)?;
    }
    let mut t = Table {
        ws: &mut ws,
        st,
        next: HEADER + 1,
        section: "Scenario",
    };
    scenario(run, &mut t, refs)?;
    t.section = "Party";
    parties(run, &mut t, refs, &unit)?;
    t.section = "Lab";
    labs(run, &mut t, refs, &unit)?;
    t.section = "Round trip";
    round_trips(run, &mut t, refs, &unit)?;
    t.section = "Revenue share";
    revenue_shares(run, &mut t, refs, &unit)?;
    t.section = "Tranche";
    tranches(run, &mut t, refs, &unit)?;
    t.section = "Credits";
    credits(run, &mut t, refs, &unit)?;
    t.section = "Commitment";
    commitments(run, &mut t, refs, &unit)?;
    t.section = "Check";
    let s = &run.summary;
    let chk = refs.cash.check_range();
    t.push(
        num(
            "Ledger",
            "Largest |sum of all parties' net| in a period",
            &unit,
            Num::Difference,
            s.ledger_imbalance,
            format!("MAX(MAX({chk}),-MIN({chk}))"),
        )
        .note("0 up to rounding: every flow has a payer and a payee"),
    )?;
    let last = t.next - 1;
    ws.autofilter(HEADER, 0, last, NOTE)?;
    ws.set_freeze_panes(HEADER + 1, 0)?;
    ws.set_landscape().set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(HEADER, HEADER)?;
    for (c, w) in [13.0, 26.0, 34.0, 7.0, 13.0, 13.0, 11.0, 70.0]
        .into_iter()
        .enumerate()
    {
        ws.set_column_width(c as u16, w)?;
    }
    Ok(ws)
}

fn scenario(run: &Run, t: &mut Table, refs: &Refs) -> Result<(), XlsxError> {
    let m = &run.model;
    let s = &run.summary;
    let file = super::assumptions::base_name(&run.warnings.file.name);
    t.push(plain("Scenario", "File", "", Num::Plain, Value::Text(file)))?;
    t.push(plain(
        "Scenario",
        "Start",
        "",
        Num::Date,
        Value::Date(Some(s.start), ""),
    ))?;
    t.push(plain(
        "Scenario",
        "End",
        "",
        Num::Date,
        Value::Date(Some(s.end), ""),
    ))?;
    t.push(plain(
        "Scenario",
        "Period",
        "",
        Num::Plain,
        Value::Text(s.period.clone()),
    ))?;
    let unit = format!("{} ({} of {})", s.unit, m.meta.unit.name(), m.meta.currency);
    t.push(plain(
        "Scenario",
        "Money unit",
        "",
        Num::Plain,
        Value::Text(unit),
    ))?;
    t.push(
        num(
            "Scenario",
            "Discount rate",
            "%/yr",
            Num::Percent,
            s.discount_rate,
            refs.inputs.cell(m.meta.discount_rate),
        )
        .note("NPV base date = scenario start, act/365"),
    )?;
    Ok(())
}

fn parties(run: &Run, t: &mut Table, refs: &Refs, unit: &str) -> Result<(), XlsxError> {
    let m = &run.model;
    let rate = refs.inputs.cell(m.meta.discount_rate);
    for pf in &run.summary.parties {
        let Some(p) = m.party_index(&pf.id) else {
            continue;
        };
        let Some(block) = refs.dated.iter().find(|b| b.party == p) else {
            continue;
        };
        let who = pf.name.as_str();
        let cash = refs.cash;
        t.push(plain(
            who,
            "Role",
            "",
            Num::Plain,
            Value::Text(pf.role.clone()),
        ))?;
        let paid = t.push(num(
            who,
            "Paid",
            unit,
            Num::Money,
            pf.paid,
            cash.total(p, Field::Outflow),
        ))?;
        let recv = t.push(num(
            who,
            "Received",
            unit,
            Num::Money,
            pf.received,
            cash.total(p, Field::Inflow),
        ))?;
        t.push(
            num(
                who,
                "Net",
                unit,
                Num::Money,
                pf.net,
                cash.total(p, Field::Net),
            )
            .note("received - paid, terminal value included"),
        )?;
        let tv = t.push(num(
            who,
            "Terminal value",
            unit,
            Num::Money,
            pf.terminal_value,
            cash.total(p, Field::Terminal),
        ))?;
        let id = text(&pf.id);
        let invested = format!(
            "{}+{}",
            refs.ledger.sumifs(&[
                (Col::Payer, id.clone()),
                (Col::Kind, text(FlowKind::Tranche.name()))
            ]),
            refs.ledger.sumifs(&[
                (Col::Payer, id.clone()),
                (Col::Kind, text(FlowKind::Credit.name()))
            ])
        );
        let inv = t.push(
            num(who, "Invested", unit, Num::Money, pf.invested, invested)
                .note("cash tranches paid + credits drawn"),
        )?;
        t.push(
            Line {
                dealsim: Value::figure(&pf.npv),
                ..num(who, "NPV", unit, Num::Money, 0.0, format!("XNPV({rate},{},{})", block.values(), block.dates()))
            }
            .note("XNPV over Dated flows; its first row (a zero on the scenario start) sets the base date"),
        )?;
        t.push(irr_line(who, pf, block))?;
        let moic = format!("{}/{}", rel(recv, EXCEL), rel(paid, EXCEL));
        t.push(
            Line {
                dealsim: Value::figure(&pf.moic),
                ..num(who, "MOIC", "x", Num::Multiple, 0.0, moic)
            }
            .note("received / paid, terminal value included"),
        )?;
        let eq = format!("{}/{}", rel(tv, EXCEL), rel(inv, EXCEL));
        t.push(
            Line {
                dealsim: Value::figure(&pf.equity_moic),
                ..num(who, "Equity MOIC", "x", Num::Multiple, 0.0, eq)
            }
            .note("terminal value / invested"),
        )?;
        let cum = block.cumulative();
        let peak = t.push(
            num(
                who,
                "Peak exposure",
                unit,
                Num::Money,
                pf.peak_exposure,
                format!("MIN(0,MIN({cum}))"),
            )
            .note("lowest cumulative net over the flows by date"),
        )?;
        let at = format!(
            "INDEX({},MATCH({},{cum},0))",
            block.dates(),
            rel(peak, EXCEL)
        );
        t.push(Line {
            dealsim: Value::Date(pf.peak_exposure_date, "none"),
            ..num(who, "Peak exposure date", "", Num::Date, 0.0, at)
        })?;
        t.push(
            plain(
                who,
                "Payback date",
                "",
                Num::Date,
                Value::Date(pf.payback_date, "not reached"),
            )
            .note("first date after the trough with cumulative net >= 0, terminal value included"),
        )?;
        t.push(
            plain(
                who,
                "Cash payback date",
                "",
                Num::Date,
                Value::Date(pf.cash_payback_date, "not reached"),
            )
            .note("the same on cash flows only"),
        )?;
        t.push(
            num(
                who,
                "Closing cash",
                unit,
                Num::Money,
                pf.closing_cash,
                cash.closing(p, Field::Cash),
            )
            .note("opening cash + cash flows; terminal value not counted"),
        )?;
    }
    Ok(())
}

/// IRR: `XIRR` from the party's first non-zero flow, guessed near dealsim's rate.
fn irr_line<'s>(who: &'s str, pf: &PartyFigures, block: &Block) -> Line<'s> {
    let excel = match (&pf.irr, block.xirr_ranges()) {
        (Figure::Value(r), Some((values, dates))) => {
            // A nearby guess, so that with several roots Excel looks for dealsim's.
            let guess = (r * 100.0).round() / 100.0;
            Some(format!("XIRR({values},{dates},{})", result(guess)))
        }
        _ => None,
    };
    let mut note = "XIRR over Dated flows from the first non-zero flow (Excel's XIRR returns \
                    about 0 when its range starts with zeros); guess: dealsim's rate to the \
                    whole percent"
        .to_string();
    if pf.irr_several_possible {
        note.push_str(
            "; the flows change sign more than once: several rates may zero the NPV, \
             dealsim reports the lowest",
        );
    }
    Line {
        subject: who,
        metric: "IRR",
        unit: "%/yr".into(),
        num: Num::Percent,
        dealsim: Value::figure(&pf.irr),
        excel,
        note,
    }
}

fn labs(run: &Run, t: &mut Table, refs: &Refs, unit: &str) -> Result<(), XlsxError> {
    let m = &run.model;
    let cash = refs.cash;
    for lf in &run.summary.labs {
        let Some(p) = m.party_index(&lf.id) else {
            continue;
        };
        let who = m.parties[p].name.as_str();
        let id = text(&lf.id);
        let kind = |k: FlowKind| (Col::Kind, text(k.name()));
        let revenue = refs
            .ledger
            .sumifs(&[(Col::Payee, id.clone()), kind(FlowKind::Revenue)]);
        let rev = t.push(num(who, "Revenue", unit, Num::Money, lf.revenue, revenue))?;
        let billed = refs
            .ledger
            .sumifs(&[(Col::Payer, id.clone()), kind(FlowKind::Compute)]);
        t.push(
            num(
                who,
                "Billed compute spend",
                unit,
                Num::Money,
                lf.billed_spend,
                billed,
            )
            .note("compute bought under its commitments, credit-funded spend included"),
        )?;
        let committed = t.push(
            plain(
                who,
                "Committed spend in the window",
                unit,
                Num::Money,
                Value::Num(lf.committed_spend),
            )
            .note("scheduled amount of its commitments inside the window"),
        )?;
        t.push(Line {
            dealsim: Value::figure(&lf.committed_to_revenue),
            ..num(
                who,
                "Committed spend / revenue",
                "x",
                Num::Ratio,
                0.0,
                format!("{}/{}", rel(committed, DEALSIM), rel(rev, EXCEL)),
            )
        })?;
        let balance = cash.range(p, Field::Cash);
        let low = t.push(
            num(
                who,
                "Lowest cash",
                unit,
                Num::Money,
                lf.lowest_cash,
                format!("MIN({balance})"),
            )
            .note("cash balance at period ends"),
        )?;
        let at = format!(
            "INDEX({},MATCH({},{balance},0))",
            cash.end_dates(),
            rel(low, EXCEL)
        );
        t.push(Line {
            dealsim: Value::Date(Some(lf.lowest_cash_date), ""),
            ..num(who, "Lowest cash date", "", Num::Date, 0.0, at)
        })?;
        t.push(plain(
            who,
            "First negative cash",
            "",
            Num::Date,
            Value::Date(lf.first_negative_cash, "never"),
        ))?;
    }
    Ok(())
}

fn round_trips(run: &Run, t: &mut Table, refs: &Refs, unit: &str) -> Result<(), XlsxError> {
    let m = &run.model;
    for rt in &run.summary.round_trips {
        let (Some(investor), Some(_)) = (m.party_index(&rt.investor), m.party_index(&rt.investee))
        else {
            continue;
        };
        let who = format!("{} \u{2192} {}", rt.investor, rt.investee);
        let who = who.as_str();
        let (a, b) = (text(&rt.investor), text(&rt.investee));
        let kind = |k: FlowKind| (Col::Kind, text(k.name()));
        let from_to = |payer: &str, payee: &str, k: FlowKind| {
            refs.ledger.sumifs(&[
                (Col::Payer, payer.to_string()),
                (Col::Payee, payee.to_string()),
                kind(k),
            ])
        };
        let invested = format!(
            "{}+{}",
            from_to(&a, &b, FlowKind::Tranche),
            from_to(&a, &b, FlowKind::Credit)
        );
        let inv = t.push(
            num(who, "Invested", unit, Num::Money, rt.invested, invested)
                .note("cash tranches + credits drawn"),
        )?;
        let compute = from_to(&b, &a, FlowKind::Compute);
        let comp = t.push(
            num(
                who,
                "Compute revenue from the investee",
                unit,
                Num::Money,
                rt.compute_revenue,
                compute,
            )
            .note("credit-funded spend included"),
        )?;
        let ratio = t.push(Line {
            dealsim: Value::figure(&rt.ratio),
            ..num(
                who,
                "Round trip",
                "x",
                Num::Ratio,
                0.0,
                format!("{}/{}", rel(comp, EXCEL), rel(inv, EXCEL)),
            )
        })?;
        let margin = m.parties[investor]
            .gross_margin
            .map_or("1".to_string(), |g| refs.inputs.cell(g));
        t.push(
            Line {
                dealsim: Value::figure(&rt.net_of_cost_of_serving),
                ..num(
                    who,
                    "Net round trip",
                    "x",
                    Num::Ratio,
                    0.0,
                    format!("{}*{margin}", rel(ratio, EXCEL)),
                )
            }
            .note("round trip x the provider's gross margin"),
        )?;
    }
    Ok(())
}

fn revenue_shares(run: &Run, t: &mut Table, refs: &Refs, unit: &str) -> Result<(), XlsxError> {
    let m = &run.model;
    for (i, (sf, rs)) in run
        .summary
        .revenue_shares
        .iter()
        .zip(&m.revenue_shares)
        .enumerate()
    {
        let who = format!("{} ({} \u{2192} {})", sf.id, sf.payer, sf.payee);
        let who = who.as_str();
        let crit = [
            (Col::Deal, text(&rs.id)),
            (Col::Kind, text(FlowKind::RevenueShare.name())),
        ];
        let paid = t.push(num(
            who,
            "Paid in the run",
            unit,
            Num::Money,
            sf.paid_in_run,
            refs.ledger.sumifs(&crit),
        ))?;
        let before = t.push(num(
            who,
            "Paid before the run",
            unit,
            Num::Money,
            sf.paid_to_date_before,
            refs.inputs.cell(rs.paid_to_date),
        ))?;
        let total = sf.paid_in_run + sf.paid_to_date_before;
        let closing = refs
            .shares
            .iter()
            .find(|s| s.index == i)
            .map(Share::closing);
        let cum = t.push(
            num(
                who,
                "Cumulative paid",
                unit,
                Num::Money,
                total,
                format!("{}+{}", rel(paid, EXCEL), rel(before, EXCEL)),
            )
            .note("counts toward the cap"),
        )?;
        if let Some(closing) = closing {
            t.push(
                num(
                    who,
                    "Cumulative paid, last period",
                    unit,
                    Num::Money,
                    total,
                    closing,
                )
                .note("the Revenue share sheet's running total"),
            )?;
        }
        if let (Some(cap), Some(cap_p)) = (sf.cap, rs.cap) {
            let c = t.push(num(
                who,
                "Cap",
                unit,
                Num::Money,
                cap,
                refs.inputs.cell(cap_p),
            ))?;
            t.push(num(
                who,
                "Remaining under the cap",
                unit,
                Num::Money,
                cap - total,
                format!("{}-{}", rel(c, EXCEL), rel(cum, EXCEL)),
            ))?;
            t.push(
                plain(who, "Cap reached on", "", Num::Date, Value::Date(sf.cap_reached, "not reached"))
                    .note("the end of the period whose payment reaches the cap; see the Revenue share sheet"),
            )?;
        }
    }
    Ok(())
}

fn tranches(run: &Run, t: &mut Table, refs: &Refs, unit: &str) -> Result<(), XlsxError> {
    let m = &run.model;
    let all = m.investments.iter().flat_map(|inv| inv.tranches.iter());
    for (ts, tr) in run.summary.tranches.iter().zip(all) {
        let who = format!("{}/{}", ts.investment, ts.tranche);
        let who = who.as_str();
        let when = match (&ts.milestone, ts.expected, ts.deadline) {
            (Some(ms), Some(e), Some(d)) => {
                format!("on milestone `{ms}`, expected {e}, deadline {d}")
            }
            (None, Some(e), _) => format!("dated {e}"),
            _ => String::new(),
        };
        let amount = t.push(
            num(
                who,
                "Amount",
                unit,
                Num::Money,
                ts.amount,
                refs.inputs.cell(tr.amount),
            )
            .note(format!("{} \u{2192} {}", ts.investor, ts.investee)),
        )?;
        t.push(
            plain(
                who,
                "Paid on",
                "",
                Num::Date,
                Value::Date(ts.paid, "not paid"),
            )
            .note(when),
        )?;
        let stake = format!("{}/{}", rel(amount, EXCEL), refs.inputs.cell(tr.post_money));
        t.push(
            num(who, "Stake", "%", Num::Percent, ts.stake, stake)
                .excel_if(ts.paid.is_some())
                .note("amount / post-money, credits included; unpaid tranches buy nothing"),
        )?;
    }
    Ok(())
}

fn credits(run: &Run, t: &mut Table, refs: &Refs, unit: &str) -> Result<(), XlsxError> {
    for cf in &run.summary.credits {
        let who = cf.investment.as_str();
        t.push(plain(
            who,
            "Granted",
            unit,
            Num::Money,
            Value::Num(cf.granted),
        ))?;
        let crit = [
            (Col::Deal, text(&cf.investment)),
            (Col::Kind, text(FlowKind::Credit.name())),
        ];
        t.push(num(
            who,
            "Drawn",
            unit,
            Num::Money,
            cf.drawn,
            refs.ledger.sumifs(&crit),
        ))?;
        t.push(plain(
            who,
            "Lapsed",
            unit,
            Num::Money,
            Value::Num(cf.lapsed),
        ))?;
        t.push(
            plain(
                who,
                "Unused at the horizon",
                unit,
                Num::Money,
                Value::Num(cf.unused_at_horizon),
            )
            .note(cf.expiry.map_or(String::new(), |d| format!("expiry {d}"))),
        )?;
    }
    Ok(())
}

fn commitments(run: &Run, t: &mut Table, refs: &Refs, unit: &str) -> Result<(), XlsxError> {
    let m = &run.model;
    for (cf, cm) in run.summary.commitments.iter().zip(&m.commitments) {
        let who = format!("{} ({} \u{2192} {})", cf.id, cf.buyer, cf.provider);
        let who = who.as_str();
        t.push(num(
            who,
            "Total",
            unit,
            Num::Money,
            cf.total,
            refs.inputs.cell(cm.total),
        ))?;
        t.push(
            plain(
                who,
                "Scheduled in the window",
                unit,
                Num::Money,
                Value::Num(cf.scheduled_in_window),
            )
            .note(format!("ramp: {}", cm.ramp.name())),
        )?;
        let crit = [
            (Col::Deal, text(&cm.id)),
            (Col::Kind, text(FlowKind::Compute.name())),
        ];
        t.push(
            num(
                who,
                "Billed",
                unit,
                Num::Money,
                cf.billed,
                refs.ledger.sumifs(&crit),
            )
            .note("take-or-pay floor <= billed <= schedule"),
        )?;
        t.push(
            plain(
                who,
                "Outside the window",
                unit,
                Num::Money,
                Value::Num(cf.outside_window),
            )
            .note("parts of the contract before the start or after the end"),
        )?;
    }
    Ok(())
}
