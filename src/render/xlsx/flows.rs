//! The period sheets: `Cash flows` (each party's inflow, outflow, net,
//! terminal value, cumulative net and cash balance by period, with totals)
//! and `Flows by kind` (each party's signed flows by kind and period, what
//! its column chart stacks).
//!
//! Inflows, outflows and flows by kind are `SUMIFS` over the `Ledger`
//! sheet; net, cumulative net, cash balance and totals are arithmetic on
//! those cells. Conventions as in `docs/conventions.md`: the terminal value
//! counts in net and cumulative net, not in the cash balance, which starts
//! from the party's opening cash on `Assumptions`.

use rust_xlsxwriter::{ColNum, RowNum, Worksheet, XlsxError};

use super::assumptions::Inputs;
use super::cells::{at, col, column, fixed_col, formula, rel, row, serial, text};
use super::ledger::{Col, Ledger};
use super::palette::Parties;
use super::style::{Num, Styles};
use crate::engine::FlowKind;
use crate::model::EXTERNAL;
use crate::Run;

pub const CASH: &str = "Cash flows";
pub const KINDS: &str = "Flows by kind";

/// First data row of both sheets (rows 0 and 1 are headers).
pub const FIRST: RowNum = 2;
/// Columns before the party blocks: period, start, end (Cash flows).
const LEAD: usize = 3;

/// A column of a party's block on `Cash flows`.
#[derive(Debug, Clone, Copy)]
pub enum Field {
    Inflow = 0,
    Outflow = 1,
    Net = 2,
    Terminal = 3,
    Cumulative = 4,
    Cash = 5,
}

const FIELDS: usize = 6;

/// Where each party's columns are on `Cash flows`.
pub struct CashFlows {
    pub last: RowNum,
    pub total: RowNum,
    /// (party index, first column of its block).
    blocks: Vec<(usize, ColNum)>,
    pub check_col: ColNum,
}

impl CashFlows {
    fn block(&self, party: usize) -> ColNum {
        self.blocks
            .iter()
            .find(|(p, _)| *p == party)
            .map_or(0, |(_, c)| *c)
    }

    pub fn col(&self, party: usize, f: Field) -> ColNum {
        self.block(party) + f as ColNum
    }

    /// The data cells of a party's field, e.g. its cumulative net.
    pub fn range(&self, party: usize, f: Field) -> String {
        column(CASH, self.col(party, f), FIRST, self.last)
    }

    /// The totals-row cell of a party's field.
    pub fn total(&self, party: usize, f: Field) -> String {
        at(CASH, self.total, self.col(party, f))
    }

    /// The last period's cell of a party's field.
    pub fn closing(&self, party: usize, f: Field) -> String {
        at(CASH, self.last, self.col(party, f))
    }

    /// The period end dates.
    pub fn end_dates(&self) -> String {
        column(CASH, 2, FIRST, self.last)
    }

    pub fn check_range(&self) -> String {
        column(CASH, self.check_col, FIRST, self.last)
    }
}

/// Deal parties in file order, then `external` (so the check column balances).
fn cash_parties(run: &Run) -> Vec<usize> {
    let mut v: Vec<usize> = run.model.deal_parties().map(|(i, _)| i).collect();
    v.push(EXTERNAL);
    v
}

/// Whether a party has any flow in the run.
pub fn has_flows(run: &Run, party: usize) -> bool {
    run.ledger
        .flows
        .iter()
        .any(|f| f.payer as usize == party || f.payee as usize == party)
}

