//! Every number a user may change, in one flat vector with an address each.
//!
//! Validation registers each numeric input under an address such as
//! `commitment.aws-2025.take_or_pay` together with the range it must lie in.
//! `--set ADDRESS=VALUE` (and later the stress drivers) change values by
//! address; the engine reads them by [`P`] handle from a plain `&[f64]`.
//!
//! ```
//! use dealsim::model::params::{Params, Range};
//! let mut params = Params::default();
//! let rate = params.add("scenario.discount_rate", 0.1, None, Range::Discount);
//! params.set("scenario.discount_rate", 0.08).unwrap();
//! assert_eq!(params.values[rate.ix()], 0.08);
//! assert!(params.set("scenario.discount_rat", 0.08).unwrap_err().contains("did you mean"));
//! ```

use std::ops::Range as Span;

use crate::suggest::did_you_mean;

/// A handle to one parameter in [`Params::values`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct P(u32);

impl P {
    #[inline]
    pub fn ix(self) -> usize {
        self.0 as usize
    }

    /// The value of this parameter in `values`.
    #[inline]
    pub fn of(self, values: &[f64]) -> f64 {
        values[self.0 as usize]
    }
}

/// The largest magnitude any number in a scenario may have (in its unit).
pub const MAX_MAGNITUDE: f64 = 1e15;

/// The values a parameter may take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Range {
    /// Any finite number.
    Any,
    /// `>= 0`.
    NonNegative,
    /// `> 0`.
    Positive,
    /// A share in `[0, 1]`.
    Share,
    /// A gross margin in `[0, 1)`.
    Margin,
    /// An annual rate `> -1` and at most 10 (1000%).
    Rate,
    /// Whole months `>= 0`.
    Months,
    /// A discount rate in `[-0.5, 1]` (-50% to 100% a year).
    Discount,
    /// `0` (no) or `1` (yes).
    Flag,
}

impl Range {
    pub fn check(self, v: f64) -> Result<(), String> {
        if !v.is_finite() {
            return Err(format!("must be a finite number, got {v}"));
        }
        // Far beyond any deal, and small enough that sums and growth over
        // decades stay finite in f64.
        if v.abs() > MAX_MAGNITUDE {
            return Err(format!(
                "must be at most {MAX_MAGNITUDE:e} in size, got {v:e}"
            ));
        }
        let ok = match self {
            Range::Any => true,
            Range::NonNegative => v >= 0.0,
            Range::Positive => v > 0.0,
            Range::Share => (0.0..=1.0).contains(&v),
            Range::Margin => (0.0..1.0).contains(&v),
            Range::Rate => v > -1.0 && v <= 10.0,
            Range::Months => v >= 0.0 && v.fract() == 0.0,
            Range::Discount => (-0.5..=1.0).contains(&v),
            Range::Flag => v == 0.0 || v == 1.0,
        };
        if ok {
            Ok(())
        } else {
            Err(format!("must be {}, got {}", self.describe(), v))
        }
    }

    /// The nearest value to `v` this range allows: how a sampled or shifted
    /// input is brought back inside (a normal margin can draw 1.02; whole
    /// months are rounded). Returns `v` itself when it is allowed.
    pub fn clamp(self, v: f64) -> f64 {
        let v = if v.is_nan() {
            0.0
        } else {
            v.clamp(-MAX_MAGNITUDE, MAX_MAGNITUDE)
        };
        match self {
            Range::Any => v,
            Range::NonNegative => v.max(0.0),
            Range::Positive => v.max(f64::MIN_POSITIVE),
            Range::Share => v.clamp(0.0, 1.0),
            Range::Margin => v.clamp(0.0, 1.0 - f64::EPSILON),
            Range::Rate => v.clamp(-0.9999, 10.0),
            Range::Months => v.round().max(0.0),
            Range::Discount => v.clamp(-0.5, 1.0),
            Range::Flag => {
                if v >= 0.5 {
                    1.0
                } else {
                    0.0
                }
            }
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Range::Any => "a finite number",
            Range::NonNegative => "zero or more",
            Range::Positive => "greater than zero",
            Range::Share => "between 0 and 1",
            Range::Margin => "at least 0 and below 1",
            Range::Rate => "an annual rate above -1 (-100%) and at most 10 (1000%)",
            Range::Months => "a whole number of months, zero or more",
            Range::Discount => "an annual rate between -0.5 and 1 (-50% to 100%)",
            Range::Flag => "0 (no) or 1 (yes)",
        }
    }
}

