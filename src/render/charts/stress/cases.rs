//! `cases-<party>`: a party's cumulative net in the base case and in each
//! named case, from 0 on the first day. The base case is the thick black
//! line, drawn last so it stays on top; cases take a qualitative palette
//! of their own (ColorBrewer Dark2), so a case is never mistaken for a
//! party. Each line is named at its end with its last value.

use plotters::style::RGBColor;

use super::super::frame::{Frame, LegendItem, Spec, Style, Swatch, YAxis};
use super::super::palette;
use super::super::scale::Ticks;
use super::super::scene::Scene;
use super::{end_gutter, label_ends, money, range, signed, subtitle, time_path};
use super::{Cases, StressCharts};

/// Colours of cases, in order; they repeat past the last.
const CASES: [RGBColor; 7] = [
    RGBColor(0x1B, 0x9E, 0x77),
    RGBColor(0xD9, 0x5F, 0x02),
    RGBColor(0x75, 0x70, 0xB3),
    RGBColor(0xE7, 0x29, 0x8A),
    RGBColor(0x66, 0xA6, 0x1E),
    RGBColor(0xA6, 0x76, 0x1D),
    RGBColor(0xE6, 0xAB, 0x02),
];
/// The base case's line.
const BASE: RGBColor = RGBColor(0x1A, 0x1A, 0x1A);

pub fn chart(c: &StressCharts, k: &Cases, style: Style) -> Option<Scene> {
    let last_date = *k.dates.last()?;
    let mut lines: Vec<(String, &[f64], RGBColor, f64)> = k
        .cases
        .iter()
        .enumerate()
        .map(|(i, (name, v))| {
            (
                name.clone(),
                v.as_slice(),
                CASES[i % CASES.len()],
                style.px(3.0),
            )
        })
        .collect();
    lines.push(("Base".to_string(), k.base.as_slice(), BASE, style.px(5.0)));
    let (lo, hi) = range(lines.iter().flat_map(|l| l.1.iter().copied()).chain([0.0]))?;
    let last = |v: &[f64]| v.iter().rev().copied().find(|x| x.is_finite());
    let labels: Vec<(String, f64, RGBColor)> = lines
        .iter()
        .filter_map(|(name, v, color, _)| {
            let end = last(v)?;
            let text = format!("{name} {}", signed(money(&c.unit, end), end));
            Some((text, end, palette::darken(*color, 0.15)))
        })
        .collect();
    let texts: Vec<&str> = labels.iter().map(|l| l.0.as_str()).collect();
    let gutter = end_gutter(&style, &texts);
    // The base case (the last line) first, then the cases in order.
    let base_first = lines.iter().rev().take(1).chain(&lines[..lines.len() - 1]);
    let legend = base_first
        .enumerate()
        .map(|(i, (name, _, color, width))| {
            let swatch = Swatch::Line {
                color: *color,
                width: *width,
                dash: None,
            };
            LegendItem::new(swatch, if i == 0 { "Base case" } else { name })
        })
        .collect();
    let spec = Spec {
        title: format!("{}: cumulative net by case", k.party.name),
        subtitle: subtitle(c, true, "named cases against the base case"),
        legend,
        dates: (k.start.min(k.dates[0]), last_date),
        y: YAxis::Values {
            ticks: Ticks::covering(lo, hi),
            title: format!("Cumulative net, {}", c.unit),
        },
        y2: None,
        right_gutter: gutter,
        x_pad: 0.0,
    };
    let mut frame = Frame::new(style, &spec);
    frame.zero_line();
    for (_, values, color, width) in &lines {
        let points = time_path(&frame, k.start, Some(0.0), &k.dates, values);
        // A white halo keeps crossing lines apart.
        let halo = width + frame.style.px(3.0);
        frame.scene.line(points.clone(), palette::WHITE, halo);
        frame.scene.line(points, *color, *width);
    }
    if gutter > 0.0 {
        label_ends(&mut frame, labels);
    }
    Some(frame.into_scene())
}
