//! `dealsim stress` and the replay of one stress path by `dealsim run --path`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{emit, promote, stem_of, Formats};
use crate::output::{Staging, MARKER};
use crate::render::stress as out;
use crate::stress::sampling::Method;
use crate::stress::{self, spec, Options};
use crate::{load_model, Error};

/// What `dealsim stress` was asked to do besides which file.
#[derive(Debug, Clone)]
pub struct StressOptions {
    pub out: Option<PathBuf>,
    pub sets: Vec<(String, f64)>,
    /// Overrides of the `[stress]` section.
    pub paths: Option<i64>,
    pub seed: Option<u64>,
    pub sampling: Option<Method>,
    pub threads: Option<usize>,
    pub size: (u32, u32),
    pub formats: Formats,
    pub deny_warnings: bool,
    pub quiet: bool,
    /// Print how long each stage took.
    pub timings: bool,
}

/// Which stress path `dealsim run --path N` replays, and the run it came from.
#[derive(Debug, Clone, Copy)]
pub struct Replay {
    pub path: u64,
    pub paths: Option<i64>,
    pub seed: Option<u64>,
    pub sampling: Option<Method>,
}

/// The Monte Carlo options: the file's `[stress]` values, overridden by flags.
pub fn options(
    spec: &spec::Spec,
    paths: Option<i64>,
    seed: Option<u64>,
    sampling: Option<Method>,
) -> Result<Options, Error> {
    let mut o = Options::of(spec);
    if let Some(n) = paths {
        o.paths = spec::check_paths(n).map_err(|e| Error::Usage(format!("--paths: {e}")))?;
    }
    if let Some(s) = seed {
        o.seed = s;
    }
    if let Some(m) = sampling {
        o.method = m;
    }
    Ok(o)
}

/// `dealsim stress FILE`.
pub fn stress(file: &Path, options: &StressOptions, color: bool) -> Result<(), Error> {
    let started = Instant::now();
    let (model, warnings) = load_model(file, &options.sets)?;
    if !warnings.diagnostics.is_empty() {
        if options.deny_warnings {
            return Err(Error::Scenario(promote(warnings)));
        }
        eprint!("{}", warnings.render(color));
    }
    let Some(spec) = model.stress.clone() else {
        return Err(Error::Usage(format!(
            "`{}` has no [stress] section: add one with [[stress.driver]] entries (see docs/stress.md), \
             or write a stress file that `extends` this scenario",
            file.display()
        )));
    };
    // A --set on a drawn input moves the base case (tornado, grid, cases)
    // but every Monte Carlo path draws its own value: say so.
    for (address, _) in &options.sets {
        let p = model.params.find(address);
        if let Some(d) = spec.drivers.iter().find(|d| Some(d.param) == p) {
            eprintln!(
                "warning: `{}` is drawn by a [[stress.driver]] ({}): --set moves the base case, \
                 tornado, grids and cases, not the Monte Carlo draws; change the distribution to move those",
                d.address,
                d.dist.describe()
            );
        }
    }
    let mut opts = options_for(&spec, options)?;
    opts.threads = options.threads;
    opts.progress = !options.quiet;
    let stem = stem_of(file);
    let target = match &options.out {
        Some(dir) => dir.clone(),
        None => Path::new("outputs").join(&stem).join("stress"),
    };
    crate::output::check_target(&target).map_err(Error::Usage)?;
    if let Some(t) = options.threads {
        if t == 0 {
            return Err(Error::Usage("--threads must be at least 1".into()));
        }
    }
    let plan = crate::engine::Plan::new(&model);
    let loaded = started.elapsed();
    let results = stress::run(&model, &plan, &spec, &opts).map_err(Error::Usage)?;
    let stressed = started.elapsed();

    // The default target sits in the run's output directory: give that
    // directory its marker when this creates it, so `dealsim run` may
    // replace it later.
    if options.out.is_none() {
        if let Some(parent) = target.parent() {
            if !parent.exists() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| Error::Output(format!("{}: {e}", parent.display())))?;
                std::fs::write(
                    parent.join(MARKER),
                    "dealsim output directory: dealsim may replace it on the next run\n",
                )
                .map_err(|e| Error::Output(e.to_string()))?;
            }
        }
    }
    let staging = Staging::new(&target).map_err(Error::Output)?;
    let dir = staging.path();
    // Tables and charts read the same results and write different files:
    // side by side. The tables get a thread of their own rather than a
    // rayon task: polars runs its work on its own pool, and a rayon worker
    // waiting for that would pick up chart tasks meanwhile.
    let (tables, charts) = std::thread::scope(|s| {
        let tables = s.spawn(|| -> Result<Duration, Error> {
            let t = Instant::now();
            std::fs::write(dir.join("stress.json"), out::to_json(&model, &results))
                .map_err(|e| Error::Output(e.to_string()))?;
            out::write_tables(&model, &results, dir).map_err(Error::Output)?;
            Ok(t.elapsed())
        });
        let t = Instant::now();
        let charts = out::charts(
            &model,
            &results,
            &dir.join("charts"),
            options.size,
            options.formats,
        )
        .map(|()| t.elapsed())
        .map_err(Error::Output);
        let tables = tables
            .join()
            .unwrap_or_else(|_| Err(Error::Output("writing the tables failed".into())));
        (tables, charts)
    });
    let (tables, charts) = (tables?, charts?);
    let written = staging.commit().map_err(Error::Output)?;
    if options.timings {
        let stages = Stages {
            loaded,
            stressed,
            tables,
            charts,
            total: started.elapsed(),
        };
        eprint!("{}", stages.render(&results));
    }
    if !options.quiet {
        emit(&out::to_text(&model, &results));
    }
    emit(&format!(
        "wrote {} ({} files)\n",
        written.display(),
        super::count_files(&written)
    ));
    Ok(())
}

