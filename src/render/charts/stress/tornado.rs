//! `tornado-<id>`: how far a metric moves with each driver at its low and
//! high input, the others at base. One row per driver, in the order given
//! (largest swing first); bars run from the base value to the metric at
//! each input, the low input in a light tint of the party's colour and the
//! high input in the colour itself, each input written past its bar's end.
//! When both inputs move the metric the same way, each bar takes half the
//! row's height so both show. An input where the metric is undefined gets
//! no bar and `n/a` beside the base line. The base value is a dark line
//! across the rows, labelled above them.

use plotters::style::RGBColor;

use super::super::frame::{Frame, LegendItem, Spec, Style, Swatch, XAxis, YAxis};
use super::super::palette::{self, Parties};
use super::super::scale::Ticks;
use super::super::scene::{Align, Scene};
use super::{axis_title, range, subtitle, value, Kind, StressCharts, Tornado};

/// The tint of the party colour for bars at the low input.
const LOW_TINT: f64 = 0.55;

/// The title over the driver names.
const ROWS_TITLE: &str = "Driver";

/// One end of a row: where its bar ends (none when undefined), what is
/// written there and on which side.
struct End {
    value: Option<f64>,
    text: String,
    left: bool,
    color: RGBColor,
}

pub fn chart(c: &StressCharts, t: &Tornado, colors: &Parties, style: Style) -> Option<Scene> {
    if t.rows.is_empty() || !t.base.is_finite() {
        return None;
    }
    let kind = t.metric.kind;
    let color = colors.color(t.party.index);
    let ends = ends(t, (palette::tint(color, LOW_TINT), color));
    let values = t
        .rows
        .iter()
        .flat_map(|r| [r.at_low, r.at_high])
        .flatten()
        .chain([t.base]);
    let (lo, hi) = range(values)?;
    let rows: Vec<(String, RGBColor)> = t
        .rows
        .iter()
        .map(|r| (r.driver.clone(), palette::TEXT))
        .collect();
    let spec = Spec {
        title: format!(
            "{}: sensitivity of {} to each driver",
            t.party.name, t.metric.name
        ),
        subtitle: subtitle(
            c,
            kind == Kind::Money,
            "each driver at its low and high input, the others at base",
        ),
        legend: vec![
            LegendItem::new(Swatch::Bar(palette::tint(color, LOW_TINT)), "Low input"),
            LegendItem::new(Swatch::Bar(color), "High input"),
        ],
        dates: Default::default(),
        y: YAxis::NamedRows {
            rows,
            title: ROWS_TITLE.into(),
        },
        y2: None,
        right_gutter: 0.0,
        x_pad: 0.0,
    };
    let axis = |ticks: Ticks| XAxis::Values {
        ticks,
        format: kind.format(),
        title: axis_title(&t.metric, &c.unit),
    };
    let mut ticks = Ticks::spanning(lo, hi);
    let mut frame = Frame::with(style, &spec, &axis(ticks), "");
    // Widen the axis until the inputs written past the bar ends fit.
    for _ in 0..4 {
        let (need_lo, need_hi) = label_reach(&frame, &ends, t.base, (lo, hi));
        let wider = Ticks::spanning(need_lo.min(ticks.min), need_hi.max(ticks.max));
        if wider == ticks {
            break;
        }
        ticks = wider;
        frame = Frame::with(style, &spec, &axis(ticks), "");
    }
    for (i, row) in ends.iter().enumerate() {
        draw_row(&mut frame, i, row, t.base);
    }
    base_line(&mut frame, t.base, &value(kind, &c.unit, t.base));
    Some(frame.into_scene())
}

/// The two ends of each row, low input first.
fn ends(t: &Tornado, (low_color, high_color): (RGBColor, RGBColor)) -> Vec<[End; 2]> {
    t.rows
        .iter()
        .map(|r| {
            let (low, high) = (finite(r.at_low), finite(r.at_high));
            let side = |v: Option<f64>| v.map(|v| v < t.base);
            // Undefined (or unmoved) ends go opposite the other end.
            let low_left = match (side(low), side(high)) {
                (Some(l), _) if low != Some(t.base) => l,
                (_, Some(h)) => !h,
                _ => true,
            };
            let high_left = match (side(high), side(low)) {
                (Some(h), _) if high != Some(t.base) => h,
                _ => !low_left,
            };
            let text = |input: &str, v: Option<f64>| match v {
                Some(_) => input.to_string(),
                None => format!("{input}: n/a"),
            };
            [
                End {
                    value: low,
                    text: text(&r.low, low),
                    left: low_left,
                    color: low_color,
                },
                End {
                    value: high,
                    text: text(&r.high, high),
                    left: high_left,
                    color: high_color,
                },
            ]
        })
        .collect()
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|v| v.is_finite())
}

