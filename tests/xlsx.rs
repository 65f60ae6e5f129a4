//! The Excel workbook `dealsim run` writes.
//!
//! Two tests, both on workbooks made by the real binary from shipped
//! scenarios:
//!
//! - `workbook_has_its_sheets_values_and_formulas` opens the file with
//!   calamine: sheet names, a sample of values against `summary.json` and
//!   the scenario text, and formulas where the workbook promises them;
//! - `libreoffice_recalculation_matches_dealsim` recalculates every
//!   workbook with LibreOffice (headless, recalculation on load forced by a
//!   throw-away profile, one `soffice` call for all files) and checks that
//!   every formula's recalculated value equals the value dealsim cached in
//!   it, to 1e-6 relative. A canary workbook whose cached value is wrong
//!   proves the recalculation happened. Without `soffice` it says it was
//!   skipped and passes.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use calamine::{open_workbook, Data, Range, Reader, Xlsx};
use serde_json::Value;

type Book = Xlsx<BufReader<File>>;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The shipped scenarios the recalculation test covers: a capped revenue
/// share (microsoft-revenue-share), milestones on conditions
/// (amazon-anthropic), many parties (openai-infrastructure), credits and
/// `extends` (the counter-offer).
const SCENARIOS: [&str; 5] = [
    "amazon-openai-2026",
    "microsoft-revenue-share",
    "amazon-anthropic",
    "openai-infrastructure",
    "amazon-openai-2026-counter",
];

/// Runs `dealsim run` on a shipped scenario into `dir/<name>`; returns that directory.
fn run_dealsim(name: &str, dir: &Path) -> PathBuf {
    let out = dir.join(name);
    let scenario = Path::new(ROOT)
        .join("scenarios")
        .join(format!("{name}.toml"));
    let status = Command::new(env!("CARGO_BIN_EXE_dealsim"))
        .arg("run")
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .arg("-q")
        .status()
        .expect("dealsim runs");
    assert!(status.success(), "dealsim run {name} failed: {status}");
    out
}

/// The one `.xlsx` of an output directory.
fn xlsx_in(dir: &Path) -> PathBuf {
    let found: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("output dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .collect();
    assert_eq!(found.len(), 1, "one workbook in {}", dir.display());
    found[0].clone()
}

fn open(path: &Path) -> Book {
    open_workbook(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn sheet(book: &mut Book, name: &str) -> Range<Data> {
    book.worksheet_range(name)
        .unwrap_or_else(|e| panic!("sheet {name}: {e}"))
}

fn formulas(book: &mut Book, name: &str) -> Range<String> {
    book.worksheet_formula(name)
        .unwrap_or_else(|e| panic!("formulas of {name}: {e}"))
}

/// A cell's number (dates as Excel serials).
fn number(d: &Data) -> Option<f64> {
    match d {
        Data::Float(f) => Some(*f),
        Data::Int(i) => Some(*i as f64),
        Data::DateTime(dt) => Some(dt.as_f64()),
        _ => None,
    }
}

fn text(d: Option<&Data>) -> String {
    match d {
        Some(Data::String(s)) => s.clone(),
        _ => String::new(),
    }
}

/// `B7` for 0-based (row 6, column 1).
fn a1((row, col): (u32, u32)) -> String {
    let mut name = String::new();
    let mut c = col + 1;
    while c > 0 {
        name.insert(0, (b'A' + ((c - 1) % 26) as u8) as char);
        c = (c - 1) / 26;
    }
    format!("{name}{}", row + 1)
}

/// Excel's serial of `yyyy-mm-dd`.
fn serial(date: &str) -> f64 {
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("a date");
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid");
    (d - epoch).num_days() as f64
}

/// Equal to 1e-6 relative (and 1e-9 absolute, for values that are 0 up to rounding).
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()) + 1e-9
}

/// Every (absolute position, formula) of a sheet.
fn formula_cells(book: &mut Book, name: &str) -> Vec<((u32, u32), String)> {
    let f = formulas(book, name);
    let Some((r0, c0)) = f.start() else {
        return Vec::new();
    };
    f.cells()
        .filter(|(_, _, s)| !s.is_empty())
        .map(|(r, c, s)| ((r0 + r as u32, c0 + c as u32), s.clone()))
        .collect()
}

/// A row of the Summary table: subject, metric, dealsim's value, Excel's
/// cell and formula.
struct SummaryRow {
    subject: String,
    metric: String,
    dealsim: Option<Data>,
    excel: Option<Data>,
    formula: String,
}

const EXCEL_COL: u32 = 5;

fn summary_rows(book: &mut Book) -> Vec<SummaryRow> {
    let values = sheet(book, "Summary");
    let f = formulas(book, "Summary");
    let header = (0..values.height() as u32)
        .find(|&r| text(values.get_value((r, 0))) == "Section")
        .expect("Summary has a header row");
    (header + 1..values.end().map_or(0, |e| e.0) + 1)
        .map(|r| SummaryRow {
            subject: text(values.get_value((r, 1))),
            metric: text(values.get_value((r, 2))),
            dealsim: values.get_value((r, 4)).cloned(),
            excel: values.get_value((r, EXCEL_COL)).cloned(),
            formula: f.get_value((r, EXCEL_COL)).cloned().unwrap_or_default(),
        })
        .collect()
}

fn find<'a>(rows: &'a [SummaryRow], subject: &str, metric: &str) -> &'a SummaryRow {
    rows.iter()
        .find(|r| r.subject == subject && r.metric == metric)
        .unwrap_or_else(|| panic!("Summary row {subject} / {metric}"))
}

