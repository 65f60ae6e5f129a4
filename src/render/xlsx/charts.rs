//! The `Charts` sheet: native Excel charts over the workbook's cells, so
//! they follow the numbers if an analyst edits them. Cumulative net per
//! party (lines), each lab's cash balance, each party's flows by kind
//! (stacked columns, cumulative net as a line on a second axis) and each
//! revenue share against its cap. Parties keep the colours of dealsim's PNG
//! charts (`palette::Parties`), flow kinds too.

use plotters::style::RGBColor;
use rust_xlsxwriter::{
    Chart, ChartAxisDateUnitType, ChartAxisLabelPosition, ChartFormat, ChartLegendPosition,
    ChartLine, ChartLineDashType, ChartMarker, ChartSolidFill, ChartType, ColNum, Worksheet,
    XlsxError,
};

use super::flows::{has_flows, CashFlows, Field, Kinds, CASH};
use super::palette::{self, Parties};
use super::shares::Share;
use super::style::color;
use crate::engine::FlowKind;
use crate::Run;

pub const SHEET: &str = "Charts";

/// Rows each chart takes, at the default row height.
const ROWS: u32 = 24;
const WIDTH: u32 = 960;
const HEIGHT: u32 = 440;

/// A line series' format: the colour, solid or dashed.
fn line(c: RGBColor, dashed: bool) -> ChartFormat {
    let mut l = ChartLine::new();
    l.set_color(color(c)).set_width(2.0);
    if dashed {
        l.set_dash_type(ChartLineDashType::Dash);
    }
    let mut f = ChartFormat::new();
    f.set_line(&l);
    f
}

/// Title, axes and size shared by every chart; dates by year on the x axis.
fn frame(chart: &mut Chart, title: &str, y_title: &str) {
    chart.title().set_name(title);
    chart
        .x_axis()
        .set_date_axis(true)
        .set_num_format("yyyy")
        .set_major_unit(1)
        .set_major_unit_date_type(ChartAxisDateUnitType::Years)
        .set_label_position(ChartAxisLabelPosition::Low);
    chart
        .y_axis()
        .set_name(y_title)
        .set_num_format("#,##0;(#,##0)");
    chart.legend().set_position(ChartLegendPosition::Bottom);
    chart.set_width(WIDTH).set_height(HEIGHT);
}

/// Writes the sheet.
pub fn write(
    run: &Run,
    colors: &Parties,
    cash: &CashFlows,
    kinds: &Kinds,
    shares: &[Share],
) -> Result<Worksheet, XlsxError> {
    let m = &run.model;
    let unit = m.meta.money_label();
    let mut ws = Worksheet::new();
    ws.set_name(SHEET)?;
    ws.set_landscape().set_print_fit_to_pages(1, 0);
    let mut at = 1u32;
    let mut place = |ws: &mut Worksheet, chart: &Chart| -> Result<(), XlsxError> {
        ws.insert_chart(at, 1, chart)?;
        at += ROWS;
        Ok(())
    };
    let parties: Vec<usize> = m
        .deal_parties()
        .map(|(i, _)| i)
        .filter(|&i| has_flows(run, i))
        .collect();
    if !parties.is_empty() {
        let mut chart = Chart::new(ChartType::Line);
        for &p in &parties {
            chart
                .add_series()
                .set_name((CASH, 0, cash.col(p, Field::Inflow)))
                .set_categories(cash.end_dates().as_str())
                .set_values(cash.range(p, Field::Cumulative).as_str())
                .set_format(&mut line(colors.color(p), false))
                .set_marker(ChartMarker::new().set_none());
        }
        frame(
            &mut chart,
            "Cumulative net per party",
            &format!("Cumulative net ({unit})"),
        );
        place(&mut ws, &chart)?;
    }
    for lab in m.labs() {
        let mut chart = Chart::new(ChartType::Line);
        chart
            .add_series()
            .set_name("Cash balance")
            .set_categories(cash.end_dates().as_str())
            .set_values(cash.range(lab, Field::Cash).as_str())
            .set_format(&mut line(colors.color(lab), false))
            .set_marker(ChartMarker::new().set_none());
        let title = format!("{}: cash balance at period ends", m.parties[lab].name);
        frame(&mut chart, &title, &format!("Cash ({unit})"));
        place(&mut ws, &chart)?;
    }
    for (p, cols) in &kinds.blocks {
        place(&mut ws, &flows_chart(run, colors, cash, kinds, (*p, cols)))?;
    }
    for share in shares {
        let rs = &m.revenue_shares[share.index];
        let mut chart = Chart::new(ChartType::Line);
        chart
            .add_series()
            .set_name("Cumulative paid")
            .set_categories(share.end_dates().as_str())
            .set_values(share.cumulative().as_str())
            .set_format(&mut line(colors.color(rs.payee), false))
            .set_marker(ChartMarker::new().set_none());
        if let Some(cap) = share.cap() {
            chart
                .add_series()
                .set_name("Cap")
                .set_categories(share.end_dates().as_str())
                .set_values(cap.as_str())
                .set_format(&mut line(palette::REFERENCE, true))
                .set_marker(ChartMarker::new().set_none());
        }
        let title = format!(
            "Revenue share {}: cumulative payments against the cap",
            rs.id
        );
        frame(&mut chart, &title, &format!("Cumulative ({unit})"));
        place(&mut ws, &chart)?;
    }
    Ok(ws)
}

