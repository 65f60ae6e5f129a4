//! `fan-<series>-<party>`: a party's cumulative net or cash balance across
//! paths, period by period: the P5–P95 band in a light tint of the party's
//! colour, P25–P75 in a stronger one, the median in the colour itself and
//! the base case dashed dark; P95, median, P5 and base case named at the
//! right with their last values.

use plotters::style::RGBColor;

use super::super::frame::{Frame, LegendItem, Spec, Style, Swatch, YAxis};
use super::super::palette::{self, Parties};
use super::super::party_line;
use super::super::scale::Ticks;
use super::super::scene::{Scene, Shape};
use super::{count, end_gutter, label_ends, money, range, sampling, signed, subtitle};
use super::{time_path, Fan, Series, StressCharts};

/// Tints of the party colour for the outer and inner bands.
const OUTER: f64 = 0.8;
const INNER: f64 = 0.52;

pub fn chart(c: &StressCharts, fan: &Fan, colors: &Parties, style: Style) -> Option<Scene> {
    let n = fan.dates.len().min(fan.percentiles.len());
    let (dates, bands) = (&fan.dates[..n], &fan.percentiles[..n]);
    let last_date = *dates.last()?;
    let base = fan.base.as_deref().map(|b| &b[..b.len().min(n)]);
    let (lo, hi) = range(
        bands
            .iter()
            .flatten()
            .chain(base.into_iter().flatten())
            .chain(&fan.opening)
            .copied(),
    )?;
    let color = colors.color(fan.party.index);
    let column = |k: usize| bands.iter().map(|b| b[k]).collect::<Vec<f64>>();
    let last = |v: &[f64]| v.iter().rev().copied().find(|x| x.is_finite());
    let mut labels: Vec<(String, f64, RGBColor)> = Vec::new();
    for (k, name, text_color) in [
        (4, "P95", palette::MUTED_TEXT),
        (2, "Median", colors.text(fan.party.index)),
        (0, "P5", palette::MUTED_TEXT),
    ] {
        if let Some(v) = last(&column(k)) {
            labels.push((
                format!("{name} {}", signed(money(&c.unit, v), v)),
                v,
                text_color,
            ));
        }
    }
    if let Some(v) = base.and_then(last) {
        let text = format!("Base {}", signed(money(&c.unit, v), v));
        labels.push((text, v, palette::REFERENCE));
    }
    let texts: Vec<&str> = labels.iter().map(|l| l.0.as_str()).collect();
    let gutter = end_gutter(&style, &texts);
    let title = match fan.series {
        Series::CumulativeNet => format!("Cumulative net, {}", c.unit),
        Series::Cash => format!("Cash balance, {} (opening cash included)", c.unit),
    };
    let paths = if c.paths > 0 {
        format!(", {} paths", count(c.paths))
    } else {
        String::new()
    };
    let spec = Spec {
        title: format!("{}: {}{paths}", fan.party.name, fan.series.name()),
        subtitle: subtitle(c, true, &sampling(c)),
        legend: legend(&style, color, base.is_some()),
        dates: (fan.start.min(dates[0]), last_date),
        y: YAxis::Values {
            ticks: Ticks::covering(lo, hi),
            title,
        },
        y2: None,
        right_gutter: gutter,
        x_pad: 0.0,
    };
    let mut frame = Frame::new(style, &spec);
    let path =
        |frame: &Frame, values: &[f64]| time_path(frame, fan.start, fan.opening, dates, values);
    let (outer, inner) = (palette::tint(color, OUTER), palette::tint(color, INNER));
    let (p5, p95) = (path(&frame, &column(0)), path(&frame, &column(4)));
    band(&mut frame, p5, p95, outer);
    let (p25, p75) = (path(&frame, &column(1)), path(&frame, &column(3)));
    band(&mut frame, p25, p75, inner);
    frame.zero_line();
    if let Some(base) = base {
        let (w, d) = (frame.style.px(3.0), frame.style.dash());
        let points = path(&frame, base);
        frame.scene.dashed(points, palette::REFERENCE, w, d);
    }
    let median = path(&frame, &column(2));
    party_line(&mut frame, median, color);
    if gutter > 0.0 {
        label_ends(&mut frame, labels);
    }
    Some(frame.into_scene())
}

/// The area between two lines over the same dates.
fn band(frame: &mut Frame, lower: Vec<(f64, f64)>, upper: Vec<(f64, f64)>, fill: RGBColor) {
    if lower.len() < 2 || upper.len() < 2 {
        return;
    }
    let points = upper.into_iter().chain(lower.into_iter().rev()).collect();
    frame.scene.push(Shape::Polygon { points, fill });
}

fn legend(style: &Style, color: RGBColor, base: bool) -> Vec<LegendItem> {
    let mut items = vec![
        LegendItem::new(Swatch::Bar(palette::tint(color, OUTER)), "P5\u{2013}P95"),
        LegendItem::new(Swatch::Bar(palette::tint(color, INNER)), "P25\u{2013}P75"),
        LegendItem::new(
            Swatch::Line {
                color,
                width: style.px(4.0),
                dash: None,
            },
            "Median",
        ),
    ];
    if base {
        items.push(LegendItem::new(
            Swatch::Line {
                color: palette::REFERENCE,
                width: style.px(3.0),
                dash: Some(style.dash()),
            },
            "Base case",
        ));
    }
    items
}
