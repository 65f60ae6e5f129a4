//! The scenario file as written: serde types that mirror the TOML one to one.
//!
//! Nothing here is checked beyond what serde checks (types, unknown keys).
//! Every value a later stage may complain about is wrapped in [`Spanned`] so
//! that [`crate::model`] can point at it with file, line and column. Variants
//! are chosen with plain string fields (`ramp = "linear"`) rather than
//! untagged or flattened enums, because those lose the spans.
//!
//! The format is documented field by field in `docs/scenario-format.md`.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};
use toml::Spanned;

/// A value and where it was written (byte range in the file).
pub type S<T> = Spanned<T>;

/// A whole scenario file. Built section by section by [`super::parse`], so
/// that each entry's problems are reported on their own.
#[derive(Debug)]
pub struct ScenarioFile {
    pub scenario: S<Header>,
    pub parties: Vec<S<Party>>,
    pub revenues: Vec<S<Revenue>>,
    pub milestones: Vec<S<Milestone>>,
    pub investments: Vec<S<Investment>>,
    pub commitments: Vec<S<Commitment>>,
    pub revenue_shares: Vec<S<RevenueShare>>,
    pub payments: Vec<S<Payment>>,
    pub exits: Vec<S<Exit>>,
    pub stress: Option<S<Stress>>,
}

/// `[scenario]`: what the file models, its window and its conventions.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub name: S<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub sources: Vec<String>,
    pub start: S<Date>,
    pub end: S<Date>,
    /// `month`, `quarter` or `year`.
    pub period: S<String>,
    #[serde(default = "default_currency")]
    pub currency: S<String>,
    /// `ones`, `thousands`, `millions` or `billions`.
    #[serde(default = "default_unit")]
    pub unit: S<String>,
    /// Annual rate for NPV, e.g. `0.10`.
    pub discount_rate: S<f64>,
}

fn default_currency() -> S<String> {
    Spanned::new(0..0, "USD".to_string())
}
fn default_unit() -> S<String> {
    Spanned::new(0..0, "billions".to_string())
}

/// `[[party]]`: a company in the deal. `external` is implicit.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    pub id: S<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// `lab`, `provider`, `investor` or `other` (default).
    #[serde(default)]
    pub kind: Option<S<String>>,
    #[serde(default)]
    pub opening_cash: Option<S<f64>>,
    /// Share of compute revenue the provider keeps; the rest is its cost of
    /// serving, paid to `external`. Required for a party that sells compute.
    #[serde(default)]
    pub gross_margin: Option<S<f64>>,
}

/// `[[revenue]]`: a party's operating revenue and operating cost.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revenue {
    pub party: S<String>,
    /// Annualised revenue at the scenario start.
    pub run_rate: S<f64>,
    /// Constant annual growth (or, with `ceiling`, unused).
    #[serde(default)]
    pub growth: Option<S<f64>>,
    /// Annual growth per scenario year: first entry for year 1, and so on.
    #[serde(default)]
    pub growth_path: Option<S<Vec<f64>>>,
    /// S-curve: the run-rate approaches this ceiling...
    #[serde(default)]
    pub ceiling: Option<S<f64>>,
    /// ... at this logistic steepness per year.
    #[serde(default)]
    pub steepness: Option<S<f64>>,
    /// Operating cost as a share of revenue.
    #[serde(default)]
    pub opex_share: Option<S<f64>>,
    /// Fixed operating cost per year, spread by days.
    #[serde(default)]
    pub fixed_opex: Option<S<f64>>,
}

/// `[[milestone]]`: an event that releases tranches.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    pub id: S<String>,
    #[serde(default)]
    pub name: Option<String>,
    pub expected: S<Date>,
    pub deadline: S<Date>,
    /// Chance it fires at all; used by stress tests, not by `run`.
    #[serde(default)]
    pub probability: Option<S<f64>>,
    #[serde(default)]
    pub condition: Option<S<Condition>>,
}

/// A test on the model's own state, checked at every period end.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// `cumulative_spend` (buyer, provider) or `revenue_run_rate` (party).
    pub kind: S<String>,
    #[serde(default)]
    pub buyer: Option<S<String>>,
    #[serde(default)]
    pub provider: Option<S<String>>,
    #[serde(default)]
    pub party: Option<S<String>>,
    pub at_least: S<f64>,
}