/// Period number and dates in the first columns of a period sheet.
fn period_columns(
    run: &Run,
    ws: &mut Worksheet,
    st: &Styles,
    start: bool,
) -> Result<(), XlsxError> {
    let mut heads = vec!["Period"];
    if start {
        heads.push("Start");
    }
    heads.push("End");
    for (c, h) in heads.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, *h, &st.header)?;
        ws.write_blank(0, c as u16, &st.group)?;
    }
    for (k, p) in run.model.grid.periods.iter().enumerate() {
        let r = row(FIRST as usize, k)?;
        ws.write_number_with_format(r, 0, (k + 1) as f64, st.input(Num::Count))?;
        let mut c = 1;
        if start {
            ws.write_number_with_format(r, c, serial(p.start), st.input(Num::Date))?;
            c += 1;
        }
        ws.write_number_with_format(r, c, serial(p.end), st.input(Num::Date))?;
    }
    ws.set_column_width(0, 7)?;
    ws.set_column_range_width(1, heads.len() as u16 - 1, 11)?;
    Ok(())
}

/// A party's name over its block, in its colour.
fn group_header(
    ws: &mut Worksheet,
    st: &Styles,
    colors: &Parties,
    party: (usize, &str),
    first: ColNum,
    last: ColNum,
) -> Result<(), XlsxError> {
    let c = colors.text(party.0);
    let fmt = st.party(c);
    if last > first {
        ws.merge_range(0, first, 0, last, party.1, &fmt)?;
    } else {
        ws.write_string_with_format(0, first, party.1, &fmt)?;
    }
    Ok(())
}

/// Writes `Cash flows`.
pub fn write_cash(
    run: &Run,
    st: &Styles,
    colors: &Parties,
    ledger: &Ledger,
    inputs: &Inputs,
) -> Result<(Worksheet, CashFlows), XlsxError> {
    let m = &run.model;
    let t = &run.table;
    let n = m.grid.len();
    let unit = m.meta.money_label();
    let mut ws = Worksheet::new();
    ws.set_name(CASH)?;
    period_columns(run, &mut ws, st, true)?;
    let parties = cash_parties(run);
    let blocks: Vec<(usize, ColNum)> = parties
        .iter()
        .enumerate()
        .map(|(j, &p)| Ok((p, col(LEAD, j * FIELDS)?)))
        .collect::<Result<_, XlsxError>>()?;
    let last = row(FIRST as usize, n.max(1) - 1)?;
    let layout = CashFlows {
        last,
        total: last + 1,
        check_col: col(LEAD, parties.len() * FIELDS)?,
        blocks,
    };
    let heads = [
        "Inflow",
        "Outflow",
        "Net",
        "Terminal value",
        "Cumulative net",
        "Cash balance",
    ];
    for &p in &parties {
        let c0 = layout.block(p);
        group_header(&mut ws, st, colors, (p, &m.parties[p].name), c0, c0 + 5)?;
        for (i, h) in heads.iter().enumerate() {
            ws.write_string_with_format(1, c0 + i as u16, format!("{h} ({unit})"), &st.header)?;
        }
        party_columns(run, &mut ws, st, ledger, inputs, &layout, p)?;
    }
    // Every flow has a payer and a payee: the parties' nets add up to zero.
    let check = layout.check_col;
    ws.write_blank(0, check, &st.group)?;
    ws.write_string_with_format(
        1,
        check,
        format!("All parties: net ({unit}), 0 if balanced"),
        &st.header,
    )?;
    for k in 0..n {
        let r = FIRST + k as RowNum;
        let cells: Vec<String> = parties
            .iter()
            .map(|&p| rel(r, layout.col(p, Field::Net)))
            .collect();
        let value: f64 = parties.iter().map(|&p| t.net(p, k)).sum();
        formula(
            &mut ws,
            r,
            check,
            &format!("SUM({})", cells.join(",")),
            value,
            st.formula(Num::Money),
        )?;
    }
    totals_row(run, &mut ws, st, &layout, &parties)?;
    ws.set_column_range_width(LEAD as u16, check, 13)?;
    ws.set_row_height(1, 30)?;
    ws.set_freeze_panes(FIRST, LEAD as u16)?;
    Ok((ws, layout))
}

