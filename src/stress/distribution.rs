//! The distributions a stress driver may follow, each sampled through its
//! inverse CDF (quantile function).
//!
//! Every sampling method produces *uniforms* in (0, 1) first: plain Monte
//! Carlo draws them, Latin hypercube stratifies them, Sobol spreads them
//! evenly, and the Gaussian copula bends them into correlated uniforms. A
//! driver's value is then always [`Distribution::quantile`] of its uniform.
//! Because a quantile function is non-decreasing, a uniform's rank is the
//! value's rank: stratification and rank (Spearman) correlation carry over
//! from the uniforms to the values unchanged.
//!
//! # Conventions
//!
//! * `quantile(u)` clamps `u` into `[2^-52, 1 - 2^-52]` first, so `0` and `1`
//!   never give infinities: a normal driver stays within about 8.1 standard
//!   deviations of its mean. Probability cut off: 2.2e-16 in each tail.
//! * Degenerate distributions are allowed and always give one value: `sd = 0`
//!   (normal), `sigma = 0` (lognormal), `low == high` (uniform, triangular,
//!   PERT). They are how a user pins a driver without removing it.
//! * `low > high`, a mode outside `[low, high]`, negative spreads, weights or
//!   probabilities outside their ranges and non-finite numbers are errors: the
//!   constructors return a short sentence naming the field.
//! * Discrete values are sorted at construction so the quantile is
//!   non-decreasing (a copula's rank correlation needs that); Bernoulli is
//!   the discrete distribution on `{0, 1}`, so `quantile(u)` is `1` when
//!   `u > 1 - p`.
//!
//! # Example
//!
//! ```
//! use dealsim::stress::distribution::Distribution;
//!
//! let growth = Distribution::normal(0.35, 0.05).unwrap();
//! // The 97.5th percentile is 1.959964 standard deviations above the mean.
//! assert!((growth.quantile(0.975) - (0.35 + 0.05 * 1.959963984540054)).abs() < 1e-12);
//! assert_eq!(growth.describe(), "normal(mean 0.35, sd 0.05)");
//!
//! // Beta-PERT: the mean is (low + 4 mode + high) / 6 with the default lambda 4.
//! let price = Distribution::pert(1.0, 2.0, 6.0, None).unwrap();
//! assert!((price.mean() - (1.0 + 4.0 * 2.0 + 6.0) / 6.0).abs() < 1e-12);
//!
//! // Three outcomes: u up to 0.2 gives 10, up to 0.7 gives 20, above gives 30.
//! let d = Distribution::discrete(vec![30.0, 10.0, 20.0], vec![3.0, 2.0, 5.0]).unwrap();
//! assert_eq!((d.quantile(0.1), d.quantile(0.5), d.quantile(0.9)), (10.0, 20.0, 30.0));
//!
//! assert_eq!(
//!     Distribution::uniform(5.0, 3.0).unwrap_err(),
//!     "low (5) must be below high (3)"
//! );
//! ```

use std::f64::consts::PI;
use std::fmt;
use std::sync::OnceLock;

use statrs::function::beta::{beta_reg, ln_beta};

/// Smallest uniform `quantile` uses; the largest is `1 - U_MIN`.
const U_MIN: f64 = f64::EPSILON;

/// A driver's distribution. Build it with the constructors
/// ([`Distribution::normal`] and so on), which validate the parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum Distribution {
    Normal {
        mean: f64,
        sd: f64,
    },
    /// ln X ~ Normal(mu, sigma): the median is `exp(mu)`. `given` is the
    /// form the scenario wrote it in, and how it is described.
    LogNormal {
        mu: f64,
        sigma: f64,
        given: LogNormalGiven,
    },
    Uniform {
        low: f64,
        high: f64,
    },
    Triangular {
        low: f64,
        mode: f64,
        high: f64,
    },
    /// Beta-PERT on `[low, high]`: `low + (high - low) B` with
    /// `B ~ Beta(1 + lambda (mode - low) / (high - low),
    /// 1 + lambda (high - mode) / (high - low))`.
    Pert {
        low: f64,
        mode: f64,
        high: f64,
        lambda: f64,
        table: PertTable,
    },
    /// `values[i]` with probability `probabilities[i]`; values sorted
    /// ascending, `cumulative[i]` the sum of the first `i + 1` probabilities
    /// (the last is exactly 1).
    Discrete {
        values: Vec<f64>,
        probabilities: Vec<f64>,
        cumulative: Vec<f64>,
    },
    /// 1 with probability `p`, else 0.
    Bernoulli {
        p: f64,
    },
}

/// The parameters a lognormal was given in (see [`Distribution::describe`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LogNormalGiven {
    MuSigma,
    Median(f64),
    MeanSd(f64, f64),
}

impl Distribution {
    pub fn normal(mean: f64, sd: f64) -> Result<Distribution, String> {
        Ok(Distribution::Normal {
            mean: finite("mean", mean)?,
            sd: non_negative("sd", sd)?,
        })
    }

    /// `mu` and `sigma` are the mean and standard deviation of `ln X`.
    pub fn lognormal(mu: f64, sigma: f64) -> Result<Distribution, String> {
        Ok(Distribution::LogNormal {
            mu: finite("mu", mu)?,
            sigma: non_negative("sigma", sigma)?,
            given: LogNormalGiven::MuSigma,
        })
    }

    /// The lognormal with the given median (`exp(mu)`) and `sigma` of `ln X`.
    pub fn lognormal_from_median(median: f64, sigma: f64) -> Result<Distribution, String> {
        let median = positive("median", median)?;
        Distribution::lognormal(median.ln(), sigma).map(|d| d.given(LogNormalGiven::Median(median)))
    }

    /// The lognormal with the given mean and standard deviation, by moment
    /// matching: `sigma^2 = ln(1 + sd^2 / mean^2)`, `mu = ln(mean) - sigma^2 / 2`.
    ///
    /// ```
    /// # use dealsim::stress::distribution::Distribution;
    /// let d = Distribution::lognormal_from_mean_sd(100.0, 30.0).unwrap();
    /// assert!((d.mean() - 100.0).abs() < 1e-9 && (d.sd() - 30.0).abs() < 1e-9);
    /// ```
    pub fn lognormal_from_mean_sd(mean: f64, sd: f64) -> Result<Distribution, String> {
        let mean = positive("mean", mean)?;
        let sd = non_negative("sd", sd)?;
        let var = (sd / mean).powi(2).ln_1p();
        Distribution::lognormal(mean.ln() - var / 2.0, var.sqrt())
            .map(|d| d.given(LogNormalGiven::MeanSd(mean, sd)))
    }

