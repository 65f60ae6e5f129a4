//! The `dealsim` command: parses arguments, calls the library, reports errors.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Model, stress and chart circular investment-for-compute deals.
#[derive(Parser)]
#[command(name = "dealsim", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
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
        /// Do not print the summary table.
        #[arg(long, short)]
        quiet: bool,
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
    let color = std::io::stderr().is_terminal();
    let result = match cli.command {
        Command::Run {
            files,
            out,
            sets,
            size,
            format,
            deny_warnings,
            quiet,
        } => {
            let options = dealsim::cli::RunOptions {
                out,
                sets,
                size,
                formats: format,
                deny_warnings,
                quiet,
            };
            dealsim::cli::run(&files, &options, color)
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
