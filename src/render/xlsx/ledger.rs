//! The `Ledger` sheet: every flow of the run, one row each (the tidy table
//! of `cashflows.csv`), and the `SUMIFS` the other sheets total it with.
//!
//! The ledger is the only data the sheets aggregate: per-period, per-kind
//! and per-date amounts elsewhere are `SUMIFS` over its columns, so an
//! analyst can trace any total back to the flows it adds up.

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::cells::{column, row, serial, text};
use super::style::{Num, Styles};
use crate::engine::Flow;
use crate::Run;

pub const SHEET: &str = "Ledger";

/// A column of the ledger sheet.
#[derive(Debug, Clone, Copy)]
pub enum Col {
    Date = 0,
    Period = 1,
    Payer = 3,
    Payee = 4,
    Deal = 5,
    Kind = 6,
    Amount = 7,
}

/// Where the ledger's rows are, for formulas on other sheets.
pub struct Ledger {
    /// Last data row (0-based; the header is row 0). At least 1, so ranges
    /// are well formed even for a run without flows.
    last: u32,
}

impl Ledger {
    /// `Ledger!$H$2:$H$n` for a column.
    pub fn range(&self, c: Col) -> String {
        column(SHEET, c as u16, 1, self.last)
    }

    /// `SUMIFS(amount, <col>, <criterion>, ...)`; criteria are formula
    /// fragments (a cell reference or a quoted string from [`text`]).
    pub fn sumifs(&self, criteria: &[(Col, String)]) -> String {
        let mut f = format!("SUMIFS({}", self.range(Col::Amount));
        for (c, crit) in criteria {
            f.push_str(&format!(",{},{crit}", self.range(*c)));
        }
        f.push(')');
        f
    }

    /// A party's received minus paid amounts matching `criteria`:
    /// `SUMIFS(payee = id, ...) - SUMIFS(payer = id, ...)`.
    pub fn signed(&self, party: &str, criteria: &[(Col, String)]) -> String {
        let side = |c: Col| {
            let mut all = vec![(c, text(party))];
            all.extend(criteria.iter().cloned());
            self.sumifs(&all)
        };
        format!("{}-{}", side(Col::Payee), side(Col::Payer))
    }
}

/// The flows in the order of `cashflows.csv`: by date, the engine's order within a date.
pub fn sorted_flows(run: &Run) -> Vec<Flow> {
    let mut flows = run.ledger.flows.clone();
    flows.sort_by_key(|f| f.date);
    flows
}

/// Writes the sheet.
pub fn write(run: &Run, st: &Styles) -> Result<(Worksheet, Ledger), XlsxError> {
    let m = &run.model;
    let mut ws = Worksheet::new();
    ws.set_name(SHEET)?;
    let unit = m.meta.money_label();
    let headers = [
        "Date".to_string(),
        "Period".to_string(),
        "Period end".to_string(),
        "Payer".to_string(),
        "Payee".to_string(),
        "Deal".to_string(),
        "Kind".to_string(),
        format!("Amount ({unit})"),
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &st.header)?;
    }
    let flows = sorted_flows(run);
    let party = |i: u16| m.parties[i as usize].id.as_str();
    for (i, f) in flows.iter().enumerate() {
        let r = row(1, i)?;
        ws.write_number_with_format(r, 0, serial(f.date), st.input(Num::Date))?;
        ws.write_number_with_format(r, 1, f64::from(f.period + 1), st.input(Num::Count))?;
        let end = m.grid.periods[f.period as usize].end;
        ws.write_number_with_format(r, 2, serial(end), st.input(Num::Date))?;
        ws.write_string(r, 3, party(f.payer))?;
        ws.write_string(r, 4, party(f.payee))?;
        ws.write_string(r, 5, f.deal.id(m))?;
        ws.write_string(r, 6, f.kind.name())?;
        ws.write_number_with_format(r, 7, f.amount, st.input(Num::Money))?;
    }
    let last = row(0, flows.len().max(1))?;
    ws.autofilter(0, 0, last, 7)?;
    ws.set_freeze_panes(1, 0)?;
    for (c, w) in [11.0, 7.0, 11.0, 12.0, 12.0, 24.0, 16.0, 13.0]
        .into_iter()
        .enumerate()
    {
        ws.set_column_width(c as u16, w)?;
    }
    Ok((ws, Ledger { last }))
}