/// How long the stages of `dealsim stress` took, for `--timings`.
struct Stages {
    /// Reading the scenario and compiling its plan, from the start.
    loaded: Duration,
    /// The end of the stress itself (Monte Carlo, tornado, grids, cases),
    /// from the start.
    stressed: Duration,
    /// Writing the tables and drawing the charts, side by side.
    tables: Duration,
    charts: Duration,
    total: Duration,
}

impl Stages {
    fn render(&self, results: &stress::Results) -> String {
        let mut s = String::from("timings (seconds, wall clock):\n");
        let mut line = |what: &str, d: Duration, note: &str| {
            let l = format!("  {what:<22}{:>7.3}   {note}", d.as_secs_f64());
            s += l.trim_end();
            s.push('\n');
        };
        line("read and compile", self.loaded, "");
        // What the Monte Carlo does not account for: the thread pool, the
        // tornadoes, grids and cases.
        let mut rest = self.stressed - self.loaded;
        if let Some(mc) = &results.monte_carlo {
            line(
                "pilot",
                mc.setup_elapsed,
                "the paths that set the fans' ranges",
            );
            let rate = mc.paths as f64 / mc.loop_elapsed.as_secs_f64().max(1e-9);
            let loop_note = format!(
                "{} paths on {} thread(s), {rate:.0} paths/s",
                mc.paths, mc.threads
            );
            line("path loop", mc.loop_elapsed, &loop_note);
            let stats = mc
                .elapsed
                .saturating_sub(mc.setup_elapsed + mc.loop_elapsed);
            line("statistics", stats, "estimates, errors, fan bands");
            rest = rest.saturating_sub(mc.elapsed);
        }
        line("tornado, grid, cases", rest, "");
        line("tables", self.tables, "side by side with the charts");
        line("charts", self.charts, "side by side with the tables");
        line("total", self.total, "");
        s
    }
}

fn options_for(spec: &spec::Spec, o: &StressOptions) -> Result<Options, Error> {
    options(spec, o.paths, o.seed, o.sampling)
}

