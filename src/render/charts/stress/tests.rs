//! Every stress chart drawn from synthetic but realistic data, at three
//! sizes. Set `DEALSIM_KEEP_CHARTS=/some/dir` to keep the files (one
//! folder per size) and look at them.

use chrono::{Datelike, NaiveDate};

use super::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// Month ends from Jan 2026 to Dec 2033.
fn month_ends() -> Vec<NaiveDate> {
    (0..96)
        .map(|i| {
            let (y, m) = (2026 + i / 12, (i % 12) as u32 + 1);
            let next = if m == 12 {
                day(y + 1, 1, 1)
            } else {
                day(y, m + 1, 1)
            };
            next.pred_opt().expect("a day before")
        })
        .collect()
}

fn party(index: usize, id: &str, name: &str) -> Party {
    Party {
        index,
        id: id.into(),
        name: name.into(),
    }
}

fn metric(id: &str, name: &str, kind: Kind) -> Metric {
    Metric {
        id: id.into(),
        name: name.into(),
        kind,
    }
}

/// Years since the start of 2026 at a period end.
fn years(d: NaiveDate) -> f64 {
    f64::from(d.year() - 2026) + f64::from(d.ordinal()) / 365.0
}

/// Cumulative net from 0 down to about -50 by 2028, then up to about +200,
/// the bands widening with time and skewed up.
fn net_fan() -> Fan {
    let dates = month_ends();
    let median = |t: f64| {
        if t < 2.0 {
            -25.0 * t
        } else {
            -50.0 + 250.0 * ((t - 2.0) / 6.0).powf(1.3)
        }
    };
    let percentiles = dates
        .iter()
        .map(|d| {
            let t = years(*d);
            let (m, s) = (median(t), 4.0 + 14.0 * t);
            [m - 1.1 * s, m - 0.45 * s, m, m + 0.55 * s, m + 1.5 * s]
        })
        .collect();
    let base = dates.iter().map(|d| median(years(*d)) * 1.03).collect();
    Fan {
        party: party(2, "amazon", "Amazon / AWS"),
        series: Series::CumulativeNet,
        start: day(2026, 1, 1),
        opening: Some(0.0),
        dates,
        percentiles,
        base: Some(base),
    }
}

/// Cash from 20 down below zero and back, quarterly over three years.
fn cash_fan() -> Fan {
    let dates: Vec<NaiveDate> = month_ends()
        .into_iter()
        .filter(|d| d.month() % 3 == 0)
        .take(12)
        .collect();
    let percentiles = dates
        .iter()
        .map(|d| {
            let t = years(*d);
            let m = 20.0 - 60.0 * t + 22.0 * t * t;
            let s = 3.0 + 9.0 * t;
            [m - 1.6 * s, m - 0.6 * s, m, m + 0.6 * s, m + 1.4 * s]
        })
        .collect();
    Fan {
        party: party(1, "openai", "OpenAI"),
        series: Series::Cash,
        start: day(2026, 1, 1),
        opening: Some(20.0),
        dates,
        percentiles,
        base: None,
    }
}

/// `paths` values of a skewed bell around `centre` in `bins` bins from
/// `lo` to `hi`, with empty tails.
fn bell(
    lo: f64,
    hi: f64,
    bins: usize,
    centre: f64,
    width: f64,
    paths: f64,
) -> (Vec<f64>, Vec<u64>) {
    let step = (hi - lo) / bins as f64;
    let edges: Vec<f64> = (0..=bins).map(|i| lo + i as f64 * step).collect();
    let density = |x: f64| {
        let z = (x - centre) / width;
        let tail = (x - centre - 1.6 * width) / (1.4 * width);
        (-z * z / 2.0).exp() + 0.25 * (-tail * tail / 2.0).exp()
    };
    let raw: Vec<f64> = edges
        .windows(2)
        .map(|e| density((e[0] + e[1]) / 2.0))
        .collect();
    let sum: f64 = raw.iter().sum();
    let counts = raw
        .iter()
        .map(|r| {
            let n = (r / sum * paths).round();
            if n < 3.0 {
                0
            } else {
                n as u64
            }
        })
        .collect();
    (edges, counts)
}

