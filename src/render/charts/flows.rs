//! Chart (a), `flows-<party>`: one party's flows by kind per period as
//! stacked bars (received above zero, paid below) with its cumulative net
//! as a line, on a second axis when the two scales differ a lot.
//!
//! Terminal value is not cash and arrives all at once at the horizon, where
//! a bar would dwarf every other; the line includes it and the legend says
//! how much it is.

use crate::engine::FlowKind;
use crate::Run;

use super::frame::{Frame, LegendItem, Spec, Style, Swatch, YAxis};
use super::palette::Parties;
use super::scale::{amount, Ticks};
use super::scene::Scene;
use super::series::Bucket;
use super::{palette, party_line, series, subtitle};

/// The line gets its own axis when its range is this many times the bars'.
const SECOND_AXIS_RATIO: f64 = 2.5;

/// Share of a bar's period left blank on each side.
const BAR_INSET: f64 = 0.14;

/// One party's bars: the kinds drawn and their signed sums per bucket.
struct Bars {
    buckets: Vec<Bucket>,
    kinds: Vec<FlowKind>,
    /// `sums[bucket][i]` is the flow of `kinds[i]`.
    sums: Vec<Vec<f64>>,
}

impl Bars {
    fn of(run: &Run, party: usize, buckets: Vec<Bucket>) -> Bars {
        let all = series::flows_by_kind(run, party, &buckets);
        let kinds: Vec<usize> = (0..FlowKind::ALL.len())
            .filter(|&k| FlowKind::ALL[k] != FlowKind::TerminalValue)
            .filter(|&k| all.iter().any(|s| s[k].abs() > 1e-12))
            .collect();
        let sums = all
            .iter()
            .map(|s| kinds.iter().map(|&k| s[k]).collect())
            .collect();
        let kinds = kinds.into_iter().map(|k| FlowKind::ALL[k]).collect();
        Bars {
            buckets,
            kinds,
            sums,
        }
    }

    /// Lowest and highest stack ends, zero included.
    fn extent(&self) -> (f64, f64) {
        self.sums.iter().fold((0.0, 0.0), |(lo, hi), s| {
            let up: f64 = s.iter().filter(|v| **v > 0.0).sum();
            let down: f64 = s.iter().filter(|v| **v < 0.0).sum();
            (f64::min(lo, down), f64::max(hi, up))
        })
    }

    /// Each bucket's flows stacked up from zero (received) and down (paid).
    fn draw(&self, frame: &mut Frame) {
        for (bucket, sums) in self.buckets.iter().zip(&self.sums) {
            let (x0, x1) = (frame.x_date(bucket.start), frame.x_date_end(bucket.end));
            let inset = ((x1 - x0) * BAR_INSET).max(0.5);
            let (x0, x1) = (x0 + inset, x1 - inset);
            let (mut up, mut down) = (0.0, 0.0);
            for (kind, v) in self.kinds.iter().zip(sums) {
                let end = if *v > 0.0 { &mut up } else { &mut down };
                let from = *end;
                *end += v;
                if *v != 0.0 {
                    let (y0, y1) = (frame.y(from), frame.y(*end));
                    frame.scene.rect((x0, y0), (x1, y1), palette::kind(*kind));
                }
            }
        }
    }
}

pub fn chart(run: &Run, colors: &Parties, party: usize, style: Style) -> Scene {
    let m = &run.model;
    let (buckets, summed) = series::buckets(run);
    let bars = Bars::of(run, party, buckets);
    let cumulative = series::cumulative_net(run, party);
    let line = cumulative
        .iter()
        .fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    let per = summed.unwrap_or(m.grid.kind).name();
    let (y, y2) = axes(bars.extent(), line, per, &m.meta.money_label());

    // Darker than the party colour: its bars may share the hue (Compute is orange).
    let color = palette::darken(colors.color(party), 0.3);
    let terminal = run.table.kind_total(party, FlowKind::TerminalValue, true);
    let mut line_label = String::from("Cumulative net");
    if y2.is_some() {
        line_label.push_str(" (right axis)");
    }
    if terminal.abs() > 1e-9 {
        line_label.push_str(&format!(
            ", incl. terminal value {} at the horizon",
            amount(&m.meta, terminal)
        ));
    }
    let mut legend: Vec<LegendItem> = bars
        .kinds
        .iter()
        .map(|k| LegendItem::new(Swatch::Bar(palette::kind(*k)), k.label()))
        .collect();
    legend.push(LegendItem::new(
        Swatch::Line {
            color,
            width: style.px(4.0),
            dash: None,
        },
        line_label,
    ));

    let spec = Spec {
        title: format!(
            "{}: flows by kind and cumulative net",
            m.parties[party].name
        ),
        subtitle: subtitle(run, summed),
        legend,
        dates: (m.grid.start, m.grid.end),
        y,
        y2,
        right_gutter: 0.0,
        x_pad: 0.0,
    };
    let mut frame = Frame::new(style, &spec);
    bars.draw(&mut frame);
    frame.zero_line();
    let start = (frame.x_date(m.grid.start), frame.y2(0.0));
    let ends = m
        .grid
        .periods
        .iter()
        .zip(&cumulative)
        .map(|(p, v)| (frame.x_date_end(p.end), frame.y2(*v)));
    let points = std::iter::once(start).chain(ends).collect();
    party_line(&mut frame, points, color);
    frame.into_scene()
}

/// One axis for bars and line, or bars left and line right (zero aligned)
/// when the line's range is far larger.
fn axes(
    bars: (f64, f64),
    line: (f64, f64),
    per: &str,
    label: &str,
) -> (YAxis, Option<(Ticks, String)>) {
    if line.1 - line.0 > SECOND_AXIS_RATIO * (bars.1 - bars.0) {
        let (left, right) = Ticks::aligned(bars, line);
        let title = format!("Flows per {per}, {label} (bars)");
        (
            YAxis::Values { ticks: left, title },
            Some((right, format!("Cumulative net, {label} (line)"))),
        )
    } else {
        let ticks = Ticks::covering(bars.0.min(line.0), bars.1.max(line.1));
        (
            YAxis::Values {
                ticks,
                title: format!("Flows per {per} and cumulative net, {label}"),
            },
            None,
        )
    }
}