/// What is known about one parameter.
#[derive(Debug, Clone)]
pub struct Info {
    pub address: String,
    /// Where the value was written, if it was.
    pub span: Option<Span<usize>>,
    pub range: Range,
}

/// The flat parameter vector and its addresses.
#[derive(Debug, Clone, Default)]
pub struct Params {
    pub values: Vec<f64>,
    pub info: Vec<Info>,
}

impl Params {
    pub fn add(
        &mut self,
        address: impl Into<String>,
        value: f64,
        span: Option<Span<usize>>,
        range: Range,
    ) -> P {
        self.values.push(value);
        self.info.push(Info {
            address: address.into(),
            span,
            range,
        });
        P((self.values.len() - 1) as u32)
    }

    /// The handle of an address. Section names may be singular or plural
    /// (`commitment.x.total` or `commitments.x.total`).
    pub fn find(&self, address: &str) -> Option<P> {
        let canonical = canonical(address);
        self.info
            .iter()
            .position(|i| i.address == canonical)
            .map(|i| P(i as u32))
    }

    /// Sets a parameter by address, checking its range.
    pub fn set(&mut self, address: &str, value: f64) -> Result<(), String> {
        let Some(p) = self.find(address) else {
            return Err(format!(
                "unknown parameter `{address}`; {}",
                self.hint(address)
            ));
        };
        self.info[p.ix()]
            .range
            .check(value)
            .map_err(|e| format!("`{address}` {e}"))?;
        self.values[p.ix()] = value;
        Ok(())
    }

    /// What to say about an unknown address: the fields its entry does have,
    /// or the closest address.
    pub fn hint(&self, address: &str) -> String {
        let canonical = canonical(address);
        // `section.id.` of the address: does that entry exist?
        let entry = canonical
            .rsplit_once('.')
            .map(|(head, _)| format!("{head}."));
        if let Some(entry) = entry.filter(|e| e.matches('.').count() >= 2) {
            let fields: Vec<&str> = self
                .info
                .iter()
                .filter_map(|i| i.address.strip_prefix(entry.as_str()))
                .collect();
            if !fields.is_empty() {
                let field = canonical.rsplit('.').next().unwrap_or("");
                let best = did_you_mean(field, fields.iter().copied())
                    .map(|b| format!("did you mean `{entry}{b}`? "))
                    .unwrap_or_default();
                return format!(
                    "{best}`{}` has: {}",
                    entry.trim_end_matches('.'),
                    fields.join(", ")
                );
            }
        }
        match did_you_mean(&canonical, self.info.iter().map(|i| i.address.as_str())) {
            Some(best) => format!("did you mean `{best}`?"),
            None => "`dealsim validate FILE --params` lists every address".to_string(),
        }
    }
}

/// `commitments.x.total` -> `commitment.x.total`; other addresses unchanged.
fn canonical(address: &str) -> String {
    let (head, rest) = address.split_once('.').unwrap_or((address, ""));
    let head = match head {
        "parties" => "party",
        "revenues" => "revenue",
        "milestones" => "milestone",
        "investments" => "investment",
        "commitments" => "commitment",
        "revenue_shares" => "revenue_share",
        "payments" => "payment",
        "exits" => "exit",
        other => other,
    };
    if rest.is_empty() {
        head.to_string()
    } else {
        format!("{head}.{rest}")
    }
}
