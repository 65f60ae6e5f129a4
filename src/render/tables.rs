//! The ledger and the period table as polars frames, written to CSV and Parquet.
//!
//! `cashflows` is tidy and long: one row per flow. `periods` has one row per
//! party and period. Amounts are written at full `f64` precision so that an
//! analyst's recomputation matches to the cent.

use std::fs::File;
use std::path::Path;

use chrono::NaiveDate;
use polars::prelude::*;

use crate::Run;

fn days(d: NaiveDate) -> i32 {
    // Polars dates count days from 1970-01-01.
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date")).num_days() as i32
}

fn date_column(name: &str, dates: impl Iterator<Item = NaiveDate>) -> PolarsResult<Column> {
    let s =
        Series::new(name.into(), dates.map(days).collect::<Vec<i32>>()).cast(&DataType::Date)?;
    Ok(s.into())
}

/// One row per flow, by date: date, period, period_end, payer, payee, deal, kind, amount.
pub fn cashflows(run: &Run) -> PolarsResult<DataFrame> {
    let m = &run.model;
    // Chronological; flows on one date keep the engine's order (a stable sort).
    let mut f = run.ledger.flows.clone();
    f.sort_by_key(|x| x.date);
    let party = |i: u16| m.parties[i as usize].id.clone();
    DataFrame::new_infer_height(vec![
        date_column("date", f.iter().map(|x| x.date))?,
        Column::new(
            "period".into(),
            f.iter().map(|x| x.period + 1).collect::<Vec<u32>>(),
        ),
        date_column(
            "period_end",
            f.iter().map(|x| m.grid.periods[x.period as usize].end),
        )?,
        Column::new(
            "payer".into(),
            f.iter().map(|x| party(x.payer)).collect::<Vec<_>>(),
        ),
        Column::new(
            "payee".into(),
            f.iter().map(|x| party(x.payee)).collect::<Vec<_>>(),
        ),
        Column::new(
            "deal".into(),
            f.iter().map(|x| x.deal.id(m)).collect::<Vec<_>>(),
        ),
        Column::new(
            "kind".into(),
            f.iter().map(|x| x.kind.name()).collect::<Vec<_>>(),
        ),
        Column::new(
            "amount".into(),
            f.iter().map(|x| x.amount).collect::<Vec<f64>>(),
        ),
    ])
}

/// One row per party (external included) and period.
pub fn periods(run: &Run) -> PolarsResult<DataFrame> {
    let m = &run.model;
    let t = &run.table;
    let n = m.grid.len();
    let rows = m.parties.len() * n;
    let (mut party, mut period, mut start, mut end) = (
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
    );
    let (mut inflow, mut outflow, mut net, mut cum, mut cash) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (pi, p) in m.parties.iter().enumerate() {
        let mut running = 0.0;
        for (k, per) in m.grid.periods.iter().enumerate() {
            let i = pi * n + k;
            party.push(p.id.clone());
            period.push(k as u32 + 1);
            start.push(per.start);
            end.push(per.end);
            inflow.push(t.inflow[i]);
            outflow.push(t.outflow[i]);
            net.push(t.inflow[i] - t.outflow[i]);
            running += t.inflow[i] - t.outflow[i];
            cum.push(running);
            cash.push(t.cash_balance(pi, k));
        }
    }
    DataFrame::new_infer_height(vec![
        Column::new("party".into(), party),
        Column::new("period".into(), period),
        date_column("period_start", start.into_iter())?,
        date_column("period_end", end.into_iter())?,
        Column::new("inflow".into(), inflow),
        Column::new("outflow".into(), outflow),
        Column::new("net".into(), net),
        Column::new("cumulative_net".into(), cum),
        Column::new("cash_balance".into(), cash),
    ])
}

pub fn write_csv(df: &mut DataFrame, path: &Path) -> Result<(), String> {
    let file = File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    CsvWriter::new(file)
        .include_header(true)
        .finish(df)
        .map_err(|e| format!("{}: {e}", path.display()))
}

pub fn write_parquet(df: &mut DataFrame, path: &Path) -> Result<(), String> {
    let file = File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    ParquetWriter::new(file)
        .finish(df)
        .map(|_| ())
        .map_err(|e| format!("{}: {e}", path.display()))
}