fn irr_histogram() -> Histogram {
    let (edges, counts) = bell(-0.45, 0.75, 80, 0.15, 0.09, 95_000.0);
    Histogram {
        party: party(2, "amazon", "Amazon / AWS"),
        metric: metric("irr", "IRR", Kind::Percent),
        edges,
        counts,
        below: 0,
        above: 0,
        base: Some(0.142),
        mean: Some(0.163),
        p5: Some(0.012),
        p95: Some(0.372),
        p_loss: Some(0.043),
        undefined: vec![("no sign change".into(), 4_600), ("no root".into(), 400)],
    }
}

fn moic_histogram() -> Histogram {
    let (edges, counts) = bell(0.0, 4.0, 80, 1.45, 0.35, 100_000.0);
    Histogram {
        party: party(1, "openai", "OpenAI"),
        metric: metric("moic", "MOIC", Kind::Multiple),
        edges,
        counts,
        below: 0,
        above: 0,
        base: Some(1.38),
        mean: Some(1.61),
        p5: Some(0.92),
        p95: Some(2.71),
        p_loss: Some(0.081),
        undefined: Vec::new(),
    }
}

fn npv_histogram() -> Histogram {
    let (edges, counts) = bell(-60.0, 140.0, 50, 25.0, 18.0, 100_000.0);
    Histogram {
        party: party(2, "amazon", "Amazon / AWS"),
        metric: metric("npv", "NPV", Kind::Money),
        edges,
        counts,
        below: 0,
        above: 0,
        base: Some(21.4),
        mean: Some(30.2),
        p5: Some(-4.8),
        p95: Some(78.5),
        p_loss: Some(0.072),
        undefined: Vec::new(),
    }
}

fn tornado() -> Tornado {
    let row = |driver: &str, low: &str, high: &str, at_low, at_high| TornadoRow {
        driver: driver.into(),
        low: low.into(),
        high: high.into(),
        at_low,
        at_high,
    };
    Tornado {
        id: "irr-amazon".into(),
        party: party(2, "amazon", "Amazon / AWS"),
        metric: metric("irr", "IRR", Kind::Percent),
        base: 0.142,
        rows: vec![
            row("Revenue growth", "0.45", "0.80", Some(0.031), Some(0.262)),
            row("Compute price", "$1.60", "$2.40", Some(0.221), Some(0.068)),
            row("Utilisation", "55%", "90%", None, Some(0.205)),
            row("Discount rate", "8%", "12%", Some(0.171), Some(0.118)),
            row("Ramp length, months", "12", "30", Some(0.165), Some(0.152)),
            row("Terminal multiple", "8x", "14x", Some(0.139), Some(0.158)),
        ],
    }
}

fn heatmap() -> Heatmap {
    let xs = [0.40, 0.50, 0.60, 0.70, 0.80, 0.90];
    let ys = [1.50, 1.75, 2.00, 2.25, 2.50];
    let cells = ys
        .iter()
        .enumerate()
        .map(|(j, p)| {
            xs.iter()
                .enumerate()
                .map(|(i, g)| (i + j > 0).then(|| -0.46 + 0.42 * g + 0.13 * p))
                .collect()
        })
        .collect();
    Heatmap {
        id: "irr-growth-price".into(),
        party: party(2, "amazon", "Amazon / AWS"),
        metric: metric("irr", "IRR", Kind::Percent),
        x: Driver {
            name: "Revenue growth".into(),
            values: xs.iter().map(|x| format!("{x:.2}")).collect(),
        },
        y: Driver {
            name: "Compute price, $/GPU-hour".into(),
            values: ys.iter().map(|y| format!("${y:.2}")).collect(),
        },
        cells,
        reference: 0.0,
        base: Some((2, 2)),
    }
}

