//! Chart (e), `tranches`: one row per investment tranche, a filled marker
//! (area proportional to the amount) at the date it was paid, a hollow one
//! at its expected date while unpaid, and the window from expected date to
//! deadline for tranches that wait on a milestone.
//!
//! Markers carry the investor's colour; what the marks mean is drawn in
//! greys, in the legend and on the plot alike. The plot keeps room at both
//! ends of the time axis, so markers and deadline ticks at the first or last
//! date stay inside it.

use chrono::{Datelike, NaiveDate};
use plotters::style::RGBColor;

use crate::metrics::TrancheStatus;
use crate::Run;

use super::frame::{Frame, LegendItem, Spec, Style, Swatch, YAxis};
use super::palette::Parties;
use super::scale::{amount, month};
use super::scene::{Align, Scene, Shape};
use super::{palette, subtitle};

/// Radius of the biggest marker, in pixels at 1600 x 900.
const MAX_RADIUS: f64 = 26.0;

pub fn chart(run: &Run, colors: &Parties, style: Style) -> Scene {
    let m = &run.model;
    let tranches = &run.summary.tranches;
    let investor_of = |t: &TrancheStatus| m.party_index(&t.investor).unwrap_or(0);
    let rows: Vec<(String, _)> = tranches
        .iter()
        .map(|t| {
            let label = format!(
                "{} / {}, {}",
                t.investment,
                t.tranche,
                amount(&m.meta, t.amount)
            );
            (label, colors.text(investor_of(t)))
        })
        .collect();
    let dates = tranches
        .iter()
        .flat_map(|t| [t.expected, t.deadline, t.paid])
        .flatten();
    // From the window's start to the last tranche date, in whole years.
    let first = dates
        .clone()
        .chain([m.grid.start])
        .min()
        .unwrap_or(m.grid.start);
    let last = dates.max().map_or(m.grid.end, year_end);
    let mut investors: Vec<usize> = Vec::new();
    for i in tranches.iter().map(investor_of) {
        if !investors.contains(&i) {
            investors.push(i);
        }
    }
    let spec = Spec {
        title: "Investment tranches: when each is paid".into(),
        subtitle: subtitle(run, None),
        legend: legend(run, colors, &investors, &style),
        dates: (first, last),
        y: YAxis::Rows(rows),
        y2: None,
        right_gutter: 0.0,
        x_pad: style.px(MAX_RADIUS + 6.0),
    };
    let mut frame = Frame::new(style, &spec);
    let biggest = tranches
        .iter()
        .map(|t| t.amount)
        .fold(0.0, f64::max)
        .max(1e-12);
    for (i, t) in tranches.iter().enumerate() {
        let (y, h) = frame.row(i);
        // Area proportional to the amount; the biggest fills most of its row.
        let radius =
            (h * 0.32).min(frame.style.px(MAX_RADIUS)) * (t.amount / biggest).max(0.04).sqrt();
        draw_row(&mut frame, t, (y, h), radius, colors.color(investor_of(t)));
    }
    frame.into_scene()
}

/// Investors' colours, then what the marks mean (only those that appear).
fn legend(run: &Run, colors: &Parties, investors: &[usize], style: &Style) -> Vec<LegendItem> {
    let tranches = &run.summary.tranches;
    let grey = palette::MUTED_TEXT;
    let mut legend: Vec<LegendItem> = investors
        .iter()
        .map(|&p| {
            LegendItem::new(
                Swatch::Bar(colors.color(p)),
                run.model.parties[p].name.clone(),
            )
        })
        .collect();
    legend.push(LegendItem::new(
        Swatch::Dot(grey),
        "Paid (area shows amount)",
    ));
    if tranches.iter().any(|t| t.paid.is_none()) {
        legend.push(LegendItem::new(Swatch::Ring(grey), "Expected, not paid"));
    }
    if tranches.iter().any(|t| t.deadline.is_some()) {
        let swatch = Swatch::Line {
            color: window_color(),
            width: style.px(WINDOW_WIDTH),
            dash: None,
        };
        legend.push(LegendItem::new(
            swatch,
            "Milestone: expected date to deadline",
        ));
    }
    legend
}

/// One tranche: its milestone window, its marker and the dates in words.
fn draw_row(
    frame: &mut Frame,
    t: &TrancheStatus,
    (y, h): (f64, f64),
    radius: f64,
    color: RGBColor,
) {
    if let (Some(expected), Some(deadline)) = (t.expected, t.deadline) {
        window(frame, (expected, deadline), y, h);
    }
    let (x, label, fill, stroke) = match (t.paid, t.expected) {
        (Some(paid), _) => {
            let ring = Some((palette::WHITE, frame.style.px(1.5)));
            (
                frame.x_date(paid),
                format!("paid {}", month(paid)),
                color,
                ring,
            )
        }
        (None, Some(expected)) => {
            let deadline = t
                .deadline
                .map(|d| format!(", deadline {}", month(d)))
                .unwrap_or_default();
            let label = format!("not paid: expected {}{deadline}", month(expected));
            (
                frame.x_date(expected),
                label,
                palette::WHITE,
                Some((color, frame.style.px(3.0))),
            )
        }
        (None, None) => return,
    };
    frame.scene.push(Shape::Circle {
        x,
        y,
        radius,
        fill: Some(fill),
        stroke,
    });
    date_label(frame, &label, (x, y), radius);
}

/// 31 December of the year of `d`.
fn year_end(d: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year(), 12, 31).unwrap_or(d)
}

/// Width of a milestone window's bar, in pixels at 1600 x 900.
const WINDOW_WIDTH: f64 = 6.0;

/// The colour of milestone windows and of their legend swatch.
fn window_color() -> RGBColor {
    palette::tint(palette::MUTED_TEXT, 0.5)
}

/// The expected-to-deadline window of a milestone tranche, with end ticks.
fn window(frame: &mut Frame, (expected, deadline): (NaiveDate, NaiveDate), y: f64, h: f64) {
    let (x0, x1) = (frame.x_date(expected), frame.x_date(deadline));
    let light = window_color();
    let width = frame.style.px(WINDOW_WIDTH);
    frame.scene.line(vec![(x0, y), (x1, y)], light, width);
    let tick = (h * 0.18).min(frame.style.px(14.0));
    for x in [x0, x1] {
        frame.scene.line(
            vec![(x, y - tick), (x, y + tick)],
            light,
            frame.style.px(3.0),
        );
    }
}

/// The date beside a marker: right of it, or left when it would leave the plot.
fn date_label(frame: &mut Frame, text: &str, (x, y): (f64, f64), radius: f64) {
    let font = frame.style.note;
    let pad = radius + frame.style.px(8.0);
    let baseline = y - radius.max(font.cap_height()) - frame.style.px(6.0);
    let width = font.width(text);
    let (tx, align) = if x + width / 2.0 <= frame.plot.right && x - width / 2.0 >= frame.plot.left {
        (x, Align::Center)
    } else if x + pad + width <= frame.plot.right {
        (x + pad, Align::Left)
    } else {
        (x - pad, Align::Right)
    };
    frame
        .scene
        .text(text, (tx, baseline), font, align, palette::MUTED_TEXT);
}
