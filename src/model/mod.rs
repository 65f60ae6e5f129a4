//! Stage 2 of the pipeline: the validated scenario.
//!
//! [`build`] turns a [`crate::scenario::ScenarioFile`] into a [`Model`] that
//! cannot be invalid: party and milestone references are resolved to dense
//! indices, dates sit on the [`grid::Grid`], and every number a user may
//! change (`--set`, and later the stress drivers) lives in one flat
//! [`params::Params`] vector addressed by [`P`] handles. The engine reads
//! numbers only through those handles, so evaluating a variant of a deal means
//! writing into a `&mut [f64]`, not rebuilding anything.

pub mod build;
pub mod grid;
pub mod params;

use chrono::NaiveDate;

pub use build::build;
pub use grid::{Grid, Period, PeriodKind};
pub use params::{Params, P};

/// Index of `external`, the party that stands for customers and third parties.
pub const EXTERNAL: usize = 0;

/// A validated scenario, ready for the engine.
#[derive(Debug, Clone)]
pub struct Model {
    pub meta: Meta,
    pub grid: Grid,
    /// `parties[EXTERNAL]` is `external`; the rest in file order.
    pub parties: Vec<Party>,
    pub revenues: Vec<Revenue>,
    pub milestones: Vec<Milestone>,
    pub investments: Vec<Investment>,
    pub commitments: Vec<Commitment>,
    pub revenue_shares: Vec<RevenueShare>,
    pub payments: Vec<Payment>,
    pub exits: Vec<Exit>,
    pub params: Params,
    /// The `[stress]` section, if the scenario has one.
    pub stress: Option<crate::stress::spec::Spec>,
}

/// What the scenario is and its conventions.
#[derive(Debug, Clone)]
pub struct Meta {
    pub name: String,
    pub description: String,
    pub sources: Vec<String>,
    pub currency: String,
    pub unit: Unit,
    pub discount_rate: P,
}

impl Meta {
    /// The money label used on axes and tables, e.g. `$B`.
    pub fn money_label(&self) -> String {
        let symbol = match self.currency.as_str() {
            "USD" => "$",
            "EUR" => "€",
            "GBP" => "£",
            other => other,
        };
        let sep = if symbol.len() > 1 { " " } else { "" };
        format!("{symbol}{sep}{}", self.unit.suffix())
    }
}

/// The scale of every amount in a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Ones,
    Thousands,
    Millions,
    Billions,
}

impl Unit {
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::Ones => "",
            Unit::Thousands => "K",
            Unit::Millions => "M",
            Unit::Billions => "B",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Unit::Ones => "ones",
            Unit::Thousands => "thousands",
            Unit::Millions => "millions",
            Unit::Billions => "billions",
        }
    }
}

/// What role a party plays; it picks charts and labels, not mechanics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartyKind {
    External,
    Lab,
    Provider,
    Investor,
    Other,
}

#[derive(Debug, Clone)]
pub struct Party {
    pub id: String,
    pub name: String,
    pub kind: PartyKind,
    pub opening_cash: P,
    /// Share of compute revenue kept; `None` for parties that sell no compute.
    pub gross_margin: Option<P>,
}

/// How a run-rate grows; see `docs/conventions.md`.
#[derive(Debug, Clone)]
pub enum Growth {
    /// `R(t) = R0 (1+g)^t`.
    Constant { rate: P },
    /// One annual rate per scenario year, compounding within the year.
    Path { rates: Vec<P> },
    /// Logistic: `R(t) = K / (1 + (K/R0 - 1) e^(-s t))`.
    SCurve { ceiling: P, steepness: P },
}

#[derive(Debug, Clone)]
pub struct Revenue {
    pub party: usize,
    /// Annualised revenue at the scenario start.
    pub run_rate: P,
    pub growth: Growth,
    pub opex_share: P,
    pub fixed_opex: P,
}