fn cases() -> Cases {
    let dates = month_ends();
    let base: Vec<f64> = net_fan().base.unwrap_or_default();
    let scaled = |k: f64, shift: f64| -> Vec<f64> {
        base.iter()
            .enumerate()
            .map(|(i, v)| v * k + shift * (i as f64 / 96.0))
            .collect()
    };
    Cases {
        party: party(2, "amazon", "Amazon / AWS"),
        start: day(2026, 1, 1),
        dates,
        cases: vec![
            ("Bull".into(), scaled(1.45, 20.0)),
            ("Bear".into(), scaled(0.35, -60.0)),
            ("Delay 12 months".into(), scaled(0.8, -15.0)),
        ],
        base,
    }
}

fn charts() -> StressCharts {
    StressCharts {
        scenario: "Amazon -> OpenAI, Feb 2026".into(),
        unit: "$B".into(),
        paths: 100_000,
        sampling: "Latin hypercube".into(),
        fans: vec![net_fan(), cash_fan()],
        histograms: vec![irr_histogram(), moic_histogram(), npv_histogram()],
        tornadoes: vec![tornado()],
        heatmaps: vec![heatmap()],
        cases: vec![cases()],
    }
}

fn colors() -> Parties {
    Parties::of_ids(&["external", "openai", "amazon"])
}

/// `$DEALSIM_KEEP_CHARTS/<name>` when set (to look at the charts), else
/// `<tmp>/<name>`.
fn out_dir(tmp: &tempfile::TempDir, name: &str) -> PathBuf {
    std::env::var_os("DEALSIM_KEEP_CHARTS")
        .map_or_else(|| tmp.path().to_path_buf(), PathBuf::from)
        .join(name)
}

fn names(files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .filter_map(|f| f.file_name()?.to_str().map(String::from))
        .collect()
}

#[test]
fn every_chart_is_written_at_every_size() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let charts = charts();
    for (w, h) in [(1600, 900), (800, 450), (320, 180)] {
        let dir = out_dir(&tmp, &format!("{w}x{h}"));
        let files = render(&charts, &colors(), &dir, w, h, Formats::BOTH).expect("charts render");
        let names = names(&files);
        for stem in [
            "fan-cumulative-net-amazon",
            "fan-cash-openai",
            "histogram-irr-amazon",
            "histogram-moic-openai",
            "histogram-npv-amazon",
            "tornado-irr-amazon",
            "heatmap-irr-growth-price",
            "cases-amazon",
        ] {
            for ext in ["png", "svg"] {
                let name = format!("{stem}.{ext}");
                assert!(names.contains(&name), "{name} missing from {names:?}");
            }
        }
        assert_eq!(files.len(), 16, "{names:?}");
        for f in &files {
            let bytes = std::fs::read(f).expect("file written");
            assert!(bytes.len() > 1000, "{} is nearly empty", f.display());
            if f.extension().is_some_and(|e| e == "png") {
                assert_eq!(&bytes[1..4], b"PNG");
            }
        }
    }
}

#[test]
fn formats_pick_the_files_and_odd_ids_stay_in_the_directory() {
    let mut charts = StressCharts {
        scenario: "Odd".into(),
        unit: "$B".into(),
        ..StressCharts::default()
    };
    let mut t = tornado();
    t.id = "../irr amazon".into();
    charts.tornadoes = vec![t.clone(), t];
    let dir = tempfile::tempdir().expect("temporary directory");
    let png_only = Formats {
        png: true,
        svg: false,
    };
    let files = render(&charts, &colors(), dir.path(), 800, 450, png_only).expect("charts render");
    // Two charts with one id: the second gets a suffix, never overwrites.
    assert_eq!(
        names(&files),
        vec!["tornado-.._irr_amazon.png", "tornado-.._irr_amazon-2.png"]
    );
    assert!(files.iter().all(|f| f.parent() == Some(dir.path())));
}