/// The six columns of one party, every period.
fn party_columns(
    run: &Run,
    ws: &mut Worksheet,
    st: &Styles,
    ledger: &Ledger,
    inputs: &Inputs,
    layout: &CashFlows,
    p: usize,
) -> Result<(), XlsxError> {
    let m = &run.model;
    let t = &run.table;
    let id = text(&m.parties[p].id);
    let fmt = st.formula(Num::Money);
    let c = |f: Field| layout.col(p, f);
    let (mut cumulative, opening) = (0.0, inputs.cell(m.parties[p].opening_cash));
    for k in 0..m.grid.len() {
        let r = FIRST + k as RowNum;
        let period = (Col::Period, fixed_col(r, 0));
        let i = p * t.periods + k;
        let inflow = ledger.sumifs(&[(Col::Payee, id.clone()), period.clone()]);
        formula(ws, r, c(Field::Inflow), &inflow, t.inflow[i], fmt)?;
        let outflow = ledger.sumifs(&[(Col::Payer, id.clone()), period.clone()]);
        formula(ws, r, c(Field::Outflow), &outflow, t.outflow[i], fmt)?;
        let net = t.inflow[i] - t.outflow[i];
        let net_f = format!("{}-{}", rel(r, c(Field::Inflow)), rel(r, c(Field::Outflow)));
        formula(ws, r, c(Field::Net), &net_f, net, fmt)?;
        let tv_crit = (Col::Kind, text(FlowKind::TerminalValue.name()));
        let tv = ledger.signed(&m.parties[p].id, &[period, tv_crit]);
        formula(
            ws,
            r,
            c(Field::Terminal),
            &tv,
            t.kind(p, k, FlowKind::TerminalValue),
            fmt,
        )?;
        cumulative += net;
        let (cum_f, cash_f) = if k == 0 {
            (
                rel(r, c(Field::Net)),
                format!(
                    "{opening}+{}-{}",
                    rel(r, c(Field::Net)),
                    rel(r, c(Field::Terminal))
                ),
            )
        } else {
            (
                format!(
                    "{}+{}",
                    rel(r - 1, c(Field::Cumulative)),
                    rel(r, c(Field::Net))
                ),
                format!(
                    "{}+{}-{}",
                    rel(r - 1, c(Field::Cash)),
                    rel(r, c(Field::Net)),
                    rel(r, c(Field::Terminal))
                ),
            )
        };
        formula(ws, r, c(Field::Cumulative), &cum_f, cumulative, fmt)?;
        formula(ws, r, c(Field::Cash), &cash_f, t.cash_balance(p, k), fmt)?;
    }
    Ok(())
}

/// Totals of the flow columns (cumulative net and cash balance are running
/// figures: their total is the last period's value).
fn totals_row(
    run: &Run,
    ws: &mut Worksheet,
    st: &Styles,
    layout: &CashFlows,
    parties: &[usize],
) -> Result<(), XlsxError> {
    let t = &run.table;
    let n = run.model.grid.len();
    let r = layout.total;
    ws.write_string_with_format(r, 0, "Total", &st.bold)?;
    let sum = |c: ColNum| format!("SUM({}:{})", rel(FIRST, c), rel(layout.last, c));
    for &p in parties {
        let inflow: f64 = (0..n).map(|k| t.inflow[p * t.periods + k]).sum();
        let outflow: f64 = (0..n).map(|k| t.outflow[p * t.periods + k]).sum();
        let net: f64 = (0..n).map(|k| t.net(p, k)).sum();
        let tv: f64 = (0..n).map(|k| t.kind(p, k, FlowKind::TerminalValue)).sum();
        for (f, v) in [
            (Field::Inflow, inflow),
            (Field::Outflow, outflow),
            (Field::Net, net),
            (Field::Terminal, tv),
        ] {
            formula(
                ws,
                r,
                layout.col(p, f),
                &sum(layout.col(p, f)),
                v,
                st.total(Num::Money),
            )?;
        }
        for f in [Field::Cumulative, Field::Cash] {
            ws.write_blank(r, layout.col(p, f), st.total(Num::Money))?;
        }
    }
    let check: f64 = parties
        .iter()
        .map(|&p| (0..n).map(|k| t.net(p, k)).sum::<f64>())
        .sum();
    formula(
        ws,
        r,
        layout.check_col,
        &sum(layout.check_col),
        check,
        st.total(Num::Money),
    )?;
    Ok(())
}