    /// A lognormal described in the form `given`.
    fn given(self, given: LogNormalGiven) -> Distribution {
        match self {
            Distribution::LogNormal { mu, sigma, .. } => {
                Distribution::LogNormal { mu, sigma, given }
            }
            other => other,
        }
    }

    pub fn uniform(low: f64, high: f64) -> Result<Distribution, String> {
        let (low, high) = range(low, high)?;
        Ok(Distribution::Uniform { low, high })
    }

    pub fn triangular(low: f64, mode: f64, high: f64) -> Result<Distribution, String> {
        let (low, mode, high) = range_with_mode(low, mode, high)?;
        Ok(Distribution::Triangular { low, mode, high })
    }

    /// Beta-PERT with shape `lambda` (4 when `None`, the classic PERT whose
    /// mean is `(low + 4 mode + high) / 6`). Larger lambdas concentrate the
    /// mass around the mode. Construction tabulates the quantile function
    /// (about a millisecond); sampling is then a table lookup.
    pub fn pert(
        low: f64,
        mode: f64,
        high: f64,
        lambda: Option<f64>,
    ) -> Result<Distribution, String> {
        let (low, mode, high) = range_with_mode(low, mode, high)?;
        let lambda = positive("lambda", lambda.unwrap_or(4.0))?;
        let table = if low == high {
            PertTable::default()
        } else {
            let (a, b) = pert_shape(low, mode, high, lambda);
            PertTable::new(low, high, a, b)
        };
        Ok(Distribution::Pert {
            low,
            mode,
            high,
            lambda,
            table,
        })
    }

    /// `values[i]` with probability `weights[i] / sum(weights)`.
    pub fn discrete(values: Vec<f64>, weights: Vec<f64>) -> Result<Distribution, String> {
        if values.len() != weights.len() {
            return Err(format!(
                "values and weights must have the same length ({} and {})",
                values.len(),
                weights.len()
            ));
        }
        if values.is_empty() {
            return Err("values must not be empty".to_string());
        }
        for &v in &values {
            finite("values", v)?;
        }
        let total: f64 = weights.iter().sum();
        if weights.iter().any(|w| !w.is_finite() || *w < 0.0) || total <= 0.0 {
            return Err("weights must be zero or more and not all zero".to_string());
        }
        let mut pairs: Vec<(f64, f64)> = values.into_iter().zip(weights).collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let values = pairs.iter().map(|p| p.0).collect();
        let probabilities: Vec<f64> = pairs.iter().map(|p| p.1 / total).collect();
        let mut sum = 0.0;
        let mut cumulative: Vec<f64> = probabilities
            .iter()
            .map(|p| {
                sum += p;
                sum
            })
            .collect();
        // Rounding may leave the sum a hair off 1; u just below 1 must still
        // find a value.
        *cumulative.last_mut().expect("values is not empty") = 1.0;
        Ok(Distribution::Discrete {
            values,
            probabilities,
            cumulative,
        })
    }

    pub fn bernoulli(p: f64) -> Result<Distribution, String> {
        if !(0.0..=1.0).contains(&p) {
            return Err(format!("p must be between 0 and 1, got {p}"));
        }
        Ok(Distribution::Bernoulli { p })
    }

    /// The inverse CDF at `u`: the smallest `x` with `cdf(x) >= u`. `u` is
    /// clamped into `[2^-52, 1 - 2^-52]` (see the module doc). Allocation
    /// free; the Monte Carlo hot path.
    #[inline]
    pub fn quantile(&self, u: f64) -> f64 {
        let u = u.clamp(U_MIN, 1.0 - U_MIN);
        match self {
            Distribution::Normal { mean, sd } => mean + sd * normal_quantile(u),
            Distribution::LogNormal { mu, sigma, .. } => (mu + sigma * normal_quantile(u)).exp(),
            Distribution::Uniform { low, high } => low + (high - low) * u,
            &Distribution::Triangular { low, mode, high } => {
                let width = high - low;
                if u * width < mode - low {
                    low + (u * width * (mode - low)).sqrt()
                } else {
                    high - ((1.0 - u) * width * (high - mode)).sqrt()
                }
            }
            Distribution::Pert { low, table, .. } => table.quantile(u).unwrap_or(*low),
            Distribution::Discrete {
                values, cumulative, ..
            } => {
                let i = cumulative.partition_point(|&c| c < u);
                values[i.min(values.len() - 1)]
            }
            Distribution::Bernoulli { p } => {
                if u > 1.0 - p {
                    1.0
                } else {
                    0.0
                }
            }
        }
    }

    /// P(X <= x). Closed forms except PERT (the regularised incomplete beta
    /// function, a few microseconds).
    pub fn cdf(&self, x: f64) -> f64 {
        // A point mass, for the degenerate cases.
        let step = |at: f64| if x >= at { 1.0 } else { 0.0 };
        match *self {
            Distribution::Normal { mean, sd: 0.0 } => step(mean),
            Distribution::Normal { mean, sd } => normal_cdf((x - mean) / sd),
            Distribution::LogNormal { mu, sigma: 0.0, .. } => step(mu.exp()),
            Distribution::LogNormal { mu, sigma, .. } => {
                if x <= 0.0 {
                    0.0
                } else {
                    normal_cdf((x.ln() - mu) / sigma)
                }
            }
            Distribution::Uniform { low, high }
            | Distribution::Triangular { low, high, .. }
            | Distribution::Pert { low, high, .. }
                if low == high =>
            {
                step(low)
            }
            Distribution::Uniform { low, high } => ((x - low) / (high - low)).clamp(0.0, 1.0),
            Distribution::Triangular { low, mode, high } => {
                if x <= low {
                    0.0
                } else if x >= high {
                    1.0
                } else if x <= mode {
                    (x - low).powi(2) / ((high - low) * (mode - low))
                } else {
                    1.0 - (high - x).powi(2) / ((high - low) * (high - mode))
                }
            }
            Distribution::Pert {
                low,
                mode,
                high,
                lambda,
                ..
            } => {
                let (a, b) = pert_shape(low, mode, high, lambda);
                beta_reg(a, b, ((x - low) / (high - low)).clamp(0.0, 1.0))
            }
            Distribution::Discrete {
                ref values,
                ref cumulative,
                ..
            } => match values.partition_point(|&v| v <= x) {
                0 => 0.0,
                i => cumulative[i - 1],
            },
            Distribution::Bernoulli { p } => {
                if x < 0.0 {
                    0.0
                } else if x < 1.0 {
                    1.0 - p
                } else {
                    1.0
                }
            }
        }
    }

