//! Runs the `dealsim` binary like a user: shipped scenarios, bad inputs, overrides.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn dealsim(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dealsim"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("dealsim runs")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn scenarios() -> Vec<PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    v.sort();
    assert!(v.len() >= 4, "the shipped scenarios are missing");
    v
}

#[test]
fn every_shipped_scenario_runs_and_writes_all_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    for s in scenarios() {
        let stem = s.file_stem().unwrap().to_string_lossy().into_owned();
        let out = tmp.path().join(&stem);
        let o = dealsim(
            &["run", s.to_str().unwrap(), "--out", out.to_str().unwrap()],
            &root(),
        );
        assert!(o.status.success(), "{stem}: {}", text(&o.stderr));
        let stdout = text(&o.stdout);
        assert!(
            stdout.contains("party") && stdout.contains("IRR"),
            "{stem}: no summary table:\n{stdout}"
        );
        for f in [
            "cashflows.csv",
            "cashflows.parquet",
            "periods.csv",
            "summary.json",
        ] {
            let meta =
                std::fs::metadata(out.join(f)).unwrap_or_else(|_| panic!("{stem}: {f} missing"));
            assert!(meta.len() > 0, "{stem}: {f} is empty");
        }
        let charts: Vec<_> = std::fs::read_dir(out.join("charts"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        for ext in ["png", "svg"] {
            assert!(
                charts
                    .iter()
                    .any(|p| p.extension().is_some_and(|x| x == ext)),
                "{stem}: no {ext} chart"
            );
        }
        // No staging directories are left behind.
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        // NaN or inf never reach the summary.
        let json = std::fs::read_to_string(out.join("summary.json")).unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_finite(&v, &stem);
    }
}

#[test]
fn ledger_of_every_shipped_scenario_balances_in_every_period() {
    for s in scenarios() {
        let run = dealsim::Run::from_file(&s, &[]).unwrap();
        let (np, n) = (run.model.parties.len(), run.model.grid.len());
        let mut net = vec![0.0; np * n];
        for f in &run.ledger.flows {
            assert!(
                f.amount > 0.0 && f.amount.is_finite(),
                "{}: bad flow {f:?}",
                s.display()
            );
            assert_ne!(f.payer, f.payee, "{}: a flow to itself {f:?}", s.display());
            net[f.period as usize * np + f.payee as usize] += f.amount;
            net[f.period as usize * np + f.payer as usize] -= f.amount;
        }
        for (p, chunk) in net.chunks(np).enumerate() {
            let scale: f64 = chunk.iter().map(|x| x.abs()).sum::<f64>().max(1.0);
            assert!(
                chunk.iter().sum::<f64>().abs() < 1e-12 * scale,
                "{}: period {} does not balance",
                s.display(),
                p + 1
            );
        }
    }
}

#[test]
fn cashflows_csv_sums_back_to_the_summary() {
    // An independent read of the written CSV: each party's received - paid equals its net.
    let tmp = tempfile::tempdir().unwrap();
    let s = root().join("scenarios/amazon-openai-2026.toml");
    let out = tmp.path().join("ao");
    let o = dealsim(
        &[
            "run",
            s.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ],
        &root(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let csv = std::fs::read_to_string(out.join("cashflows.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        header,
        [
            "date",
            "period",
            "period_end",
            "payer",
            "payee",
            "deal",
            "kind",
            "amount"
        ]
    );
    let mut net = std::collections::HashMap::<String, f64>::new();
    for l in lines {
        let c: Vec<&str> = l.split(',').collect();
        let a: f64 = c[7].parse().unwrap();
        *net.entry(c[4].to_string()).or_default() += a;
        *net.entry(c[3].to_string()).or_default() -= a;
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    for p in summary["parties"].as_array().unwrap() {
        let id = p["id"].as_str().unwrap();
        let want = p["net"].as_f64().unwrap();
        assert!(
            (net[id] - want).abs() < 1e-9 * want.abs().max(1.0),
            "{id}: csv {} vs summary {want}",
            net[id]
        );
    }
}

#[test]
fn bad_inputs_exit_2_with_their_message_and_write_nothing() {
    let dir = root().join("tests/bad_inputs");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    assert!(files.len() >= 10);
    for f in files {
        let src = std::fs::read_to_string(&f).unwrap();
        let expects: Vec<&str> = src
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .collect();
        assert!(!expects.is_empty(), "{}: no `# expect:` line", f.display());
        // `# flags: ...` lines add arguments, e.g. --deny-warnings for warnings.
        let flags: Vec<&str> = src
            .lines()
            .filter_map(|l| l.strip_prefix("# flags: "))
            .flat_map(str::split_whitespace)
            .collect();
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let mut args = vec!["run", f.to_str().unwrap(), "--out", out.to_str().unwrap()];
        args.extend(flags);
        let o = dealsim(&args, tmp.path());
        let stderr = text(&o.stderr);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{}: exit {:?}\n{stderr}",
            f.display(),
            o.status.code()
        );
        for e in expects {
            assert!(
                stderr.contains(e),
                "{}: expected `{e}` in:\n{stderr}",
                f.display()
            );
        }
        assert!(!stderr.contains("panicked"), "{stderr}");
        // file:line:col of the first problem is on the first line.
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            stderr.contains(&format!("{name}:")),
            "{}: no file:line:col in:\n{stderr}",
            f.display()
        );
        assert!(
            !out.exists(),
            "{}: an output directory was created",
            f.display()
        );
        assert_eq!(
            std::fs::read_dir(tmp.path()).unwrap().count(),
            0,
            "{}: something was written",
            f.display()
        );
    }
}

#[test]
fn errors_name_file_line_and_column() {
    let f = root().join("tests/bad_inputs/rate-out-of-range.toml");
    let o = dealsim(&["validate", f.to_str().unwrap()], &root());
    let stderr = text(&o.stderr);
    // `rate = 20` is line 24 of that file (2 expect lines, 6 header lines, ...); the value starts at column 8.
    assert!(stderr.contains("rate-out-of-range.toml:24:8:"), "{stderr}");
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn set_overrides_a_number_and_rejects_unknown_addresses() {
    let tmp = tempfile::tempdir().unwrap();
    let s = root().join("scenarios/microsoft-revenue-share.toml");
    let out = tmp.path().join("ms");
    let args = [
        "run",
        s.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--set",
        "revenue_share.microsoft.cap=1",
    ];
    let o = dealsim(&args, &root());
    assert!(o.status.success(), "{}", text(&o.stderr));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let rs = &summary["revenue_shares"][0];
    assert_eq!(rs["cap"].as_f64(), Some(1.0));
    // With a cap of 1, at most 1 minus what was paid before the window is paid in it.
    assert!(rs["paid_in_run"].as_f64().unwrap() <= 1.0 + 1e-12);

    let o = dealsim(
        &[
            "run",
            s.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--set",
            "revenue_share.microsoft.cp=1",
        ],
        &root(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("`revenue_share.microsoft` has: rate, cap, paid_to_date"),
        "{}",
        text(&o.stderr)
    );
    let o = dealsim(
        &[
            "run",
            s.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--set",
            "revenue_share.microsoft.rate=3",
        ],
        &root(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("must be between 0 and 1"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn a_rerun_is_byte_identical_and_a_failed_run_keeps_old_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let s = root().join("scenarios/amazon-anthropic.toml");
    let out = tmp.path().join("aa");
    let run = |args: &[&str]| dealsim(args, &root());
    assert!(run(&[
        "run",
        s.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q"
    ])
    .status
    .success());
    let first = std::fs::read(out.join("cashflows.csv")).unwrap();
    let first_json = std::fs::read(out.join("summary.json")).unwrap();
    assert!(run(&[
        "run",
        s.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q"
    ])
    .status
    .success());
    assert_eq!(first, std::fs::read(out.join("cashflows.csv")).unwrap());
    assert_eq!(first_json, std::fs::read(out.join("summary.json")).unwrap());
    // A bad override fails before anything is touched.
    let o = run(&[
        "run",
        s.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--set",
        "nope.x=1",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(first, std::fs::read(out.join("cashflows.csv")).unwrap());
}

#[test]
fn validate_and_list_work_on_the_shipped_scenarios() {
    let o = dealsim(
        &["validate", "scenarios/amazon-openai-2026.toml", "--params"],
        &root(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("milestone.funding-event.delay_months = 0"),
        "{}",
        text(&o.stdout)
    );
    // The shipped scenarios are clean: no warnings either.
    for s in scenarios() {
        let o = dealsim(
            &["validate", "--deny-warnings", s.to_str().unwrap()],
            &root(),
        );
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    let o = dealsim(&["list"], &root());
    assert!(o.status.success());
    assert_eq!(text(&o.stdout).lines().count(), scenarios().len());
}

/// Every number in a JSON value is finite (serde_json writes NaN and inf as null,
/// so a null where a number belongs is also a failure, except documented optionals).
fn assert_finite(v: &serde_json::Value, ctx: &str) {
    match v {
        serde_json::Value::Number(n) => {
            assert!(n.as_f64().is_some_and(f64::is_finite), "{ctx}: {n}")
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| assert_finite(x, ctx)),
        serde_json::Value::Object(o) => o
            .iter()
            .for_each(|(k, x)| assert_finite(x, &format!("{ctx}.{k}"))),
        _ => {}
    }
}

#[test]
fn out_never_replaces_a_users_directory_or_file() {
    let tmp = tempfile::tempdir().unwrap();
    let s = root().join("scenarios/amazon-anthropic.toml");
    let mine = tmp.path().join("reports");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("memo.txt"), "thesis").unwrap();
    let o = dealsim(
        &[
            "run",
            s.to_str().unwrap(),
            "--out",
            mine.to_str().unwrap(),
            "-q",
        ],
        &root(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("is not a dealsim output directory"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(mine.join("memo.txt")).unwrap(),
        "thesis"
    );
    assert_eq!(std::fs::read_dir(&mine).unwrap().count(), 1);

    let file = tmp.path().join("notes.txt");
    std::fs::write(&file, "notes").unwrap();
    let o = dealsim(
        &[
            "run",
            s.to_str().unwrap(),
            "--out",
            file.to_str().unwrap(),
            "-q",
        ],
        &root(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "notes");
    // Nothing but the two user paths exists: no staging or backup left behind.
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 2);
}

#[test]
fn two_files_with_one_stem_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let src = root().join("scenarios/amazon-anthropic.toml");
    std::fs::copy(&src, a.join("deal.toml")).unwrap();
    std::fs::copy(&src, b.join("deal.toml")).unwrap();
    let out = tmp.path().join("out");
    let args = [
        "run",
        "a/deal.toml",
        "b/deal.toml",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ];
    let o = dealsim(&args, tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("would both write to"),
        "{}",
        text(&o.stderr)
    );
    assert!(!out.exists());
}

#[test]
fn a_closed_stdout_is_not_a_crash() {
    use std::io::Read;
    use std::process::Stdio;
    let tmp = tempfile::tempdir().unwrap();
    let s = root().join("scenarios/amazon-openai-2026.toml");
    let mut child = Command::new(env!("CARGO_BIN_EXE_dealsim"))
        .args([
            "run",
            s.to_str().unwrap(),
            "--out",
            tmp.path().join("o").to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 1];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The read end is dropped here, like `| head -c1`.
    let o = child.wait_with_output().unwrap();
    assert!(!text(&o.stderr).contains("panicked"), "{}", text(&o.stderr));
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn a_scenario_name_never_chooses_where_outputs_go_and_files_are_not_modified() {
    let tmp = tempfile::tempdir().unwrap();
    let src = std::fs::read_to_string(root().join("scenarios/amazon-anthropic.toml")).unwrap();
    let evil = src.replacen("name = \"", "name = \"../../../etc/evil/", 1);
    assert_ne!(evil, src);
    let file = tmp.path().join("deal.toml");
    std::fs::write(&file, &evil).unwrap();
    let o = dealsim(&["run", "deal.toml", "-q"], tmp.path());
    assert!(o.status.success(), "{}", text(&o.stderr));
    // Outputs go to outputs/<file stem>, whatever the scenario's name says.
    assert!(tmp.path().join("outputs/deal/summary.json").is_file());
    let mut all = Vec::new();
    let mut stack = vec![tmp.path().to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                all.push(e.path());
            }
        }
    }
    assert!(
        all.iter()
            .all(|p| p == &file || p.starts_with(tmp.path().join("outputs/deal"))),
        "{all:?}"
    );
    // The scenario file is read, never written.
    assert_eq!(std::fs::read_to_string(&file).unwrap(), evil);
}

#[test]
fn compare_lines_up_two_scenarios_with_their_differences() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    let o = dealsim(
        &[
            "compare",
            "scenarios/amazon-openai-2026.toml",
            "scenarios/amazon-openai-2026-counter.toml",
            "--out",
            out.to_str().unwrap(),
        ],
        &root(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let stdout = text(&o.stdout);
    assert!(
        stdout.contains("amazon-openai-2026-counter - first"),
        "{stdout}"
    );
    let csv = std::fs::read_to_string(out.join("compare.csv")).unwrap();
    // Amazon invests 15 + 35 = 50 in the base, 15 + 25 = 40 in the counter-offer (its file).
    let invested: Vec<&str> = csv
        .lines()
        .filter(|l| l.starts_with("amazon -> openai,invested,"))
        .collect();
    assert_eq!(invested.len(), 2, "{csv}");
    assert!(invested[0].ends_with(",50,0"), "{}", invested[0]);
    assert!(invested[1].ends_with(",40,-10"), "{}", invested[1]);
    // The comparison as reports too: self-contained HTML, Markdown with the charts.
    let html = std::fs::read_to_string(out.join("compare.html")).unwrap();
    assert!(html.contains("<svg") && !html.contains("src=\"http") && !html.contains("href=\"http"));
    let md = std::fs::read_to_string(out.join("compare.md")).unwrap();
    assert!(md.contains("charts/compare-cumulative-net.png"), "{md}");
    assert!(out.join("charts/compare-cumulative-net.png").is_file());
    // One scenario alone is not a comparison.
    let o = dealsim(&["compare", "scenarios/amazon-openai-2026.toml"], &root());
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn every_scenario_renders_at_the_smallest_chart_size() {
    // Regression: a plot shorter than a line of text made a label clamp panic.
    let tmp = tempfile::tempdir().unwrap();
    for s in scenarios() {
        let out = tmp.path().join(s.file_stem().unwrap());
        let args = [
            "run",
            s.to_str().unwrap(),
            "--size",
            "200x120",
            "--out",
            out.to_str().unwrap(),
            "-q",
        ];
        let o = dealsim(&args, &root());
        assert!(o.status.success(), "{}: {}", s.display(), text(&o.stderr));
        // The workbook is named after the scenario file, wherever --out points.
        let stem = s.file_stem().unwrap().to_string_lossy().into_owned();
        assert!(out.join(format!("{stem}.xlsx")).is_file());
    }
}

#[test]
fn format_keeps_only_the_chart_files_asked_for() {
    let tmp = tempfile::tempdir().unwrap();
    let s = root().join("scenarios/microsoft-revenue-share.toml");
    let out = tmp.path().join("svg-only");
    let o = dealsim(
        &[
            "run",
            s.to_str().unwrap(),
            "--format",
            "svg",
            "--out",
            out.to_str().unwrap(),
            "-q",
        ],
        &root(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let files: Vec<String> = std::fs::read_dir(out.join("charts"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !files.is_empty() && files.iter().all(|f| f.ends_with(".svg")),
        "{files:?}"
    );
    // report.md links what is there; report.html still has every chart inline.
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(!md.contains(".png)") && md.contains(".svg)"));
    for bad in ["jpg", ","] {
        let o = dealsim(
            &["run", s.to_str().unwrap(), "--format", bad, "-q"],
            tmp.path(),
        );
        assert_eq!(o.status.code(), Some(2), "--format {bad}");
    }
}