fn json(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("summary.json")).expect("summary.json");
    serde_json::from_str(&text).expect("valid JSON")
}

#[test]
fn workbook_has_its_sheets_values_and_formulas() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for name in ["amazon-openai-2026", "microsoft-revenue-share"] {
        let dir = run_dealsim(name, tmp.path());
        let path = xlsx_in(&dir);
        let mut book = open(&path);
        let summary = json(&dir);

        let mut expected = vec![
            "Summary",
            "Charts",
            "Cash flows",
            "Flows by kind",
            "Dated flows",
        ];
        if name == "microsoft-revenue-share" {
            expected.push("Revenue share");
        }
        expected.extend(["Ledger", "Assumptions"]);
        assert_eq!(book.sheet_names(), expected, "{name}");

        let rows = summary_rows(&mut book);
        for party in summary["parties"].as_array().expect("parties") {
            let who = party["name"].as_str().expect("name");
            let npv = find(&rows, who, "NPV");
            if let Some(v) = party["npv"].as_f64() {
                let got = npv.dealsim.as_ref().and_then(number).expect("NPV number");
                assert!(
                    (got - v).abs() <= 1e-12 * v.abs().max(1.0),
                    "{name} {who} NPV {got} vs {v}"
                );
                assert!(
                    npv.formula.starts_with("XNPV("),
                    "{name} {who}: {}",
                    npv.formula
                );
                assert!(npv.formula.contains("'Dated flows'!"), "{}", npv.formula);
            }
            let irr = find(&rows, who, "IRR");
            if party["irr"].as_f64().is_some() {
                assert!(
                    irr.formula.starts_with("XIRR("),
                    "{name} {who}: {}",
                    irr.formula
                );
            } else {
                assert!(irr.formula.is_empty(), "no XIRR without an IRR");
                assert!(text(irr.dealsim.as_ref()).starts_with("undefined: "));
            }
            let paid = find(&rows, who, "Paid");
            assert!(
                paid.formula.starts_with("'Cash flows'!$"),
                "{}",
                paid.formula
            );
            let v = party["paid"].as_f64().expect("paid");
            assert!(close(
                paid.dealsim.as_ref().and_then(number).expect("paid"),
                v
            ));
            assert!(close(
                paid.excel.as_ref().and_then(number).expect("cached"),
                v
            ));
        }

        // Period totals, cumulative sums and SUMIFS over the ledger.
        let cash = formulas(&mut book, "Cash flows");
        let values = sheet(&mut book, "Cash flows");
        let total = (0..values.height() as u32)
            .find(|&r| text(values.get_value((r, 0))) == "Total")
            .expect("a totals row");
        assert_eq!(
            cash.get_value((total, 3)).map(String::as_str),
            Some(&*format!("SUM(D3:D{total})"))
        );
        let inflow = cash.get_value((2, 3)).expect("inflow formula");
        assert!(inflow.starts_with("SUMIFS(Ledger!$H$2:$H$"), "{inflow}");
        assert_eq!(
            cash.get_value((3, 7)).map(String::as_str),
            Some("H3+F4"),
            "cumulative net"
        );
        assert!(
            matches!(values.get_value((2, 2)), Some(Data::DateTime(_))),
            "real dates"
        );

        // The ledger is the tidy table of cashflows.csv.
        let ledger = sheet(&mut book, "Ledger");
        let csv = std::fs::read_to_string(dir.join("cashflows.csv")).expect("csv");
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(ledger.height(), lines.len(), "{name}: one row per flow");
        let first: Vec<&str> = lines[1].split(',').collect();
        assert!(matches!(ledger.get_value((1, 0)), Some(Data::DateTime(_))));
        assert_eq!(
            ledger.get_value((1, 0)).and_then(number),
            Some(serial(first[0]))
        );
        let amount: f64 = first[7].parse().expect("amount");
        assert_eq!(ledger.get_value((1, 7)).and_then(number), Some(amount));

        // Inputs with their unit, line and comment in the scenario.
        let inputs = sheet(&mut book, "Assumptions");
        let scenario =
            std::fs::read_to_string(Path::new(ROOT).join(format!("scenarios/{name}.toml")))
                .expect("scenario");
        let rate = (0..inputs.height() as u32)
            .find(|&r| text(inputs.get_value((r, 0))) == "scenario.discount_rate")
            .expect("discount rate listed");
        assert_eq!(inputs.get_value((rate, 1)).and_then(number), Some(0.10));
        assert_eq!(text(inputs.get_value((rate, 2))), "%/yr");
        let line = inputs.get_value((rate, 5)).and_then(number).expect("line") as usize;
        let written = scenario.lines().nth(line - 1).expect("line in file");
        assert!(written.starts_with("discount_rate"), "{written}");
        let comment = written
            .split_once('#')
            .map(|(_, c)| c.trim())
            .expect("comment");
        assert_eq!(text(inputs.get_value((rate, 6))), comment);

        if name == "microsoft-revenue-share" {
            let who = "microsoft (openai \u{2192} microsoft)";
            let cap = find(&rows, who, "Cap");
            assert_eq!(cap.dealsim.as_ref().and_then(number), Some(38.0));
            assert!(
                cap.formula.starts_with("Assumptions!$B$"),
                "{}",
                cap.formula
            );
            let reached = find(&rows, who, "Cap reached on");
            assert_eq!(
                reached.dealsim.as_ref().and_then(number),
                Some(serial("2029-03-31"))
            );
            let left = find(&rows, who, "Remaining under the cap");
            assert!(close(
                left.dealsim.as_ref().and_then(number).expect("remaining"),
                0.0
            ));
            let share = formula_cells(&mut book, "Revenue share");
            assert!(share.iter().any(|(_, f)| f.starts_with("SUMIFS(")));
        }
    }
}

