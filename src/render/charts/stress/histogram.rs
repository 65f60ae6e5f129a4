//! `histogram-<metric>-<party>`: a metric across paths, as the share of all
//! paths in each bin. Bins below break-even are drawn in a muted red (a bin
//! that straddles it is split there), the others in the party's colour.
//! Vertical lines mark the base case (dashed), the mean, P5 and P95
//! (dotted), each labelled at the top of the plot; the plot is made taller
//! than the bars when the labels need the room. The bins span P0.5..P99.5;
//! a footnote counts the paths beyond them (not drawn) and the paths with
//! no value, by reason.

use plotters::style::RGBColor;

use super::super::frame::{Frame, LegendItem, Spec, Style, Swatch, XAxis, YAxis};
use super::super::palette::{self, Parties};
use super::super::scale::{number, Ticks};
use super::super::scene::{Align, Scene};
use super::{axis_title, count, exact, money, range, sampling, subtitle, value, with_unit};
use super::{Histogram, Kind, StressCharts};

/// The colour of bars below break-even.
const LOSS: RGBColor = RGBColor(0xD9, 0x82, 0x7E);
/// Its stand-in when the party's own colour is a red.
const LOSS_GREY: RGBColor = RGBColor(0x8C, 0x8C, 0x8C);

/// A marked value: its label, where, and how its line is drawn.
struct Marker {
    text: String,
    at: f64,
    color: RGBColor,
    dash: Option<(f64, f64)>,
    /// Label left of the line (else right), when there is room.
    left: bool,
}

pub fn chart(c: &StressCharts, h: &Histogram, colors: &Parties, style: Style) -> Option<Scene> {
    let bins = bins(h);
    let (first, last) = (bins.first()?, bins.last()?);
    let total: u64 = h.counts.iter().sum::<u64>() + h.undefined.iter().map(|u| u.1).sum::<u64>();
    let paths = c.paths.max(total).max(1) as f64;
    let shares: Vec<(f64, f64, f64)> = bins
        .iter()
        .map(|(a, b, n)| (*a, *b, *n as f64 / paths * 100.0))
        .collect();
    let kind = h.metric.kind;
    let markers = markers(c, h, &style);
    let (x_lo, x_hi) = range(
        [first.0, last.1]
            .into_iter()
            .chain(markers.iter().map(|m| m.at)),
    )?;
    let x_ticks = Ticks::spanning(x_lo, x_hi);
    let tallest = shares.iter().map(|s| s.2).fold(0.0, f64::max);
    let color = colors.color(h.party.index);
    let loss = if reddish(color) { LOSS_GREY } else { LOSS };
    let be = kind.break_even();
    let any_loss = shares.iter().any(|s| s.0 < be);
    let share_title = share_title(&bins, kind, &c.unit);
    let spec = |y_max: f64| Spec {
        title: format!(
            "{}: {} across {} paths",
            h.party.name,
            h.metric.name,
            count(paths as u64)
        ),
        subtitle: subtitle(c, kind == Kind::Money, &sampling(c)),
        legend: legend(c, h, color, loss, any_loss),
        dates: Default::default(),
        y: YAxis::Values {
            ticks: Ticks::covering(0.0, y_max),
            title: share_title.clone(),
        },
        y2: None,
        right_gutter: 0.0,
        x_pad: 0.0,
    };
    let x = XAxis::Values {
        ticks: x_ticks,
        format: kind.format(),
        title: axis_title(&h.metric, &c.unit),
    };
    let footnote = footnote(h, paths as u64, &c.unit);
    let mut y_max = tallest;
    let mut frame = Frame::with(style, &spec(y_max), &x, &footnote);
    // Make room above the bars for the marker labels.
    for _ in 0..3 {
        let room = label_rows(&frame, &markers).1 - frame.plot.top;
        let height = frame.plot.bottom - frame.plot.top;
        if frame.y(tallest) >= frame.plot.top + room || room >= height * 0.6 {
            break;
        }
        y_max = tallest * height / (height - room);
        frame = Frame::with(style, &spec(y_max), &x, &footnote);
    }
    draw_bars(&mut frame, &shares, be, color, loss);
    frame.zero_line();
    draw_markers(&mut frame, &markers);
    Some(frame.into_scene())
}

/// The bins from the first to the last with paths in them, with finite edges.
fn bins(h: &Histogram) -> Vec<(f64, f64, u64)> {
    let all: Vec<(f64, f64, u64)> = h
        .edges
        .windows(2)
        .zip(&h.counts)
        .filter(|(e, _)| e[0].is_finite() && e[1].is_finite() && e[1] > e[0])
        .map(|(e, n)| (e[0], e[1], *n))
        .collect();
    let first = all.iter().position(|b| b.2 > 0);
    let last = all.iter().rposition(|b| b.2 > 0);
    match (first, last) {
        (Some(a), Some(b)) => all[a..=b].to_vec(),
        _ => Vec::new(),
    }
}