#[test]
fn charts_with_nothing_to_show_are_skipped() {
    let empty_fan = Fan {
        dates: Vec::new(),
        ..net_fan()
    };
    let no_paths = Histogram {
        counts: vec![0; 80],
        ..irr_histogram()
    };
    let undefined_base = Tornado {
        base: f64::NAN,
        ..tornado()
    };
    let no_grid = Heatmap {
        x: Driver::default(),
        ..heatmap()
    };
    let charts = StressCharts {
        fans: vec![empty_fan],
        histograms: vec![no_paths],
        tornadoes: vec![undefined_base],
        heatmaps: vec![no_grid],
        cases: vec![Cases::default()],
        ..StressCharts::default()
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    let files = render(&charts, &colors(), dir.path(), 800, 450, Formats::BOTH).expect("renders");
    assert!(files.is_empty(), "{:?}", names(&files));
    assert!(render(&charts, &colors(), dir.path(), 100, 50, Formats::BOTH).is_err());
}

#[test]
fn odd_inputs_draw_without_panicking() {
    let mut fan = net_fan();
    fan.dates.truncate(1);
    fan.percentiles[0] = [f64::NAN, -1.0, 0.0, 1.0, f64::INFINITY];
    let mut histogram = irr_histogram();
    histogram.edges = vec![0.1, 0.2];
    histogram.counts = vec![7, 9, 11];
    histogram.p95 = Some(2.5);
    histogram.undefined = vec![("no root".into(), 0)];
    let mut t = tornado();
    t.rows[0].at_low = None;
    t.rows[0].at_high = None;
    t.rows[1].at_low = Some(t.base);
    let big = Heatmap {
        x: Driver {
            name: "a driver with a name far longer than any chart is wide ".repeat(4),
            values: (0..30).map(|i| format!("{}", i * 1000)).collect(),
        },
        y: Driver {
            name: "y".into(),
            values: (0..30).map(|i| format!("{i}")).collect(),
        },
        cells: vec![vec![Some(1.0); 30]; 30],
        base: Some((40, 2)),
        ..heatmap()
    };
    let undefined = Heatmap {
        cells: Vec::new(),
        metric: metric("moic", "MOIC", Kind::Multiple),
        reference: 1.0,
        ..heatmap()
    };
    let k = Cases {
        base: Vec::new(),
        cases: vec![("Only".into(), vec![f64::NAN; 96])],
        ..cases()
    };
    let charts = StressCharts {
        fans: vec![fan],
        histograms: vec![histogram],
        tornadoes: vec![t],
        heatmaps: vec![big, undefined],
        cases: vec![k],
        ..charts()
    };
    let tmp = tempfile::tempdir().expect("temporary directory");
    for (w, h) in [(1600, 900), (200, 120)] {
        let dir = out_dir(&tmp, &format!("odd-{w}x{h}"));
        let files = render(&charts, &colors(), &dir, w, h, Formats::BOTH).expect("renders");
        assert_eq!(files.len(), 12, "{:?}", names(&files));
    }
}

#[test]
fn values_are_written_as_readers_write_them() {
    assert_eq!(value(Kind::Percent, "$B", 0.142), "14.2%");
    assert_eq!(value(Kind::Percent, "$B", -0.032), "\u{2212}3.2%");
    assert_eq!(value(Kind::Multiple, "$B", 1.5), "1.50x");
    assert_eq!(value(Kind::Money, "$B", 7.46), "$7.5B");
    assert_eq!(value(Kind::Money, "$B", -187.2), "\u{2212}$187B");
    assert_eq!(value(Kind::Money, "CHF M", 12.0), "12 CHF M");
    assert_eq!(signed(money("$B", 12.0), 12.0), "+$12B");
    assert_eq!(signed(money("$B", 0.01), 0.01), "$0B");
    assert_eq!(exact(2.5), "2.5");
    assert_eq!(exact(1.5000000001), "1.5");
    assert_eq!(count(2_345), "2,345");
}