/// Where each party's kind columns are on `Flows by kind`.
pub struct Kinds {
    pub last: RowNum,
    /// (party, [(kind, column)]) for each deal party with flows.
    pub blocks: Vec<(usize, Vec<(FlowKind, ColNum)>)>,
}

impl Kinds {
    pub fn range(&self, c: ColNum) -> String {
        column(KINDS, c, FIRST, self.last)
    }

    pub fn end_dates(&self) -> String {
        column(KINDS, 1, FIRST, self.last)
    }
}

/// Writes `Flows by kind`: per deal party, a column per kind it has.
pub fn write_kinds(
    run: &Run,
    st: &Styles,
    colors: &Parties,
    ledger: &Ledger,
) -> Result<(Worksheet, Kinds), XlsxError> {
    let m = &run.model;
    let t = &run.table;
    let n = m.grid.len();
    let unit = m.meta.money_label();
    let mut ws = Worksheet::new();
    ws.set_name(KINDS)?;
    period_columns(run, &mut ws, st, false)?;
    let last = row(FIRST as usize, n.max(1) - 1)?;
    let mut blocks = Vec::new();
    let mut next = 2usize;
    for (p, party) in m.deal_parties().filter(|(p, _)| has_flows(run, *p)) {
        let kinds: Vec<FlowKind> = FlowKind::ALL
            .into_iter()
            .filter(|&k| (0..n).any(|i| t.kind(p, i, k) != 0.0))
            .collect();
        if kinds.is_empty() {
            continue;
        }
        let first = col(next, 0)?;
        let cols: Vec<(FlowKind, ColNum)> = kinds
            .iter()
            .enumerate()
            .map(|(i, &k)| Ok((k, col(next, i)?)))
            .collect::<Result<_, XlsxError>>()?;
        next += kinds.len() + 1;
        group_header(
            &mut ws,
            st,
            colors,
            (p, &party.name),
            first,
            first + kinds.len() as u16 - 1,
        )?;
        for &(k, c) in &cols {
            ws.write_string_with_format(1, c, format!("{} ({unit})", k.label()), &st.header)?;
            kind_column(run, &mut ws, st, ledger, (p, k), c, last)?;
        }
        blocks.push((p, cols));
    }
    ws.set_column_range_width(2, col(next, 0)?, 13)?;
    ws.set_row_height(1, 30)?;
    ws.set_freeze_panes(FIRST, 2)?;
    Ok((ws, Kinds { last, blocks }))
}

/// One party's signed flows of one kind, every period, and their total.
fn kind_column(
    run: &Run,
    ws: &mut Worksheet,
    st: &Styles,
    ledger: &Ledger,
    (p, kind): (usize, FlowKind),
    c: ColNum,
    last: RowNum,
) -> Result<(), XlsxError> {
    let m = &run.model;
    let t = &run.table;
    let mut total = 0.0;
    for k in 0..m.grid.len() {
        let r = FIRST + k as RowNum;
        let crit = [
            (Col::Period, fixed_col(r, 0)),
            (Col::Kind, text(kind.name())),
        ];
        let v = t.kind(p, k, kind);
        total += v;
        formula(
            ws,
            r,
            c,
            &ledger.signed(&m.parties[p].id, &crit),
            v,
            st.formula(Num::Money),
        )?;
    }
    ws.write_string_with_format(last + 1, 0, "Total", &st.bold)?;
    let sum = format!("SUM({}:{})", rel(FIRST, c), rel(last, c));
    formula(ws, last + 1, c, &sum, total, st.total(Num::Money))
}
