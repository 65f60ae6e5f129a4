//! A stress run outside the program: `stress.json`, CSV and Parquet tables,
//! `paths.parquet` (one row per path) and the terminal summary.
//!
//! Every table is tidy and written at full `f64` precision; an undefined
//! value is an empty cell (null in Parquet) with its reason beside it, never
//! NaN. `stress.json` holds every figure with its standard error, the seed
//! and the dealsim version, so a run can be reproduced and checked.

use std::fmt::Write as _;
use std::fs::File;
use std::path::Path;

use polars::prelude::*;
use serde_json::{json, Map, Value as Json};

use crate::model::Model;
use crate::stress::metric::Kind;
use crate::stress::monte_carlo::{Estimate, MetricStats, MonteCarlo, Series as Which, PERCENTILES};
use crate::stress::path::Why;
use crate::stress::sensitivity::Value;
use crate::stress::Results;

use super::tables::{write_csv, write_parquet};

/// A frame with one row per item of `$rows` and one column per
/// `"name": expression` (of `$x`, the item).
macro_rules! table {
    ($rows:expr, $x:ident => { $($name:literal : $value:expr),+ $(,)? }) => {
        DataFrame::new_infer_height(vec![
            $(Column::new($name.into(), $rows.iter().map(|$x| $value).collect::<Vec<_>>())),+
        ])
    };
}

/// Rows per Parquet row group of `paths.parquet`: bounds the memory of a
/// million-path write.
const PATH_BATCH: usize = 128 * 1024;
/// Rows turned into columns together when `paths.parquet` is written.
const TILE: usize = 512;

fn value_json(v: &Value) -> Json {
    match v {
        Ok(x) => json!(x),
        Err(w) => json!({ "undefined": w.code() }),
    }
}

fn estimate_json(e: &Estimate) -> Json {
    json!({ "value": e.value, "se": se_json(e.se) })
}

/// A standard error, or why there is none (as an undefined metric is written).
fn se_json(se: Option<f64>) -> Json {
    match se {
        Some(x) => json!(x),
        None => json!({ "undefined": "too_few_paths" }),
    }
}

fn level_name(l: f64) -> String {
    format!("p{}", (l * 100.0).round() as u32)
}

