//! Stage 5 of the pipeline: stressing a deal.
//!
//! A scenario's `[stress]` section names *drivers* (any number a user may
//! `--set`, by the same address) and what to do with them: tornadoes, grids,
//! named cases, Monte Carlo. [`run`] evaluates each variant with the period
//! engine and aggregates the results without holding paths x periods in
//! memory.
//!
//! - [`spec`]: the section, validated against its scenario;
//! - [`metric`]: what is measured (`amazon.irr`, `openai.lowest_cash`);
//! - [`distribution`]: the distributions a driver may follow, each sampled by
//!   its inverse CDF so that every sampling method and the copula share one
//!   path from uniforms to values;
//! - [`sampling`]: uniforms per path (plain Monte Carlo, Latin hypercube,
//!   Sobol), correlated through a Gaussian copula, reproducible per path;
//! - [`path`]: one evaluation, allocation-free, with its metrics;
//! - [`block`]: the same for a block of paths at once, on the block engine:
//!   what the Monte Carlo runs;
//! - [`monte_carlo`]: N paths in parallel, statistics with standard errors;
//! - [`estimate`]: those statistics, read from the paths' rows;
//! - [`fan`]: per-period percentiles in bounded memory;
//! - [`sensitivity`]: tornadoes, grids and named cases;
//! - [`solve`]: goal seek on a metric or a Monte Carlo statistic of it.

pub mod block;
pub mod distribution;
pub mod estimate;
pub mod fan;
pub mod metric;
pub mod monte_carlo;
pub mod path;
pub mod sampling;
pub mod sensitivity;
pub mod solve;
pub mod spec;

use crate::engine::Plan;
use crate::model::Model;

pub use monte_carlo::{MonteCarlo, Options};
pub use spec::Spec;

/// Everything `dealsim stress` computes.
#[derive(Debug)]
pub struct Results {
    /// `None` when the section has no drivers.
    pub monte_carlo: Option<MonteCarlo>,
    pub tornadoes: Vec<sensitivity::Tornado>,
    pub grids: Vec<sensitivity::Grid>,
    /// The base case first, then each named case.
    pub cases: Vec<sensitivity::Case>,
}

/// Runs every part of `spec` on `m`.
pub fn run(m: &Model, plan: &Plan, spec: &Spec, opts: &Options) -> Result<Results, String> {
    let monte_carlo = if spec.drivers.is_empty() {
        None
    } else {
        Some(monte_carlo::run(m, plan, spec, opts)?)
    };
    Ok(Results {
        monte_carlo,
        tornadoes: sensitivity::tornadoes(m, plan, spec),
        grids: sensitivity::grids(m, plan, spec),
        cases: sensitivity::cases(m, plan, spec),
    })
}
