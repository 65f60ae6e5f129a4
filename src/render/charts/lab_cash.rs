//! Chart (c), `lab-cash-<lab>`: a lab's cash balance against what it has
//! committed to spend (cumulative scheduled commitment spend, stacked by
//! provider) and its cumulative revenue; the first date cash goes below
//! zero is marked, and the low point when it is negative.

use crate::Run;

use super::frame::{Frame, LegendItem, Spec, Style, Swatch, YAxis};
use super::palette::Parties;
use super::scale::{amount, month, period_end, year_frac_end, Ticks};
use super::scene::{Scene, Shape};
use super::{palette, party_line, series, subtitle};

/// Cumulative revenue is drawn only up to this multiple of the other series' range.
const REVENUE_OFF_SCALE: f64 = 2.5;

pub fn chart(run: &Run, colors: &Parties, lab: usize, style: Style) -> Scene {
    let m = &run.model;
    let cash = series::cash_balance(run, lab);
    let revenue = series::cumulative_revenue(run, lab);
    let committed = committed_by_provider(run, lab);
    let total = (0..m.grid.len()).map(|p| committed.iter().map(|(_, v)| v[p]).sum::<f64>());
    let (lo, hi) = cash
        .iter()
        .copied()
        .chain(total)
        .fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    // Revenue far above cash and commitments would flatten them: say it instead.
    let revenue_total = revenue.last().copied().unwrap_or(0.0);
    let draw_revenue = revenue_total <= REVENUE_OFF_SCALE * (hi - lo);
    let hi = if draw_revenue {
        hi.max(revenue_total)
    } else {
        hi
    };

    let mut legend = vec![LegendItem::new(
        Swatch::Line {
            color: colors.color(lab),
            width: style.px(4.0),
            dash: None,
        },
        "Cash balance",
    )];
    if draw_revenue {
        let swatch = Swatch::Line {
            color: revenue_color(),
            width: style.px(3.0),
            dash: Some(style.dash()),
        };
        legend.push(LegendItem::new(swatch, "Cumulative revenue"));
    }
    if !committed.is_empty() {
        legend.push(LegendItem::new(Swatch::Note, "Committed spend with:"));
    }
    for (p, _) in &committed {
        legend.push(LegendItem::new(
            Swatch::Bar(area_color(colors, *p)),
            m.parties[*p].name.clone(),
        ));
    }
    if !draw_revenue && revenue_total > 0.0 {
        let total = amount(&m.meta, revenue_total);
        let note = format!(
            "Cumulative revenue reaches {total} by {} (off this scale)",
            month(m.grid.end)
        );
        legend.push(LegendItem::new(Swatch::Note, note));
    }
    let title = axis_title(
        &m.meta.money_label(),
        &m.grid.start.format("%b %Y").to_string(),
        !committed.is_empty(),
        draw_revenue,
    );
    let spec = Spec {
        title: format!(
            "{}: cash balance against committed spend",
            m.parties[lab].name
        ),
        subtitle: subtitle(run, None),
        legend,
        dates: (m.grid.start, m.grid.end),
        y: YAxis::Values {
            ticks: Ticks::covering(lo, hi),
            title,
        },
        y2: None,
        right_gutter: 0.0,
        x_pad: 0.0,
    };
    let mut frame = Frame::new(style, &spec);

    // x of the start, then of each period end: cumulative values start at the opening.
    let xs: Vec<f64> = std::iter::once(frame.x_date(m.grid.start))
        .chain(m.grid.periods.iter().map(|p| frame.x_date_end(p.end)))
        .collect();
    draw_stacked_areas(&mut frame, colors, &xs, &committed);
    frame.zero_line();
    let path = |frame: &Frame, start: f64, values: &[f64]| -> Vec<(f64, f64)> {
        std::iter::once(start)
            .chain(values.iter().copied())
            .zip(&xs)
            .map(|(v, x)| (*x, frame.y(v)))
            .collect()
    };
    if draw_revenue {
        let points = path(&frame, 0.0, &revenue);
        let (w, d) = (frame.style.px(3.0), frame.style.dash());
        frame.scene.dashed(points, revenue_color(), w, d);
    }
    let points = path(&frame, run.table.opening_cash[lab], &cash);
    party_line(&mut frame, points, colors.color(lab));
    mark_negative_cash(&mut frame, run, lab, &cash);
    frame.into_scene()
}