/// `stress.json`.
pub fn to_json(m: &Model, r: &Results) -> String {
    let mut root = Map::new();
    root.insert("dealsim_version".into(), json!(env!("CARGO_PKG_VERSION")));
    root.insert("scenario".into(), json!(m.meta.name));
    root.insert("unit".into(), json!(m.meta.money_label()));
    if let Some(mc) = &r.monte_carlo {
        root.insert("monte_carlo".into(), monte_carlo_json(m, mc));
    }
    let tornadoes: Vec<Json> = r
        .tornadoes
        .iter()
        .map(|t| {
            json!({
                "metric": t.metric.name(m),
                "base": value_json(&t.base),
                "rows": t.rows.iter().map(|row| json!({
                    "param": row.address,
                    "low": row.low_input,
                    "high": row.high_input,
                    "at_low": value_json(&row.at_low),
                    "at_high": value_json(&row.at_high),
                    "swing": row.swing,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    root.insert("tornadoes".into(), json!(tornadoes));
    let grids: Vec<Json> = r
        .grids
        .iter()
        .map(|g| {
            json!({
                "id": g.id,
                "metric": g.metric.name(m),
                "base": value_json(&g.base),
                "x": { "param": g.x.address, "values": g.x.values },
                "y": { "param": g.y.address, "values": g.y.values },
                "cells": g.cells.iter().map(|row| row.iter().map(value_json).collect::<Vec<_>>()).collect::<Vec<_>>(),
            })
        })
        .collect();
    root.insert("grids".into(), json!(grids));
    let metrics = m
        .stress
        .as_ref()
        .map(|s| s.metrics.clone())
        .unwrap_or_default();
    let cases: Vec<Json> = r
        .cases
        .iter()
        .map(|c| {
            let set: Map<String, Json> = c.set.iter().map(|(a, v)| (a.clone(), json!(v))).collect();
            let values: Map<String, Json> = metrics
                .iter()
                .zip(&c.metrics)
                .map(|(mt, v)| (mt.name(m), value_json(v)))
                .collect();
            json!({ "id": c.id, "name": c.name, "set": set, "metrics": values })
        })
        .collect();
    root.insert("cases".into(), json!(cases));
    serde_json::to_string_pretty(&Json::Object(root)).unwrap_or_default() + "\n"
}

fn monte_carlo_json(m: &Model, mc: &MonteCarlo) -> Json {
    let metrics: Vec<Json> = mc
        .metrics
        .iter()
        .map(|s| {
            let undefined: Map<String, Json> = s
                .undefined
                .iter()
                .map(|(w, n)| (w.code().to_string(), json!(n)))
                .collect();
            let percentiles: Map<String, Json> = s
                .percentiles
                .iter()
                .map(|(l, e)| (level_name(*l), estimate_json(e)))
                .collect();
            json!({
                "metric": s.metric.name(m),
                "label": s.metric.label(m),
                "base": s.base,
                "paths_with_value": s.defined,
                "paths_without_value": undefined,
                "mean": s.mean.as_ref().map(estimate_json),
                // An sd needs two values.
                "sd": se_json((s.defined > 1).then_some(s.sd)),
                "min": s.min,
                "max": s.max,
                "percentiles": percentiles,
                "below_break_even": s.below_break_even.as_ref().map(estimate_json),
            })
        })
        .collect();
    json!({
        "paths": mc.paths,
        "seed": mc.seed,
        "sampling": mc.method.name(),
        "replicates": mc.replicates,
        "threads": mc.threads,
        "seconds": mc.elapsed.as_secs_f64(),
        "drivers": mc.drivers.iter().map(|d| json!({
            "param": d.address,
            "distribution": d.dist,
            "mean": d.mean,
            "sd": d.sd,
            "min": d.min,
            "max": d.max,
            "clamped_to_range": d.clamped,
        })).collect::<Vec<_>>(),
        "metrics": metrics,
        "probabilities": mc.probabilities.iter().map(|p| json!({
            "event": p.id,
            "label": p.label,
            "probability": p.estimate.value,
            "se": se_json(p.estimate.se),
        })).collect::<Vec<_>>(),
        "fans": mc.fans.iter().map(|f| json!({
            "party": m.parties[f.party].id,
            "series": series_name(f.series),
            "path_periods_outside_range": f.outside,
        })).collect::<Vec<_>>(),
    })
}

fn series_name(s: Which) -> &'static str {
    match s {
        Which::CumulativeNet => "cumulative_net",
        Which::Cash => "cash",
    }
}

fn err(e: PolarsError) -> String {
    e.to_string()
}

fn opt(v: &Value) -> Option<f64> {
    v.as_ref().ok().copied()
}

/// Writes every table of `r` into `dir`.
pub fn write_tables(m: &Model, r: &Results, dir: &Path) -> Result<(), String> {
    if let Some(mc) = &r.monte_carlo {
        write_csv(
            &mut metrics_frame(m, mc).map_err(err)?,
            &dir.join("metrics.csv"),
        )?;
        let mut probs = table!(mc.probabilities, p => {
            "event": p.id.clone(),
            "label": p.label.clone(),
            "probability": p.estimate.value,
            "se": p.estimate.se,
        })
        .map_err(err)?;
        write_csv(&mut probs, &dir.join("probabilities.csv"))?;
        let mut drivers = table!(mc.drivers, d => {
            "param": d.address.clone(),
            "distribution": d.dist.clone(),
            "mean": d.mean,
            "sd": d.sd,
            "min": d.min,
            "max": d.max,
            "clamped_to_range": d.clamped,
        })
        .map_err(err)?;
        write_csv(&mut drivers, &dir.join("drivers.csv"))?;
        let mut fans = fans_frame(m, mc).map_err(err)?;
        write_csv(&mut fans, &dir.join("fans.csv"))?;
        write_parquet(&mut fans, &dir.join("fans.parquet"))?;
        write_paths(m, mc, &dir.join("paths.parquet"))?;
    }
    if !r.tornadoes.is_empty() {
        let (mut metric, mut rank, mut param, mut low, mut high) =
            (vec![], vec![], vec![], vec![], vec![]);
        let (mut at_low, mut at_high, mut swing, mut base) = (vec![], vec![], vec![], vec![]);
        for t in &r.tornadoes {
            for (i, row) in t.rows.iter().enumerate() {
                metric.push(t.metric.name(m));
                rank.push(i as u32 + 1);
                param.push(row.address.clone());
                low.push(row.low_input);
                high.push(row.high_input);
                at_low.push(opt(&row.at_low));
                at_high.push(opt(&row.at_high));
                swing.push(row.swing);
                base.push(opt(&t.base));
            }
        }
        let mut df = DataFrame::new_infer_height(vec![
            Column::new("metric".into(), metric),
            Column::new("rank".into(), rank),
            Column::new("param".into(), param),
            Column::new("low".into(), low),
            Column::new("high".into(), high),
            Column::new("at_low".into(), at_low),
            Column::new("at_high".into(), at_high),
            Column::new("swing".into(), swing),
            Column::new("base".into(), base),
        ])
        .map_err(err)?;
        write_csv(&mut df, &dir.join("tornado.csv"))?;
    }
    for g in &r.grids {
        let (mut xs, mut ys, mut vs, mut why) = (vec![], vec![], vec![], vec![]);
        for (iy, row) in g.cells.iter().enumerate() {
            for (ix, v) in row.iter().enumerate() {
                xs.push(g.x.values[ix]);
                ys.push(g.y.values[iy]);
                vs.push(opt(v));
                why.push(v.as_ref().err().map(|w| w.code()));
            }
        }
        let mut df = DataFrame::new_infer_height(vec![
            Column::new(g.x.address.as_str().into(), xs),
            Column::new(g.y.address.as_str().into(), ys),
            Column::new(g.metric.name(m).into(), vs),
            Column::new("undefined".into(), why),
        ])
        .map_err(err)?;
        write_csv(&mut df, &dir.join(format!("grid-{}.csv", safe_stem(&g.id))))?;
    }
    if r.cases.len() > 1 {
        let metrics = m
            .stress
            .as_ref()
            .map(|s| s.metrics.clone())
            .unwrap_or_default();
        let mut cols = vec![Column::new(
            "metric".into(),
            metrics.iter().map(|x| x.name(m)).collect::<Vec<_>>(),
        )];
        for c in &r.cases {
            cols.push(Column::new(
                c.id.as_str().into(),
                c.metrics.iter().map(opt).collect::<Vec<_>>(),
            ));
        }
        let mut df = DataFrame::new_infer_height(cols).map_err(err)?;
        write_csv(&mut df, &dir.join("cases.csv"))?;
    }
    Ok(())
}

/// A file stem from an id: letters, digits, `-` and `_` kept, the rest `_`.
pub fn safe_stem(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn metrics_frame(m: &Model, mc: &MonteCarlo) -> PolarsResult<DataFrame> {
    let s = &mc.metrics;
    let col = |name: &str, f: &dyn Fn(&MetricStats) -> Option<f64>| {
        Column::new(name.into(), s.iter().map(f).collect::<Vec<_>>())
    };
    let mut cols = vec![
        Column::new(
            "metric".into(),
            s.iter().map(|x| x.metric.name(m)).collect::<Vec<_>>(),
        ),
        Column::new(
            "label".into(),
            s.iter().map(|x| x.metric.label(m)).collect::<Vec<_>>(),
        ),
        col("base", &|x| x.base),
        Column::new(
            "paths_with_value".into(),
            s.iter().map(|x| x.defined).collect::<Vec<_>>(),
        ),
        Column::new(
            "paths_without_value".into(),
            s.iter()
                .map(|x| x.undefined.iter().map(|u| u.1).sum::<u64>())
                .collect::<Vec<_>>(),
        ),
        col("mean", &|x| x.mean.map(|e| e.value)),
        col("mean_se", &|x| x.mean.and_then(|e| e.se)),
        col("sd", &|x| (x.defined > 1).then_some(x.sd)),
        col("min", &|x| (x.defined > 0).then_some(x.min)),
    ];
    for (i, l) in PERCENTILES.iter().enumerate() {
        cols.push(col(&level_name(*l), &|x| {
            x.percentiles.get(i).map(|p| p.1.value)
        }));
        cols.push(col(&format!("{}_se", level_name(*l)), &|x| {
            x.percentiles.get(i).and_then(|p| p.1.se)
        }));
    }
    cols.push(col("max", &|x| (x.defined > 0).then_some(x.max)));
    cols.push(col("below_break_even", &|x| {
        x.below_break_even.map(|e| e.value)
    }));
    cols.push(col("below_break_even_se", &|x| {
        x.below_break_even.and_then(|e| e.se)
    }));
    DataFrame::new_infer_height(cols)
}

fn fans_frame(m: &Model, mc: &MonteCarlo) -> PolarsResult<DataFrame> {
    let n = m.grid.len();
    let (mut party, mut series, mut period, mut end, mut base) =
        (vec![], vec![], vec![], vec![], vec![]);
    let mut bands: [Vec<f64>; 5] = Default::default();
    for f in &mc.fans {
        for p in 0..n {
            party.push(m.parties[f.party].id.clone());
            series.push(series_name(f.series));
            period.push(p as u32 + 1);
            end.push(m.grid.periods[p].end);
            base.push(f.base[p]);
            for (b, v) in bands.iter_mut().zip(f.bands[p]) {
                b.push(v);
            }
        }
    }
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    let days: Vec<i32> = end.iter().map(|d| (*d - epoch).num_days() as i32).collect();
    let [p5, p25, p50, p75, p95] = bands;
    DataFrame::new_infer_height(vec![
        Column::new("party".into(), party),
        Column::new("series".into(), series),
        Column::new("period".into(), period),
        Series::new("period_end".into(), days)
            .cast(&DataType::Date)?
            .into(),
        Column::new("p5".into(), p5),
        Column::new("p25".into(), p25),
        Column::new("p50".into(), p50),
        Column::new("p75".into(), p75),
        Column::new("p95".into(), p95),
        Column::new("base".into(), base),
    ])
}

/// `paths.parquet`: path, drivers, metrics (null when undefined, with a
/// `<metric>.undefined` reason column when any path lacks a value), events.
///
/// Written [`PATH_BATCH`] rows at a time (one row group each), so memory
/// stays bounded.
fn write_paths(m: &Model, mc: &MonteCarlo, path: &Path) -> Result<(), String> {
    let n = mc.paths as usize;
    let k = mc.metrics.len();
    let width = mc.width();
    let fw = k + mc.events.len();
    let with_reason: Vec<bool> = mc.metrics.iter().map(|s| !s.undefined.is_empty()).collect();
    let names: Vec<String> = mc.metrics.iter().map(|s| s.metric.name(m)).collect();
    let frame = |lo: usize, hi: usize| -> PolarsResult<DataFrame> {
        // Rows to columns a tile of rows at a time: the tile stays in cache
        // while each column takes its values from it.
        let len = hi - lo;
        let mut values: Vec<Vec<f64>> = (0..width).map(|_| Vec::with_capacity(len)).collect();
        let mut events: Vec<Vec<bool>> =
            mc.events.iter().map(|_| Vec::with_capacity(len)).collect();
        for t in (lo..hi).step_by(TILE) {
            let end = (t + TILE).min(hi);
            let tile = &mc.rows[t * width..end * width];
            for (c, column) in values.iter_mut().enumerate() {
                column.extend(tile.chunks_exact(width).map(|row| row[c]));
            }
            let tile = &mc.flags[t * fw..end * fw];
            for (j, column) in events.iter_mut().enumerate() {
                column.extend(tile.chunks_exact(fw).map(|flags| flags[k + j] == 1));
            }
        }
        let mut values = values.into_iter();
        let mut cols = vec![Column::new(
            "path".into(),
            (lo as u64..hi as u64).collect::<Vec<u64>>(),
        )];
        for (dr, column) in mc.drivers.iter().zip(values.by_ref()) {
            cols.push(Column::new(dr.address.as_str().into(), column));
        }
        for (kk, column) in values.enumerate() {
            let name = names[kk].as_str().into();
            if !with_reason[kk] {
                // Defined on every path: no nulls to mark.
                cols.push(Column::new(name, column));
                continue;
            }
            cols.push(Column::new(
                name,
                (lo..hi)
                    .map(|p| mc.value(p, kk).ok())
                    .collect::<Vec<Option<f64>>>(),
            ));
            cols.push(Column::new(
                format!("{}.undefined", names[kk]).into(),
                (lo..hi)
                    .map(|p| mc.value(p, kk).err().map(Why::code))
                    .collect::<Vec<_>>(),
            ));
        }
        for (ev, column) in mc.events.iter().zip(events) {
            // Packed 64 flags at a time (`Column::new` takes them one by one).
            let bits = BooleanChunked::from_bitmap(ev.id.as_str().into(), column.into());
            cols.push(bits.into_column());
        }
        DataFrame::new_infer_height(cols)
    };
    let file = File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut batch = frame(0, n.min(PATH_BATCH)).map_err(err)?;
    // Snappy: zstd makes the file ~12% smaller but takes twice as long to
    // write, and a million paths are mostly incompressible doubles.
    let mut writer = ParquetWriter::new(file)
        .with_compression(ParquetCompression::Snappy)
        .batched(batch.schema())
        .map_err(err)?;
    let mut lo = batch.height();
    loop {
        writer.write_batch(&batch).map_err(err)?;
        if lo >= n {
            break;
        }
        let hi = (lo + PATH_BATCH).min(n);
        batch = frame(lo, hi).map_err(err)?;
        lo = hi;
    }
    writer.finish().map_err(err)?;
    Ok(())
}

/// Formats a metric value for the terminal.
pub fn show(kind: Kind, v: f64) -> String {
    let s = match kind {
        Kind::Rate => format!("{:.1}%", v * 100.0),
        Kind::Multiple => format!("{v:.2}x"),
        Kind::Money => format!("{v:.1}"),
    };
    // Nothing prints as "-0.0".
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| !c.is_ascii_digit() || c == '0') => rest.to_string(),
        _ => s,
    }
}

/// A standard error, to two significant digits in the metric's unit.
/// `n/a` when there is none (fewer than two paths or replicates).
pub fn show_se(kind: Kind, se: Option<f64>) -> String {
    let Some(se) = se else {
        return "n/a".into();
    };
    let scaled = match kind {
        Kind::Rate => se * 100.0,
        _ => se,
    };
    let unit = match kind {
        Kind::Rate => "%",
        Kind::Multiple => "x",
        Kind::Money => "",
    };
    // Zero (every path agrees; below 1e-10 is rounding in the sums, such
    // as a Latin hypercube's stratified Bernoulli) reads as such; a
    // positive error too small for four decimals is not shown as zero.
    if scaled < 1e-10 {
        return format!("0{unit}");
    }
    if scaled < SMALLEST_SHOWN {
        return format!("<0.0001{unit}");
    }
    format!("{scaled:.*}{unit}", se_decimals(scaled))
}

/// The smallest standard error four decimals show (it rounds to 0.0001).
const SMALLEST_SHOWN: f64 = 0.00005;

/// Decimals for two significant digits of a positive standard error, at
/// most four.
fn se_decimals(se: f64) -> usize {
    (1 - se.log10().floor() as i32).clamp(0, 4) as usize
}

/// A probability in percent, to the precision its standard error gives it
/// (one to three decimals): `0.103%` with an error of 0.011%, `70.0%` with
/// none to speak of.
fn show_probability(e: &Estimate) -> String {
    let decimals = match e.se {
        Some(se) if se * 100.0 >= SMALLEST_SHOWN => se_decimals(se * 100.0).clamp(1, 3),
        _ => 1,
    };
    format!("{:.*}%", decimals, e.value * 100.0)
}

fn show_value(kind: Kind, v: &Value) -> String {
    match v {
        Ok(x) => show(kind, *x),
        Err(w) => format!("n/a ({})", w.code()),
    }
}

/// The terminal summary of a stress run.
pub fn to_text(m: &Model, r: &Results) -> String {
    let mut o = String::new();
    let unit = m.meta.money_label();
    let _ = writeln!(o, "{}  (stress, {unit})", m.meta.name);
    if let Some(mc) = &r.monte_carlo {
        let _ = writeln!(
            o,
            "\nMonte Carlo: {} path{}, {}, seed {}, {} drivers, {:.2} s on {} thread{}",
            mc.paths,
            if mc.paths == 1 { "" } else { "s" },
            method_label(mc.method),
            mc.seed,
            mc.drivers.len(),
            mc.elapsed.as_secs_f64(),
            mc.threads,
            if mc.threads == 1 { "" } else { "s" },
        );
        let _ = writeln!(
            o,
            "{:<28} {:>10} {:>18} {:>10} {:>10} {:>10} {:>10}",
            "metric", "base", "mean ±se", "P5", "P50", "P95", "no value"
        );
        for s in &mc.metrics {
            let kind = s.metric.measure.kind();
            let mean = s
                .mean
                .map(|e| format!("{} ±{}", show(kind, e.value), show_se(kind, e.se)))
                .unwrap_or_else(|| "-".into());
            let pct = |l: f64| s.percentile(l).map_or("-".into(), |v| show(kind, v));
            let none: u64 = s.undefined.iter().map(|u| u.1).sum();
            let _ = writeln!(
                o,
                "{:<28} {:>10} {:>18} {:>10} {:>10} {:>10} {:>10}",
                s.metric.name(m),
                s.base.map_or("n/a".into(), |v| show(kind, v)),
                mean,
                pct(0.05),
                pct(0.5),
                pct(0.95),
                none
            );
            if none > 0 {
                let reasons: Vec<String> = s
                    .undefined
                    .iter()
                    .map(|(w, n)| format!("{n} {}", w.code()))
                    .collect();
                let _ = writeln!(
                    o,
                    "{:<28} no value on {none} paths: {}",
                    "",
                    reasons.join(", ")
                );
            }
        }
        let _ = writeln!(o, "\n{:<58} {:>8} {:>9}", "probability", "", "±se");
        for p in &mc.probabilities {
            let _ = writeln!(
                o,
                "{:<58} {:>8} {:>9}",
                p.label,
                show_probability(&p.estimate),
                show_se(Kind::Rate, p.estimate.se)
            );
        }
    }
    for t in &r.tornadoes {
        let kind = t.metric.measure.kind();
        let _ = writeln!(
            o,
            "\nTornado of {} (base {}), largest swing first",
            t.metric.name(m),
            show_value(kind, &t.base)
        );
        if !t.moves() {
            let _ = writeln!(o, "  no driver moves it by 0.1% or more");
            continue;
        }
        for row in t.rows.iter().take(10) {
            let line = format!(
                "  {:<44} {:>10} .. {:<10} -> {:>12} .. {}",
                row.address,
                fmt_input(row.low_input),
                fmt_input(row.high_input),
                show_value(kind, &row.at_low),
                show_value(kind, &row.at_high)
            );
            let _ = writeln!(o, "{}", line.trim_end());
        }
    }
    if r.cases.len() > 1 {
        let metrics = m
            .stress
            .as_ref()
            .map(|s| s.metrics.clone())
            .unwrap_or_default();
        let w = r
            .cases
            .iter()
            .map(|c| c.id.len())
            .max()
            .unwrap_or(0)
            .max(12);
        let _ = write!(o, "\n{:<28}", "case");
        for c in &r.cases {
            let _ = write!(o, " {:>w$}", c.id);
        }
        let _ = writeln!(o);
        for (k, mt) in metrics.iter().enumerate() {
            let _ = write!(o, "{:<28}", mt.name(m));
            for c in &r.cases {
                let _ = write!(o, " {:>w$}", show_value(mt.measure.kind(), &c.metrics[k]));
            }
            let _ = writeln!(o);
        }
    }
    for g in &r.grids {
        let _ = writeln!(
            o,
            "\nGrid {}: {} by {} ({} x {} cells, grid-{}.csv)",
            g.id,
            g.x.address,
            g.y.address,
            g.x.values.len(),
            g.y.values.len(),
            safe_stem(&g.id)
        );
    }
    o
}

/// "plain Monte Carlo", "Latin hypercube", "Sobol".
pub fn method_label(m: crate::stress::sampling::Method) -> &'static str {
    use crate::stress::sampling::Method;
    match m {
        Method::MonteCarlo => "plain Monte Carlo",
        Method::LatinHypercube => "Latin hypercube",
        Method::Sobol => "Sobol",
    }
}

/// An input value to 3 significant digits (whole numbers as they are):
/// `327`, `5.79`, `0.0455`.
fn fmt_input(v: f64) -> String {
    if v == v.round() && v.abs() < 1e9 {
        return format!("{v:.0}");
    }
    let digits = (2 - v.abs().log10().floor() as i32).clamp(0, 10) as usize;
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Draws the stress charts into `dir` (PNG and/or SVG): fans, histograms,
/// tornadoes, heatmaps and the cases against the base case.
pub fn charts(
    m: &Model,
    r: &Results,
    dir: &Path,
    size: (u32, u32),
    formats: crate::cli::Formats,
) -> Result<(), String> {
    use crate::render::charts::palette::Parties;
    use crate::render::charts::stress as ch;
    use crate::stress::metric::Measure;

    let party = |i: usize| ch::Party {
        index: i,
        id: m.parties[i].id.clone(),
        name: m.parties[i].name.clone(),
    };
    let metric = |x: &crate::stress::metric::Metric| ch::Metric {
        id: x.measure.name().into(),
        name: x.measure.label().to_string(),
        kind: match x.measure.kind() {
            Kind::Rate => ch::Kind::Percent,
            Kind::Multiple => ch::Kind::Multiple,
            Kind::Money => ch::Kind::Money,
        },
    };
    let dates: Vec<chrono::NaiveDate> = m.grid.periods.iter().map(|p| p.end).collect();
    let mut charts = ch::StressCharts {
        scenario: m.meta.name.clone(),
        unit: m.meta.money_label(),
        ..ch::StressCharts::default()
    };
    if let Some(mc) = &r.monte_carlo {
        charts.paths = mc.paths;
        charts.sampling = method_label(mc.method).to_string();
        for f in &mc.fans {
            charts.fans.push(ch::Fan {
                party: party(f.party),
                series: match f.series {
                    Which::CumulativeNet => ch::Series::CumulativeNet,
                    Which::Cash => ch::Series::Cash,
                },
                start: m.grid.start,
                opening: (f.series == Which::Cash)
                    .then(|| m.parties[f.party].opening_cash.of(&m.params.values)),
                dates: dates.clone(),
                percentiles: f.bands.clone(),
                base: Some(f.base.clone()),
            });
        }
        for s in &mc.metrics {
            // Paid and received are inputs more than outcomes: no histogram.
            if matches!(s.metric.measure, Measure::Paid | Measure::Received) {
                continue;
            }
            charts.histograms.push(ch::Histogram {
                party: party(s.metric.party),
                metric: metric(&s.metric),
                edges: s.histogram.edges.clone(),
                counts: s.histogram.counts.clone(),
                below: s.histogram.below,
                above: s.histogram.above,
                base: s.base,
                mean: s.mean.map(|e| e.value),
                p5: s.percentile(0.05),
                p95: s.percentile(0.95),
                // "Loss" is for what a party earns, not for a cash balance.
                // A loss is net < 0 over every path (an IRR can be undefined
                // on a losing path: all outflows); NPV below zero is its own line.
                p_loss: match s.metric.measure {
                    Measure::Irr | Measure::Moic | Measure::Net => {
                        let id = format!("{}.loses_money", m.parties[s.metric.party].id);
                        // Else the party's net below zero, if measured; a
                        // metric's own share below break-even only when no
                        // path lacks it (those paths may all be losses).
                        let net = mc.metrics.iter().find(|x| {
                            x.metric.party == s.metric.party && x.metric.measure == Measure::Net
                        });
                        let own = s.undefined.iter().all(|u| u.1 == 0).then_some(s);
                        mc.probabilities
                            .iter()
                            .find(|p| p.id == id)
                            .map(|p| p.estimate.value)
                            .or(net
                                .or(own)
                                .and_then(|x| x.below_break_even.map(|e| e.value)))
                    }
                    Measure::Npv => s.below_break_even.map(|e| e.value),
                    _ => None,
                },
                undefined: s
                    .undefined
                    .iter()
                    .map(|(w, n)| (w.code().replace('_', " "), *n))
                    .collect(),
            });
        }
    }
    for t in r.tornadoes.iter().filter(|t| t.moves()) {
        let Ok(base) = t.base else { continue };
        charts.tornadoes.push(ch::Tornado {
            id: t.metric.name(m).replace('.', "-"),
            party: party(t.metric.party),
            metric: metric(&t.metric),
            base,
            rows: t
                .rows
                .iter()
                .map(|row| ch::TornadoRow {
                    driver: row.address.clone(),
                    low: fmt_input(row.low_input),
                    high: fmt_input(row.high_input),
                    at_low: row.at_low.ok(),
                    at_high: row.at_high.ok(),
                })
                .collect(),
        });
    }
    for g in &r.grids {
        let axis = |a: &crate::stress::spec::Axis| ch::Driver {
            name: a.address.clone(),
            values: a.values.iter().map(|v| fmt_input(*v)).collect(),
        };
        charts.heatmaps.push(ch::Heatmap {
            id: g.id.clone(),
            party: party(g.metric.party),
            metric: metric(&g.metric),
            x: axis(&g.x),
            y: axis(&g.y),
            cells: g
                .cells
                .iter()
                .map(|row| row.iter().map(|v| v.as_ref().ok().copied()).collect())
                .collect(),
            reference: g.metric.measure.break_even().unwrap_or(0.0),
            base: g.base_cell,
        });
    }
    if r.cases.len() > 1 {
        // One chart per party the stress measures.
        let mut shown: Vec<usize> = Vec::new();
        for x in m.stress.iter().flat_map(|s| &s.metrics) {
            if !shown.contains(&x.party) {
                shown.push(x.party);
            }
        }
        for pi in shown {
            charts.cases.push(ch::Cases {
                party: party(pi),
                start: m.grid.start,
                dates: dates.clone(),
                base: r.cases[0].cumulative[pi].clone(),
                cases: r.cases[1..]
                    .iter()
                    .map(|c| (c.name.clone(), c.cumulative[pi].clone()))
                    .collect(),
            });
        }
    }
    let formats = crate::render::charts::Formats {
        png: formats.png,
        svg: formats.svg,
    };
    ch::render(&charts, &Parties::of(m), dir, size.0, size.1, formats).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_errors_show_two_significant_digits_and_never_a_false_zero() {
        assert_eq!(show_se(Kind::Rate, Some(0.00011)), "0.011%");
        assert_eq!(show_se(Kind::Money, Some(0.0421)), "0.042");
        assert_eq!(show_se(Kind::Money, Some(12.3)), "12");
        // Every path agrees: exactly zero.
        assert_eq!(show_se(Kind::Rate, Some(0.0)), "0%");
        // 1e-9 of a probability is 1e-7 %: below four decimals, not zero;
        // 3e-17 is rounding in the sums.
        assert_eq!(show_se(Kind::Rate, Some(1e-9)), "<0.0001%");
        assert_eq!(show_se(Kind::Rate, Some(2.9e-17)), "0%");
        assert_eq!(show_se(Kind::Rate, None), "n/a");
    }

    #[test]
    fn a_probability_is_shown_to_the_precision_of_its_error() {
        let p = |value, se| show_probability(&Estimate { value, se });
        // se 0.011% has its second digit at the third decimal.
        assert_eq!(p(0.00124, Some(0.00011)), "0.124%");
        // se 0.28% -> two decimals.
        assert_eq!(p(0.3, Some(0.0028)), "30.00%");
        // se 2.8% -> one decimal, the least shown.
        assert_eq!(p(0.3, Some(0.028)), "30.0%");
        // No error to speak of, none at all, or none known: one decimal.
        assert_eq!(p(0.7, Some(1e-9)), "70.0%");
        assert_eq!(p(1.0, Some(0.0)), "100.0%");
        assert_eq!(p(0.5, None), "50.0%");
    }
}