    pub fn mean(&self) -> f64 {
        match *self {
            Distribution::Normal { mean, .. } => mean,
            Distribution::LogNormal { mu, sigma, .. } => (mu + sigma * sigma / 2.0).exp(),
            Distribution::Uniform { low, high } => (low + high) / 2.0,
            Distribution::Triangular { low, mode, high } => (low + mode + high) / 3.0,
            Distribution::Pert {
                low,
                mode,
                high,
                lambda,
                ..
            } => (low + lambda * mode + high) / (lambda + 2.0),
            Distribution::Discrete {
                ref values,
                ref probabilities,
                ..
            } => values.iter().zip(probabilities).map(|(v, p)| v * p).sum(),
            Distribution::Bernoulli { p } => p,
        }
    }

    /// The standard deviation.
    pub fn sd(&self) -> f64 {
        match *self {
            Distribution::Normal { sd, .. } => sd,
            Distribution::LogNormal { mu, sigma, .. } => {
                (sigma * sigma).exp_m1().sqrt() * (mu + sigma * sigma / 2.0).exp()
            }
            Distribution::Uniform { low, high } => (high - low) / 12f64.sqrt(),
            Distribution::Triangular { low, mode, high } => {
                let (l, m, h) = (low, mode, high);
                ((l * l + m * m + h * h - l * m - l * h - m * h) / 18.0).sqrt()
            }
            Distribution::Pert { low, high, .. } if low == high => 0.0,
            Distribution::Pert {
                low,
                mode,
                high,
                lambda,
                ..
            } => {
                // Var(Beta(a, b)) = ab / ((a + b)^2 (a + b + 1)), a + b = lambda + 2.
                let (a, b) = pert_shape(low, mode, high, lambda);
                let s = a + b;
                (high - low) * (a * b / (s * s * (s + 1.0))).sqrt()
            }
            Distribution::Discrete {
                ref values,
                ref probabilities,
                ..
            } => {
                let mean = self.mean();
                let var: f64 = values
                    .iter()
                    .zip(probabilities)
                    .map(|(v, p)| p * (v - mean).powi(2))
                    .sum();
                var.sqrt()
            }
            Distribution::Bernoulli { p } => (p * (1.0 - p)).sqrt(),
        }
    }

    /// One line for tables and messages, e.g. `normal(mean 0.35, sd 0.05)`.
    /// Numbers are shown to 6 significant digits.
    pub fn describe(&self) -> String {
        match self {
            Distribution::Normal { mean, sd } => {
                format!("normal(mean {}, sd {})", n(*mean), n(*sd))
            }
            // As the scenario wrote it: a median (in the driver's unit)
            // reads better than mu (in its logarithm).
            Distribution::LogNormal { mu, sigma, given } => match given {
                LogNormalGiven::MuSigma => format!("lognormal(mu {}, sigma {})", n(*mu), n(*sigma)),
                LogNormalGiven::Median(median) => {
                    format!("lognormal(median {}, sigma {})", n(*median), n(*sigma))
                }
                LogNormalGiven::MeanSd(mean, sd) => {
                    format!("lognormal(mean {}, sd {})", n(*mean), n(*sd))
                }
            },
            Distribution::Uniform { low, high } => {
                format!("uniform(low {}, high {})", n(*low), n(*high))
            }
            Distribution::Triangular { low, mode, high } => format!(
                "triangular(low {}, mode {}, high {})",
                n(*low),
                n(*mode),
                n(*high)
            ),
            Distribution::Pert {
                low,
                mode,
                high,
                lambda,
                ..
            } => format!(
                "pert(low {}, mode {}, high {}, lambda {})",
                n(*low),
                n(*mode),
                n(*high),
                n(*lambda)
            ),
            Distribution::Discrete {
                values,
                probabilities,
                ..
            } => {
                let outcomes: Vec<String> = values
                    .iter()
                    .zip(probabilities)
                    .map(|(v, p)| format!("{} with p {}", n(*v), n(*p)))
                    .collect();
                format!("discrete({})", outcomes.join(", "))
            }
            Distribution::Bernoulli { p } => format!("bernoulli(p {})", n(*p)),
        }
    }
}

impl fmt::Display for Distribution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// `x` rounded to 6 significant digits, shortest form (`0.35`, `4`, `1e-7`).
fn n(x: f64) -> String {
    let rounded: f64 = format!("{x:.5e}").parse().unwrap_or(x);
    format!("{rounded}")
}

fn finite(name: &str, x: f64) -> Result<f64, String> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(format!("{name} must be a finite number, got {x}"))
    }
}

fn non_negative(name: &str, x: f64) -> Result<f64, String> {
    if finite(name, x)? < 0.0 {
        return Err(format!("{name} must be zero or more, got {x}"));
    }
    Ok(x)
}

fn positive(name: &str, x: f64) -> Result<f64, String> {
    if finite(name, x)? <= 0.0 {
        return Err(format!("{name} must be above zero, got {x}"));
    }
    Ok(x)
}

fn range(low: f64, high: f64) -> Result<(f64, f64), String> {
    let (low, high) = (finite("low", low)?, finite("high", high)?);
    if low > high {
        return Err(format!("low ({low}) must be below high ({high})"));
    }
    Ok((low, high))
}

fn range_with_mode(low: f64, mode: f64, high: f64) -> Result<(f64, f64, f64), String> {
    let (low, high) = range(low, high)?;
    let mode = finite("mode", mode)?;
    if !(low..=high).contains(&mode) {
        return Err(format!(
            "mode ({mode}) must lie between low ({low}) and high ({high})"
        ));
    }
    Ok((low, mode, high))
}