/// `soffice` on the PATH, if any.
fn soffice() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("soffice"))
        .find(|p| p.is_file())
}

/// A workbook whose one formula caches a wrong value (`=A1*3` cached as 999):
/// after a real recalculation it reads 6.
fn write_canary(path: &Path) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_number(0, 0, 2.0).expect("write");
    ws.write_formula(
        1,
        0,
        rust_xlsxwriter::Formula::new("=A1*3").set_result("999"),
    )
    .expect("write");
    wb.save(path).expect("save canary");
}

/// Converts every `.xlsx` of `input` to `output` with one `soffice` call,
/// recalculating on load (a throw-away profile sets `OOXMLRecalcMode` to
/// "always").
fn recalculate(soffice: &Path, input: &[PathBuf], work: &Path, output: &Path) {
    let profile = work.join("profile");
    std::fs::create_dir_all(profile.join("user")).expect("profile dir");
    std::fs::write(
        profile.join("user/registrymodifications.xcu"),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"#,
    )
    .expect("profile");
    let started = Instant::now();
    let out = Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--calc", "--convert-to", "xlsx", "--outdir"])
        .arg(output)
        .args(input)
        .output()
        .expect("soffice runs");
    eprintln!(
        "soffice converted {} workbooks in {:.1} s",
        input.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        out.status.success(),
        "soffice failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every formula of `original` whose recalculated value in `recalculated`
/// differs from its cached value, as messages; and how many were compared.
fn compare(original: &Path, recalculated: &Path) -> (Vec<String>, usize) {
    let mut before = open(original);
    let mut after = open(recalculated);
    let mut bad = Vec::new();
    let mut compared = 0;
    for name in before.sheet_names() {
        let cached = sheet(&mut before, &name);
        let fresh = sheet(&mut after, &name);
        for (pos, f) in formula_cells(&mut before, &name) {
            compared += 1;
            let want = cached.get_value(pos).and_then(number);
            let got = fresh.get_value(pos);
            match (want, got.and_then(number)) {
                (Some(w), Some(g)) if close(w, g) => {}
                _ => bad.push(format!(
                    "{name}!{} = {f}: dealsim {want:?}, LibreOffice {got:?}",
                    a1(pos)
                )),
            }
        }
    }
    (bad, compared)
}

/// The Summary's Excel column, recalculated, against its dealsim column.
fn compare_summary(recalculated: &Path) -> (Vec<String>, usize) {
    let mut after = open(recalculated);
    let rows = summary_rows(&mut after);
    let mut bad = Vec::new();
    let mut compared = 0;
    for r in rows.iter().filter(|r| !r.formula.is_empty()) {
        compared += 1;
        let dealsim = r.dealsim.as_ref().and_then(number);
        let excel = r.excel.as_ref().and_then(number);
        match (dealsim, excel) {
            (Some(d), Some(e)) if close(d, e) => {}
            _ => bad.push(format!(
                "Summary {} / {}: dealsim {dealsim:?}, Excel {:?} ({})",
                r.subject, r.metric, r.excel, r.formula
            )),
        }
    }
    (bad, compared)
}

#[test]
fn libreoffice_recalculation_matches_dealsim() {
    let Some(soffice) = soffice() else {
        eprintln!("skipped: soffice not found (install libreoffice-calc-nogui)");
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let input = tmp.path().join("in");
    let output = tmp.path().join("out");
    std::fs::create_dir_all(&input).expect("in dir");
    std::fs::create_dir_all(&output).expect("out dir");
    let mut files = Vec::new();
    for name in SCENARIOS {
        let dir = run_dealsim(name, tmp.path());
        let file = input.join(format!("{name}.xlsx"));
        std::fs::copy(xlsx_in(&dir), &file).expect("copy workbook");
        files.push(file);
    }
    let canary = input.join("canary.xlsx");
    write_canary(&canary);
    files.push(canary);
    recalculate(&soffice, &files, tmp.path(), &output);

    let mut check = open(&output.join("canary.xlsx"));
    let value = sheet(&mut check, "Sheet1")
        .get_value((1, 0))
        .and_then(number);
    assert_eq!(
        value,
        Some(6.0),
        "LibreOffice did not recalculate on load: the comparison below would be vacuous"
    );

    let mut failures = Vec::new();
    for name in SCENARIOS {
        let original = input.join(format!("{name}.xlsx"));
        let recalculated = output.join(format!("{name}.xlsx"));
        let (bad, n) = compare(&original, &recalculated);
        let (bad_summary, checks) = compare_summary(&recalculated);
        eprintln!("{name}: {n} formulas recalculated, {checks} Summary checks");
        assert!(n > 500, "{name}: only {n} formulas");
        assert!(checks > 20, "{name}: only {checks} Summary checks");
        failures.extend(bad);
        failures.extend(bad_summary);
    }
    assert!(
        failures.is_empty(),
        "{} formulas disagree with dealsim:\n{}",
        failures.len(),
        failures
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
