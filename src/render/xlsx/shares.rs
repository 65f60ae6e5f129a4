//! The `Revenue share` sheet (only when the scenario has revenue shares):
//! per share and period, the payment, the cumulative total (payments before
//! the run included) against the cap, and what remains under it.
//!
//! Payments are `SUMIFS` over the `Ledger`; paid-to-date and the cap are
//! read from `Assumptions`.

use rust_xlsxwriter::{ColNum, RowNum, Worksheet, XlsxError};

use super::assumptions::Inputs;
use super::cells::{col, column, fixed_col, formula, rel, row, serial, text};
use super::ledger::{Col, Ledger};
use super::style::{Num, Styles};
use crate::engine::{Deal, FlowKind};
use crate::Run;

pub const SHEET: &str = "Revenue share";

const FIRST: RowNum = 2;

/// Where one share's columns are.
pub struct Share {
    pub index: usize,
    paid: ColNum,
    cap: Option<ColNum>,
    pub last: RowNum,
}

impl Share {
    /// The cumulative column (paid to date before the run included).
    pub fn cumulative(&self) -> String {
        column(SHEET, self.paid + 1, FIRST, self.last)
    }

    pub fn cap(&self) -> Option<String> {
        self.cap.map(|c| column(SHEET, c, FIRST, self.last))
    }

    pub fn closing(&self) -> String {
        super::cells::at(SHEET, self.last, self.paid + 1)
    }

    pub fn end_dates(&self) -> String {
        column(SHEET, 1, FIRST, self.last)
    }
}

/// Payments of share `s` by period (dealsim's).
fn paid_by_period(run: &Run, s: usize) -> Vec<f64> {
    let mut paid = vec![0.0; run.model.grid.len()];
    for f in &run.ledger.flows {
        if f.deal == Deal::RevenueShare(s as u16) && f.kind == FlowKind::RevenueShare {
            paid[f.period as usize] += f.amount;
        }
    }
    paid
}

/// Writes the sheet, or nothing when the scenario has no revenue share.
pub fn write(
    run: &Run,
    st: &Styles,
    ledger: &Ledger,
    inputs: &Inputs,
) -> Result<Option<(Worksheet, Vec<Share>)>, XlsxError> {
    let m = &run.model;
    if m.revenue_shares.is_empty() {
        return Ok(None);
    }
    let unit = m.meta.money_label();
    let v = &m.params.values;
    let mut ws = Worksheet::new();
    ws.set_name(SHEET)?;
    for (c, h) in ["Period", "End"].iter().enumerate() {
        ws.write_blank(0, c as u16, &st.group)?;
        ws.write_string_with_format(1, c as u16, *h, &st.header)?;
    }
    let n = m.grid.len();
    let last = row(FIRST as usize, n.max(1) - 1)?;
    for (k, p) in m.grid.periods.iter().enumerate() {
        let r = row(FIRST as usize, k)?;
        ws.write_number_with_format(r, 0, (k + 1) as f64, st.input(Num::Count))?;
        ws.write_number_with_format(r, 1, serial(p.end), st.input(Num::Date))?;
    }
    let mut shares = Vec::new();
    let mut next = 2usize;
    for (s, rs) in m.revenue_shares.iter().enumerate() {
        let width = if rs.cap.is_some() { 4 } else { 2 };
        let c0 = col(next, 0)?;
        next += width + 1;
        let title = format!(
            "{}: {} \u{2192} {}",
            rs.id, m.parties[rs.payer].name, m.parties[rs.payee].name
        );
        ws.merge_range(0, c0, 0, c0 + width as u16 - 1, &title, &st.group)?;
        let heads = [
            "Paid",
            "Cumulative, incl. paid before the run",
            "Cap",
            "Remaining under the cap",
        ];
        for (i, h) in heads.iter().take(width).enumerate() {
            ws.write_string_with_format(1, c0 + i as u16, format!("{h} ({unit})"), &st.header)?;
        }
        let paid = paid_by_period(run, s);
        let mut cumulative = rs.paid_to_date.of(v);
        for (k, &amount) in paid.iter().enumerate() {
            let r = FIRST + k as RowNum;
            let crit = [
                (Col::Deal, text(&rs.id)),
                (Col::Kind, text(FlowKind::RevenueShare.name())),
                (Col::Period, fixed_col(r, 0)),
            ];
            formula(
                &mut ws,
                r,
                c0,
                &ledger.sumifs(&crit),
                amount,
                st.formula(Num::Money),
            )?;
            cumulative += amount;
            let prev = if k == 0 {
                inputs.cell(rs.paid_to_date)
            } else {
                rel(r - 1, c0 + 1)
            };
            let cum = format!("{prev}+{}", rel(r, c0));
            formula(&mut ws, r, c0 + 1, &cum, cumulative, st.formula(Num::Money))?;
            if let Some(cap) = rs.cap {
                formula(
                    &mut ws,
                    r,
                    c0 + 2,
                    &inputs.cell(cap),
                    cap.of(v),
                    st.formula(Num::Money),
                )?;
                let left = format!("{}-{}", rel(r, c0 + 2), rel(r, c0 + 1));
                formula(
                    &mut ws,
                    r,
                    c0 + 3,
                    &left,
                    cap.of(v) - cumulative,
                    st.formula(Num::Money),
                )?;
            }
        }
        ws.set_column_range_width(c0, c0 + width as u16 - 1, 14)?;
        shares.push(Share {
            index: s,
            paid: c0,
            cap: rs.cap.map(|_| c0 + 2),
            last,
        });
    }
    ws.set_column_width(0, 7)?;
    ws.set_column_width(1, 11)?;
    ws.set_row_height(1, 45)?;
    ws.set_freeze_panes(FIRST, 2)?;
    Ok(Some((ws, shares)))
}
