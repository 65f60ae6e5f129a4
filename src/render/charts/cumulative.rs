//! Chart (b), `cumulative-net`: every party's cumulative net on one chart,
//! each line named at its end (no legend to look up), zero line emphasised.
//!
//! Where a line runs over an earlier one (two investors with the same
//! terms), that stretch is dashed, so both colours show; the end labels name
//! both.

use plotters::style::RGBColor;

use crate::engine::FlowKind;
use crate::Run;

use super::frame::{Frame, Spec, Style, YAxis};
use super::palette::Parties;
use super::scale::{amount, Ticks};
use super::scene::{Align, Scene};
use super::{palette, series, subtitle};

pub fn chart(run: &Run, colors: &Parties, parties: &[usize], style: Style) -> Scene {
    let m = &run.model;
    let lines: Vec<(usize, Vec<f64>)> = parties
        .iter()
        .map(|&p| (p, series::cumulative_net(run, p)))
        .collect();
    let (lo, hi) = lines
        .iter()
        .flat_map(|(_, v)| v.iter())
        .fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    let ticks = Ticks::covering(lo, hi);
    let labels: Vec<(usize, String, f64)> = lines
        .iter()
        .map(|(p, v)| {
            let last = v.last().copied().unwrap_or(0.0);
            let sign = if last > 0.0 { "+" } else { "" };
            (
                *p,
                format!(
                    "{} {sign}{}",
                    short_name(&m.parties[*p].name),
                    amount(&m.meta, last)
                ),
                last,
            )
        })
        .collect();
    let pad = style.px(22.0);
    let gutter = labels
        .iter()
        .map(|(_, l, _)| style.legend.width(l))
        .fold(0.0, f64::max)
        + pad;

    let label = m.meta.money_label();
    let terminal = parties
        .iter()
        .any(|&p| run.table.kind_total(p, FlowKind::TerminalValue, true).abs() > 1e-9);
    let title = if terminal {
        format!("Cumulative net, {label} (equity stakes valued at the horizon)")
    } else {
        format!("Cumulative net, {label}")
    };
    let spec = Spec {
        title: "Cumulative net by party".into(),
        subtitle: subtitle(run, None),
        legend: Vec::new(),
        dates: (m.grid.start, m.grid.end),
        y: YAxis::Values { ticks, title },
        y2: None,
        right_gutter: gutter,
        x_pad: 0.0,
    };
    let mut frame = Frame::new(style, &spec);
    frame.zero_line();
    let paths: Vec<(RGBColor, Vec<(f64, f64)>)> = lines
        .iter()
        .map(|(p, values)| {
            let mut points = vec![(frame.x_date(m.grid.start), frame.y(0.0))];
            points.extend(
                m.grid
                    .periods
                    .iter()
                    .zip(values)
                    .map(|(per, v)| (frame.x_date_end(per.end), frame.y(*v))),
            );
            (colors.color(*p), points)
        })
        .collect();
    draw_lines(&mut frame, &paths);
    end_labels(&mut frame, colors, &labels, pad);
    frame.into_scene()
}

/// Draws the lines in order, each stretch that runs over earlier lines
/// (within a quarter of the line width: the same line, to the eye) dashed,
/// with the dashes of the k-th line to cover a stretch shifted so every
/// colour stays visible.
fn draw_lines(frame: &mut Frame, paths: &[(RGBColor, Vec<(f64, f64)>)]) {
    let width = frame.style.px(4.0);
    let dash = frame.style.px(10.0);
    for (j, (color, points)) in paths.iter().enumerate() {
        let earlier: Vec<&[(f64, f64)]> = paths[..j].iter().map(|(_, p)| p.as_slice()).collect();
        for (k, run) in runs(&overlaps(points, &earlier, width / 4.0)) {
            let part = points[run.start..=run.end].to_vec();
            if k == 0 {
                frame.scene.line(part, *color, width);
            } else {
                let shifted = trim_start(&part, (k - 1) as f64 * dash);
                frame
                    .scene
                    .dashed(shifted, *color, width, (dash, k as f64 * dash));
            }
        }
    }
}

/// For each segment of `points`, how many of the `earlier` lines (with the
/// same x positions) it runs over: both its ends within `tolerance` pixels.
fn overlaps(points: &[(f64, f64)], earlier: &[&[(f64, f64)]], tolerance: f64) -> Vec<usize> {
    let near = |a: (f64, f64), b: Option<&(f64, f64)>| {
        b.is_some_and(|b| (a.0 - b.0).abs() <= tolerance && (a.1 - b.1).abs() <= tolerance)
    };
    points
        .windows(2)
        .enumerate()
        .map(|(s, seg)| {
            earlier
                .iter()
                .filter(|e| near(seg[0], e.get(s)) && near(seg[1], e.get(s + 1)))
                .count()
        })
        .collect()
}