#[derive(Debug, Clone)]
pub struct Milestone {
    pub id: String,
    pub name: String,
    pub expected: NaiveDate,
    pub deadline: NaiveDate,
    pub probability: P,
    /// Months the expected date is pushed back (0 in the file; a stress driver).
    pub delay_months: P,
    /// 1 when the milestone can happen (on its date or condition), 0 when it
    /// never does: a Bernoulli stress driver with `probability` sets it.
    pub fires: P,
    pub condition: Option<Condition>,
}

/// A test on the model's state at a period end.
#[derive(Debug, Clone)]
pub enum Condition {
    /// Cumulative compute spend of `buyer` with `provider` (over the run) >= `at_least`.
    CumulativeSpend {
        buyer: usize,
        provider: usize,
        at_least: P,
    },
    /// Annualised revenue run-rate of `party` at the period end >= `at_least`.
    RevenueRunRate { party: usize, at_least: P },
}

#[derive(Debug, Clone)]
pub struct Investment {
    pub id: String,
    pub investor: usize,
    pub investee: usize,
    pub stated_total: Option<f64>,
    pub credit_share: P,
    pub credit_expiry: Option<NaiveDate>,
    pub tranches: Vec<Tranche>,
}

#[derive(Debug, Clone)]
pub struct Tranche {
    pub id: String,
    pub amount: P,
    pub when: When,
    pub post_money: P,
}

/// When a tranche is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Date(NaiveDate),
    Milestone(usize),
}

#[derive(Debug, Clone)]
pub struct Commitment {
    pub id: String,
    pub buyer: usize,
    pub provider: usize,
    pub total: P,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub ramp: Ramp,
    pub take_or_pay: P,
    pub demand_share: Option<P>,
}

/// How a contract's value is spread over its life.
#[derive(Debug, Clone, PartialEq)]
pub enum Ramp {
    Flat,
    Linear,
    FrontLoaded,
    BackLoaded,
    /// Share of the total per contract year (sums to 1).
    Schedule(Vec<f64>),
}

impl Ramp {
    pub fn name(&self) -> &'static str {
        match self {
            Ramp::Flat => "flat",
            Ramp::Linear => "linear",
            Ramp::FrontLoaded => "front_loaded",
            Ramp::BackLoaded => "back_loaded",
            Ramp::Schedule(_) => "schedule",
        }
    }
}

#[derive(Debug, Clone)]
pub struct RevenueShare {
    pub id: String,
    pub payer: usize,
    pub payee: usize,
    pub rate: P,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub cap: Option<P>,
    pub paid_to_date: P,
}

#[derive(Debug, Clone)]
pub struct Payment {
    pub id: String,
    pub payer: usize,
    pub payee: usize,
    pub amount: P,
    pub date: NaiveDate,
    pub note: String,
}

#[derive(Debug, Clone)]
pub struct Exit {
    pub company: usize,
    pub value: ExitValue,
}

#[derive(Debug, Clone, Copy)]
pub enum ExitValue {
    Valuation(P),
    Multiple { multiple: P, basis: Basis },
}

/// Which revenue a multiple applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// The annualised run-rate at the end of the horizon.
    RunRate,
    /// Revenue over the last 365 days of the horizon.
    Ttm,
    /// The last period's revenue x 365 / its days.
    LastPeriod,
}

impl Model {
    pub fn party_index(&self, id: &str) -> Option<usize> {
        self.parties.iter().position(|p| p.id == id)
    }

    /// Parties other than `external`.
    pub fn deal_parties(&self) -> impl Iterator<Item = (usize, &Party)> {
        self.parties.iter().enumerate().skip(1)
    }

    /// Parties whose kind is `lab`.
    pub fn labs(&self) -> impl Iterator<Item = usize> + '_ {
        self.parties
            .iter()
            .enumerate()
            .filter(|(_, p)| p.kind == PartyKind::Lab)
            .map(|(i, _)| i)
    }
}
