//! Chart (d), `revenue-share-<id>`: cumulative payments of a revenue share
//! (including what was paid before the window) against its cap, with what
//! the rate alone would have paid once the cap binds, and the date it binds.

use chrono::NaiveDate;

use crate::model::RevenueShare;
use crate::Run;

use super::frame::{Frame, LegendItem, Spec, Style, Swatch, YAxis};
use super::palette::Parties;
use super::scale::{amount, month, number, period_end, year_frac_end, Ticks};
use super::scene::{Align, Scene};
use super::{palette, party_line, series, subtitle};

pub fn chart(run: &Run, colors: &Parties, s: usize, style: Style) -> Scene {
    let m = &run.model;
    let v = &m.params.values;
    let rs = &m.revenue_shares[s];
    let cap = rs.cap.map(|c| c.of(v));
    let cap_reached = run
        .summary
        .revenue_shares
        .get(s)
        .and_then(|f| f.cap_reached);
    let paid = series::share_paid(run, s);
    // What the rate alone would have paid differs from what was paid only
    // once the cap binds.
    let uncapped =
        series::share_uncapped(run, s).filter(|_| cap.is_some() && cap_reached.is_some());
    let before = rs.paid_to_date.of(v);

    let values = paid
        .iter()
        .chain(uncapped.iter().flatten())
        .chain(cap.iter());
    let (lo, hi) = values.fold((0.0f64, 0.0f64), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
    let (payer, payee) = (&m.parties[rs.payer].name, &m.parties[rs.payee].name);
    let rate = percent(rs.rate.of(v));
    let color = colors.color(rs.payee);
    let mut legend = vec![LegendItem::new(
        Swatch::Line {
            color,
            width: style.px(4.0),
            dash: None,
        },
        format!("Paid to {payee}"),
    )];
    if uncapped.is_some() {
        let swatch = Swatch::Line {
            color: palette::AXIS,
            width: style.px(3.0),
            dash: Some(style.dash()),
        };
        legend.push(LegendItem::new(
            swatch,
            format!("{rate} of {payer} revenue, uncapped"),
        ));
    }
    let label = m.meta.money_label();
    let title = if before > 0.0 {
        let since = m.grid.start.format("%b %Y");
        format!(
            "Cumulative payments, {label} (incl. {} paid before {since})",
            amount(&m.meta, before)
        )
    } else {
        format!("Cumulative payments, {label}")
    };
    let spec = Spec {
        title: format!("Revenue share: {payer} pays {rate} of revenue to {payee}"),
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
    frame.zero_line();
    mark_share_end(&mut frame, run, rs);

    let path = |frame: &Frame, values: &[f64]| -> Vec<(f64, f64)> {
        let start = (frame.x_date(m.grid.start), frame.y(before));
        let ends = m
            .grid
            .periods
            .iter()
            .zip(values)
            .map(|(p, v)| (frame.x_date_end(p.end), frame.y(*v)));
        std::iter::once(start).chain(ends).collect()
    };
    if let Some(u) = &uncapped {
        let points = path(&frame, u);
        let end = points.last().copied();
        frame.scene.dashed(
            points,
            palette::AXIS,
            frame.style.px(3.0),
            frame.style.dash(),
        );
        if let (Some((x, y)), Some(total)) = (end, u.last()) {
            let above = y - frame.style.note.size * 0.8;
            frame.annotate(
                &format!("Uncapped {}", amount(&m.meta, *total)),
                (x, above),
                palette::MUTED_TEXT,
            );
        }
    }
    if let Some(c) = cap {
        draw_cap(&mut frame, &amount(&m.meta, c), c);
    }
    let points = path(&frame, &paid);
    party_line(&mut frame, points, color);
    mark_cap_status(
        &mut frame,
        run,
        cap,
        cap_reached,
        paid.last().copied().unwrap_or(before),
    );
    frame.into_scene()
}

/// "20%", "12.5%".
fn percent(rate: f64) -> String {
    let whole = (rate * 1000.0).round() % 10.0 == 0.0;
    format!("{}%", number(rate * 100.0, if whole { 0 } else { 1 }))
}

/// A light line where the share stops, when that is inside the window.
fn mark_share_end(frame: &mut Frame, run: &Run, rs: &RevenueShare) {
    let grid = &run.model.grid;
    if rs.end < grid.start || rs.end >= grid.end {
        return;
    }
    frame.vertical(year_frac_end(rs.end), palette::GRID, None);
    let at = (
        frame.x_date_end(rs.end),
        frame.plot.bottom - frame.style.px(14.0),
    );
    frame.annotate(
        &format!("Share ends {}", month(rs.end)),
        at,
        palette::MUTED_TEXT,
    );
}

/// The cap as a dashed line across the plot, labelled at its left end:
/// above the line, or below it when the line is the top of the plot.
fn draw_cap(frame: &mut Frame, cap_text: &str, cap: f64) {
    let y = frame.y(cap);
    let points = vec![(frame.plot.left, y), (frame.plot.right, y)];
    frame.scene.dashed(
        points,
        palette::REFERENCE,
        frame.style.px(2.5),
        frame.style.dash(),
    );
    let font = frame.style.note;
    let pad = frame.style.px(10.0);
    let baseline = if y - pad - font.cap_height() > frame.plot.top {
        y - pad
    } else {
        y + pad + font.cap_height()
    };
    let at = (frame.plot.left + pad, baseline);
    frame.scene.text(
        format!("Cap {cap_text}"),
        at,
        font,
        Align::Left,
        palette::REFERENCE,
    );
}

/// When the cap binds (a line and a dot), or how much room is left.
fn mark_cap_status(
    frame: &mut Frame,
    run: &Run,
    cap: Option<f64>,
    reached: Option<NaiveDate>,
    paid: f64,
) {
    let m = &run.model;
    match (cap, reached) {
        (Some(c), Some(date)) => {
            frame.vertical(year_frac_end(date), palette::REFERENCE, None);
            let x = frame.x_date_end(date);
            frame.dot((x, frame.y(c)));
            let below = frame.y(c) + frame.style.note.size * 1.6;
            frame.annotate(
                &format!("Cap reached {}", period_end(m.grid.kind, date)),
                (x, below),
                palette::TEXT,
            );
        }
        (Some(c), None) => {
            let at = (frame.plot.right, frame.y(c) - frame.style.px(10.0));
            let text = format!(
                "Cap not reached: {} of room left",
                amount(&m.meta, c - paid)
            );
            frame.annotate(&text, at, palette::TEXT);
        }
        (None, _) => {
            let at = (frame.plot.left, frame.plot.top + frame.style.px(20.0));
            frame.annotate("No cap", at, palette::TEXT);
        }
    }
}