/// The axis range the labels need, starting from the data's `(lo, hi)`.
fn label_reach(frame: &Frame, ends: &[[End; 2]], base: f64, (lo, hi): (f64, f64)) -> (f64, f64) {
    let font = frame.style.note;
    let pad = frame.style.px(10.0);
    let per_px = (frame.x(1.0) - frame.x(0.0)).abs().max(1e-12).recip();
    let mut reach = (lo, hi);
    for end in ends.iter().flatten() {
        let at = end.value.unwrap_or(base);
        let w = (font.width(&end.text) + 2.0 * pad) * per_px;
        if end.left {
            reach.0 = reach.0.min(at - w);
        } else {
            reach.1 = reach.1.max(at + w);
        }
    }
    reach
}

/// Row `i`'s bars and the inputs at their ends.
fn draw_row(frame: &mut Frame, i: usize, ends: &[End; 2], base: f64) {
    let (cy, h) = frame.row(i);
    let bar_h = (h * 0.6).min(frame.style.px(46.0));
    let font = frame.style.note;
    let shared = ends[0].value.is_some() && ends[1].value.is_some() && ends[0].left == ends[1].left;
    let offset = (bar_h / 4.0).max(font.size * 0.55);
    let xb = frame.x(base);
    for (k, end) in ends.iter().enumerate() {
        // Sharing a side: low input in the upper half, high in the lower.
        let (top, bottom, mid) = match (shared, k) {
            (false, _) => (cy - bar_h / 2.0, cy + bar_h / 2.0, cy),
            (true, 0) => (cy - bar_h / 2.0, cy, cy - offset),
            (true, _) => (cy, cy + bar_h / 2.0, cy + offset),
        };
        let x = end.value.map_or(xb, |v| frame.x(v));
        if end.value.is_some() {
            let min = frame.style.px(2.0);
            let x_end = if (x - xb).abs() < min {
                xb + if end.left { -min } else { min }
            } else {
                x
            };
            frame.scene.rect((xb, top), (x_end, bottom), end.color);
        }
        let pad = frame.style.px(10.0);
        let w = font.width(&end.text);
        let canvas = f64::from(frame.style.width) - frame.style.margin();
        let (tx, align) = if end.left {
            ((x - pad).max(frame.style.margin() + w), Align::Right)
        } else {
            ((x + pad).min(canvas - w), Align::Left)
        };
        let color = if end.value.is_some() {
            palette::TEXT
        } else {
            palette::MUTED_TEXT
        };
        let baseline = mid + font.cap_height() / 2.0;
        frame
            .scene
            .text(end.text.clone(), (tx, baseline), font, align, color);
    }
}

/// The base value's line over the rows, labelled `Base 14.2%` above them
/// (right of the rows' title, on the canvas).
fn base_line(frame: &mut Frame, base: f64, text: &str) {
    let x = frame.x(base);
    let (top, bottom) = (frame.plot.top, frame.plot.bottom);
    let width = frame.style.px(2.5);
    frame
        .scene
        .line(vec![(x, top), (x, bottom)], palette::REFERENCE, width);
    let font = frame.style.tick;
    let label = format!("Base {text}");
    let w = font.width(&label);
    let title_end = frame.style.margin() + font.width(ROWS_TITLE) + frame.style.px(24.0);
    let right = f64::from(frame.style.width) - frame.style.margin() - w / 2.0;
    let cx = x
        .max(title_end + w / 2.0)
        .min(right.max(title_end + w / 2.0));
    let baseline = frame.title_baseline();
    frame
        .scene
        .text(label, (cx, baseline), font, Align::Center, palette::TEXT);
}