/// The Beta shape parameters `(alpha, beta)` of a PERT with `low < high`.
fn pert_shape(low: f64, mode: f64, high: f64, lambda: f64) -> (f64, f64) {
    let width = high - low;
    (
        1.0 + lambda * (mode - low) / width,
        1.0 + lambda * (high - mode) / width,
    )
}

/// The standard normal quantile (inverse CDF) at `u` in (0, 1); `0` and `1`
/// give minus and plus infinity.
///
/// Wichura's algorithm AS 241 (PPND16): M. J. Wichura, "The percentage
/// points of the normal distribution", Applied Statistics 37(3), 477-484,
/// 1988. Three rational approximations (central, `sqrt(-ln u) <= 5`, far
/// tail) with relative error about 1e-16; about 4 ns in the centre.
///
/// ```
/// # use dealsim::stress::distribution::normal_quantile;
/// assert!((normal_quantile(0.975) - 1.959963984540054).abs() < 1e-15);
/// assert_eq!(normal_quantile(0.5), 0.0);
/// ```
#[inline]
#[allow(clippy::excessive_precision)] // the coefficients as published
pub fn normal_quantile(u: f64) -> f64 {
    let q = u - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q
            * (((((((2.5090809287301226727e3 * r + 3.3430575583588128105e4) * r
                + 6.7265770927008700853e4)
                * r
                + 4.5921953931549871457e4)
                * r
                + 1.3731693765509461125e4)
                * r
                + 1.9715909503065514427e3)
                * r
                + 1.3314166789178437745e2)
                * r
                + 3.3871328727963666080e0)
            / (((((((5.2264952788528545610e3 * r + 2.8729085735721942674e4) * r
                + 3.9307895800092710610e4)
                * r
                + 2.1213794301586595867e4)
                * r
                + 5.3941960214247511077e3)
                * r
                + 6.8718700749205790830e2)
                * r
                + 4.2313330701600911252e1)
                * r
                + 1.0);
    }
    // The tail: u or 1 - u (exact for u >= 0.5).
    let r = (-(if q < 0.0 { u } else { 1.0 - u }).ln()).sqrt();
    let z = if r == f64::INFINITY {
        r
    } else if r <= 5.0 {
        let r = r - 1.6;
        (((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r
            + 2.41780725177450611770e-1)
            * r
            + 1.27045825245236838258e0)
            * r
            + 3.64784832476320460504e0)
            * r
            + 5.76949722146069140550e0)
            * r
            + 4.63033784615654529590e0)
            * r
            + 1.42343711074968357734e0)
            / (((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r
                + 1.51986665636164571966e-2)
                * r
                + 1.48103976427480074590e-1)
                * r
                + 6.89767334985100004550e-1)
                * r
                + 1.67638483018380384940e0)
                * r
                + 2.05319162663775882187e0)
                * r
                + 1.0)
    } else {
        let r = r - 5.0;
        (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r
            + 1.24266094738807843860e-3)
            * r
            + 2.65321895265761230930e-2)
            * r
            + 2.96560571828504891230e-1)
            * r
            + 1.78482653991729133580e0)
            * r
            + 5.46378491116411436990e0)
            * r
            + 6.65790464350110377720e0)
            / (((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r
                + 1.84631831751005468180e-5)
                * r
                + 7.86869131145613259100e-4)
                * r
                + 1.48753612908506148525e-2)
                * r
                + 1.36929880922735805310e-1)
                * r
                + 5.99832206555887937690e-1)
                * r
                + 1.0)
    };
    if q < 0.0 {
        -z
    } else {
        z
    }
}

/// The standard normal CDF with relative accuracy about 1e-15 in the lower
/// tail (0 below -37.5) and absolute accuracy about 1e-16 near 1.
///
/// W. J. Cody's rational Chebyshev approximations, as in `ANORM` of
/// "Algorithm 715: SPECFUN", ACM TOMS 19(1), 22-32, 1993 (also R's `pnorm`):
/// one rational function for `|z| <= 0.674`, and for larger `|z|` a rational
/// factor times `exp(-z^2 / 2)`, the exponent split so that it stays exact.
/// (statrs' `erfc` is only good to about 1e-10 relative here.)
///
/// ```
/// # use dealsim::stress::distribution::normal_cdf;
/// assert!((normal_cdf(1.959963984540054) - 0.975).abs() < 1e-15);
/// ```
#[inline]
#[allow(clippy::excessive_precision)] // the coefficients as published
pub fn normal_cdf(z: f64) -> f64 {
    const A: [f64; 5] = [
        2.2352520354606839287,
        161.02823106855587881,
        1067.6894854603709582,
        18154.981253343561249,
        0.065682337918207449113,
    ];
    const B: [f64; 4] = [
        47.20258190468824187,
        976.09855173777669322,
        10260.932208618978205,
        45507.789335026729956,
    ];
    const C: [f64; 9] = [
        0.39894151208813466764,
        8.8831497943883759412,
        93.506656132177855979,
        597.27027639480026226,
        2494.5375852903726711,
        6848.1904505362823326,
        11602.651437647350124,
        9842.7148383839780218,
        1.0765576773720192317e-8,
    ];
    const D: [f64; 8] = [
        22.266688044328115691,
        235.38790178262499861,
        1519.377599407554805,
        6485.558298266760755,
        18615.571640885098091,
        34900.952721145977266,
        38912.003286093271411,
        19685.429676859990727,
    ];
    const P: [f64; 6] = [
        0.21589853405795699,
        0.1274011611602473639,
        0.022235277870649807,
        0.001421619193227893466,
        2.9112874951168792e-5,
        0.02307344176494017303,
    ];
    const Q: [f64; 5] = [
        1.28426009614491121,
        0.468238212480865118,
        0.0659881378689285515,
        0.00378239633202758244,
        7.29751555083966205e-5,
    ];
    const FRAC_1_SQRT_2PI: f64 = 0.398942280401432677939946059934;

    let y = z.abs();
    if y <= 0.67448975 {
        let zsq = z * z;
        let (mut num, mut den) = (A[4] * zsq, zsq);
        for i in 0..3 {
            num = (num + A[i]) * zsq;
            den = (den + B[i]) * zsq;
        }
        return 0.5 + z * (num + A[3]) / (den + B[3]);
    }
    // P(Z > y) = exp(-y^2 / 2) * factor.
    let factor = if y <= 32f64.sqrt() {
        let (mut num, mut den) = (C[8] * y, y);
        for i in 0..7 {
            num = (num + C[i]) * y;
            den = (den + D[i]) * y;
        }
        (num + C[7]) / (den + D[7])
    } else if y < 37.5193 {
        let ysq = 1.0 / (y * y);
        let (mut num, mut den) = (P[5] * ysq, ysq);
        for i in 0..4 {
            num = (num + P[i]) * ysq;
            den = (den + Q[i]) * ysq;
        }
        (FRAC_1_SQRT_2PI - ysq * (num + P[4]) / (den + Q[4])) / y
    } else {
        return if z > 0.0 { 1.0 } else { 0.0 };
    };
    // y^2 = s^2 + del with s = y rounded down to 1/16: s^2 is exact, so the
    // large part of the exponent carries no rounding error, and its
    // exponential comes from a table (one `exp` saved).
    let k = (y * 16.0) as usize;
    let s = k as f64 / 16.0;
    let del = (y - s) * (y + s);
    let upper = exp_half_square(k) * (-del * 0.5).exp() * factor;
    if z > 0.0 {
        1.0 - upper
    } else {
        upper
    }
}