/// `replay.json`: which path of which stress run a replay is, and its draws.
pub fn replay_json(model: &crate::model::Model, replay: &Replay) -> Result<String, Error> {
    let (values, _) = replay_values(model, replay)?;
    let Some(spec) = &model.stress else {
        return Ok(String::new());
    };
    let opts = options(spec, replay.paths, replay.seed, replay.sampling)?;
    let drawn: serde_json::Map<String, serde_json::Value> = spec
        .drivers
        .iter()
        .map(|d| (d.address.clone(), serde_json::json!(values[d.param.ix()])))
        .collect();
    let v = serde_json::json!({
        "replay": {
            "path": replay.path,
            "paths": opts.paths,
            "seed": opts.seed,
            "sampling": opts.method.name(),
            "dealsim_version": env!("CARGO_PKG_VERSION"),
            "drivers": drawn,
        }
    });
    Ok(serde_json::to_string_pretty(&v).unwrap_or_default() + "\n")
}

/// The parameter values of a replayed path, and a line saying what they are.
pub fn replay_values(
    model: &crate::model::Model,
    replay: &Replay,
) -> Result<(Vec<f64>, String), Error> {
    let Some(spec) = &model.stress else {
        return Err(Error::Usage(format!(
            "--path replays a stress path, but `{}` has no [stress] section; add one (see docs/stress.md)",
            model.meta.name
        )));
    };
    if spec.drivers.is_empty() {
        return Err(Error::Usage(
            "--path replays a Monte Carlo path, but the [stress] section has no [[stress.driver]]"
                .into(),
        ));
    }
    let opts = options(spec, replay.paths, replay.seed, replay.sampling)?;
    let values =
        stress::monte_carlo::path_values(model, spec, &opts, replay.path).map_err(Error::Usage)?;
    let drawn: Vec<String> = spec
        .drivers
        .iter()
        .map(|d| format!("{}={}", d.address, values[d.param.ix()]))
        .collect();
    let line = format!(
        "path {} of {} ({}, seed {}): {}",
        replay.path,
        opts.paths,
        opts.method.name(),
        opts.seed,
        drawn.join(" ")
    );
    Ok((values, line))
}

/// What `dealsim solve` was asked.
#[derive(Debug, Clone)]
pub struct SolveOptions {
    pub sets: Vec<(String, f64)>,
    pub vary: String,
    /// `METRIC=VALUE`.
    pub target: (String, f64),
    pub stat: crate::stress::solve::Stat,
    pub range: Option<(f64, f64)>,
    pub paths: Option<i64>,
    pub seed: Option<u64>,
    pub sampling: Option<Method>,
    pub threads: Option<usize>,
}