/// "$B: cash balance; cumulative committed spend and revenue from Jan 2026":
/// the balance starts at opening cash, the cumulative series at zero.
fn axis_title(label: &str, since: &str, spend: bool, revenue: bool) -> String {
    let cumulative = match (spend, revenue) {
        (true, true) => "committed spend and revenue",
        (true, false) => "committed spend",
        (false, true) => "revenue",
        (false, false) => return format!("{label}: cash balance"),
    };
    format!("{label}: cash balance; cumulative {cumulative} from {since}")
}

/// Cumulative scheduled spend of the lab with each provider, largest first.
fn committed_by_provider(run: &Run, lab: usize) -> Vec<(usize, Vec<f64>)> {
    let mut providers: Vec<usize> = Vec::new();
    for c in run.model.commitments.iter().filter(|c| c.buyer == lab) {
        if !providers.contains(&c.provider) {
            providers.push(c.provider);
        }
    }
    let mut committed: Vec<(usize, Vec<f64>)> = providers
        .iter()
        .map(|&p| (p, series::cumulative_scheduled(run, lab, p)))
        .collect();
    let last = |v: &[f64]| v.last().copied().unwrap_or(0.0);
    committed.sort_by(|a, b| last(&b.1).total_cmp(&last(&a.1)));
    committed
}

/// Stacks each provider's area on the previous ones, the first at the bottom.
fn draw_stacked_areas(
    frame: &mut Frame,
    colors: &Parties,
    xs: &[f64],
    layers: &[(usize, Vec<f64>)],
) {
    let mut base = vec![0.0; xs.len().saturating_sub(1)];
    for (provider, values) in layers {
        let top: Vec<f64> = base.iter().zip(values).map(|(b, v)| b + v).collect();
        let mut outline = vec![(xs[0], frame.y(0.0))];
        outline.extend(xs[1..].iter().zip(&top).map(|(x, v)| (*x, frame.y(*v))));
        outline.extend(
            xs[1..]
                .iter()
                .zip(&base)
                .rev()
                .map(|(x, v)| (*x, frame.y(*v))),
        );
        frame.scene.push(Shape::Polygon {
            points: outline,
            fill: area_color(colors, *provider),
        });
        base = top;
    }
}

/// A dashed line and a dot where cash first goes below zero, and the low point.
fn mark_negative_cash(frame: &mut Frame, run: &Run, lab: usize, cash: &[f64]) {
    let m = &run.model;
    let Some(figures) = run.summary.labs.iter().find(|l| l.id == m.parties[lab].id) else {
        return;
    };
    let Some(first) = figures.first_negative_cash else {
        return;
    };
    let kind = m.grid.kind;
    let x = frame.x_date_end(first);
    frame.vertical(
        year_frac_end(first),
        palette::REFERENCE,
        Some(frame.style.dash()),
    );
    let value = m
        .grid
        .period_of(first)
        .and_then(|p| cash.get(p))
        .copied()
        .unwrap_or(0.0);
    frame.dot((x, frame.y(value)));
    let top = frame.plot.top + frame.style.note.cap_height() + frame.style.px(10.0);
    frame.annotate(
        &format!("Cash negative from {}", period_end(kind, first)),
        (x, top),
        palette::TEXT,
    );
    let low = figures.lowest_cash_date;
    if figures.lowest_cash < 0.0 && low != first {
        let point = (frame.x_date_end(low), frame.y(figures.lowest_cash));
        frame.dot(point);
        let text = format!(
            "Low {} ({})",
            amount(&m.meta, figures.lowest_cash),
            period_end(kind, low)
        );
        let below = (point.0, point.1 + frame.style.note.size * 1.2);
        frame.annotate(&text, below, palette::TEXT);
    }
}

fn revenue_color() -> plotters::style::RGBColor {
    palette::darken(palette::kind(crate::engine::FlowKind::Revenue), 0.35)
}

fn area_color(colors: &Parties, provider: usize) -> plotters::style::RGBColor {
    palette::tint(colors.color(provider), 0.45)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_title_names_only_the_series_drawn() {
        assert_eq!(
            axis_title("$B", "Jan 2026", true, true),
            "$B: cash balance; cumulative committed spend and revenue from Jan 2026"
        );
        assert_eq!(
            axis_title("$B", "Jan 2026", false, true),
            "$B: cash balance; cumulative revenue from Jan 2026"
        );
        assert_eq!(
            axis_title("$B", "Jan 2026", false, false),
            "$B: cash balance"
        );
    }
}