/// `[[investment]]`: equity bought in tranches, part of it possibly as credits.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Investment {
    pub id: S<String>,
    pub investor: S<String>,
    pub investee: S<String>,
    /// Stated total; when given, the tranches must add up to it.
    #[serde(default)]
    pub total: Option<S<f64>>,
    /// Post-money valuation for tranches that do not give their own.
    #[serde(default)]
    pub post_money: Option<S<f64>>,
    /// Share of every tranche granted as cloud credits instead of cash.
    #[serde(default)]
    pub credit_share: Option<S<f64>>,
    /// Last date on which credits cover spend.
    #[serde(default)]
    pub credit_expiry: Option<S<Date>>,
    #[serde(rename = "tranche")]
    pub tranches: Vec<S<Tranche>>,
}

/// `[[investment.tranche]]`: one payment of an investment.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tranche {
    #[serde(default)]
    pub id: Option<S<String>>,
    pub amount: S<f64>,
    /// Paid on this date ...
    #[serde(default)]
    pub date: Option<S<Date>>,
    /// ... or when this milestone fires.
    #[serde(default)]
    pub milestone: Option<S<String>>,
    #[serde(default)]
    pub post_money: Option<S<f64>>,
}

/// `[[commitment]]`: a compute contract.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commitment {
    pub id: S<String>,
    pub buyer: S<String>,
    pub provider: S<String>,
    /// Total contract value over `start..=end`.
    pub total: S<f64>,
    pub start: S<Date>,
    pub end: S<Date>,
    /// `flat` (default), `linear`, `front_loaded`, `back_loaded` or `schedule`.
    #[serde(default)]
    pub ramp: Option<S<String>>,
    /// With `ramp = "schedule"`: amount per contract year.
    #[serde(default)]
    pub schedule: Option<S<Vec<f64>>>,
    /// Share of the scheduled spend owed even when demand is lower.
    #[serde(default)]
    pub take_or_pay: Option<S<f64>>,
    /// Demand as a share of the buyer's revenue in the period.
    #[serde(default)]
    pub demand_share: Option<S<f64>>,
}

/// `[[revenue_share]]`: a share of the payer's revenue, up to a cap.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevenueShare {
    pub id: S<String>,
    pub payer: S<String>,
    pub payee: S<String>,
    pub rate: S<f64>,
    pub start: S<Date>,
    pub end: S<Date>,
    #[serde(default)]
    pub cap: Option<S<f64>>,
    /// Paid before the scenario start; counts toward the cap.
    #[serde(default)]
    pub paid_to_date: Option<S<f64>>,
}

/// `[[payment]]`: a one-off dated payment.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    pub id: S<String>,
    pub payer: S<String>,
    pub payee: S<String>,
    pub amount: S<f64>,
    pub date: S<Date>,
    #[serde(default)]
    pub note: Option<String>,
}

/// `[[exit]]`: how a company's equity is valued at the horizon.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exit {
    pub company: S<String>,
    /// Equity value at the horizon ...
    #[serde(default)]
    pub valuation: Option<S<f64>>,
    /// ... or this multiple of the company's revenue ...
    #[serde(default)]
    pub revenue_multiple: Option<S<f64>>,
    /// ... measured as `run_rate` (default), `ttm` or `last_period`.
    #[serde(default)]
    pub basis: Option<S<String>>,
}

/// A calendar date written as a TOML local date (`2026-03-31`, no quotes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let d = toml::value::Date::deserialize(deserializer)?;
        NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
            .map(Date)
            .ok_or_else(|| serde::de::Error::custom(format!("{d} is not a calendar date")))
    }
}

/// `[stress]`: what `dealsim stress` does with the scenario; see
/// `docs/stress.md`. Every number a stress changes is named by its address
/// (`revenue.openai.growth`), the same as `--set` uses.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stress {
    /// Monte Carlo paths.
    #[serde(default)]
    pub paths: Option<S<i64>>,
    #[serde(default)]
    pub seed: Option<S<i64>>,
    /// `mc`, `lhs` or `sobol`.
    #[serde(default)]
    pub sampling: Option<S<String>>,
    /// The metrics whose distribution is reported (`amazon.irr`, ...).
    #[serde(default)]
    pub metrics: Option<S<Vec<S<String>>>>,
    #[serde(default, rename = "driver")]
    pub drivers: Vec<S<Driver>>,
    #[serde(default)]
    pub correlation: Option<S<Correlation>>,
    #[serde(default)]
    pub tornado: Option<S<Tornado>>,
    #[serde(default, rename = "grid")]
    pub grids: Vec<S<Grid>>,
    #[serde(default, rename = "case")]
    pub cases: Vec<S<Case>>,
}

