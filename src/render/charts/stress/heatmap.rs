//! `heatmap-<id>`: a metric over a grid of two drivers, the others at base.
//! The first driver runs across (left to right), the second up (bottom to
//! top), as on any chart with two axes. Each cell is coloured on a
//! diverging scale centred on a reference (break-even): red below, blue
//! above, white at it, equally intense at equal distances either side, with
//! the scale drawn as a bar at the right. Cells carry their value when it
//! fits (in condensed type if need be, else not at all); undefined cells are
//! light grey with `n/a`; the base case's cell is outlined.

use plotters::style::RGBColor;

use super::super::font::{Face, Font};
use super::super::frame::{Frame, LegendItem, Spec, Style, Swatch, XAxis, YAxis};
use super::super::palette;
use super::super::scale::Ticks;
use super::super::scene::{Align, Scene};
use super::{axis_title, range, subtitle, value, Heatmap, Kind, StressCharts};

/// The diverging scale (ColorBrewer RdBu), from far below the reference to
/// far above it.
const SCALE: [RGBColor; 5] = [
    RGBColor(0xB2, 0x18, 0x2B),
    RGBColor(0xEF, 0x8A, 0x62),
    RGBColor(0xF7, 0xF7, 0xF7),
    RGBColor(0x67, 0xA9, 0xCF),
    RGBColor(0x21, 0x66, 0xAC),
];
/// Undefined cells.
const UNDEFINED: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);

pub fn chart(c: &StressCharts, hm: &Heatmap, style: Style) -> Option<Scene> {
    let (nx, ny) = (hm.x.values.len(), hm.y.values.len());
    if nx == 0 || ny == 0 {
        return None;
    }
    let cell = |col: usize, row: usize| -> Option<f64> {
        hm.cells
            .get(row)
            .and_then(|r| r.get(col))
            .copied()
            .flatten()
            .filter(|v| v.is_finite())
    };
    let grid = || (0..ny).flat_map(move |row| (0..nx).map(move |col| (col, row)));
    let reference = if hm.reference.is_finite() {
        hm.reference
    } else {
        hm.metric.kind.break_even()
    };
    let (lo, hi) = range(grid().filter_map(|(x, y)| cell(x, y)).chain([reference]))?;
    let reach = (hi - reference).max(reference - lo).max(1e-12);
    let kind = hm.metric.kind;
    let bar_ticks = Ticks::spanning(lo, hi);
    let bar_labels: Vec<String> = bar_ticks
        .values()
        .iter()
        .map(|v| bar_ticks.format(*v, kind.format()))
        .collect();
    let bar = Bar::new(&style, &bar_labels);
    let mut legend = Vec::new();
    if grid().any(|(x, y)| cell(x, y).is_none()) {
        legend.push(LegendItem::new(Swatch::Bar(UNDEFINED), "Undefined (n/a)"));
    }
    if hm.base.is_some_and(|(x, y)| x < nx && y < ny) {
        legend.push(LegendItem::new(Swatch::Note, "Outlined: base case"));
    }
    let mut spec = Spec {
        title: format!(
            "{}: {} by {} and {}",
            hm.party.name,
            hm.metric.name,
            short(&hm.x.name),
            short(&hm.y.name)
        ),
        subtitle: subtitle(c, kind == Kind::Money, "the other drivers at base"),
        legend,
        dates: Default::default(),
        y: YAxis::NamedRows {
            rows: row_labels(hm, 1),
            title: hm.y.name.clone(),
        },
        y2: None,
        right_gutter: bar.gutter,
        x_pad: 0.0,
    };
    let x = XAxis::Columns {
        labels: hm.x.values.clone(),
        title: hm.x.name.clone(),
    };
    let mut frame = Frame::with(style, &spec, &x, "");
    // Rows too short for every label: every k-th.
    let every = (style.tick.size * 1.1 / frame.row(0).1).ceil().max(1.0) as usize;
    if every > 1 {
        spec.y = YAxis::NamedRows {
            rows: row_labels(hm, every),
            title: hm.y.name.clone(),
        };
        frame = Frame::with(style, &spec, &x, "");
    }
    let color = |v: f64| diverging((v - reference) / reach);
    for (col, row) in grid() {
        let v = cell(col, row);
        let (x0, x1, y0, y1) = bounds(&frame, ny, col, row);
        frame
            .scene
            .rect((x0, y0), (x1, y1), v.map_or(UNDEFINED, color));
        let text = v.map_or_else(|| "n/a".to_string(), |v| value(kind, &c.unit, v));
        let ink = v.map_or(palette::MUTED_TEXT, |v| ink_on(color(v)));
        cell_label(&mut frame, &text, (x0, x1, y0, y1), ink);
    }
    separators(&mut frame, nx, ny);
    if let Some((col, row)) = hm.base.filter(|(x, y)| *x < nx && *y < ny) {
        let cell = bounds(&frame, ny, col, row);
        outline(&mut frame, cell);
    }
    let title = axis_title(&hm.metric, &c.unit);
    bar.draw(&mut frame, &bar_ticks, &bar_labels, &title, color);
    Some(frame.into_scene())
}

