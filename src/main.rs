//! The `dealsim` command: parses arguments, calls the library, reports errors.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use dealsim::stress::sampling::Method;

/// Model, stress and chart circular investment-for-compute deals.
#[derive(Parser)]
#[command(name = "dealsim", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// What `run` and `stress` share: overrides, charts, warnings, quiet.
#[derive(clap::Args)]
struct Common {
    /// Override a number without editing the file, e.g.
    /// --set revenue.openai.growth=0.4 (repeatable).
    #[arg(long = "set", value_name = "ADDRESS=VALUE", value_parser = parse_set)]
    sets: Vec<(String, f64)>,
    /// Chart size in pixels (PNG; the SVG's nominal size too).
    #[arg(long, value_name = "WxH", default_value = "1600x900", value_parser = parse_size)]
    size: (u32, u32),
    /// Chart files to keep: png, svg or png,svg.
    #[arg(long, value_name = "LIST", default_value = "png,svg", value_parser = parse_formats)]
    format: dealsim::cli::Formats,
    /// Treat warnings as errors.
    #[arg(long)]
    deny_warnings: bool,
    /// Print no summary (and no progress bar).
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Run scenarios: ledger, period table, summary and charts.
    Run {
        /// Scenario files (TOML).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output directory [default: outputs/<file stem>]. With several
        /// files, each run goes to DIR/<file stem>.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
        /// Replay path N of the scenario's stress run (its drivers' draws) as
        /// a full run; --seed, --paths and --sampling as in that run.
        #[arg(long = "path", value_name = "N")]
        path: Option<u64>,
        /// Seed of the stress run to replay [default: the file's].
        #[arg(long, value_name = "S", requires = "path")]
        seed: Option<u64>,
        /// Paths of the stress run to replay [default: the file's].
        #[arg(
            long,
            value_name = "N",
            requires = "path",
            allow_negative_numbers = true
        )]
        paths: Option<i64>,
        /// Sampling of the stress run to replay [default: the file's].
        #[arg(long, value_name = "METHOD", requires = "path", value_parser = parse_sampling)]
        sampling: Option<Method>,
    },
    /// Stress a scenario: tornadoes, grids, named cases and Monte Carlo, as
    /// its [stress] section describes.
    Stress {
        /// Scenario file (TOML) with a [stress] section.
        file: PathBuf,
        /// Monte Carlo paths [default: the file's, else 10000].
        #[arg(long, value_name = "N", allow_negative_numbers = true)]
        paths: Option<i64>,
        /// Seed: the same seed gives the same results on any number of threads.
        #[arg(long, value_name = "S")]
        seed: Option<u64>,
        /// Worker threads [default: one per core].
        #[arg(long, value_name = "K")]
        threads: Option<usize>,
        /// mc (plain Monte Carlo), lhs (Latin hypercube) or sobol.
        #[arg(long, value_name = "METHOD", value_parser = parse_sampling)]
        sampling: Option<Method>,
        /// Output directory [default: outputs/<file stem>/stress].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Print how long each stage took (seconds, wall clock) on stderr.
        #[arg(long)]
        timings: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Goal seek: the value of an input at which a metric, or a Monte Carlo
    /// statistic of it, reaches a target.
    Solve {
        /// Scenario file (TOML); a Monte Carlo statistic needs its [stress] drivers.
        file: PathBuf,
        /// The input to vary, by address (as --set), e.g. revenue.openai.steepness.
        #[arg(long, value_name = "ADDRESS")]
        vary: String,
        /// The metric and the value it must reach, e.g. amazon.irr=0.15.
        #[arg(long, value_name = "METRIC=VALUE", value_parser = parse_target, allow_hyphen_values = true)]
        target: (String, f64),
        /// value (the base case), mean, or pNN (e.g. p10) over Monte Carlo paths.
        #[arg(long, value_name = "STAT", default_value = "value")]
        stat: dealsim::stress::solve::Stat,
        /// Where to look, LO..HI [default: 0..1 for shares, else a quarter to four times the base value].
        #[arg(long, value_name = "LO..HI", value_parser = parse_range, allow_hyphen_values = true)]
        range: Option<(f64, f64)>,
        /// Monte Carlo paths per evaluation [default: the file's].
        #[arg(long, value_name = "N", allow_negative_numbers = true)]
        paths: Option<i64>,
        /// Seed of the Monte Carlo; every evaluation uses the same draws.
        #[arg(long, value_name = "S")]
        seed: Option<u64>,
        /// mc (plain Monte Carlo), lhs (Latin hypercube) or sobol [default: the file's].
        #[arg(long, value_name = "METHOD", value_parser = parse_sampling)]
        sampling: Option<Method>,
        /// Worker threads [default: one per core].
        #[arg(long, value_name = "K")]
        threads: Option<usize>,
        /// Override a number of the scenario first.
        #[arg(long = "set", value_name = "ADDRESS=VALUE", value_parser = parse_set)]
        sets: Vec<(String, f64)>,
    },
    /// Check scenarios and print every error and warning.
    Validate {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Treat warnings as errors.
        #[arg(long)]
        deny_warnings: bool,
        /// List every parameter address `--set` accepts, with its value.
        #[arg(long)]
        params: bool,
    },
    /// Compare two or more scenarios or variants side by side.
    Compare {
        /// Scenario files (TOML); the first is the reference.
        #[arg(required = true, num_args = 2..)]
        files: Vec<PathBuf>,
        /// Output directory [default: outputs/compare-<first>-vs-<second>...].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Override a number in every file, e.g. --set scenario.discount_rate=0.12.
        #[arg(long = "set", value_name = "ADDRESS=VALUE", value_parser = parse_set)]
        sets: Vec<(String, f64)>,
        /// Chart size in pixels.
        #[arg(long, value_name = "WxH", default_value = "1600x900", value_parser = parse_size)]
        size: (u32, u32),
    },
    /// List the scenarios in a directory.
    List {
        #[arg(default_value = "scenarios")]
        dir: PathBuf,
    },
}

