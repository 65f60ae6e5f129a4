//! `dealsim stress`: Monte Carlo estimates against answers known in closed
//! form, variance reduction, tornado order, reproducibility and replay.

use dealsim::engine::block::LANES;
use dealsim::stress::metric::Metric;
use dealsim::stress::monte_carlo::{self, Options};
use dealsim::stress::sampling::Method;
use dealsim::stress::sensitivity;
use dealsim::Run;

fn run(text: &str) -> Run {
    match Run::from_text("test.toml", text, &[]) {
        Ok(r) => r,
        Err(dealsim::Error::Scenario(report)) => panic!("{}", report.render(false)),
        Err(e) => panic!("{e}"),
    }
}

/// A lab and an investor over 2026; `extra` adds entries and a [stress] section.
fn scenario(extra: &str) -> String {
    format!(
        r#"
[scenario]
name = "stress test"
start = 2026-01-01
end = 2026-12-31
period = "month"
discount_rate = 0.1

[[party]]
id = "lab"
kind = "lab"
opening_cash = 100.0

[[party]]
id = "fund"
kind = "investor"

{extra}
"#
    )
}

fn options(paths: u64, method: Method, threads: usize) -> Options {
    Options {
        paths,
        seed: 7,
        method,
        threads: Some(threads),
        progress: false,
    }
}

const TRANCHE_ON_MILESTONE: &str = r#"
[[milestone]]
id = "close"
expected = 2026-06-30
deadline = 2026-12-31
probability = 0.3

[[investment]]
id = "seed"
investor = "fund"
investee = "lab"
post_money = 100.0
[[investment.tranche]]
id = "second"
amount = 10.0
milestone = "close"

[[stress.driver]]
param = "milestone.close.fires"
dist = "bernoulli"
"#;

#[test]
fn a_tranche_paid_with_probability_p_is_estimated_within_3_se() {
    let r = run(&scenario(TRANCHE_ON_MILESTONE));
    let spec = r.model.stress.as_ref().unwrap();
    let n = 20_000;
    let mc = monte_carlo::run(&r.model, &r.plan, spec, &options(n, Method::MonteCarlo, 2)).unwrap();
    let paid = mc
        .probabilities
        .iter()
        .find(|p| p.id == "tranche.seed/second.paid")
        .expect("a tranche event");
    // p = 0.3 (the milestone's probability); SE = sqrt(0.3 * 0.7 / 20000) = 0.00324.
    let se = (0.3_f64 * 0.7 / n as f64).sqrt();
    let got = paid.estimate.se.expect("an SE from 20,000 paths");
    assert!((got - se).abs() < 0.1 * se, "se {got} vs {se}");
    assert!(
        (paid.estimate.value - 0.3).abs() < 3.0 * se,
        "P(paid) = {} not within 3 SE of 0.3",
        paid.estimate.value
    );
}

const NORMAL_PAYMENT: &str = r#"
[[payment]]
id = "grant"
payer = "fund"
payee = "lab"
amount = 10.0
date = 2026-03-15

[stress]
metrics = ["lab.received", "fund.paid"]

[[stress.driver]]
param = "payment.grant.amount"
dist = "normal"
mean = 10.0
sd = 2.0
"#;

#[test]
fn a_normal_driver_feeding_a_linear_metric_keeps_its_mean_and_sd() {
    let r = run(&scenario(NORMAL_PAYMENT));
    let spec = r.model.stress.as_ref().unwrap();
    let n = 40_000;
    let mc = monte_carlo::run(&r.model, &r.plan, spec, &options(n, Method::MonteCarlo, 2)).unwrap();
    // lab.received = the payment = X ~ normal(10, 2) (draws below 0, 5 sd
    // away, would be clamped to 0: probability 3e-7, none expected).
    let s = &mc.metrics[0];
    let mean = s.mean.unwrap();
    let se = 2.0 / (n as f64).sqrt(); // 0.01
    let got = mean.se.expect("an SE from many paths");
    assert!((got - se).abs() < 0.05 * se, "se {got} vs {se}");
    assert!((mean.value - 10.0).abs() < 3.0 * se, "mean {}", mean.value);
    // The sd's own SE is about sd / sqrt(2n) = 0.0071.
    assert!(
        (s.sd - 2.0).abs() < 3.0 * 2.0 / (2.0 * n as f64).sqrt(),
        "sd {}",
        s.sd
    );
    // P50 of a normal is its mean; P95 is mean + 1.6449 sd = 13.29.
    assert!((s.percentile(0.5).unwrap() - 10.0).abs() < 0.05);
    assert!((s.percentile(0.95).unwrap() - 13.2897).abs() < 0.08);
    // The fund pays exactly what the lab receives, on every path.
    let fund = &mc.metrics[1];
    assert_eq!(fund.mean.unwrap().value, mean.value);
}