/// `exp(-s^2 / 2)` for `s = k / 16`, `k <= 600` (that is, `s < 37.5625`).
#[inline]
fn exp_half_square(k: usize) -> f64 {
    static TABLE: OnceLock<[f64; 601]> = OnceLock::new();
    TABLE.get_or_init(|| {
        std::array::from_fn(|k| {
            let s = k as f64 / 16.0;
            (-s * s * 0.5).exp()
        })
    })[k]
}

/// Knot intervals of a PERT quantile table.
const PERT_INTERVALS: usize = 2048;

/// A PERT's quantile function, tabulated at construction so that sampling
/// costs one [`normal_quantile`] and one cubic.
///
/// The table holds `x(z) = Q(Phi(z))` (the PERT quantile as a function of a
/// standard normal `z`) at evenly spaced `z` over the whole clamped range
/// `|z| <= 8.13`, with its exact slope `dx/dz = phi(z) / f(x)` (`f` the
/// density). In `z` the function is smooth even where `Q(u)` has a power-law
/// singularity at `u = 0` or `1`, and nearly linear when the PERT is nearly
/// normal, so cubic Hermite interpolation is accurate to about 2e-12 of
/// `high - low` (see the `pert_table_accuracy` test). Knots are solved with
/// Newton's method on `ln I_y(a, b)` against `ln y`; knots above the median
/// are solved for `1 - x` with the shapes swapped, so the upper tail keeps
/// its precision.
#[derive(Clone, PartialEq, Default)]
pub struct PertTable {
    z_max: f64,
    inv_h: f64,
    /// `[x, h dx/dz]` per knot.
    knots: Vec<[f64; 2]>,
}

impl fmt::Debug for PertTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PertTable({} knots)", self.knots.len())
    }
}

impl PertTable {
    fn new(low: f64, high: f64, a: f64, b: f64) -> PertTable {
        let width = high - low;
        let z_max = -normal_quantile(U_MIN);
        let h = 2.0 * z_max / PERT_INTERVALS as f64;
        let ln_b = ln_beta(a, b);
        let mut knots = vec![[0.0; 2]; PERT_INTERVALS + 1];
        let mid = PERT_INTERVALS / 2;
        // Lower half from the far left, upper half from the far right, each
        // solving for the distance y to its own end of the range; the
        // previous knot seeds Newton's method.
        for upper in [false, true] {
            let (a, b) = if upper { (b, a) } else { (a, b) };
            let mut y = f64::NAN;
            for i in 0..=mid {
                let k = if upper { PERT_INTERVALS - i } else { i };
                let z = -z_max + k as f64 * h;
                let tail_z = if upper { -z } else { z };
                y = beta_lower_quantile(a, b, ln_b, normal_cdf(tail_z), y);
                let ln_pdf = (a - 1.0) * y.ln() + (b - 1.0) * (-y).ln_1p() - ln_b;
                let slope = width * (-z * z / 2.0 - 0.5 * (2.0 * PI).ln() - ln_pdf).exp();
                let x = if upper {
                    high - width * y
                } else {
                    low + width * y
                };
                knots[k] = [x, slope * h];
            }
        }
        PertTable {
            z_max,
            inv_h: 1.0 / h,
            knots,
        }
    }

    /// `None` for the degenerate (empty) table.
    #[inline]
    fn quantile(&self, u: f64) -> Option<f64> {
        if self.knots.is_empty() {
            return None;
        }
        let t = (normal_quantile(u) + self.z_max).max(0.0) * self.inv_h;
        let k = (t as usize).min(self.knots.len() - 2);
        let s = t - k as f64;
        let [x0, m0] = self.knots[k];
        let [x1, m1] = self.knots[k + 1];
        let d = x1 - x0;
        Some(x0 + s * (m0 + s * (3.0 * d - 2.0 * m0 - m1 + s * (m0 + m1 - 2.0 * d))))
    }
}