/// A driver's name as the title writes it: without its unit ("Compute
/// price, $/GPU-hour" is "compute price"; the axes keep the unit), a
/// capital first letter lowered unless the next is a capital too (`GPU`).
fn short(name: &str) -> String {
    let short = match name.split_once(", ") {
        Some((short, _)) if !short.trim().is_empty() => short.trim(),
        _ => name,
    };
    let mut chars = short.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && !b.is_uppercase() => {
            a.to_lowercase().chain(short.chars().skip(1)).collect()
        }
        _ => short.to_string(),
    }
}

/// The y driver's values top to bottom (the first value at the bottom),
/// every `every`-th one counted from the bottom, the others blank.
fn row_labels(hm: &Heatmap, every: usize) -> Vec<(String, RGBColor)> {
    hm.y.values
        .iter()
        .enumerate()
        .rev()
        .map(|(j, v)| {
            let text = if j % every == 0 {
                v.clone()
            } else {
                String::new()
            };
            (text, palette::MUTED_TEXT)
        })
        .collect()
}

/// Left, right, top and bottom of a cell, in pixels.
fn bounds(frame: &Frame, ny: usize, col: usize, row: usize) -> (f64, f64, f64, f64) {
    let (cy, h) = frame.row(ny - 1 - row);
    let (x0, x1) = (frame.x(col as f64), frame.x(col as f64 + 1.0));
    (x0, x1, cy - h / 2.0, cy + h / 2.0)
}