#[test]
fn latin_hypercube_and_sobol_give_smaller_standard_errors_than_plain_sampling() {
    let r = run(&scenario(NORMAL_PAYMENT));
    let spec = r.model.stress.as_ref().unwrap();
    let n = 8192;
    let se = |method| {
        let mc = monte_carlo::run(&r.model, &r.plan, spec, &options(n, method, 2)).unwrap();
        let mean = mc.metrics[0].mean.unwrap();
        let se = mean.se.expect("an SE from 8192 paths");
        // Every method must still estimate the mean (10) within 4 of its SEs
        // (and within 0.1 whatever its SE claims).
        assert!(
            (mean.value - 10.0).abs() < (4.0 * se).max(1e-9) || (mean.value - 10.0).abs() < 1e-3
        );
        se
    };
    let (mc, lhs, sobol) = (
        se(Method::MonteCarlo),
        se(Method::LatinHypercube),
        se(Method::Sobol),
    );
    // Plain: 2 / sqrt(8192) = 0.0221. A linear function of one stratified
    // input loses nearly all its variance under both.
    assert!(lhs < mc / 10.0, "lhs se {lhs} vs mc {mc}");
    assert!(sobol < mc / 10.0, "sobol se {sobol} vs mc {mc}");
}

#[test]
fn results_are_bit_identical_on_one_and_two_threads() {
    let text = scenario(&format!(
        "{TRANCHE_ON_MILESTONE}\n{}",
        r#"
[[revenue]]
party = "lab"
run_rate = 12.0
growth = 0.5
[[stress.driver]]
param = "revenue.lab.growth"
dist = "triangular"
low = 0.1
mode = 0.5
high = 1.2
"#
    ));
    let r = run(&text);
    let spec = r.model.stress.as_ref().unwrap();
    // 5000 paths: several chunks, so the threads really split the work.
    for method in [Method::MonteCarlo, Method::LatinHypercube, Method::Sobol] {
        let one = monte_carlo::run(&r.model, &r.plan, spec, &options(5000, method, 1)).unwrap();
        let two = monte_carlo::run(&r.model, &r.plan, spec, &options(5000, method, 2)).unwrap();
        assert_eq!(two.threads, 2);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&one.rows), bits(&two.rows), "{method:?}: rows differ");
        assert_eq!(one.flags, two.flags);
        for (a, b) in one.metrics.iter().zip(&two.metrics) {
            // (The fund's IRR has no value on any path: it never gets money back.)
            assert_eq!(
                a.mean.map(|e| e.value.to_bits()),
                b.mean.map(|e| e.value.to_bits())
            );
            assert_eq!(a.percentiles, b.percentiles);
        }
        for (a, b) in one.fans.iter().zip(&two.fans) {
            assert_eq!(a.bands, b.bands);
        }
    }
}

#[test]
fn a_tornado_sorts_inputs_by_their_swing() {
    // lab.received = a + b + c, three payments to the lab.
    let r = run(&scenario(
        r#"
[[payment]]
id = "a"
payer = "fund"
payee = "lab"
amount = 100.0
date = 2026-02-01
[[payment]]
id = "b"
payer = "fund"
payee = "lab"
amount = 20.0
date = 2026-03-01
[[payment]]
id = "c"
payer = "fund"
payee = "lab"
amount = 10.0
date = 2026-04-01

[stress]
metrics = ["lab.received"]
[stress.tornado]
metrics = ["lab.received"]
params = [
  { param = "payment.a.amount", change = 0.1 },
  { param = "payment.b.amount", low = 0.0, high = 50.0 },
  { param = "payment.c.amount", low = "-50%", high = "+50%" },
]
"#,
    ));
    let spec = r.model.stress.as_ref().unwrap();
    let t = &sensitivity::tornadoes(&r.model, &r.plan, spec)[0];
    // Base 130. a: 90..110 -> 120..140, swing 20; b: 0..50 -> 110..160,
    // swing 50; c: 5..15 -> 125..135, swing 10. Largest first: b, a, c.
    assert_eq!(t.base, Ok(130.0));
    let order: Vec<&str> = t.rows.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(
        order,
        ["payment.b.amount", "payment.a.amount", "payment.c.amount"]
    );
    let swings: Vec<f64> = t.rows.iter().map(|r| r.swing).collect();
    for (s, want) in swings.iter().zip([50.0, 20.0, 10.0]) {
        assert!((s - want).abs() < 1e-9, "{swings:?}");
    }
    assert_eq!(t.rows[0].at_low, Ok(110.0));
    assert_eq!(t.rows[0].at_high, Ok(160.0));
}

