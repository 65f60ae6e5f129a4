//! dealsim: model, stress and chart circular investment-for-compute deals.
//!
//! A provider invests in an AI lab; the lab commits to buy the provider's
//! compute. dealsim reads such a deal from a TOML scenario file and turns it
//! into a ledger of dated flows, metrics per party and memo-ready charts.
//!
//! The pipeline, one module per stage:
//!
//! 1. [`scenario`]: the file as written (serde, spans for error messages);
//! 2. [`model`]: validated, ids resolved, every number addressable;
//! 3. [`engine`]: the period engine writing flows into a [`engine::Ledger`];
//! 4. [`metrics`]: per-party figures, NPV, XIRR, round trip, caps;
//! 5. [`stress`]: drivers, Monte Carlo, tornadoes, grids, cases, goal seek;
//! 6. [`render`]: tables (CSV, Parquet), JSON, terminal text, charts.
//!
//! ```no_run
//! let run = dealsim::Run::from_file("scenarios/amazon-openai-2026.toml".as_ref(), &[]).unwrap();
//! for p in &run.summary.parties {
//!     println!("{}: net {:.1}", p.id, p.net);
//! }
//! ```

pub mod cli;
pub mod compare;
pub mod diagnostic;
pub mod engine;
pub mod lint;
pub mod metrics;
pub mod model;
pub mod output;
pub mod render;
pub mod scenario;
pub mod stress;
pub mod suggest;

use std::path::Path;

use diagnostic::Report;
use engine::{Ledger, Outcome, Plan};
use metrics::{PeriodTable, Summary};
use model::Model;

/// Why dealsim could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The scenario has errors; the report holds each with its place.
    #[error("{} has errors", .0.file.name)]
    Scenario(Report),
    #[error(transparent)]
    Load(#[from] scenario::LoadError),
    /// A `--set` override names an unknown address or an invalid value.
    #[error("--set {0}")]
    Override(String),
    #[error("cannot write outputs: {0}")]
    Output(String),
    /// The command line asks for something impossible (e.g. an `--out` that
    /// is a user's own directory).
    #[error("{0}")]
    Usage(String),
    /// Already reported to the user; carries the exit code.
    #[error("")]
    Quiet(i32),
}

impl Error {
    /// The process exit code: 2 for bad input, 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Scenario(_) | Error::Override(_) | Error::Usage(_) => 2,
            Error::Load(scenario::LoadError::Invalid(_)) => 2,
            Error::Load(scenario::LoadError::Io { .. }) => 2,
            Error::Output(_) => 1,
            Error::Quiet(code) => *code,
        }
    }
}

/// Reads, validates and applies `--set` overrides. Returns the model and its warnings.
pub fn load_model(path: &Path, overrides: &[(String, f64)]) -> Result<(Model, Report), Error> {
    let (file, raw) = scenario::load(path).map_err(|e| match e {
        scenario::LoadError::Invalid(r) => Error::Scenario(r),
        other => Error::Load(other),
    })?;
    let (mut model, warnings) = model::build(&file, &raw).map_err(Error::Scenario)?;
    for (address, value) in overrides {
        model.params.set(address, *value).map_err(Error::Override)?;
    }
    Ok((model, warnings))
}

/// Like [`load_model`], for scenario text already in memory; `name` is shown in errors.
pub fn load_model_from_text(
    name: &str,
    text: &str,
    overrides: &[(String, f64)],
) -> Result<(Model, Report), Error> {
    let file = std::sync::Arc::new(diagnostic::SourceFile::single(name, text));
    let raw = scenario::parse(&file).map_err(Error::Scenario)?;
    let (mut model, warnings) = model::build(&file, &raw).map_err(Error::Scenario)?;
    for (address, value) in overrides {
        model.params.set(address, *value).map_err(Error::Override)?;
    }
    Ok((model, warnings))
}

/// One deterministic run and everything computed from it.
#[derive(Debug)]
pub struct Run {
    pub model: Model,
    pub plan: Plan,
    pub ledger: Ledger,
    pub outcome: Outcome,
    pub table: PeriodTable,
    pub summary: Summary,
    /// Warnings from validation and from the run ([`lint`]); no errors.
    pub warnings: Report,
}

impl Run {
    /// Runs a validated model.
    pub fn new(model: Model, warnings: Report) -> Run {
        let plan = Plan::new(&model);
        let mut ledger = Ledger::default();
        let mut outcome = Outcome::default();
        engine::run(
            &model,
            &plan,
            &model.params.values,
            &mut outcome,
            &mut ledger,
        );
        let table = PeriodTable::new(&model, &ledger);
        let summary = metrics::summarize(&model, &plan, &ledger, &outcome, &table);
        let mut run = Run {
            model,
            plan,
            ledger,
            outcome,
            table,
            summary,
            warnings,
        };
        let lints = lint::check(&run);
        run.warnings.diagnostics.extend(lints);
        run
    }

    /// Validates and runs scenario text (for tests and embedding).
    pub fn from_text(name: &str, text: &str, overrides: &[(String, f64)]) -> Result<Run, Error> {
        let (model, warnings) = load_model_from_text(name, text, overrides)?;
        Ok(Run::new(model, warnings))
    }

    /// Loads, validates and runs a scenario file.
    pub fn from_file(path: &Path, overrides: &[(String, f64)]) -> Result<Run, Error> {
        let (model, warnings) = load_model(path, overrides)?;
        Ok(Run::new(model, warnings))
    }
}