/// The `y` in (0, 1) with `I_y(a, b) = p` for `a, b >= 1` and `p <= 1/2`,
/// by Newton's method on `ln I` as a function of `ln y` (linear in a
/// power-law tail, so one or two steps from a nearby `guess` suffice).
fn beta_lower_quantile(a: f64, b: f64, ln_b: f64, p: f64, guess: f64) -> f64 {
    // Without a guess, the tail asymptote I_y ~ y^a / (a B(a, b)).
    let mut ln_y = if guess > 0.0 && guess < 1.0 {
        guess.ln()
    } else {
        ((p.ln() + a.ln() + ln_b) / a).min(-1e-3)
    };
    let ln_p = p.ln();
    for _ in 0..100 {
        let y = ln_y.exp();
        let cdf = beta_reg(a, b, y);
        let ln_pdf = (a - 1.0) * ln_y + (b - 1.0) * (-y).ln_1p() - ln_b;
        // d ln I / d ln y = y f(y) / I(y)
        let slope = (ln_y + ln_pdf).exp() / cdf;
        let step = (cdf.ln() - ln_p) / slope;
        if !step.is_finite() {
            break;
        }
        // Never step to y >= 1: halve the distance to 1 instead.
        let next = if ln_y - step >= 0.0 {
            ln_y / 2.0
        } else {
            ln_y - step
        };
        let done = (next - ln_y).abs() < 1e-15;
        ln_y = next;
        if done {
            break;
        }
    }
    ln_y.exp()
}

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::distribution::{Beta, ContinuousCDF};

    fn close(a: f64, b: f64, tol: f64) {
        assert!(
            (a - b).abs() <= tol,
            "{a} vs {b} (diff {:e})",
            (a - b).abs()
        );
    }

    #[test]
    fn normal_quantiles_match_published_values() {
        // Standard normal percentage points, computed with mpmath 1.3 at 50
        // digits (root of ln ncdf(z) = ln u).
        let table = [
            (0.975, 1.959963984540054),
            (0.95, 1.6448536269514727),
            (0.9, 1.2815515655446004),
            (0.999, 3.0902323061678135),
            (1e-10, -6.361340902404056),
            (1e-300, -37.0470962993612),
        ];
        for (u, z) in table {
            close(normal_quantile(u), z, 2e-15 * z.abs());
            // Exactly symmetric where 1 - u is exact.
            let v = 1.0 - u;
            if v < 1.0 {
                assert_eq!(normal_quantile(v), -normal_quantile(1.0 - v));
            }
        }
        // The three branches meet continuously.
        for u in [0.075, 0.925, (-25f64).exp()] {
            close(
                normal_quantile(u * (1.0 - 1e-15)),
                normal_quantile(u),
                1e-13,
            );
        }
        assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
        assert_eq!(normal_quantile(1.0), f64::INFINITY);
    }

    #[test]
    fn normal_cdf_matches_published_values() {
        // mpmath 1.3 ncdf at 30 digits, rounded to f64.
        let table = [
            (-1.0, 0.15865525393145705),
            (-2.0, 0.02275013194817921),
            (-5.0, 2.866515718791939e-7),
            (-10.0, 7.619853024160526e-24),
            (-30.0, 4.906713927148187e-198),
            (0.3, 0.6179114221889526),
            (2.5, 0.993790334674224),
        ];
        for (z, p) in table {
            close(normal_cdf(z) / p, 1.0, 2e-15);
        }
        assert_eq!((normal_cdf(-40.0), normal_cdf(40.0)), (0.0, 1.0));
    }

    #[test]
    fn normal_cdf_inverts_the_quantile() {
        // Phi's condition number is about z^2 in the tail: rounding z to an
        // f64 alone moves Phi(z) by about 1.1e-16 z^2 relative, hence the
        // tolerance (measured worst: 7.3e-16 z^2, at u = 1e-179).
        let check = |u: f64| {
            let z = normal_quantile(u);
            close(normal_cdf(z) / u, 1.0, 1e-15 * (4.0 + z * z));
        };
        (1..1000).for_each(|i| check(i as f64 / 1000.0));
        (1..300).for_each(|e| check(10f64.powi(-e)));
    }

    #[test]
    fn closed_form_quantiles() {
        let n = Distribution::normal(10.0, 2.0).unwrap();
        close(n.quantile(0.975), 10.0 + 2.0 * 1.959963984540054, 1e-13);
        // Clamped, not infinite.
        assert!(n.quantile(0.0).is_finite() && n.quantile(1.0).is_finite());
        close(n.quantile(0.0), 10.0 - 2.0 * 8.125890664701906, 1e-9);

        // Lognormal: the median is exp(mu) = the given median.
        let l = Distribution::lognormal_from_median(50.0, 0.4).unwrap();
        close(l.quantile(0.5), 50.0, 1e-12);
        close(
            l.quantile(0.975),
            50.0 * (0.4 * 1.959963984540054f64).exp(),
            1e-11,
        );

        let u = Distribution::uniform(2.0, 6.0).unwrap();
        assert_eq!(u.quantile(0.25), 3.0);

        // Triangular(0, 1, 4): F(1) = 1/4. At u = 1/16 (below 1/4),
        // x = sqrt(u * 4 * 1) = 1/2; at u = 0.64, 4 - sqrt(0.36 * 4 * 3) = 4 - sqrt(4.32).
        let t = Distribution::triangular(0.0, 1.0, 4.0).unwrap();
        close(t.quantile(1.0 / 16.0), 0.5, 1e-15);
        close(t.quantile(0.64), 4.0 - 4.32f64.sqrt(), 1e-15);
        close(t.quantile(0.25), 1.0, 1e-15);

        // Weights 1, 1, 2 over sorted values 1, 2, 3: cumulative 0.25, 0.5, 1.
        let d = Distribution::discrete(vec![3.0, 1.0, 2.0], vec![2.0, 1.0, 1.0]).unwrap();
        assert_eq!(d.quantile(0.2), 1.0);
        assert_eq!(d.quantile(0.25), 1.0);
        assert_eq!(d.quantile(0.26), 2.0);
        assert_eq!(d.quantile(0.99), 3.0);
        // A zero-weight value is never drawn.
        let z = Distribution::discrete(vec![1.0, 2.0, 3.0], vec![1.0, 0.0, 1.0]).unwrap();
        assert_eq!((z.quantile(0.5), z.quantile(0.5001)), (1.0, 3.0));

        let b = Distribution::bernoulli(0.3).unwrap();
        assert_eq!((b.quantile(0.69), b.quantile(0.71)), (0.0, 1.0));
        assert_eq!(Distribution::bernoulli(0.0).unwrap().quantile(1.0), 0.0);
        assert_eq!(Distribution::bernoulli(1.0).unwrap().quantile(0.0), 1.0);
    }

    #[test]
    fn degenerate_distributions_give_one_value() {
        for d in [
            Distribution::normal(3.0, 0.0),
            Distribution::lognormal_from_median(3.0, 0.0),
            Distribution::uniform(3.0, 3.0),
            Distribution::triangular(3.0, 3.0, 3.0),
            Distribution::pert(3.0, 3.0, 3.0, None),
        ] {
            let d = d.unwrap();
            for u in [0.0, 1e-9, 0.5, 1.0] {
                close(d.quantile(u), 3.0, 1e-14);
            }
            close(d.mean(), 3.0, 1e-14);
            assert_eq!(d.sd(), 0.0);
            assert_eq!((d.cdf(2.999), d.cdf(3.001)), (0.0, 1.0));
        }
    }

    #[test]
    fn moments_match_closed_forms() {
        // Lognormal from mean 100, sd 30: sigma^2 = ln(1.09), mu = ln 100 - ln(1.09)/2.
        let l = Distribution::lognormal_from_mean_sd(100.0, 30.0).unwrap();
        let Distribution::LogNormal { mu, sigma, .. } = l else {
            panic!()
        };
        close(sigma * sigma, 1.09f64.ln(), 1e-15);
        close(mu, 100f64.ln() - 1.09f64.ln() / 2.0, 1e-14);
        close(l.sd(), 30.0, 1e-10);

        // Triangular(0, 1, 4): mean 5/3, variance (0 + 1 + 16 - 0 - 0 - 4)/18 = 13/18.
        let t = Distribution::triangular(0.0, 1.0, 4.0).unwrap();
        close(t.mean(), 5.0 / 3.0, 1e-15);
        close(t.sd(), (13.0f64 / 18.0).sqrt(), 1e-15);

        // PERT(0, 2, 10), lambda 4: alpha = 1.8, beta = 4.2, mean (0 + 8 + 10)/6 = 3,
        // variance 100 * 1.8 * 4.2 / (36 * 7) = 3.
        let p = Distribution::pert(0.0, 2.0, 10.0, None).unwrap();
        close(p.mean(), 3.0, 1e-14);
        close(p.sd(), 3f64.sqrt(), 1e-14);

        let d = Distribution::discrete(vec![0.0, 10.0], vec![3.0, 1.0]).unwrap();
        close(d.mean(), 2.5, 1e-15);
        close(d.sd(), (0.75f64 * 0.25).sqrt() * 10.0, 1e-14);
        close(Distribution::bernoulli(0.2).unwrap().sd(), 0.4, 1e-15);
        close(
            Distribution::uniform(0.0, 6.0).unwrap().sd(),
            3f64.sqrt(),
            1e-15,
        );
    }

    /// x with I_x(a, b) = p by bisection on statrs' incomplete beta, solved
    /// on the nearer tail (as 1 - y with swapped shapes above the median) so
    /// that the reference keeps its precision near 1.
    fn beta_quantile_by_bisection(a: f64, b: f64, u: f64) -> f64 {
        let solve = |a: f64, b: f64, p: f64| {
            let (mut lo, mut hi) = (0.0f64, 1.0f64);
            for _ in 0..200 {
                let mid = 0.5 * (lo + hi);
                if beta_reg(a, b, mid) < p {
                    lo = mid
                } else {
                    hi = mid
                }
            }
            0.5 * (lo + hi)
        };
        if u <= 0.5 {
            solve(a, b, u)
        } else {
            1.0 - solve(b, a, 1.0 - u)
        }
    }

    #[test]
    fn pert_median_matches_statrs() {
        // PERT(0, 2, 10): Beta(1.8, 4.2) scaled by 10.
        let p = Distribution::pert(0.0, 2.0, 10.0, None).unwrap();
        let reference = Beta::new(1.8, 4.2).unwrap().inverse_cdf(0.5) * 10.0;
        close(p.quantile(0.5), reference, 1e-9);
        // mpmath 1.3: findroot(betainc(1.8, 4.2, 0, x, regularized=True) - 0.5) * 10.
        close(p.quantile(0.5), 2.7667225939251884, 1e-10);
        close(
            p.quantile(0.5),
            beta_quantile_by_bisection(1.8, 4.2, 0.5) * 10.0,
            1e-10,
        );
    }

    /// Worst error of the PERT table against bisection, over shapes from a
    /// mode at the low end to a sharp peak, and u from 1e-15 to 1 - 1e-15.
    /// Measured: 2.1e-12 of (high - low) at worst, with 2048 intervals.
    #[test]
    fn pert_table_accuracy() {
        let mut grid: Vec<f64> = (1..400).map(|i| i as f64 / 400.0 + 0.0011).collect();
        for e in 1..=15 {
            let u = 10f64.powi(-e) * 1.37;
            grid.push(u);
            grid.push(1.0 - u);
        }
        let mut worst: f64 = 0.0;
        for (mode, lambda) in [
            (0.0, 4.0),
            (0.2, 4.0),
            (0.5, 4.0),
            (0.93, 4.0),
            (1.0, 4.0),
            (0.3, 1.0),
            (0.3, 30.0),
        ] {
            let p = Distribution::pert(0.0, mode, 1.0, Some(lambda)).unwrap();
            let (a, b) = pert_shape(0.0, mode, 1.0, lambda);
            for &u in &grid {
                worst = worst.max((p.quantile(u) - beta_quantile_by_bisection(a, b, u)).abs());
            }
        }
        eprintln!("PERT table worst error: {worst:e} of (high - low)");
        assert!(worst < 1e-9, "worst error {worst:e}");
    }

    #[test]
    fn cdf_inverts_quantile_on_a_grid() {
        let ds = [
            Distribution::normal(1.0, 3.0).unwrap(),
            Distribution::lognormal(0.5, 0.8).unwrap(),
            Distribution::uniform(-2.0, 5.0).unwrap(),
            Distribution::triangular(-1.0, 4.0, 5.0).unwrap(),
            Distribution::pert(100.0, 130.0, 400.0, None).unwrap(),
            Distribution::pert(0.0, 0.0, 1.0, Some(2.0)).unwrap(),
        ];
        for d in &ds {
            for i in 1..200 {
                let u = i as f64 / 200.0;
                close(d.cdf(d.quantile(u)), u, 1e-9);
            }
            // Non-decreasing, which the copula's rank correlation relies on.
            let mut last = f64::NEG_INFINITY;
            for i in 0..=10_000 {
                let x = d.quantile(i as f64 / 10_000.0);
                assert!(x >= last, "{} not monotone at {i}", d.describe());
                last = x;
            }
        }
        let d = Distribution::discrete(vec![1.0, 2.0, 3.0], vec![1.0, 1.0, 2.0]).unwrap();
        assert_eq!(
            (d.cdf(0.5), d.cdf(1.0), d.cdf(2.5), d.cdf(3.0)),
            (0.0, 0.25, 0.5, 1.0)
        );
        let b = Distribution::bernoulli(0.3).unwrap();
        close(b.cdf(0.0), 0.7, 1e-15);
    }

    #[test]
    fn validation_errors_name_the_field() {
        let err = |r: Result<Distribution, String>| r.unwrap_err();
        assert_eq!(
            err(Distribution::normal(0.0, -1.0)),
            "sd must be zero or more, got -1"
        );
        assert_eq!(
            err(Distribution::normal(f64::NAN, 1.0)),
            "mean must be a finite number, got NaN"
        );
        assert_eq!(
            err(Distribution::lognormal(0.0, f64::INFINITY)),
            "sigma must be a finite number, got inf"
        );
        assert_eq!(
            err(Distribution::lognormal_from_median(0.0, 1.0)),
            "median must be above zero, got 0"
        );
        assert_eq!(
            err(Distribution::lognormal_from_mean_sd(-3.0, 1.0)),
            "mean must be above zero, got -3"
        );
        assert_eq!(
            err(Distribution::uniform(5.0, 3.0)),
            "low (5) must be below high (3)"
        );
        assert_eq!(
            err(Distribution::triangular(1.0, 9.0, 5.0)),
            "mode (9) must lie between low (1) and high (5)"
        );
        assert_eq!(
            err(Distribution::pert(1.0, 2.0, 5.0, Some(0.0))),
            "lambda must be above zero, got 0"
        );
        assert_eq!(
            err(Distribution::pert(1.0, 0.0, 5.0, None)),
            "mode (0) must lie between low (1) and high (5)"
        );
        assert_eq!(
            err(Distribution::discrete(vec![1.0, 2.0], vec![0.0, 0.0])),
            "weights must be zero or more and not all zero"
        );
        assert_eq!(
            err(Distribution::discrete(vec![1.0, 2.0], vec![1.0, -1.0])),
            "weights must be zero or more and not all zero"
        );
        assert_eq!(
            err(Distribution::discrete(vec![1.0, 2.0, 3.0], vec![1.0, 1.0])),
            "values and weights must have the same length (3 and 2)"
        );
        assert_eq!(
            err(Distribution::discrete(vec![], vec![])),
            "values must not be empty"
        );
        assert_eq!(
            err(Distribution::bernoulli(1.5)),
            "p must be between 0 and 1, got 1.5"
        );
        assert_eq!(
            err(Distribution::bernoulli(f64::NAN)),
            "p must be between 0 and 1, got NaN"
        );
    }

    #[test]
    fn describe_is_readable() {
        assert_eq!(
            Distribution::pert(1.0, 2.0, 6.0, None).unwrap().describe(),
            "pert(low 1, mode 2, high 6, lambda 4)"
        );
        assert_eq!(
            Distribution::discrete(vec![2.0, 1.0], vec![2.0, 1.0])
                .unwrap()
                .describe(),
            "discrete(1 with p 0.333333, 2 with p 0.666667)"
        );
        assert_eq!(
            Distribution::triangular(0.0, 0.5, 1.0).unwrap().to_string(),
            "triangular(low 0, mode 0.5, high 1)"
        );
        // A lognormal is described as it was written, not by mu = ln(450).
        let lognormal = |d: Result<Distribution, String>| d.unwrap().describe();
        assert_eq!(
            lognormal(Distribution::lognormal_from_median(450.0, 0.25)),
            "lognormal(median 450, sigma 0.25)"
        );
        assert_eq!(
            lognormal(Distribution::lognormal_from_mean_sd(100.0, 30.0)),
            "lognormal(mean 100, sd 30)"
        );
        assert_eq!(
            lognormal(Distribution::lognormal(0.5, 0.8)),
            "lognormal(mu 0.5, sigma 0.8)"
        );
    }

    /// Timing, not a check: `cargo test --release --lib stress::distribution -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn timing() {
        use statrs::distribution::Normal;
        use std::hint::black_box;
        use std::time::Instant;
        let n = 10_000_000;
        let us: Vec<f64> = (0..n).map(|i| (i as f64 + 0.5) / n as f64).collect();
        let time = |name: &str, f: &dyn Fn(f64) -> f64| {
            let start = Instant::now();
            let mut s = 0.0;
            for &u in &us {
                s += f(black_box(u));
            }
            black_box(s);
            eprintln!(
                "{name}: {:.1} ns",
                start.elapsed().as_nanos() as f64 / n as f64
            );
        };
        let statrs_normal = Normal::standard();
        time("normal_quantile (AS241)", &normal_quantile);
        time("statrs Normal::inverse_cdf", &|u| {
            statrs_normal.inverse_cdf(u)
        });
        time("normal_cdf", &|u| normal_cdf(6.0 * u - 3.0));
        let pert = Distribution::pert(0.0, 2.0, 10.0, None).unwrap();
        time("pert quantile", &|u| pert.quantile(u));
        let tri = Distribution::triangular(0.0, 2.0, 10.0).unwrap();
        time("triangular quantile", &|u| tri.quantile(u));
        let beta = Beta::new(1.8, 4.2).unwrap();
        let start = Instant::now();
        for &u in us.iter().step_by(1000) {
            black_box(beta.inverse_cdf(black_box(u)));
        }
        eprintln!(
            "statrs Beta::inverse_cdf: {:.1} ns",
            start.elapsed().as_nanos() as f64 / (n / 1000) as f64
        );
        let start = Instant::now();
        black_box(Distribution::pert(0.0, 2.0, 10.0, None).unwrap());
        eprintln!("pert construction: {:?}", start.elapsed());
        // Accuracy of statrs' inverse normal against AS241 on the grid.
        let worst = us
            .iter()
            .step_by(97)
            .map(|&u| (statrs_normal.inverse_cdf(u) - normal_quantile(u)).abs())
            .fold(0.0, f64::max);
        eprintln!("statrs vs AS241 worst difference: {worst:e}");
    }
}