/// The y axis title: `% of paths, bins 1% wide` when bins are all as wide.
fn share_title(bins: &[(f64, f64, u64)], kind: Kind, unit: &str) -> String {
    let w = bins.first().map_or(0.0, |b| b.1 - b.0);
    let same = bins.iter().all(|b| ((b.1 - b.0) - w).abs() <= w * 1e-6);
    if !same || w <= 0.0 {
        return "% of paths in each bin".to_string();
    }
    let width = match kind {
        Kind::Percent => format!("{}%", exact(w * 100.0)),
        Kind::Multiple => format!("{}x", exact(w)),
        Kind::Money => with_unit(unit, exact(w)),
    };
    format!("% of paths, bins {width} wide")
}

/// A party colour close to the red of losses (red, pink).
fn reddish(c: RGBColor) -> bool {
    let (r, g, b) = (i32::from(c.0), i32::from(c.1), i32::from(c.2));
    r > g + 50 && r > b + 50 && (g - b).abs() < 40
}

fn legend(
    c: &StressCharts,
    h: &Histogram,
    color: RGBColor,
    loss: RGBColor,
    any_loss: bool,
) -> Vec<LegendItem> {
    let kind = h.metric.kind;
    let be = value_short(kind, &c.unit, kind.break_even());
    let name = &h.metric.name;
    let mut items = vec![LegendItem::new(
        Swatch::Bar(color),
        format!("{name} of {be} or more"),
    )];
    if any_loss || h.p_loss.is_some() {
        let mut text = format!("{name} below {be}");
        if let Some(p) = h.p_loss.filter(|p| p.is_finite()) {
            text.push_str(&format!(": P(loss) {}", value(Kind::Percent, "", p)));
        }
        items.push(LegendItem::new(Swatch::Bar(loss), text));
    }
    items
}

/// Break-even as written in the legend: `0%`, `1.0x`, `$0`.
fn value_short(kind: Kind, unit: &str, v: f64) -> String {
    match kind {
        Kind::Percent => format!("{}%", exact(v * 100.0)),
        Kind::Multiple => format!("{}x", number(v, 1)),
        Kind::Money => money(unit, v),
    }
}

/// Base case, mean, P5 and P95, where given and finite.
fn markers(c: &StressCharts, h: &Histogram, style: &Style) -> Vec<Marker> {
    let kind = h.metric.kind;
    let dotted = Some((style.px(3.0), style.px(5.0)));
    let below = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => a <= b,
        _ => true,
    };
    let mut out = Vec::new();
    let mut add = |name: &str, v: Option<f64>, color, dash, left| {
        if let Some(v) = v.filter(|v| v.is_finite()) {
            out.push(Marker {
                text: format!("{name} {}", value(kind, &c.unit, v)),
                at: v,
                color,
                dash,
                left,
            });
        }
    };
    add("P5", h.p5, palette::MUTED_TEXT, dotted, true);
    add(
        "Base",
        h.base,
        palette::REFERENCE,
        Some(style.dash()),
        below(h.base, h.mean),
    );
    add(
        "Mean",
        h.mean,
        palette::TEXT,
        None,
        !below(h.base, h.mean) || h.base.is_none(),
    );
    add("P95", h.p95, palette::MUTED_TEXT, dotted, false);
    out
}

/// Where each marker's label goes, (left, baseline), and the y below the
/// lowest: labels beside their lines, in rows from the top of the plot,
/// each in the first row where it overlaps no other.
fn label_rows(frame: &Frame, markers: &[Marker]) -> (Vec<(f64, f64)>, f64) {
    let font = frame.style.note;
    let (pad, gap) = (frame.style.px(8.0), frame.style.px(12.0));
    let line = font.size * 1.25;
    let first = frame.plot.top + pad + font.cap_height();
    let mut taken: Vec<(usize, f64, f64)> = Vec::new();
    let mut out = Vec::new();
    let mut lowest = frame.plot.top;
    for m in markers {
        let x = frame.x(m.at);
        let w = font.width(&m.text);
        let (lo, hi) = (frame.plot.left, frame.plot.right);
        let left_ok = x - pad - w >= lo;
        let right_ok = x + pad + w <= hi;
        let left = if m.left {
            left_ok || !right_ok
        } else {
            left_ok && !right_ok
        };
        let l = if left { x - pad - w } else { x + pad };
        let l = l.clamp(lo, (hi - w).max(lo));
        let row = (0..)
            .find(|r| {
                !taken
                    .iter()
                    .any(|(tr, a, b)| tr == r && l < b + gap && l + w + gap > *a)
            })
            .unwrap_or(0);
        taken.push((row, l, l + w));
        let baseline = first + row as f64 * line;
        lowest = lowest.max(baseline + font.descent() + pad);
        out.push((l, baseline));
    }
    (out, lowest)
}