/// Consecutive segments with the same overlap count, as (count, segments
/// `a..b`), which run through points `a..=b`.
fn runs(counts: &[usize]) -> Vec<(usize, std::ops::Range<usize>)> {
    let mut out: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
    for (s, &k) in counts.iter().enumerate() {
        match out.last_mut() {
            Some((last, range)) if *last == k => range.end = s + 1,
            _ => out.push((k, s..s + 1)),
        }
    }
    out
}

/// `points` without its first `dist` pixels of length.
fn trim_start(points: &[(f64, f64)], dist: f64) -> Vec<(f64, f64)> {
    let mut left = dist;
    for (i, pair) in points.windows(2).enumerate() {
        let (a, b) = (pair[0], pair[1]);
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        if len > left {
            let t = left / len;
            let start = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
            return std::iter::once(start)
                .chain(points[i + 1..].iter().copied())
                .collect();
        }
        left -= len;
    }
    Vec::new()
}

/// A party name without its parenthetical: "Oracle (Stargate)" -> "Oracle".
fn short_name(name: &str) -> &str {
    match name.split_once(" (") {
        Some((short, _)) if !short.trim().is_empty() => short.trim(),
        _ => name,
    }
}

/// Names each line right of the plot at its last value, spread apart so no
/// two labels overlap, with a short leader when a label had to move.
fn end_labels(frame: &mut Frame, colors: &Parties, labels: &[(usize, String, f64)], pad: f64) {
    let font = frame.style.legend;
    let gap = font.size * 1.1;
    let mut order: Vec<(f64, usize)> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (frame.y(l.2), i))
        .collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0));
    let wanted: Vec<f64> = order.iter().map(|o| o.0).collect();
    let placed = spread(&wanted, gap, frame.plot.top, frame.plot.bottom);
    let x = frame.plot.right;
    for ((want, i), at) in order.iter().zip(placed) {
        let (party, text, _) = &labels[*i];
        if (at - want).abs() > 1.0 {
            let lead = vec![
                (x + frame.style.px(3.0), *want),
                (x + pad - frame.style.px(5.0), at),
            ];
            frame.scene.line(
                lead,
                palette::tint(colors.color(*party), 0.3),
                frame.style.px(1.5),
            );
        }
        frame.scene.text(
            text.clone(),
            (x + pad, at + font.cap_height() / 2.0),
            font,
            Align::Left,
            colors.text(*party),
        );
    }
}

/// Moves sorted positions apart to at least `gap`, staying within `lo..=hi`
/// and as close to where they were wanted as that allows.
pub fn spread(wanted: &[f64], gap: f64, lo: f64, hi: f64) -> Vec<f64> {
    let mut at: Vec<f64> = wanted.iter().map(|w| w.clamp(lo, hi)).collect();
    for i in 1..at.len() {
        at[i] = at[i].max(at[i - 1] + gap);
    }
    if let Some(last) = at.last_mut() {
        *last = last.min(hi);
    }
    for i in (0..at.len().saturating_sub(1)).rev() {
        at[i] = at[i].min(at[i + 1] - gap);
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_stretches_of_later_lines_are_found() {
        let a = [(0.0, 10.0), (10.0, 20.0), (20.0, 20.0), (30.0, 20.0)];
        // Leaves `a` after its first point, rejoins it for the last segment.
        let b = [(0.0, 10.0), (10.0, 30.0), (20.0, 20.3), (30.0, 20.0)];
        assert_eq!(overlaps(&a, &[], 1.0), vec![0, 0, 0]);
        assert_eq!(overlaps(&b, &[&a], 1.0), vec![0, 0, 1]);
        assert_eq!(overlaps(&a, &[&a, &a], 1.0), vec![2, 2, 2]);
        assert_eq!(
            runs(&[0, 0, 1, 1, 0]),
            vec![(0, 0..2), (1, 2..4), (0, 4..5)]
        );
    }

    #[test]
    fn trim_start_cuts_along_the_path() {
        let path = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)];
        assert_eq!(trim_start(&path, 0.0), path.to_vec());
        assert_eq!(trim_start(&path, 15.0), vec![(10.0, 5.0), (10.0, 10.0)]);
        assert!(trim_start(&path, 25.0).is_empty());
    }

    #[test]
    fn spread_pushes_labels_apart_inside_bounds() {
        // Three labels wanted at 50, 52, 100 with a gap of 10: 50, 60, 100.
        assert_eq!(
            spread(&[50.0, 52.0, 100.0], 10.0, 0.0, 200.0),
            vec![50.0, 60.0, 100.0]
        );
        // Crowded at the bottom edge (hi = 100): pushed up from it.
        assert_eq!(
            spread(&[99.0, 100.0, 100.0], 10.0, 0.0, 100.0),
            vec![80.0, 90.0, 100.0]
        );
    }
}