fn parse_set(s: &str) -> Result<(String, f64), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not ADDRESS=VALUE"))?;
    let v: f64 = v
        .trim()
        .parse()
        .map_err(|_| format!("`{v}` is not a number"))?;
    Ok((k.trim().to_string(), v))
}

fn parse_sampling(s: &str) -> Result<Method, String> {
    s.parse::<Method>()
        .map_err(|_| format!("`{s}` is not a sampling method; use mc, lhs or sobol"))
}

/// `amazon.irr=0.15`, or with a percent: `amazon.irr=15%`.
fn parse_target(s: &str) -> Result<(String, f64), String> {
    match s.trim().strip_suffix('%') {
        Some(head) => parse_set(head).map(|(k, v)| (k, v / 100.0)),
        None => parse_set(s),
    }
}

fn parse_range(s: &str) -> Result<(f64, f64), String> {
    let bad = || format!("`{s}` is not LO..HI, e.g. 0.3..0.9");
    let (a, b) = s.split_once("..").ok_or_else(bad)?;
    let (a, b): (f64, f64) = (
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    );
    if a.is_nan() || b.is_nan() || a >= b {
        return Err(format!("the range {s} must have LO below HI"));
    }
    Ok((a, b))
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("`{s}` is not WIDTHxHEIGHT, e.g. 1600x900");
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(bad)?;
    let (w, h): (u32, u32) = (
        w.trim().parse().map_err(|_| bad())?,
        h.trim().parse().map_err(|_| bad())?,
    );
    if !(200..=8000).contains(&w) || !(120..=8000).contains(&h) {
        return Err(format!(
            "chart size {w}x{h} is out of range (200x120 to 8000x8000)"
        ));
    }
    Ok((w, h))
}

fn parse_formats(s: &str) -> Result<dealsim::cli::Formats, String> {
    let mut f = dealsim::cli::Formats {
        png: false,
        svg: false,
    };
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part {
            "png" => f.png = true,
            "svg" => f.svg = true,
            other => {
                return Err(format!(
                    "`{other}` is not a chart format; use png, svg or png,svg"
                ))
            }
        }
    }
    if !f.png && !f.svg {
        return Err("give at least one chart format: png, svg or png,svg".into());
    }
    Ok(f)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Ctrl-C: drop what is half-written, keep earlier outputs.
    let _ = ctrlc::set_handler(|| dealsim::output::abandon());
    let color = std::io::stderr().is_terminal();
    let result = match cli.command {
        Command::Run {
            files,
            out,
            common:
                Common {
                    sets,
                    size,
                    format,
                    deny_warnings,
                    quiet,
                },
            path,
            seed,
            paths,
            sampling,
        } => {
            let options = dealsim::cli::RunOptions {
                out,
                sets,
                size,
                formats: format,
                deny_warnings,
                quiet,
                replay: path.map(|path| dealsim::cli::Replay {
                    path,
                    paths,
                    seed,
                    sampling,
                }),
            };
            dealsim::cli::run(&files, &options, color)
        }
        Command::Stress {
            file,
            paths,
            seed,
            threads,
            sampling,
            out,
            timings,
            common:
                Common {
                    sets,
                    size,
                    format,
                    deny_warnings,
                    quiet,
                },
        } => {
            let options = dealsim::cli::StressOptions {
                out,
                sets,
                paths,
                seed,
                sampling,
                threads,
                size,
                formats: format,
                deny_warnings,
                quiet,
                timings,
            };
            dealsim::cli::stress(&file, &options, color)
        }
        Command::Solve {
            file,
            vary,
            target,
            stat,
            range,
            paths,
            seed,
            sampling,
            threads,
            sets,
        } => {
            let options = dealsim::cli::SolveOptions {
                sets,
                vary,
                target,
                stat,
                range,
                paths,
                seed,
                sampling,
                threads,
            };
            dealsim::cli::solve(&file, &options, color)
        }
        Command::Validate {
            files,
            deny_warnings,
            params,
        } => dealsim::cli::validate(&files, deny_warnings, params, color),
        Command::Compare {
            files,
            out,
            sets,
            size,
        } => dealsim::cli::compare(&files, out.as_deref(), &sets, size, color),
        Command::List { dir } => dealsim::cli::list(&dir),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprint!("{}", e.render(color));
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