#[test]
fn an_evaluated_path_matches_the_full_run() {
    // The stress evaluator and `dealsim run` compute each metric the same way.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for name in [
        "amazon-openai-2026.toml",
        "openai-infrastructure.toml",
        "amazon-anthropic.toml",
        "microsoft-revenue-share.toml",
    ] {
        let r = Run::from_file(&dir.join(name), &[]).unwrap();
        let metrics: Vec<Metric> = r
            .model
            .deal_parties()
            .flat_map(|(pi, _)| {
                dealsim::stress::metric::Measure::ALL.map(|measure| Metric { party: pi, measure })
            })
            .collect();
        let mut ev = dealsim::stress::path::Evaluator::new(&r.model, &r.plan, &metrics);
        ev.eval(&r.model.params.values);
        for (k, m) in metrics.iter().enumerate() {
            let Some(want) = m.in_summary(&r.model, &r.summary) else {
                continue;
            };
            match (ev.value(k), want) {
                (Some(got), Some(want)) => assert!(
                    (got - want).abs() <= 1e-9 * want.abs().max(1.0),
                    "{name}: {} = {got}, run says {want}",
                    m.name(&r.model)
                ),
                (None, None) => {}
                (got, want) => panic!("{name}: {}: {got:?} vs {want:?}", m.name(&r.model)),
            }
        }
    }
}