/// `dealsim solve FILE --vary INPUT --target METRIC=VALUE`.
pub fn solve(file: &Path, o: &SolveOptions, color: bool) -> Result<(), Error> {
    use crate::stress::metric::Metric;
    use crate::stress::solve::{self, Answer, Goal, Stat};
    let (model, warnings) = load_model(file, &o.sets)?;
    if !warnings.diagnostics.is_empty() {
        eprint!("{}", warnings.render(color));
    }
    let vary = model.params.find(&o.vary).ok_or_else(|| {
        Error::Usage(format!(
            "--vary: unknown parameter `{}`; {}",
            o.vary,
            model.params.hint(&o.vary)
        ))
    })?;
    let info = &model.params.info[vary.ix()];
    let metric =
        Metric::parse(&model, &o.target.0).map_err(|e| Error::Usage(format!("--target: {e}")))?;
    let range = match o.range {
        Some(r) => r,
        None => {
            use crate::model::params::Range;
            let base = vary.of(&model.params.values);
            match info.range {
                Range::Share | Range::Margin | Range::Flag => (
                    0.0,
                    if info.range == Range::Margin {
                        0.999
                    } else {
                        1.0
                    },
                ),
                _ if base > 0.0 => (base / 4.0, base * 4.0),
                _ => {
                    return Err(Error::Usage(format!(
                        "--range LO..HI is needed: `{}` is {base}, so no default range around it",
                        info.address
                    )))
                }
            }
        }
    };
    let goal = Goal {
        vary,
        metric,
        target: o.target.1,
        stat: o.stat,
        range,
    };
    let plan = crate::engine::Plan::new(&model);
    let mut opts = None;
    if o.stat != Stat::Value {
        let Some(spec) = &model.stress else {
            return Err(Error::Usage(format!(
                "--stat {} is a Monte Carlo statistic, but `{}` has no [stress] section with drivers",
                o.stat,
                file.display()
            )));
        };
        let mut op = options(spec, o.paths, o.seed, o.sampling)?;
        op.threads = o.threads;
        opts = Some((spec, op));
    }
    let pool = {
        let mut b = rayon::ThreadPoolBuilder::new();
        if let Some(t) = o.threads {
            b = b.num_threads(t.max(1));
        }
        b.build().map_err(|e| Error::Output(e.to_string()))?
    };
    let started = std::time::Instant::now();
    let answer = pool
        .install(|| solve::solve(&model, &plan, opts.as_ref().map(|(s, op)| (*s, op)), &goal))
        .map_err(Error::Usage)?;
    let kind = metric.measure.kind();
    let stat = match o.stat {
        Stat::Value => String::new(),
        Stat::Mean => "mean ".into(),
        Stat::Percentile(l) => format!("P{} ", (l * 1000.0).round() / 10.0),
    };
    let how = match &opts {
        Some((_, op)) => format!(
            ", {} paths per evaluation, {}, seed {}",
            op.paths,
            op.method.name(),
            op.seed
        ),
        None => String::new(),
    };
    let secs = started.elapsed().as_secs_f64();
    match answer {
        Answer::Solved { x, at, evaluations } => {
            emit(&format!(
                "{} = {} gives {stat}{} = {} (target {})\n  {evaluations} evaluations{how}, {secs:.2} s\n",
                info.address,
                fmt_number(x),
                metric.name(&model),
                out::show(kind, at),
                out::show(kind, o.target.1)
            ));
            Ok(())
        }
        Answer::Jump {
            below,
            above,
            evaluations,
        } => {
            emit(&format!(
                "no value of {} gives {stat}{} = {}: it jumps from {} at {} to {} at {}\n  {evaluations} evaluations{how}, {secs:.2} s\n",
                info.address,
                metric.name(&model),
                out::show(kind, o.target.1),
                out::show(kind, below.1),
                fmt_number(below.0),
                out::show(kind, above.1),
                fmt_number(above.0),
            ));
            Err(Error::Quiet(1))
        }
        Answer::NoSolution {
            at_lo,
            at_hi,
            evaluations,
        } if at_lo.is_err() && at_hi.is_err() => {
            emit(&format!(
                "{stat}{} has no value at either end of the range ({} at {}): it cannot be solved for\n  {evaluations} evaluations{how}\n",
                metric.name(&model),
                at_lo.as_ref().err().map_or("", |e| e.as_str()),
                fmt_number(range.0),
            ));
            Err(Error::Quiet(1))
        }
        Answer::NoSolution {
            at_lo,
            at_hi,
            evaluations,
        } => {
            let show = |v: &Result<f64, String>| match v {
                Ok(v) => out::show(kind, *v),
                Err(e) => e.clone(),
            };
            emit(&format!(
                "no value of {} in {}..{} gives {stat}{} = {}: it is {} at {} and {} at {}\n  {evaluations} evaluations{how}, {secs:.2} s; widen --range or check the target\n",
                info.address,
                fmt_number(range.0),
                fmt_number(range.1),
                metric.name(&model),
                out::show(kind, o.target.1),
                show(&at_lo),
                fmt_number(range.0),
                show(&at_hi),
                fmt_number(range.1),
            ));
            Err(Error::Quiet(1))
        }
    }
}

/// A number with up to 6 significant decimals, no trailing zeros.
fn fmt_number(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}
