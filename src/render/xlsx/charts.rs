//! The `Charts` sheet: native Excel charts over the workbook's cells, so
//! they follow the numbers if an analyst edits them. Cumulative net per
//! party (lines), each lab's cash balance, each party's flows by kind
//! (stacked columns, cumulative net as a line on a second axis) and each
//! revenue share against its cap. Parties keep the colours of dealsim's PNG
//! charts (`palette::Parties`), flow kinds too.

use plotters::style::RGBColor;
use rust_xlsxwriter::{
    Chart, ChartFormat, ChartLegendPosition, ChartLine, ChartLineDashType, ChartMarker,
    ChartSolidFill, ChartType, Color, Worksheet, XlsxError,
};

use super::flows::{has_flows, CashFlows, Field, Kinds, CASH};
use super::palette::{self, Parties};
use super::shares::Share;
use crate::Run;

pub const SHEET: &str = "Charts";

/// Rows each chart takes, at the default row height.
const ROWS: u32 = 24;
const WIDTH: u32 = 960;
const HEIGHT: u32 = 440;

fn color(c: RGBColor) -> Color {
    Color::RGB((u32::from(c.0) << 16) | (u32::from(c.1) << 8) | u32::from(c.2))
}

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
    chart.x_axis().set_date_axis(true).set_num_format("yyyy");
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
            .set_values(cash.range(*p, Field::Cumulative).as_str())
            .set_format(&mut line(colors.color(*p), false))
            .set_marker(ChartMarker::new().set_none())
            .set_secondary_axis(true);
        let title = format!("{}: flows by kind and cumulative net", m.parties[*p].name);
        frame(&mut chart, &title, &format!("Flow per period ({unit})"));
        cumulative
            .y2_axis()
            .set_name(format!("Cumulative net ({unit})").as_str())
            .set_num_format("#,##0;(#,##0)");
        chart.combine(&cumulative);
        place(&mut ws, &chart)?;
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