#[test]
fn goal_seek_finds_a_hand_worked_answer() {
    use dealsim::stress::solve::{solve, Answer, Goal, Stat};
    // The fund pays 100 on 2026-01-01 and gets X back on 2027-01-01, 365
    // days later: IRR = X / 100 - 1, so an IRR of 15% needs X = 115.
    let r = run(&scenario(
        r#"
[[payment]]
id = "in"
payer = "fund"
payee = "lab"
amount = 100.0
date = 2026-01-01
[[payment]]
id = "back"
payer = "lab"
payee = "fund"
amount = 100.0
date = 2027-01-01
"#,
    )
    .replace("end = 2026-12-31", "end = 2027-12-31"));
    let goal = Goal {
        vary: r.model.params.find("payment.back.amount").unwrap(),
        metric: Metric::parse(&r.model, "fund.irr").unwrap(),
        target: 0.15,
        stat: Stat::Value,
        range: (50.0, 500.0),
    };
    match solve(&r.model, &r.plan, None, &goal).unwrap() {
        Answer::Solved { x, at, .. } => {
            assert!((x - 115.0).abs() < 1e-6, "x = {x}");
            assert!((at - 0.15).abs() < 1e-9);
        }
        other => panic!("{other:?}"),
    }
    // Out of reach: between 50 and 100 the IRR runs from -50% to 0%.
    let goal = Goal {
        range: (50.0, 100.0),
        ..goal
    };
    match solve(&r.model, &r.plan, None, &goal).unwrap() {
        Answer::NoSolution { at_lo, at_hi, .. } => {
            assert!((at_lo.unwrap() + 0.5).abs() < 1e-9);
            assert!(at_hi.unwrap().abs() < 1e-9);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn goal_seek_on_a_monte_carlo_mean() {
    use dealsim::stress::solve::{solve, Answer, Goal, Stat};
    // The fund pays 10 when the milestone fires, with probability p: mean
    // paid = 10 p. A mean of 3 needs p = 0.3 (to within the 1/N steps of
    // the sample: common random numbers make it a staircase in p).
    let r = run(&scenario(TRANCHE_ON_MILESTONE));
    let spec = r.model.stress.as_ref().unwrap();
    let goal = Goal {
        vary: r.model.params.find("milestone.close.probability").unwrap(),
        metric: Metric::parse(&r.model, "fund.paid").unwrap(),
        target: 3.0,
        stat: Stat::Mean,
        range: (0.0, 1.0),
    };
    let opts = options(4000, Method::LatinHypercube, 2);
    match solve(&r.model, &r.plan, Some((spec, &opts)), &goal).unwrap() {
        Answer::Solved { x, at, .. } => {
            assert!((x - 0.3).abs() < 2e-3, "p = {x}");
            assert!((at - 3.0).abs() < 0.02, "mean = {at}");
        }
        other => panic!("{other:?}"),
    }
}

fn dealsim(args: &[&str], dir: &std::path::Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_dealsim"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn shipped(name: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn a_replayed_path_equals_its_row_in_paths_parquet() {
    use polars::prelude::*;
    let tmp = tempfile::tempdir().unwrap();
    let file = shipped("amazon-openai-2026.toml");
    let o = dealsim(
        &["stress", &file, "--paths", "300", "--out", "st", "-q"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let df = ParquetReader::new(std::fs::File::open(tmp.path().join("st/paths.parquet")).unwrap())
        .finish()
        .unwrap();
    assert_eq!(df.height(), 300);
    let path = 137;
    let get = |col: &str| df.column(col).unwrap().f64().unwrap().get(path).unwrap();
    let o = dealsim(
        &[
            "run", &file, "--path", "137", "--paths", "300", "--out", "replay", "-q",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The replay says which draws it used; they are the row's drivers.
    let said = String::from_utf8_lossy(&o.stderr);
    // And the replay's outputs say which path they are.
    let replay: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("replay/replay.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(replay["replay"]["path"], 137);
    assert_eq!(replay["replay"]["paths"], 300);
    let steep = get("revenue.openai.steepness");
    assert!(
        said.contains(&format!("revenue.openai.steepness={steep}")),
        "{said}"
    );
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("replay/summary.json")).unwrap(),
    )
    .unwrap();
    let amazon = summary["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "amazon")
        .unwrap();
    for (col, key) in [
        ("amazon.irr", "irr"),
        ("amazon.moic", "moic"),
        ("amazon.npv", "npv"),
        ("amazon.net", "net"),
    ] {
        let row = get(col);
        let replay = amazon[key].as_f64().unwrap();
        assert!(
            (row - replay).abs() <= 1e-9 * replay.abs().max(1.0),
            "{col}: row {row}, replay {replay}"
        );
    }
}

#[test]
fn stress_outputs_do_not_depend_on_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let file = shipped("amazon-openai-2026.toml");
    for t in ["1", "2"] {
        let out = format!("t{t}");
        let o = dealsim(
            &[
                "stress",
                &file,
                "--paths",
                "3000",
                "--threads",
                t,
                "--out",
                &out,
                "-q",
                "--timings",
            ],
            tmp.path(),
        );
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{stderr}");
        // --timings names every stage, and the loop's paths and threads.
        for stage in [
            "read and compile",
            "pilot",
            "path loop",
            "statistics",
            "tornado, grid, cases",
            "tables",
            "charts",
            "total",
        ] {
            assert!(stderr.contains(stage), "no `{stage}` in:\n{stderr}");
        }
        assert!(
            stderr.contains(&format!("3000 paths on {t} thread(s)")),
            "{stderr}"
        );
    }
    let json = |t: &str| {
        let mut v: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(tmp.path().join(t).join("stress.json")).unwrap(),
        )
        .unwrap();
        let mc = v["monte_carlo"].as_object_mut().unwrap();
        assert_eq!(mc["seed"], 2026);
        mc.remove("seconds");
        mc.remove("threads");
        v
    };
    assert_eq!(json("t1"), json("t2"));
    for f in [
        "paths.parquet",
        "fans.csv",
        "metrics.csv",
        "probabilities.csv",
    ] {
        assert_eq!(
            std::fs::read(tmp.path().join("t1").join(f)).unwrap(),
            std::fs::read(tmp.path().join("t2").join(f)).unwrap(),
            "{f} differs"
        );
    }
}

#[test]
fn standard_errors_from_one_path_are_undefined_not_zero() {
    // One path says nothing about the spread: every SE (and the sd) is
    // undefined, with a reason in stress.json and empty in the CSV. With
    // two plain Monte Carlo paths they are numbers again.
    let tmp = tempfile::tempdir().unwrap();
    let file = shipped("amazon-openai-2026.toml");
    for (paths, sampling) in [("1", "lhs"), ("1", "mc"), ("2", "mc")] {
        let out = format!("p{paths}{sampling}");
        let o = dealsim(
            &[
                "stress",
                &file,
                "--paths",
                paths,
                "--sampling",
                sampling,
                "--out",
                &out,
            ],
            tmp.path(),
        );
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(tmp.path().join(&out).join("stress.json")).unwrap(),
        )
        .unwrap();
        let mc = &v["monte_carlo"];
        let undefined = serde_json::json!({ "undefined": "too_few_paths" });
        let one = paths == "1";
        for metric in mc["metrics"].as_array().unwrap() {
            let ses = [
                &metric["mean"]["se"],
                &metric["percentiles"]["p50"]["se"],
                &metric["sd"],
            ];
            for se in ses {
                assert_eq!(*se == undefined, one, "{paths} {sampling}: {se}");
                assert_eq!(se.is_f64(), !one, "{paths} {sampling}: {se}");
            }
        }
        for p in mc["probabilities"].as_array().unwrap() {
            assert_eq!(p["se"] == undefined, one, "{paths} {sampling}: {}", p["se"]);
        }
        assert_eq!(stdout.contains("±n/a"), one, "{stdout}");
        // The summary is pasted into memos: no line ends in spaces.
        assert!(stdout.lines().all(|l| l == l.trim_end()), "{stdout}");
        let csv = std::fs::read_to_string(tmp.path().join(&out).join("metrics.csv")).unwrap();
        let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
        let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
        let mean_se = header.iter().position(|h| *h == "mean_se").unwrap();
        assert_eq!(row[mean_se].is_empty(), one, "{csv}");
    }
}

#[test]
fn bad_stress_flags_exit_2_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let file = shipped("amazon-openai-2026.toml");
    for (args, expect) in [
        (vec!["--paths", "0"], "at least 1, got 0"),
        (vec!["--paths", "-5"], "at least 1, got -5"),
        (vec!["--sampling", "halton"], "not a sampling method"),
        (
            vec!["--set", "revenue.openai.steepnes=0.5"],
            "did you mean `revenue.openai.steepness`",
        ),
    ] {
        let mut a = vec!["stress", file.as_str(), "--out", "out"];
        a.extend(args);
        let o = dealsim(&a, tmp.path());
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{a:?}: {err}");
        assert!(err.contains(expect), "{a:?}: {err}");
        assert!(!tmp.path().join("out").exists());
    }
    // A scenario without a [stress] section says how to add one.
    let o = dealsim(
        &["stress", &shipped("amazon-anthropic.toml"), "--out", "out"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no [stress] section"));
}

#[cfg(unix)]
#[test]
fn an_interrupted_stress_leaves_earlier_outputs_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let file = shipped("amazon-openai-2026.toml");
    let o = dealsim(
        &["stress", &file, "--paths", "300", "--out", "out", "-q"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let before = std::fs::read(tmp.path().join("out/stress.json")).unwrap();
    // A run far too long to finish, interrupted as Ctrl-C would.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_dealsim"))
        .args(["stress", &file, "--paths", "5000000", "--out", "out", "-q"])
        .current_dir(tmp.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "the long run finished before it was interrupted"
    );
    assert_eq!(
        std::fs::read(tmp.path().join("out/stress.json")).unwrap(),
        before
    );
    assert!(tmp.path().join("out/paths.parquet").is_file());
}

#[test]
fn goal_seek_says_where_a_metric_jumps_instead_of_guessing() {
    let tmp = tempfile::tempdir().unwrap();
    let file = shipped("amazon-openai-2026.toml");
    // A 0/1 input has nothing between: refused.
    let o = dealsim(
        &[
            "solve",
            &file,
            "--vary",
            "milestone.funding-event.fires",
            "--target",
            "amazon.irr=30%",
        ],
        tmp.path(),
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Whole months step: the answer names the two months around the target
    // (the IRR rises with the delay, 28.9% at 0 months, 32.8% at 12).
    let o = dealsim(
        &[
            "solve",
            &file,
            "--vary",
            "milestone.funding-event.delay_months",
            "--range",
            "0..12",
            "--target",
            "amazon.irr=0.30",
        ],
        tmp.path(),
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("it jumps from"), "{out}");
}

mod common;

#[test]
fn the_block_evaluator_matches_the_scalar_one_on_every_shipped_scenario() {
    // A block of paths at a time must give what one path at a time gives: every
    // measure of every party, the fans' series and the events, on the
    // shipped scenarios' own stress draws and on every parameter moved.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let r = Run::from_file(&path, &[]).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if let Some(spec) = &r.model.stress {
            let opts = Options::of(spec);
            for first in [0u64, LANES as u64, 4096] {
                let lanes: Vec<Vec<f64>> = (first..first + LANES as u64)
                    .map(|p| monte_carlo::path_values(&r.model, spec, &opts, p).unwrap())
                    .collect();
                if let Err(e) = common::block_matches_scalar(&r, &lanes) {
                    panic!("{name}, paths {first}..: {e}");
                }
            }
        }
        for seed in 0..6 {
            let lanes = common::perturbed_lanes(&r, seed);
            if let Err(e) = common::block_matches_scalar(&r, &lanes) {
                panic!("{name}, perturbed seed {seed}: {e}");
            }
        }
    }
}
