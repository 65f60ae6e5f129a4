//! The one-file report (`report.html`, `report.md`) as a reader gets it:
//! self-contained, complete (every chart, the metrics, the inputs), escaped,
//! stable across reruns except its date line, and rendered by a real browser
//! (headless Chromium) without errors and with every chart visible.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
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

/// Runs `dealsim run SCENARIO --out OUT -q` with extra environment; returns OUT.
fn run_into(scenario: &Path, out: &Path, env: &[(&str, &str)]) -> PathBuf {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dealsim"));
    cmd.args([
        "run",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ])
    .current_dir(root());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().expect("dealsim runs");
    assert!(
        o.status.success(),
        "{}: {}",
        scenario.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    out.to_path_buf()
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The files in `dir/charts` with extension `ext`, by stem, sorted.
fn charts(dir: &Path, ext: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.join("charts"))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == ext))
                .filter_map(|p| Some(p.file_stem()?.to_str()?.to_string()))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

// --- the report's number formats, written out independently -------------

fn money(x: f64) -> String {
    let s = format!("{:.1}", x.abs());
    let (int, frac) = s.split_once('.').unwrap();
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if x < 0.0 && s != "0.0" {
        format!("({grouped}.{frac})")
    } else {
        format!("{grouped}.{frac}")
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// `2029-03-31` -> `31 Mar 2029`.
fn long_date(iso: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let parts: Vec<&str> = iso.split('-').collect();
    let m: usize = parts[1].parse().unwrap();
    let d: u32 = parts[2].parse().unwrap();
    format!("{d} {} {}", MONTHS[m - 1], parts[0])
}

fn f(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number: {v}"))
}

/// How a `Figure` must read in a table: its value, or "undefined" with the reason.
fn figure_text(v: &Value, show: impl Fn(f64) -> String) -> (String, Option<String>) {
    match v.as_f64() {
        Some(x) => (show(x), None),
        None => (
            "undefined".into(),
            Some(
                v["undefined"]
                    .as_str()
                    .expect("an undefined reason")
                    .to_string(),
            ),
        ),
    }
}

/// The HTML with the base64 font data cut out (random-looking text).
fn without_fonts(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find("base64,") {
        out.push_str(&rest[..i + 7]);
        let after = &rest[i + 7..];
        let end = after.find(')').unwrap_or(after.len());
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Every value of attribute `attr` in the tags of `html` (text between tags
/// is escaped, so it holds no `<`), quoted or not, case-insensitive.
fn attribute_values(html: &str, attr: &str) -> Vec<String> {
    let mut out = Vec::new();
    for tag in html.split('<').skip(1).filter_map(|t| t.split('>').next()) {
        let lower = tag.to_ascii_lowercase();
        let needle = format!("{attr}=");
        let mut from = 0;
        while let Some(i) = lower[from..].find(&needle) {
            let at = from + i;
            from = at + needle.len();
            // A whole attribute name: after a space or a namespace colon.
            if !lower[..at].ends_with([' ', '\n', '\t', ':']) {
                continue;
            }
            let v = &tag[from..];
            let value = match v.chars().next() {
                Some(q @ ('"' | '\'')) => v[1..].split(q).next().unwrap_or(""),
                _ => v.split(char::is_whitespace).next().unwrap_or(""),
            };
            out.push(value.trim().to_string());
        }
    }
    out
}

/// Whether `md` has `raw` not escaped by a backslash.
fn has_unescaped(md: &str, raw: &str) -> bool {
    md.match_indices(raw).any(|(i, _)| !md[..i].ends_with('\\'))
}

/// Asserts the page fetches nothing: no external src/href, no url() but data:,
/// no scripts, stylesheets, frames or imports.
fn assert_self_contained(name: &str, html: &str) {
    let page = without_fonts(html);
    for attr in ["src", "href", "srcset", "poster", "data", "action"] {
        for v in attribute_values(&page, attr) {
            let l = v.to_ascii_lowercase();
            assert!(
                !(l.contains("://") || l.starts_with("//")),
                "{name}: {attr}=\"{v}\" fetches from outside the file"
            );
            if attr == "href" {
                assert!(
                    l.starts_with('#'),
                    "{name}: href=\"{v}\" is not an in-page anchor"
                );
            }
        }
    }
    let lower = page.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("url(") {
        let at = from + i + 4;
        let arg = lower[at..].trim_start_matches(['"', '\'', ' ']);
        assert!(
            arg.starts_with("data:"),
            "{name}: url({}...) is not inline",
            &arg[..arg.len().min(40)]
        );
        from = at;
    }
    for banned in [
        "<script", "<link", "<iframe", "<object", "<embed", "@import", "<img",
    ] {
        assert!(!lower.contains(banned), "{name}: the page has {banned}");
    }
    assert!(!page.contains("NaN"), "{name}: NaN in the report");
}

#[test]
fn every_shipped_scenario_gets_a_complete_self_contained_report() {
    let tmp = tempfile::tempdir().unwrap();
    for s in scenarios() {
        let stem = s.file_stem().unwrap().to_string_lossy().into_owned();
        let out = run_into(&s, &tmp.path().join(&stem), &[]);
        let html = read(&out.join("report.html"));
        let md = read(&out.join("report.md"));
        assert_self_contained(&stem, &html);

        // Every chart's SVG is inline, once.
        let svgs = charts(&out, "svg");
        assert!(!svgs.is_empty(), "{stem}: no charts were written");
        for c in &svgs {
            let svg = read(&out.join("charts").join(format!("{c}.svg")));
            let body = &svg[svg.find('>').unwrap() + 1..];
            assert!(
                html.contains(body.trim_end()),
                "{stem}: charts/{c}.svg is not in report.html"
            );
        }
        assert_eq!(
            html.matches("<svg ").count(),
            svgs.len(),
            "{stem}: one inline <svg> per chart"
        );
        // Every PNG that exists is linked from the Markdown, by relative path.
        for c in charts(&out, "png") {
            assert!(
                md.contains(&format!("](charts/{c}.png)")),
                "{stem}: report.md does not link charts/{c}.png"
            );
        }
        assert!(!md.contains(".svg)"), "{stem}: report.md links an SVG");

        check_metrics(&stem, &out, &html, &md);
        check_assumptions(&stem, &s, &html, &md);
        for doc in [&html, &md] {
            assert!(doc.contains(&format!("dealsim {}", env!("CARGO_PKG_VERSION"))));
            assert!(doc.contains("Stress results") && doc.contains("Omitted."));
        }
        assert!(html.contains("<section id=\"stress\" class=\"omitted\">"));
        // Print: whole charts, page margins, a print stylesheet.
        for css in ["@media print", "@page", "break-inside: avoid"] {
            assert!(html.contains(css), "{stem}: no `{css}` in the CSS");
        }
    }
}

/// The figures of summary.json appear in both reports, formatted as tables show them.
fn check_metrics(stem: &str, out: &Path, html: &str, md: &str) {
    let s: Value = serde_json::from_str(&read(&out.join("summary.json"))).unwrap();
    let cell = |text: &str| {
        assert!(
            html.contains(&format!(">{}<", html_escape(text)))
                || html.contains(&format!(">{}<sup", html_escape(text))),
            "{stem}: report.html has no cell `{text}`"
        );
        assert!(
            md.contains(&format!("| {text} |")) || md.contains(&format!("| {text} [")),
            "{stem}: report.md has no cell `{text}`"
        );
    };
    let noted = |(text, reason): (String, Option<String>)| {
        cell(&text);
        if let Some(r) = reason {
            assert!(
                html.contains(&html_escape(&r)),
                "{stem}: reason `{r}` missing from html"
            );
            assert!(md.contains(&r), "{stem}: reason `{r}` missing from md");
        }
    };
    for p in s["parties"].as_array().unwrap() {
        cell(p["name"].as_str().unwrap());
        for key in [
            "paid",
            "received",
            "net",
            "terminal_value",
            "peak_exposure",
            "closing_cash",
        ] {
            cell(&money(f(p, key)));
        }
        noted(figure_text(&p["npv"], money));
        noted(figure_text(&p["irr"], |x| format!("{:.1}%", x * 100.0)));
        noted(figure_text(&p["moic"], |x| format!("{:.2}x", x)));
        noted(figure_text(&p["equity_moic"], |x| format!("{:.2}x", x)));
        for key in ["payback_date", "cash_payback_date", "peak_exposure_date"] {
            if let Some(d) = p[key].as_str() {
                cell(&long_date(d));
            }
        }
    }
    for lab in s["labs"].as_array().unwrap() {
        cell(&money(f(lab, "lowest_cash")));
        cell(&money((-f(lab, "lowest_cash")).max(0.0)));
        cell(&money(f(lab, "committed_spend")));
    }
    for r in s["round_trips"].as_array().unwrap() {
        cell(&money(f(r, "compute_revenue")));
        noted(figure_text(&r["ratio"], |x| format!("{:.2}x", x)));
    }
    for r in s["revenue_shares"].as_array().unwrap() {
        cell(&money(f(r, "paid_in_run")));
        if let Some(cap) = r["cap"].as_f64() {
            cell(&money(cap));
        }
        if let Some(d) = r["cap_reached"].as_str() {
            cell(&long_date(d));
        }
    }
    for t in s["tranches"].as_array().unwrap() {
        cell(&money(f(t, "amount")));
        assert!(html.contains(&format!(
            "<td class=\"code\">{}</td>",
            html_escape(t["tranche"].as_str().unwrap())
        )));
    }
    for c in s["commitments"].as_array().unwrap() {
        cell(&money(f(c, "total")));
        cell(&money(f(c, "billed")));
    }
    for caption in ["Returns by party", "Exposure and payback"] {
        assert!(
            html.contains(caption) && md.contains(caption),
            "{stem}: no {caption}"
        );
    }
    if !s["labs"].as_array().unwrap().is_empty() {
        assert!(html.contains("Funding gap") && md.contains("Funding gap"));
    }
    assert!(!md.contains("NaN"), "{stem}: NaN in report.md");
}

/// Description, every source and every input address with its value.
fn check_assumptions(stem: &str, scenario: &Path, html: &str, md: &str) {
    let o = Command::new(env!("CARGO_BIN_EXE_dealsim"))
        .args(["validate", scenario.to_str().unwrap(), "--params"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let listing = String::from_utf8_lossy(&o.stdout).into_owned();
    let mut n = 0;
    for line in listing.lines().skip(1) {
        let Some((address, value)) = line.trim().split_once(" = ") else {
            continue;
        };
        n += 1;
        assert!(
            html.contains(&format!(
                "<td class=\"code\">{address}</td><td class=\"num\">{value}</td>"
            )),
            "{stem}: input {address} = {value} missing from report.html"
        );
        assert!(
            md.contains(&format!("| `{address}` | {value} |")),
            "{stem}: input {address} = {value} missing from report.md"
        );
    }
    assert!(n > 10, "{stem}: `validate --params` listed {n} inputs");
    let toml: toml_like::Scenario = toml_like::parse(&read(scenario));
    assert!(html.contains(&html_escape(&toml.description)));
    for source in &toml.sources {
        assert!(
            html.contains(&html_escape(source)),
            "{stem}: source `{source}` missing"
        );
        assert!(
            md.contains(source.as_str()),
            "{stem}: source `{source}` missing from md"
        );
    }
}

/// Just enough of the `[scenario]` table: description and sources (plain strings).
mod toml_like {
    pub struct Scenario {
        pub description: String,
        pub sources: Vec<String>,
    }

    fn strings(s: &str) -> Vec<String> {
        s.split('"')
            .enumerate()
            .filter(|(i, _)| i % 2 == 1)
            .map(|(_, t)| t.to_string())
            .collect()
    }

    pub fn parse(text: &str) -> Scenario {
        let mut description = String::new();
        let mut sources = Vec::new();
        let mut in_sources = false;
        for line in text.lines() {
            let t = line.trim();
            if let Some(rest) = t.strip_prefix("description = ") {
                description = strings(rest).into_iter().next().unwrap_or_default();
            } else if t.starts_with("sources = [") {
                in_sources = !t.ends_with(']');
                sources.extend(strings(t));
            } else if in_sources {
                if t.starts_with(']') {
                    in_sources = false;
                } else {
                    sources.extend(strings(t));
                }
            }
        }
        Scenario {
            description,
            sources,
        }
    }
}

#[test]
fn reruns_differ_only_in_the_date_line() {
    let tmp = tempfile::tempdir().unwrap();
    let s = root().join("scenarios/amazon-anthropic.toml");
    let a = run_into(&s, &tmp.path().join("a"), &[("SOURCE_DATE_EPOCH", "0")]);
    let b = run_into(
        &s,
        &tmp.path().join("b"),
        &[("SOURCE_DATE_EPOCH", "1000000000")],
    );
    let c = run_into(&s, &tmp.path().join("c"), &[("SOURCE_DATE_EPOCH", "0")]);
    for file in ["report.html", "report.md"] {
        let (ta, tb, tc) = (
            read(&a.join(file)),
            read(&b.join(file)),
            read(&c.join(file)),
        );
        assert_eq!(ta, tc, "{file}: the same date gives the same bytes");
        let differing: Vec<(&str, &str)> =
            ta.lines().zip(tb.lines()).filter(|(x, y)| x != y).collect();
        assert_eq!(ta.lines().count(), tb.lines().count());
        assert_eq!(differing.len(), 1, "{file}: {differing:?}");
        assert!(differing[0].0.contains("1970-01-01") && differing[0].1.contains("2001-09-09"));
    }
}

/// A scenario whose text tries to inject markup and links.
const HOSTILE: &str = r#"
[scenario]
name = "<script>alert('x')</script> & Co -> Lab"
description = "Terms <img src=x onerror=alert(1)> & \"quotes\" | pipes *stars*"
sources = ["https://example.com/deal?a=1&b=<2>", "<a href=\"http://evil.example\">click</a>"]
start = 2026-01-01
end = 2028-12-31
period = "quarter"
discount_rate = 0.10

[[party]]
id = "lab"
name = "Lab <b>\"One\"</b>"
kind = "lab"
opening_cash = 5.0

[[party]]
id = "cloud"
name = "Cloud & Co | <i>"
kind = "provider"
gross_margin = 0.35

[[revenue]]
party = "lab"
run_rate = 2.0
growth = 0.5
opex_share = 0.6

[[investment]]
id = "cloud-2026"
investor = "cloud"
investee = "lab"
post_money = 40.0

[[investment.tranche]]
id = "upfront"
amount = 4.0
date = 2026-03-31

[[commitment]]
id = "cloud-compute"
buyer = "lab"
provider = "cloud"
total = 6.0
start = 2026-04-01
end = 2028-12-31

[[exit]]
company = "lab"
revenue_multiple = 10.0
"#;

#[test]
fn scenario_text_is_escaped_and_links_stay_inert() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("hostile.toml");
    std::fs::write(&file, HOSTILE).unwrap();
    let out = run_into(&file, &tmp.path().join("out"), &[]);
    let html = read(&out.join("report.html"));
    let md = read(&out.join("report.md"));
    assert_self_contained("hostile", &html);
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co"));
    assert!(html.contains("Lab &lt;b&gt;&quot;One&quot;&lt;/b&gt;"));
    // The source URL is shown as text, not as a link.
    assert!(html.contains("https://example.com/deal?a=1&amp;b=&lt;2&gt;"));
    for raw in ["<img", "<b>", "<i>", "<a ", "<script"] {
        assert!(!has_unescaped(&md, raw), "report.md has raw `{raw}`");
    }
    assert!(md.contains("Cloud & Co \\| \\<i>"));
    assert!(md.contains("https://example.com/deal?a=1&b=\\<2>"));
}

// --- a real browser ---------------------------------------------------------

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .flat_map(|d| ["chromium", "chromium-browser"].map(|n| d.join(n)))
        .find(|p| p.is_file())
}

/// Starts headless Chromium with `args`; stdout and stderr go to files.
fn spawn_chromium(exe: &Path, work: &Path, tag: &str, args: &[String]) -> Browser {
    let profile = work.join(format!("profile-{tag}"));
    let stdout = work.join(format!("{tag}.out"));
    let stderr = work.join(format!("{tag}.err"));
    let child = Command::new(exe)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(File::create(&stdout).unwrap())
        .stderr(File::create(&stderr).unwrap())
        .spawn()
        .expect("chromium starts");
    Browser {
        child,
        stdout,
        stderr,
        tag: tag.to_string(),
    }
}

struct Browser {
    child: std::process::Child,
    stdout: PathBuf,
    stderr: PathBuf,
    tag: String,
}

impl Browser {
    /// Waits (at most 60 s) and returns (stdout, stderr).
    fn finish(mut self) -> (String, String) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let err = read(&self.stderr);
                assert!(status.success(), "chromium {} failed: {err}", self.tag);
                return (read(&self.stdout), err);
            }
            if start.elapsed() > Duration::from_secs(60) {
                let _ = self.child.kill();
                panic!("chromium {} did not finish in 60 s", self.tag);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Appended to a copy of the page (the report itself has no script): once the
/// fonts are ready, writes each chart's laid-out size and each font's status.
const PROBE: &str = r#"<script>
document.fonts.ready.then(function () {
  var out = [];
  document.querySelectorAll('svg').forEach(function (s) {
    var r = s.getBoundingClientRect();
    out.push('svg ' + Math.round(r.width) + ' ' + Math.round(r.height));
  });
  document.fonts.forEach(function (f) { out.push('font ' + f.family + ' ' + f.weight + ' ' + f.status); });
  var p = document.createElement('pre'); p.id = 'probe'; p.textContent = out.join('\n');
  document.body.appendChild(p);
});
</script>"#;

fn console_errors(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught") || l.contains("net::ERR"))
        .collect()
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.len() > 24 && &bytes[1..4] == b"PNG" && &bytes[12..16] == b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

#[test]
fn chromium_renders_the_report_with_every_chart_visible() {
    let Some(exe) = chromium() else {
        println!("skipped: chromium not found (install chromium)");
        return;
    };
    let started = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let mut jobs = Vec::new();
    for s in scenarios() {
        let stem = s.file_stem().unwrap().to_string_lossy().into_owned();
        let out = run_into(&s, &tmp.path().join(&stem), &[]);
        let html = read(&out.join("report.html"));
        let probe = out.join("probe.html");
        std::fs::write(&probe, html.replace("</body>", &format!("{PROBE}</body>"))).unwrap();
        let dom = spawn_chromium(
            &exe,
            tmp.path(),
            &format!("{stem}-dom"),
            &[
                "--virtual-time-budget=5000".into(),
                "--window-size=1280,2000".into(),
                "--dump-dom".into(),
                format!("file://{}", probe.display()),
            ],
        );
        jobs.push((stem, out, dom));
    }
    // One screenshot of the page as shipped (no probe).
    let (shot_stem, shot_dir) = (&jobs[1].0, jobs[1].1.clone());
    let shot = tmp.path().join("shot.png");
    let screenshot = spawn_chromium(
        &exe,
        tmp.path(),
        "shot",
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000".into(),
            format!("file://{}", shot_dir.join("report.html").display()),
        ],
    );
    let shot_stem = shot_stem.clone();

    for (stem, out, dom) in jobs {
        let (dom, stderr) = dom.finish();
        let errors = console_errors(&stderr);
        assert!(errors.is_empty(), "{stem}: console errors: {errors:#?}");
        let n = charts(&out, "svg").len();
        let probe = dom
            .split("<pre id=\"probe\">")
            .nth(1)
            .and_then(|p| p.split("</pre>").next())
            .unwrap_or_else(|| panic!("{stem}: the probe did not run"));
        let sizes: Vec<(u32, u32)> = probe
            .lines()
            .filter_map(|l| l.strip_prefix("svg "))
            .map(|l| {
                let (w, h) = l.split_once(' ').unwrap();
                (w.parse().unwrap(), h.parse().unwrap())
            })
            .collect();
        assert_eq!(
            sizes.len(),
            n,
            "{stem}: {n} charts, {} <svg> in the DOM",
            sizes.len()
        );
        for (w, h) in &sizes {
            assert!(
                *w > 600 && *h > 300,
                "{stem}: a chart is laid out at {w}x{h}"
            );
        }
        for face in [
            "font DejaVu Sans normal loaded",
            "font DejaVu Sans bold loaded",
        ] {
            assert!(probe.contains(face), "{stem}: `{face}` not in {probe}");
        }
        assert!(
            dom.contains("<caption>Returns by party") && dom.contains("<table class=\"figures\">"),
            "{stem}: no metrics table in the DOM"
        );
    }

    let (_, stderr) = screenshot.finish();
    assert!(console_errors(&stderr).is_empty(), "{shot_stem}: {stderr}");
    let bytes = std::fs::read(&shot).expect("a screenshot");
    assert_eq!(
        png_size(&bytes),
        (1280, 2000),
        "{shot_stem}: screenshot size"
    );
    // A blank 1280x2000 page compresses to a few KB; text, tables and a chart do not.
    assert!(
        bytes.len() > 60_000,
        "{shot_stem}: the screenshot looks blank ({} bytes)",
        bytes.len()
    );
    println!(
        "chromium checks took {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