/// A colour on the diverging scale, `t` from -1 (far below) to 1 (far above).
fn diverging(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let pos = (t + 1.0) * 2.0;
    let i = (pos.floor() as usize).min(SCALE.len() - 2);
    let f = pos - i as f64;
    let (a, b) = (SCALE[i], SCALE[i + 1]);
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// White on dark cells, near-black on light ones.
fn ink_on(fill: RGBColor) -> RGBColor {
    let luma = 0.299 * f64::from(fill.0) + 0.587 * f64::from(fill.1) + 0.114 * f64::from(fill.2);
    if luma < 150.0 {
        palette::WHITE
    } else {
        palette::TEXT
    }
}

/// The cell's text centred in it, in the note font or condensed and
/// smaller when that is too wide; left out when neither fits.
fn cell_label(
    frame: &mut Frame,
    text: &str,
    (x0, x1, y0, y1): (f64, f64, f64, f64),
    ink: RGBColor,
) {
    let note = frame.style.note;
    let pad = frame.style.px(6.0);
    let fonts = [note, Font::new(Face::Condensed, note.size * 0.85)];
    let Some(font) = fonts
        .into_iter()
        .find(|f| f.width(text) + 2.0 * pad <= x1 - x0 && f.size * 1.05 <= y1 - y0)
    else {
        return;
    };
    let at = ((x0 + x1) / 2.0, (y0 + y1) / 2.0 + font.cap_height() / 2.0);
    frame.scene.text(text, at, font, Align::Center, ink);
}

/// White lines between cells, so neighbours of one colour stay apart.
fn separators(frame: &mut Frame, nx: usize, ny: usize) {
    let w = frame.style.px(2.0);
    let (left, right, top, bottom) = (
        frame.plot.left,
        frame.plot.right,
        frame.plot.top,
        frame.plot.bottom,
    );
    for col in 1..nx {
        let x = frame.x(col as f64);
        frame
            .scene
            .line(vec![(x, top), (x, bottom)], palette::WHITE, w);
    }
    for r in 1..ny {
        let (cy, h) = frame.row(r);
        let y = cy - h / 2.0;
        frame
            .scene
            .line(vec![(left, y), (right, y)], palette::WHITE, w);
    }
}

/// A dark frame just inside a cell, as four bars (a closed polyline
/// leaves a notch where it starts).
fn outline(frame: &mut Frame, (x0, x1, y0, y1): (f64, f64, f64, f64)) {
    let w = frame.style.px(4.0);
    let i = frame.style.px(1.0);
    let (x0, x1, y0, y1) = (x0 + i, x1 - i, y0 + i, y1 - i);
    for (a, b) in [
        ((x0, y0), (x1, y0 + w)),
        ((x0, y1 - w), (x1, y1)),
        ((x0, y0), (x0 + w, y1)),
        ((x1 - w, y0), (x1, y1)),
    ] {
        frame.scene.rect(a, b, palette::TEXT);
    }
}

/// The colour scale at the right of the plot.
struct Bar {
    gutter: f64,
    gap: f64,
    width: f64,
}

impl Bar {
    fn new(style: &Style, labels: &[String]) -> Bar {
        let (gap, width) = (style.px(36.0), style.px(22.0));
        let widest = labels
            .iter()
            .map(|l| style.tick.width(l))
            .fold(0.0, f64::max);
        Bar {
            gutter: gap + width + style.px(10.0) + widest,
            gap,
            width,
        }
    }

    /// The scale from `ticks.min` (bottom) to `ticks.max`, in thin slices,
    /// with its tick labels and `title` above it.
    fn draw(
        &self,
        frame: &mut Frame,
        ticks: &Ticks,
        labels: &[String],
        title: &str,
        color: impl Fn(f64) -> RGBColor,
    ) {
        let x0 = frame.plot.right + self.gap;
        let x1 = x0 + self.width;
        let (top, bottom) = (frame.plot.top, frame.plot.bottom);
        let span = (ticks.max - ticks.min).max(1e-12);
        let y = |v: f64| bottom - (v - ticks.min) / span * (bottom - top);
        let slices = 96;
        for s in 0..slices {
            let (a, b) = (s as f64 / slices as f64, (s + 1) as f64 / slices as f64);
            let v = ticks.min + (a + b) / 2.0 * span;
            // Slices overlap by a pixel so no seam shows.
            let (ya, yb) = (y(ticks.min + a * span) + 0.5, y(ticks.min + b * span) - 0.5);
            frame.scene.rect((x0, yb), (x1, ya), color(v));
        }
        let font = frame.style.tick;
        let mark = frame.style.px(6.0);
        let min_gap = font.size * 1.1;
        let mut last: Option<f64> = None;
        for (v, label) in ticks.values().iter().zip(labels) {
            let py = y(*v);
            let w = frame.style.px(1.5);
            frame
                .scene
                .line(vec![(x1, py), (x1 + mark, py)], palette::AXIS, w);
            if last.is_some_and(|l| (l - py).abs() < min_gap) {
                continue;
            }
            last = Some(py);
            let at = (
                x1 + mark + frame.style.px(4.0),
                py + font.cap_height() / 2.0,
            );
            frame
                .scene
                .text(label.clone(), at, font, Align::Left, palette::MUTED_TEXT);
        }
        let edge = f64::from(frame.style.width) - frame.style.margin();
        let (tx, align) = if x0 + font.width(title) <= edge {
            (x0, Align::Left)
        } else {
            (edge, Align::Right)
        };
        let baseline = frame.title_baseline();
        frame
            .scene
            .text(title, (tx, baseline), font, align, palette::MUTED_TEXT);
    }
}