/// `[[stress.driver]]`: one stochastic input and its distribution.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Driver {
    pub param: S<String>,
    pub dist: S<String>,
    #[serde(default)]
    pub mean: Option<S<f64>>,
    #[serde(default)]
    pub sd: Option<S<f64>>,
    #[serde(default)]
    pub median: Option<S<f64>>,
    #[serde(default)]
    pub mu: Option<S<f64>>,
    #[serde(default)]
    pub sigma: Option<S<f64>>,
    #[serde(default)]
    pub low: Option<S<f64>>,
    #[serde(default)]
    pub mode: Option<S<f64>>,
    #[serde(default)]
    pub high: Option<S<f64>>,
    #[serde(default)]
    pub lambda: Option<S<f64>>,
    #[serde(default)]
    pub values: Option<S<Vec<f64>>>,
    #[serde(default)]
    pub weights: Option<S<Vec<f64>>>,
    #[serde(default)]
    pub p: Option<S<f64>>,
}

/// `[stress.correlation]`: rank (Spearman) or Gaussian-copula correlations.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Correlation {
    /// `spearman` (default) or `gaussian`.
    #[serde(default)]
    pub kind: Option<S<String>>,
    /// Pairwise entries; unlisted pairs are uncorrelated ...
    #[serde(default)]
    pub pairs: Vec<S<CorrelationPair>>,
    /// ... or a full matrix over `params`, in that order.
    #[serde(default)]
    pub params: Option<S<Vec<S<String>>>>,
    #[serde(default)]
    pub matrix: Option<S<Vec<Vec<f64>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrelationPair {
    pub a: S<String>,
    pub b: S<String>,
    pub rho: S<f64>,
}

/// `[stress.tornado]`: one-at-a-time swings of inputs.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tornado {
    #[serde(default)]
    pub metrics: Option<S<Vec<S<String>>>>,
    /// Default relative change for listed params without low/high (0.2 = +/-20%).
    #[serde(default)]
    pub change: Option<S<f64>>,
    #[serde(default)]
    pub params: Vec<S<Swing>>,
}

/// One input of a tornado: absolute `low`/`high`, or changes like `"-30%"`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Swing {
    pub param: S<String>,
    #[serde(default)]
    pub low: Option<S<Level>>,
    #[serde(default)]
    pub high: Option<S<Level>>,
    #[serde(default)]
    pub change: Option<S<f64>>,
}

/// `[[stress.grid]]`: a metric over two inputs.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grid {
    #[serde(default)]
    pub id: Option<S<String>>,
    pub metric: S<String>,
    pub x: S<Axis>,
    pub y: S<Axis>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Axis {
    pub param: S<String>,
    #[serde(default)]
    pub from: Option<S<f64>>,
    #[serde(default)]
    pub to: Option<S<f64>>,
    #[serde(default)]
    pub steps: Option<S<i64>>,
    #[serde(default)]
    pub values: Option<S<Vec<f64>>>,
}

/// `[[stress.case]]`: a named set of overrides.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub id: S<String>,
    #[serde(default)]
    pub name: Option<String>,
    pub set: S<std::collections::BTreeMap<String, S<Level>>>,
}

/// A value written as a number (`0.45`, absolute) or a change from the base
/// value (`"-30%"`, `"+10%"`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Level {
    Absolute(f64),
    /// `-0.3` for `"-30%"`.
    Relative(f64),
}

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Level;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number (e.g. 0.45) or a change in percent (e.g. \"-30%\")")
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Level, E> {
                Ok(Level::Absolute(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Level, E> {
                Ok(Level::Absolute(v as f64))
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Level, E> {
                let pct = s.trim().strip_suffix('%').ok_or_else(|| {
                    E::custom(format!(
                        "`{s}` is not a change in percent; write e.g. \"-30%\" or a plain number"
                    ))
                })?;
                let x: f64 = pct.trim().parse().map_err(|_| {
                    E::custom(format!(
                        "`{s}` is not a change in percent; write e.g. \"-30%\""
                    ))
                })?;
                Ok(Level::Relative(x / 100.0))
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl Level {
    /// The value this level gives, from the base value.
    pub fn apply(self, base: f64) -> f64 {
        match self {
            Level::Absolute(v) => v,
            Level::Relative(r) => base * (1.0 + r),
        }
    }
}