/// Bars from zero, each split at break-even: the part below in `loss`.
fn draw_bars(
    frame: &mut Frame,
    shares: &[(f64, f64, f64)],
    be: f64,
    color: RGBColor,
    loss: RGBColor,
) {
    let y0 = frame.y(0.0);
    let w = frame.x(shares[0].1) - frame.x(shares[0].0);
    // A hairline between bars once they are wide enough to keep it.
    let gap = if w > frame.style.px(6.0) {
        frame.style.px(1.0)
    } else {
        0.0
    };
    for &(a, b, share) in shares {
        if share <= 0.0 {
            continue;
        }
        let y = frame.y(share);
        let (xa, xb, xe) = (frame.x(a) + gap / 2.0, frame.x(b) - gap / 2.0, frame.x(be));
        if b <= be {
            frame.scene.rect((xa, y), (xb, y0), loss);
        } else if a >= be {
            frame.scene.rect((xa, y), (xb, y0), color);
        } else {
            frame.scene.rect((xa, y), (xe, y0), loss);
            frame.scene.rect((xe, y), (xb, y0), color);
        }
    }
}

/// Each marker's line across the plot, then its label on a white backing.
fn draw_markers(frame: &mut Frame, markers: &[Marker]) {
    let (places, _) = label_rows(frame, markers);
    let font = frame.style.note;
    let width = frame.style.px(2.0);
    for m in markers {
        let x = frame.x(m.at);
        let points = vec![(x, frame.plot.top), (x, frame.plot.bottom)];
        match m.dash {
            Some(d) => frame.scene.dashed(points, m.color, width, d),
            None => frame.scene.line(points, m.color, width),
        }
    }
    for (m, (l, baseline)) in markers.iter().zip(places) {
        let w = font.width(&m.text);
        frame.scene.rect(
            (l - 3.0, baseline - font.cap_height() - 4.0),
            (l + w + 3.0, baseline + font.descent() + 2.0),
            palette::WHITE,
        );
        let color = if m.color == palette::MUTED_TEXT {
            palette::MUTED_TEXT
        } else {
            palette::TEXT
        };
        frame
            .scene
            .text(m.text.clone(), (l, baseline), font, Align::Left, color);
    }
}

/// "2,345 of 100,000 paths have no IRR: 2,300 no sign change, 45 no root".
fn footnote(h: &Histogram, paths: u64, unit: &str) -> String {
    let mut notes = Vec::new();
    // The bins span P0.5..P99.5: say what lies beyond rather than stretch
    // the axis for a few extreme paths.
    let (first, last) = (h.edges.first(), h.edges.last());
    let at = |v: Option<&f64>| v.map_or(String::new(), |v| value(h.metric.kind, unit, *v));
    let mut beyond = Vec::new();
    if h.below > 0 {
        beyond.push(format!("{} paths below {}", count(h.below), at(first)));
    }
    if h.above > 0 {
        let paths = if beyond.is_empty() { " paths" } else { "" };
        beyond.push(format!("{}{paths} above {}", count(h.above), at(last)));
    }
    if !beyond.is_empty() {
        notes.push(format!("Not drawn: {}", beyond.join(" and ")));
    }
    let missing: u64 = h.undefined.iter().map(|u| u.1).sum();
    if missing > 0 {
        let reasons: Vec<String> = h
            .undefined
            .iter()
            .filter(|u| u.1 > 0)
            .map(|(why, n)| format!("{} {why}", count(*n)))
            .collect();
        notes.push(format!(
            "{} of {} paths have no {}: {}",
            count(missing),
            count(paths),
            h.metric.name,
            reasons.join(", ")
        ));
    }
    notes.join(". ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_footnote_says_what_lies_beyond_the_bins_and_what_has_no_value() {
        let h = |below, above, undefined: Vec<(String, u64)>| Histogram {
            metric: super::super::Metric {
                id: "npv".into(),
                name: "NPV".into(),
                kind: Kind::Money,
            },
            edges: vec![-5.0, 0.0, 425.0],
            counts: vec![10, 980],
            below,
            above,
            undefined,
            ..Histogram::default()
        };
        assert_eq!(footnote(&h(0, 0, Vec::new()), 990, "$B"), "");
        assert_eq!(
            footnote(&h(5, 5, Vec::new()), 1000, "$B"),
            "Not drawn: 5 paths below \u{2212}$5B and 5 above $425B"
        );
        assert_eq!(
            footnote(&h(0, 7, Vec::new()), 997, "$B"),
            "Not drawn: 7 paths above $425B"
        );
        assert_eq!(
            footnote(&h(3, 0, vec![("no root".into(), 2)]), 995, "$B"),
            "Not drawn: 3 paths below \u{2212}$5B. 2 of 995 paths have no NPV: 2 no root"
        );
    }
}
