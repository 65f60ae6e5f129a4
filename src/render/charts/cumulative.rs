//! Chart (b), `cumulative-net`: every party's cumulative net on one chart,
//! each line named at its end (no legend to look up), zero line emphasised.

use crate::Run;

use super::frame::{Frame, Spec, Style, YAxis};
use super::scale::{amount, Ticks};
use super::scene::{Align, Scene};
use super::{palette, series, subtitle};

pub fn chart(run: &Run, parties: &[usize], style: Style) -> Scene {
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
    let spec = Spec {
        title: "Cumulative net by party".into(),
        subtitle: subtitle(run, None),
        legend: Vec::new(),
        dates: (m.grid.start, m.grid.end),
        y: YAxis::Values {
            ticks,
            title: format!("Cumulative net, {label} (equity stakes valued at the horizon)"),
        },
        y2: None,
        right_gutter: gutter,
        bars: false,
    };
    let mut frame = Frame::new(style, &spec);
    frame.zero_line();
    for (p, values) in &lines {
        let mut points = vec![(frame.x_date(m.grid.start), frame.y(0.0))];
        points.extend(
            m.grid
                .periods
                .iter()
                .zip(values)
                .map(|(per, v)| (frame.x_date_end(per.end), frame.y(*v))),
        );
        frame
            .scene
            .line(points, palette::party(*p), frame.style.px(4.0));
    }
    end_labels(&mut frame, &labels, pad);
    frame.into_scene()
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
fn end_labels(frame: &mut Frame, labels: &[(usize, String, f64)], pad: f64) {
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
                palette::tint(palette::party(*party), 0.3),
                frame.style.px(1.5),
            );
        }
        frame.scene.text(
            text.clone(),
            (x + pad, at + font.cap_height() / 2.0),
            font,
            Align::Left,
            palette::party_text(*party),
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