/// A party's flows by kind (stacked columns) with its cumulative net as a
/// line on a second axis, both axes set so that their zeros line up (and
/// the stacks fit: LibreOffice scales stacked columns to their net).
fn flows_chart(
    run: &Run,
    colors: &Parties,
    cash: &CashFlows,
    kinds: &Kinds,
    (p, cols): (usize, &[(FlowKind, ColNum)]),
) -> Chart {
    let m = &run.model;
    let t = &run.table;
    let unit = m.meta.money_label();
    let mut chart = Chart::new(ChartType::ColumnStacked);
    for &(kind, c) in cols {
        let mut fill = ChartSolidFill::new();
        fill.set_color(color(palette::kind(kind)));
        let mut format = ChartFormat::new();
        format.set_solid_fill(&fill);
        chart
            .add_series()
            .set_name(kind.label())
            .set_categories(kinds.end_dates().as_str())
            .set_values(kinds.range(c).as_str())
            .set_format(&mut format)
            .set_gap(40);
    }
    let mut cumulative = Chart::new(ChartType::Line);
    cumulative
        .add_series()
        .set_name("Cumulative net (right axis)")
        .set_categories(cash.end_dates().as_str())
        .set_values(cash.range(p, Field::Cumulative).as_str())
        .set_format(&mut line(colors.color(p), false))
        .set_marker(ChartMarker::new().set_none())
        .set_secondary_axis(true);
    let title = format!("{}: flows by kind and cumulative net", m.parties[p].name);
    frame(&mut chart, &title, &format!("Flow per period ({unit})"));

    let n = m.grid.len();
    let (mut low, mut high) = (0.0f64, 0.0f64);
    for k in 0..n {
        let values = cols.iter().map(|&(kind, _)| t.kind(p, k, kind));
        let (neg, pos) = values.fold(
            (0.0, 0.0),
            |(n, p), v| {
                if v < 0.0 {
                    (n + v, p)
                } else {
                    (n, p + v)
                }
            },
        );
        low = low.min(neg);
        high = high.max(pos);
    }
    let bars = Ticks::of(low, high);
    let (mut low, mut high, mut running) = (0.0f64, 0.0f64, 0.0);
    for k in 0..n {
        running += t.net(p, k);
        low = low.min(running);
        high = high.max(running);
    }
    let cum_ticks = Ticks::of(low, high);
    let (below, above) = (
        bars.below.max(cum_ticks.below),
        bars.above.max(cum_ticks.above),
    );
    // The secondary axis is the primary chart's, once combined.
    chart.combine(&cumulative);
    chart
        .y2_axis()
        .set_name(format!("Cumulative net ({unit})").as_str())
        .set_num_format("#,##0;(#,##0)");
    for (axis, ticks) in [(0, bars), (1, cum_ticks)] {
        let axis = if axis == 0 {
            chart.y_axis()
        } else {
            chart.y2_axis()
        };
        axis.set_min(-f64::from(below) * ticks.step)
            .set_max(f64::from(above) * ticks.step)
            .set_major_unit(ticks.step);
    }
    chart
}

/// An axis from `-below * step` to `above * step`, step 1, 2 or 5 x 10^n.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Ticks {
    step: f64,
    below: u32,
    above: u32,
}

impl Ticks {
    /// About six steps spanning `low <= 0 <= high`.
    fn of(low: f64, high: f64) -> Ticks {
        let span = high - low;
        if !(span.is_finite() && span > 0.0) {
            return Ticks {
                step: 1.0,
                below: 0,
                above: 1,
            };
        }
        let raw = span / 6.0;
        let magnitude = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0]
            .into_iter()
            .map(|f| f * magnitude)
            .find(|&s| s >= raw)
            .unwrap_or(10.0 * magnitude);
        let count = |v: f64| (v / step - 1e-9).ceil().max(0.0) as u32;
        Ticks {
            step,
            below: count(-low),
            above: count(high),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_cover_the_data_in_nice_steps() {
        let t = Ticks::of(-47.3, 30.2);
        assert_eq!(t.step, 20.0);
        assert_eq!((t.below, t.above), (3, 2));
        assert_eq!(Ticks::of(0.0, 10.0).step, 2.0);
        assert_eq!(Ticks::of(0.0, 10.0).above, 5);
        assert_eq!(Ticks::of(0.0, 0.0).above, 1);
    }
}
