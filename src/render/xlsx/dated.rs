//! The `Dated flows` sheet: each deal party's net flow on every date it has
//! flows (tranches, payments and the terminal value carry their own dates
//! within periods), what the Summary's `XNPV` and `XIRR` read.
//!
//! Flows on one date are netted, as dealsim's metrics do. Each party's
//! table starts with a zero flow on the scenario start: Excel's `XNPV`
//! discounts to the first date of its range, so that row makes the scenario
//! start the base date, dealsim's convention (docs/conventions.md, section
//! 12). `XIRR` reads from the party's first non-zero flow instead, because
//! Excel's `XIRR` returns about 0 when its range starts with zeros.

use chrono::NaiveDate;
use rust_xlsxwriter::{ColNum, Note, RowNum, Worksheet, XlsxError};

use super::cells::{column, fixed_col, formula, rel, row, serial};
use super::ledger::{Col, Ledger};
use super::palette::Parties;
use super::style::{Num, Styles};
use crate::Run;

pub const SHEET: &str = "Dated flows";

const FIRST: RowNum = 2;
/// Date, net flow, cumulative net, and a blank column between parties.
const WIDTH: usize = 4;

/// One party's table.
pub struct Block {
    pub party: usize,
    date_col: ColNum,
    /// The last row (the first is the zero row at the scenario start).
    last: RowNum,
    /// The first row with a non-zero net flow, if any.
    first_nonzero: Option<RowNum>,
}

impl Block {
    pub fn dates(&self) -> String {
        column(SHEET, self.date_col, FIRST, self.last)
    }

    pub fn values(&self) -> String {
        column(SHEET, self.date_col + 1, FIRST, self.last)
    }

    pub fn cumulative(&self) -> String {
        column(SHEET, self.date_col + 2, FIRST, self.last)
    }

    /// Values and dates from the first non-zero flow, for `XIRR`.
    pub fn xirr_ranges(&self) -> Option<(String, String)> {
        self.first_nonzero.map(|r| {
            (
                column(SHEET, self.date_col + 1, r, self.last),
                column(SHEET, self.date_col, r, self.last),
            )
        })
    }
}

/// A party's signed flows netted by date (sorted; dates whose flows cancel stay).
pub fn by_date(run: &Run, party: usize) -> Vec<(NaiveDate, f64)> {
    let mut dated: Vec<(NaiveDate, f64)> = run
        .ledger
        .flows
        .iter()
        .filter_map(|f| {
            if f.payee as usize == party {
                Some((f.date, f.amount))
            } else if f.payer as usize == party {
                Some((f.date, -f.amount))
            } else {
                None
            }
        })
        .collect();
    dated.sort_by_key(|x| x.0);
    let mut out: Vec<(NaiveDate, f64)> = Vec::new();
    for (d, a) in dated {
        match out.last_mut() {
            Some(last) if last.0 == d => last.1 += a,
            _ => out.push((d, a)),
        }
    }
    out
}

/// Writes the sheet: one table per deal party.
pub fn write(
    run: &Run,
    st: &Styles,
    colors: &Parties,
    ledger: &Ledger,
) -> Result<(Worksheet, Vec<Block>), XlsxError> {
    let m = &run.model;
    let unit = m.meta.money_label();
    let mut ws = Worksheet::new();
    ws.set_name(SHEET)?;
    let mut blocks = Vec::new();
    for (j, (p, party)) in m.deal_parties().enumerate() {
        let c0 = super::cells::col(j * WIDTH, 0)?;
        let c = colors.text(p);
        ws.merge_range(0, c0, 0, c0 + 2, &party.name, &st.party(c))?;
        for (i, h) in [
            "Date".to_string(),
            format!("Net flow ({unit})"),
            format!("Cumulative net ({unit})"),
        ]
        .iter()
        .enumerate()
        {
            ws.write_string_with_format(1, c0 + i as u16, h, &st.header)?;
        }
        let flows = by_date(run, p);
        let block = party_table(run, &mut ws, st, ledger, (p, c0), flows)?;
        ws.set_column_width(c0, 11)?;
        ws.set_column_range_width(c0 + 1, c0 + 2, 13)?;
        ws.set_column_width(c0 + 3, 3)?;
        blocks.push(block);
    }
    ws.set_row_height(1, 30)?;
    ws.set_freeze_panes(FIRST, 0)?;
    Ok((ws, blocks))
}

/// The zero row at the scenario start, then one row per date.
fn party_table(
    run: &Run,
    ws: &mut Worksheet,
    st: &Styles,
    ledger: &Ledger,
    (p, c0): (usize, ColNum),
    flows: Vec<(NaiveDate, f64)>,
) -> Result<Block, XlsxError> {
    let m = &run.model;
    let money = st.formula(Num::Money);
    ws.write_number_with_format(FIRST, c0, serial(m.grid.start), st.input(Num::Date))?;
    ws.write_number_with_format(FIRST, c0 + 1, 0.0, st.input(Num::Money))?;
    ws.insert_note(
        FIRST,
        c0 + 1,
        &Note::new(
            "Zero flow on the scenario start: XNPV discounts to the first date of its range, \
             so this row makes the scenario start the base date, as dealsim does.",
        )
        .set_author("dealsim"),
    )?;
    formula(ws, FIRST, c0 + 2, &rel(FIRST, c0 + 1), 0.0, money)?;
    let mut cumulative = 0.0;
    let mut first_nonzero = None;
    for (i, &(date, value)) in flows.iter().enumerate() {
        let r = row(FIRST as usize + 1, i)?;
        ws.write_number_with_format(r, c0, serial(date), st.input(Num::Date))?;
        let f = ledger.signed(&m.parties[p].id, &[(Col::Date, fixed_col(r, c0))]);
        formula(ws, r, c0 + 1, &f, value, money)?;
        cumulative += value;
        let cum = format!("{}+{}", rel(r - 1, c0 + 2), rel(r, c0 + 1));
        formula(ws, r, c0 + 2, &cum, cumulative, money)?;
        if first_nonzero.is_none() && value != 0.0 {
            first_nonzero = Some(r);
        }
    }
    Ok(Block {
        party: p,
        date_col: c0,
        last: FIRST + flows.len() as RowNum,
        first_nonzero,
    })
}
