//! Uniforms per Monte Carlo path: plain Monte Carlo, Latin hypercube or
//! Sobol, optionally correlated through a Gaussian copula.
//!
//! A [`Sampler`] hands out, for path `i`, one uniform in (0, 1) per driver
//! (dimension); the stress module turns each into a value with
//! [`Distribution::quantile`](super::distribution::Distribution::quantile).
//! Path `i`'s uniforms depend only on the sampler's settings and `i`, never
//! on which thread asks or in which order, so a run is reproducible from its
//! seed however it is chunked.
//!
//! # Methods
//!
//! * **Monte Carlo** (`mc`): independent uniforms. Path `i` has its own
//!   `Xoshiro256PlusPlus` generator, seeded with a SplitMix64 hash of
//!   `(seed, i)`; a uniform is `((bits >> 11) + 0.5) 2^-53`, so it lies in
//!   `[2^-54, 1 - 2^-54]`, never on 0 or 1.
//! * **Latin hypercube** (`lhs`): in a design of `m` paths, each driver's
//!   range is cut into `m` equal strata and each stratum gets exactly one
//!   path: path `j` of the design gets `(pi_d(j) + v) / m` with `pi_d` a
//!   random permutation per driver (built in [`Sampler::new`], 4 bytes per
//!   path per driver) and `v` uniform from the path's own generator.
//! * **Sobol** (`sobol`): the Owen-scrambled Sobol sequence of the
//!   `sobol_burley` crate (at most 256 drivers, 2^16 points per design). Its
//!   points have 23 bits of resolution (multiples of 2^-23); the path's
//!   generator adds a uniform offset within that cell, so the uniforms are
//!   continuous and strictly inside (0, 1). Sobol points are best balanced
//!   when a design has a power of two paths: choose `paths` = replicates x
//!   2^k (4096 or 65536 with 16 replicates).
//!
//! # Standard errors
//!
//! For Monte Carlo the paths are independent: an estimate's standard error
//! is the sample standard deviation over `sqrt(N)`, and
//! [`Sampler::replicates`] is 1.
//!
//! Latin hypercube and Sobol paths are not independent (that is why they
//! converge faster), so `sd / sqrt(N)` overstates their error. They are
//! *randomised* designs instead: the `N` paths are split into `R` independent
//! replicates, each a full design of its own (own permutations, own Owen
//! scrambling seed). Path `i` belongs to replicate `i % R` ([`Sampler::replicate`])
//! as point `i / R`, so any prefix of the paths is spread evenly over the
//! replicates. To estimate a mean: average the values within each replicate
//! (estimates `e_1..e_R`), report their mean, and as its standard error the
//! sample standard deviation of the `e_r` (denominator `R - 1`) over
//! `sqrt(R)`. `R` is 16, fewer for small runs (`N / 16`, but at least 2 when
//! `N >= 2`), and for Sobol more when needed to keep every replicate within
//! 2^16 points (`ceil(N / 65536)`).
//!
//! # Correlation
//!
//! A [`Correlation`] couples drivers through a Gaussian copula: `z =
//! Phi^-1(u)`, `z' = L z` with `L` the Cholesky factor of the copula's
//! correlation matrix, `u' = Phi(z')`. Each `u'` stays uniform, so each
//! driver keeps its distribution; the drivers' rank (Spearman) correlation
//! is `6/pi asin(rho / 2)`. Matrices may be written as Spearman
//! correlations (what @RISK users write), converted by `rho = 2 sin(pi
//! rho_s / 6)`. Drivers whose row is all zero off the diagonal skip the
//! transform. Under Latin hypercube or Sobol, correlated drivers lose exact
//! stratification (they stay uniform, and the replicate standard errors stay
//! valid).
//!
//! # Example
//!
//! ```
//! use dealsim::stress::distribution::Distribution;
//! use dealsim::stress::sampling::{Method, Sampler};
//!
//! let growth = Distribution::normal(0.35, 0.05).unwrap();
//! let sampler = Sampler::new(Method::LatinHypercube, 7, 4096, 1, None).unwrap();
//! let r = sampler.replicates() as usize;
//! let (mut sums, mut counts) = (vec![0.0; r], vec![0.0; r]);
//! let mut u = [0.0];
//! for path in 0..4096 {
//!     sampler.uniforms(path, &mut u);
//!     let k = sampler.replicate(path) as usize;
//!     sums[k] += growth.quantile(u[0]);
//!     counts[k] += 1.0;
//! }
//! let estimates: Vec<f64> = sums.iter().zip(&counts).map(|(s, c)| s / c).collect();
//! let mean = estimates.iter().sum::<f64>() / r as f64;
//! let var = estimates.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (r - 1) as f64;
//! let se = (var / r as f64).sqrt();
//! // Plain Monte Carlo's standard error would be 0.05 / sqrt(4096) = 7.8e-4.
//! assert!(se < 1e-4 && (mean - 0.35).abs() < 5.0 * se);
//! ```

use std::fmt;
use std::str::FromStr;

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use super::distribution::{normal_cdf, normal_quantile};

/// The largest f64 below 1.
const ONE_BELOW: f64 = 1.0 - f64::EPSILON / 2.0;
/// Replicates of a Latin hypercube or Sobol run, unless the run is small.
pub const REPLICATES: u32 = 16;
/// Points per Sobol design (`sobol_burley`'s limit).
const SOBOL_POINTS: u64 = 1 << 16;
/// Stream tags, so that permutation and scrambling seeds never coincide
/// with a path's seed.
const PERMUTATION_STREAM: u64 = 0x6c68_735f_7065_726d;
const SCRAMBLE_STREAM: u64 = 0x736f_626f_6c5f_7363;
/// Smallest eigenvalue still accepted as "semi-definite" (rounding), and
/// the Cholesky pivot below which a column counts as dependent.
const PSD_TOLERANCE: f64 = 1e-10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    MonteCarlo,
    LatinHypercube,
    Sobol,
}

impl Method {
    /// The name used in scenario files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Method::MonteCarlo => "mc",
            Method::LatinHypercube => "lhs",
            Method::Sobol => "sobol",
        }
    }
}

impl FromStr for Method {
    type Err = String;

    fn from_str(s: &str) -> Result<Method, String> {
        match s {
            "mc" => Ok(Method::MonteCarlo),
            "lhs" => Ok(Method::LatinHypercube),
            "sobol" => Ok(Method::Sobol),
            _ => Err(format!(
                "unknown sampling method \"{s}\": expected mc, lhs or sobol"
            )),
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A validated correlation matrix over named drivers, with its Cholesky
/// factor.
#[derive(Debug, Clone, PartialEq)]
pub struct Correlation {
    dims: usize,
    /// The copula's (Pearson) correlations, `dims x dims`, row-major.
    pearson: Vec<f64>,
}

impl Correlation {
    /// `names[i]` labels dimension `i` in messages. `matrix` is `dims x
    /// dims`, symmetric, with a unit diagonal and entries in [-1, 1], and
    /// must be positive semi-definite (two drivers correlated exactly 1 are
    /// fine).
    ///
    /// `spearman = true`: the entries are Spearman rank correlations,
    /// converted to the Gaussian copula's Pearson correlation by `rho = 2
    /// sin(pi rho_s / 6)` before the checks.
    ///
    /// ```
    /// # use dealsim::stress::sampling::Correlation;
    /// let names = ["a", "b", "c"].map(String::from);
    /// let m = vec![vec![1.0, 0.9, -0.9], vec![0.9, 1.0, 0.9], vec![-0.9, 0.9, 1.0]];
    /// let err = Correlation::new(&names, m, false).unwrap_err();
    /// assert!(err.starts_with(
    ///     "the correlation matrix is not positive semi-definite (its smallest eigenvalue is about -0.8)"
    /// ));
    /// ```
    pub fn new(
        names: &[String],
        matrix: Vec<Vec<f64>>,
        spearman: bool,
    ) -> Result<Correlation, String> {
        let n = names.len();
        if matrix.len() != n {
            return Err(format!(
                "the correlation matrix has {} rows but {n} drivers are named",
                matrix.len()
            ));
        }
        for (i, row) in matrix.iter().enumerate() {
            if row.len() != n {
                return Err(format!(
                    "the correlation matrix row for {} has {} entries, expected {n}",
                    names[i],
                    row.len()
                ));
            }
        }
        for i in 0..n {
            for j in 0..n {
                let x = matrix[i][j];
                let (a, b) = (&names[i], &names[j]);
                if !(-1.0..=1.0).contains(&x) {
                    return Err(format!(
                        "the correlation between {a} and {b} must be between -1 and 1, got {x}"
                    ));
                }
                if i == j && x != 1.0 {
                    return Err(format!(
                        "the correlation of {a} with itself must be 1, got {x}"
                    ));
                }
                if j > i && (x - matrix[j][i]).abs() > 1e-12 {
                    return Err(format!(
                        "the correlation matrix is not symmetric: {a} with {b} is {x} but {b} with {a} is {}",
                        matrix[j][i]
                    ));
                }
            }
        }
        let mut pearson = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                // The upper triangle, so the matrix is exactly symmetric.
                let rho = matrix[i.min(j)][i.max(j)];
                pearson[i * n + j] = if spearman && rho.abs() != 1.0 {
                    2.0 * (std::f64::consts::PI * rho / 6.0).sin()
                } else {
                    rho
                };
            }
        }
        let (smallest, vector) = smallest_eigen(&pearson, n);
        if smallest < -PSD_TOLERANCE {
            // The drivers weighing most in the offending direction.
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| vector[b].abs().total_cmp(&vector[a].abs()));
            let (a, b) = (order[0].min(order[1]), order[0].max(order[1]));
            let how = if spearman {
                "once its Spearman correlations are converted for the Gaussian copula (its smallest eigenvalue is then"
            } else {
                "(its smallest eigenvalue is"
            };
            return Err(format!(
                "the correlation matrix is not positive semi-definite {how} about {}); check the entries for {} and {}",
                two_digits(smallest),
                names[a],
                names[b]
            ));
        }
        Ok(Correlation { dims: n, pearson })
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    /// The Gaussian copula's correlation between the normals of drivers `i`
    /// and `j` (after the Spearman conversion, if any).
    pub fn pearson(&self, i: usize, j: usize) -> f64 {
        self.pearson[i * self.dims + j]
    }
}

/// `x` to 2 significant digits: `-0.21`, `-0.0034`.
fn two_digits(x: f64) -> String {
    let rounded: f64 = format!("{x:.1e}").parse().unwrap_or(x);
    format!("{rounded}")
}

/// The smallest eigenvalue of the symmetric `n x n` matrix `a` and its unit
/// eigenvector, by cyclic Jacobi rotations (plenty for the few dozen
/// drivers a correlation matrix has).
fn smallest_eigen(a: &[f64], n: usize) -> (f64, Vec<f64>) {
    let mut a = a.to_vec();
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j].powi(2))
            .sum();
        if off < 1e-30 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                // The rotation that zeroes a[p][q] (Numerical Recipes 11.1).
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (kp, kq) = (a[k * n + p], a[k * n + q]);
                    a[k * n + p] = c * kp - s * kq;
                    a[k * n + q] = s * kp + c * kq;
                }
                for k in 0..n {
                    let (pk, qk) = (a[p * n + k], a[q * n + k]);
                    a[p * n + k] = c * pk - s * qk;
                    a[q * n + k] = s * pk + c * qk;
                }
                for k in 0..n {
                    let (kp, kq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * kp - s * kq;
                    v[k * n + q] = s * kp + c * kq;
                }
            }
        }
    }
    let Some(min) = (0..n).min_by(|&i, &j| a[i * n + i].total_cmp(&a[j * n + j])) else {
        return (f64::INFINITY, Vec::new());
    };
    (a[min * n + min], (0..n).map(|k| v[k * n + min]).collect())
}

/// The copula restricted to the drivers that are correlated with another.
#[derive(Debug, Clone)]
struct Copula {
    /// The correlated dimensions, ascending.
    dims: Vec<usize>,
    /// Lower-triangular factor over `dims`, row-major, rows of unit length.
    lower: Vec<f64>,
}

impl Copula {
    fn new(correlation: &Correlation) -> Option<Copula> {
        let n = correlation.dims;
        let dims: Vec<usize> = (0..n)
            .filter(|&i| (0..n).any(|j| j != i && correlation.pearson(i, j) != 0.0))
            .collect();
        let c = dims.len();
        if c == 0 {
            return None;
        }
        let m = |a: usize, b: usize| correlation.pearson(dims[a], dims[b]);
        // Cholesky that tolerates semi-definite matrices: a pivot at or below
        // the tolerance means the column depends on earlier ones and is zero.
        let mut lower = vec![0.0f64; c * c];
        for j in 0..c {
            let pivot = m(j, j) - (0..j).map(|k| lower[j * c + k].powi(2)).sum::<f64>();
            if pivot <= PSD_TOLERANCE {
                continue;
            }
            let d = pivot.sqrt();
            lower[j * c + j] = d;
            for i in j + 1..c {
                let dot: f64 = (0..j).map(|k| lower[i * c + k] * lower[j * c + k]).sum();
                lower[i * c + j] = (m(i, j) - dot) / d;
            }
        }
        // Unit rows keep every z' exactly standard normal after dropped
        // columns or rounding.
        for row in lower.chunks_mut(c) {
            let norm = row.iter().map(|x| x * x).sum::<f64>().sqrt();
            row.iter_mut().for_each(|x| *x /= norm);
        }
        Some(Copula { dims, lower })
    }

    /// Correlates `out` in place. `L` is lower-triangular, so row `a` of
    /// `z' = L z` only reads `z[..=a]`: going from the last row up, each
    /// `z'` overwrites a `z` that no later row needs.
    #[inline]
    fn apply(&self, out: &mut [f64]) {
        let c = self.dims.len();
        for &d in &self.dims {
            out[d] = normal_quantile(out[d]);
        }
        for a in (0..c).rev() {
            let row = &self.lower[a * c..=a * c + a];
            let z: f64 = row.iter().zip(&self.dims).map(|(l, &d)| l * out[d]).sum();
            out[self.dims[a]] = normal_cdf(z).clamp(f64::MIN_POSITIVE, ONE_BELOW);
        }
    }
}

/// Uniforms for each path of a run; see the module doc.
#[derive(Clone)]
pub struct Sampler {
    method: Method,
    seed: u64,
    paths: u64,
    dims: usize,
    replicates: u32,
    /// Latin hypercube strata: replicate `r`'s block starts at
    /// `lhs_start[r]` and holds `pi_d(j)` at `j * dims + d`.
    lhs: Vec<u32>,
    lhs_start: Vec<usize>,
    /// Owen scrambling seed per replicate.
    sobol_seeds: Vec<u32>,
    copula: Option<Copula>,
}

impl Sampler {
    /// A sampler for `paths` paths of `dims` uniforms each. Latin hypercube
    /// builds its permutations here (in parallel; about 4 bytes per path per
    /// driver). `correlation`, if any, must cover exactly `dims` drivers.
    pub fn new(
        method: Method,
        seed: u64,
        paths: u64,
        dims: usize,
        correlation: Option<Correlation>,
    ) -> Result<Sampler, String> {
        if paths == 0 {
            return Err("the number of paths must be at least 1".to_string());
        }
        if let Some(c) = &correlation {
            if c.dims != dims {
                return Err(format!(
                    "the correlation matrix covers {} drivers but {dims} are sampled",
                    c.dims
                ));
            }
        }
        let replicates = match method {
            Method::MonteCarlo => 1,
            _ if paths == 1 => 1,
            Method::LatinHypercube => (paths / 16).clamp(2, REPLICATES as u64) as u32,
            Method::Sobol => {
                if dims > sobol_burley::NUM_DIMENSIONS as usize {
                    return Err(format!(
                        "sobol sampling supports at most {} drivers, got {dims}; use lhs or mc",
                        sobol_burley::NUM_DIMENSIONS
                    ));
                }
                let needed = paths.div_ceil(SOBOL_POINTS);
                if needed > u32::MAX as u64 {
                    return Err(format!("too many paths for sobol sampling: {paths}"));
                }
                ((paths / 16).clamp(2, REPLICATES as u64) as u32).max(needed as u32)
            }
        };
        let mut sampler = Sampler {
            method,
            seed,
            paths,
            dims,
            replicates,
            lhs: Vec::new(),
            lhs_start: Vec::new(),
            sobol_seeds: Vec::new(),
            copula: correlation.as_ref().and_then(Copula::new),
        };
        match method {
            Method::MonteCarlo => {}
            Method::LatinHypercube => sampler.build_permutations()?,
            Method::Sobol => {
                sampler.sobol_seeds = (0..replicates as u64)
                    .map(|r| mix(seed ^ SCRAMBLE_STREAM, r) as u32)
                    .collect()
            }
        }
        Ok(sampler)
    }

    /// Paths in replicate `r`: those `i < paths` with `i % R == r`.
    fn replicate_len(&self, r: u64) -> u64 {
        (self.paths - r).div_ceil(self.replicates as u64)
    }

    fn build_permutations(&mut self) -> Result<(), String> {
        let dims = self.dims;
        if self.paths / self.replicates as u64 >= u32::MAX as u64 {
            return Err(format!("too many paths for lhs sampling: {}", self.paths));
        }
        let total = usize::try_from(self.paths)
            .ok()
            .and_then(|p| p.checked_mul(dims))
            .ok_or_else(|| format!("too many paths for lhs sampling: {}", self.paths))?;
        let lens: Vec<usize> = (0..self.replicates as u64)
            .map(|r| self.replicate_len(r) as usize)
            .collect();
        let mut lhs = vec![0u32; total];
        let mut blocks = Vec::with_capacity(lens.len());
        let mut rest = lhs.as_mut_slice();
        self.lhs_start.clear();
        let mut start = 0;
        for &len in &lens {
            let (block, tail) = rest.split_at_mut(len * dims);
            blocks.push(block);
            rest = tail;
            self.lhs_start.push(start);
            start += len * dims;
        }
        let seed = self.seed;
        blocks
            .into_par_iter()
            .zip(lens)
            .enumerate()
            .for_each(|(r, (block, m))| {
                let mut perm: Vec<u32> = Vec::with_capacity(m);
                for d in 0..dims {
                    let stream = mix(mix(seed ^ PERMUTATION_STREAM, r as u64), d as u64);
                    let mut rng = Xoshiro256PlusPlus::seed_from_u64(stream);
                    perm.clear();
                    perm.extend(0..m as u32);
                    // Fisher-Yates; the multiply-shift draw has a bias below
                    // m / 2^64, far under anything measurable.
                    for i in (1..m).rev() {
                        let j = ((rng.next_u64() as u128 * (i as u128 + 1)) >> 64) as usize;
                        perm.swap(i, j);
                    }
                    for (j, &p) in perm.iter().enumerate() {
                        block[j * dims + d] = p;
                    }
                }
            });
        self.lhs = lhs;
        Ok(())
    }

    /// The uniforms of path `path` (0-based, below `paths`), one per
    /// dimension, written to `out[..dims]`: in (0, 1), correlated when a
    /// correlation is set. Deterministic: depends only on (method, seed,
    /// paths, dims, correlation, path), never on call order, thread or
    /// chunking. No heap allocation.
    #[inline]
    pub fn uniforms(&self, path: u64, out: &mut [f64]) {
        debug_assert!(path < self.paths, "path {path} of {}", self.paths);
        let out = &mut out[..self.dims];
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(mix(self.seed, path));
        let r = path % self.replicates as u64;
        let j = path / self.replicates as u64;
        match self.method {
            Method::MonteCarlo => out.iter_mut().for_each(|u| *u = open01(rng.next_u64())),
            Method::LatinHypercube => {
                let m = self.replicate_len(r) as f64;
                let start = self.lhs_start[r as usize] + j as usize * self.dims;
                let strata = &self.lhs[start..start + self.dims];
                for (u, &stratum) in out.iter_mut().zip(strata) {
                    *u = ((stratum as f64 + open01(rng.next_u64())) / m).min(ONE_BELOW);
                }
            }
            Method::Sobol => {
                let seed = self.sobol_seeds[r as usize];
                for (set, chunk) in out.chunks_mut(4).enumerate() {
                    let point = sobol_burley::sample_4d(j as u32, set as u32, seed);
                    for (u, x) in chunk.iter_mut().zip(point) {
                        // x is a multiple of 2^-23; spread it over its cell.
                        let jitter = open01(rng.next_u64()) * (1.0 / (1u64 << 23) as f64);
                        *u = (x as f64 + jitter).min(ONE_BELOW);
                    }
                }
            }
        }
        if let Some(copula) = &self.copula {
            copula.apply(out);
        }
    }

    /// Which independent replicate `path` belongs to: `path % replicates()`.
    pub fn replicate(&self, path: u64) -> u32 {
        (path % self.replicates as u64) as u32
    }

    /// Independent replicates (1 for Monte Carlo); see the module doc.
    pub fn replicates(&self) -> u32 {
        self.replicates
    }

    pub fn method(&self) -> Method {
        self.method
    }

    pub fn paths(&self) -> u64 {
        self.paths
    }

    pub fn dims(&self) -> usize {
        self.dims
    }
}

impl fmt::Debug for Sampler {
    // Without the permutations, which can run to millions of entries.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sampler")
            .field("method", &self.method)
            .field("seed", &self.seed)
            .field("paths", &self.paths)
            .field("dims", &self.dims)
            .field("replicates", &self.replicates)
            .field(
                "correlated",
                &self.copula.as_ref().map_or(0, |c| c.dims.len()),
            )
            .finish()
    }
}

/// A uniform in `[2^-54, 1 - 2^-54]` from the top 53 bits.
#[inline]
fn open01(bits: u64) -> f64 {
    ((bits >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

/// SplitMix64's finaliser (Steele, Lea and Flood, 2014): a bijection on u64
/// that spreads every input bit over the output.
#[inline]
fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The seed of stream `b` under seed `a`.
#[inline]
fn mix(a: u64, b: u64) -> u64 {
    splitmix(a ^ splitmix(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stress::distribution::Distribution;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("d{i}")).collect()
    }

    fn all(s: &Sampler) -> Vec<Vec<f64>> {
        (0..s.paths())
            .map(|p| {
                let mut u = vec![0.0; s.dims()];
                s.uniforms(p, &mut u);
                u
            })
            .collect()
    }

    fn corr3() -> Correlation {
        let m = vec![
            vec![1.0, 0.6, -0.3, 0.0],
            vec![0.6, 1.0, 0.2, 0.0],
            vec![-0.3, 0.2, 1.0, 0.0],
            vec![0.0, 0.0, 0.0, 1.0],
        ];
        Correlation::new(&names(4), m, true).unwrap()
    }

    fn mean(x: &[f64]) -> f64 {
        x.iter().sum::<f64>() / x.len() as f64
    }

    fn pearson(x: &[f64], y: &[f64]) -> f64 {
        let (mx, my) = (mean(x), mean(y));
        let cov: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
        let vx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
        let vy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
        cov / (vx * vy).sqrt()
    }

    fn ranks(x: &[f64]) -> Vec<f64> {
        let mut order: Vec<usize> = (0..x.len()).collect();
        order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
        let mut r = vec![0.0; x.len()];
        for (rank, &i) in order.iter().enumerate() {
            r[i] = rank as f64;
        }
        r
    }

    fn column(rows: &[Vec<f64>], d: usize) -> Vec<f64> {
        rows.iter().map(|r| r[d]).collect()
    }

    #[test]
    fn uniforms_depend_only_on_the_path() {
        for method in [Method::MonteCarlo, Method::LatinHypercube, Method::Sobol] {
            for correlation in [None, Some(corr3())] {
                let make = || Sampler::new(method, 99, 1000, 4, correlation.clone()).unwrap();
                let s = make();
                let forward = all(&s);
                assert_eq!(all(&make()), forward, "{method}: rebuilt sampler differs");
                for p in (0..1000).rev() {
                    let mut u = [0.0; 4];
                    s.uniforms(p, &mut u);
                    assert_eq!(u.as_slice(), forward[p as usize].as_slice());
                }
                // Two threads, interleaved.
                std::thread::scope(|scope| {
                    let handles: Vec<_> = (0..2u64)
                        .map(|t| {
                            let s = &s;
                            scope.spawn(move || {
                                (t..1000)
                                    .step_by(2)
                                    .map(|p| {
                                        let mut u = [0.0; 4];
                                        s.uniforms(p, &mut u);
                                        (p, u)
                                    })
                                    .collect::<Vec<_>>()
                            })
                        })
                        .collect();
                    for h in handles {
                        for (p, u) in h.join().unwrap() {
                            assert_eq!(u.as_slice(), forward[p as usize].as_slice());
                        }
                    }
                });
                assert!(forward.iter().flatten().all(|&u| u > 0.0 && u < 1.0));
                let other = all(&Sampler::new(method, 100, 1000, 4, correlation.clone()).unwrap());
                assert_ne!(other, forward, "{method}: the seed must matter");
            }
        }
    }

    #[test]
    fn monte_carlo_uniforms_average_one_half() {
        let n = 20_000;
        let s = Sampler::new(Method::MonteCarlo, 1, n, 5, None).unwrap();
        assert_eq!((s.replicates(), s.replicate(12345)), (1, 0));
        let rows = all(&s);
        // Var(U) = 1/12.
        let se = (1.0 / 12.0 / n as f64).sqrt();
        for d in 0..5 {
            let m = mean(&column(&rows, d));
            assert!((m - 0.5).abs() < 4.0 * se, "dim {d}: mean {m}");
        }
    }

    #[test]
    fn latin_hypercube_puts_one_path_in_each_stratum() {
        let n = 1003; // replicates of 63 and 62 paths
        let s = Sampler::new(Method::LatinHypercube, 5, n, 3, None).unwrap();
        assert_eq!(s.replicates(), 16);
        let rows = all(&s);
        for r in 0..16u32 {
            let members: Vec<&Vec<f64>> = (0..n)
                .filter(|&p| s.replicate(p) == r)
                .map(|p| &rows[p as usize])
                .collect();
            let m = members.len() as f64;
            assert_eq!(m as u64, (n - r as u64).div_ceil(16));
            for d in 0..3 {
                let mut col: Vec<f64> = members.iter().map(|row| row[d]).collect();
                col.sort_by(f64::total_cmp);
                for (k, u) in col.iter().enumerate() {
                    let k = k as f64;
                    assert!(k / m <= *u && *u <= (k + 1.0) / m, "replicate {r} dim {d}");
                }
            }
        }
    }

    #[test]
    fn replicate_counts_follow_the_run_size() {
        let r = |method, paths| {
            Sampler::new(method, 0, paths, 2, None)
                .unwrap()
                .replicates()
        };
        assert_eq!(r(Method::LatinHypercube, 1), 1);
        assert_eq!(r(Method::LatinHypercube, 2), 2);
        assert_eq!(r(Method::LatinHypercube, 100), 6);
        assert_eq!(r(Method::LatinHypercube, 100_000), 16);
        assert_eq!(r(Method::Sobol, 4096), 16);
        // 2^16 points per Sobol design at most.
        assert_eq!(r(Method::Sobol, 2_000_000), 31);
    }

    #[test]
    fn sobol_means_beat_monte_carlo() {
        let (n, dims) = (1024, 4);
        let error = |method| {
            let mut total = 0.0;
            for seed in 0..20 {
                let rows = all(&Sampler::new(method, seed, n, dims, None).unwrap());
                for d in 0..dims {
                    total += (mean(&column(&rows, d)) - 0.5).abs();
                }
            }
            total / (20 * dims) as f64
        };
        let (sobol, mc) = (error(Method::Sobol), error(Method::MonteCarlo));
        assert!(sobol < mc / 5.0, "sobol {sobol:e} vs mc {mc:e}");
    }

    /// The standard error each method reports for E[X], X ~ normal(0, 1),
    /// from N = 4096 paths: MC's is about 1/64.
    #[test]
    fn stratified_methods_have_smaller_standard_errors() {
        let x = Distribution::normal(0.0, 1.0).unwrap();
        let n = 4096;
        let se = |method| {
            let s = Sampler::new(method, 3, n, 2, None).unwrap();
            let values: Vec<(u32, f64)> = all(&s)
                .iter()
                .enumerate()
                .map(|(p, u)| (s.replicate(p as u64), x.quantile(u[0])))
                .collect();
            let r = s.replicates() as usize;
            if r == 1 {
                let v: Vec<f64> = values.iter().map(|v| v.1).collect();
                let m = mean(&v);
                let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64;
                return (var / n as f64).sqrt();
            }
            let estimates: Vec<f64> = (0..r as u32)
                .map(|k| {
                    mean(
                        &values
                            .iter()
                            .filter(|v| v.0 == k)
                            .map(|v| v.1)
                            .collect::<Vec<_>>(),
                    )
                })
                .collect();
            let m = mean(&estimates);
            let var = estimates.iter().map(|e| (e - m).powi(2)).sum::<f64>() / (r - 1) as f64;
            (var / r as f64).sqrt()
        };
        let mc = se(Method::MonteCarlo);
        assert!((mc - 1.0 / 64.0).abs() < 0.002, "mc {mc}");
        for method in [Method::LatinHypercube, Method::Sobol] {
            let s = se(method);
            assert!(s < mc / 10.0, "{method}: {s:e} vs mc {mc:e}");
        }
    }

    #[test]
    fn copula_gives_the_requested_rank_correlations() {
        let c = corr3();
        let spearman = [
            [1.0, 0.6, -0.3, 0.0],
            [0.6, 1.0, 0.2, 0.0],
            [-0.3, 0.2, 1.0, 0.0],
        ];
        for method in [Method::MonteCarlo, Method::LatinHypercube] {
            let rows = all(&Sampler::new(method, 11, 20_000, 4, Some(c.clone())).unwrap());
            let u: Vec<Vec<f64>> = (0..4).map(|d| column(&rows, d)).collect();
            let z: Vec<Vec<f64>> = u
                .iter()
                .map(|c| c.iter().map(|&x| normal_quantile(x)).collect())
                .collect();
            for i in 0..3 {
                for j in i + 1..4 {
                    let rank = pearson(&ranks(&u[i]), &ranks(&u[j]));
                    assert!(
                        (rank - spearman[i][j]).abs() < 0.02,
                        "{method} spearman {i},{j}: {rank}"
                    );
                    // The copula's Pearson correlation, 2 sin(pi rho_s / 6).
                    let expected = 2.0 * (std::f64::consts::PI * spearman[i][j] / 6.0).sin();
                    assert!((c.pearson(i, j) - expected).abs() < 1e-15);
                    let normal = pearson(&z[i], &z[j]);
                    assert!(
                        (normal - expected).abs() < 0.02,
                        "{method} pearson {i},{j}: {normal}"
                    );
                }
            }
            // Each margin stays uniform.
            for col in &u {
                assert!((mean(col) - 0.5).abs() < 0.01);
            }
        }
    }

    #[test]
    fn semi_definite_matrices_are_accepted() {
        let c = Correlation::new(&names(2), vec![vec![1.0, 1.0], vec![1.0, 1.0]], false).unwrap();
        let s = Sampler::new(Method::MonteCarlo, 4, 100, 2, Some(c)).unwrap();
        for row in all(&s) {
            assert_eq!(row[0], row[1]);
        }
        // Three drivers where the third is the average of the first two.
        let h = 0.5f64.sqrt();
        let m = vec![vec![1.0, 0.0, h], vec![0.0, 1.0, h], vec![h, h, 1.0]];
        assert!(Correlation::new(&names(3), m, false).is_ok());
    }

    #[test]
    fn non_positive_semi_definite_matrices_are_rejected() {
        let m = vec![
            vec![1.0, 0.9, -0.9],
            vec![0.9, 1.0, 0.9],
            vec![-0.9, 0.9, 1.0],
        ];
        // Its eigenvalues are -0.8 (vector (1, -1, 1)/sqrt 3), 1.9 and 1.9.
        let err = Correlation::new(&names(3), m.clone(), false).unwrap_err();
        assert!(
            err.starts_with("the correlation matrix is not positive semi-definite (its smallest eigenvalue is about -0.8); check the entries for d"),
            "{err}"
        );
        // A fourth, independent driver is never blamed.
        let mut m4: Vec<Vec<f64>> = m
            .into_iter()
            .map(|mut r| {
                r.push(0.0);
                r
            })
            .collect();
        m4.push(vec![0.0, 0.0, 0.0, 1.0]);
        let names4 = [
            "revenue.openai.growth",
            "commitment.aws.total",
            "price",
            "fx",
        ]
        .map(String::from);
        let err = Correlation::new(&names4, m4.clone(), false).unwrap_err();
        assert!(!err.contains("fx"), "{err}");
        // As Spearman correlations: 2 sin(0.15 pi) = 0.9080, smallest eigenvalue 1 - 2(0.9080).
        let err = Correlation::new(&names4, m4, true).unwrap_err();
        assert!(
            err.contains(
                "converted for the Gaussian copula (its smallest eigenvalue is then about -0.82)"
            ),
            "{err}"
        );
    }

    #[test]
    fn malformed_matrices_are_rejected() {
        let err = |m: Vec<Vec<f64>>| Correlation::new(&names(2), m, false).unwrap_err();
        assert_eq!(
            err(vec![vec![1.0, 0.5]]),
            "the correlation matrix has 1 rows but 2 drivers are named"
        );
        assert_eq!(
            err(vec![vec![1.0, 0.5], vec![0.5]]),
            "the correlation matrix row for d1 has 1 entries, expected 2"
        );
        assert_eq!(
            err(vec![vec![1.0, 0.5], vec![0.4, 1.0]]),
            "the correlation matrix is not symmetric: d0 with d1 is 0.5 but d1 with d0 is 0.4"
        );
        assert_eq!(
            err(vec![vec![0.9, 0.5], vec![0.5, 1.0]]),
            "the correlation of d0 with itself must be 1, got 0.9"
        );
        assert_eq!(
            err(vec![vec![1.0, 1.2], vec![1.2, 1.0]]),
            "the correlation between d0 and d1 must be between -1 and 1, got 1.2"
        );
        assert_eq!(
            err(vec![vec![1.0, f64::NAN], vec![f64::NAN, 1.0]]),
            "the correlation between d0 and d1 must be between -1 and 1, got NaN"
        );
        let c = Correlation::new(&names(2), vec![vec![1.0, 0.5], vec![0.5, 1.0]], false).unwrap();
        assert_eq!(
            Sampler::new(Method::MonteCarlo, 0, 10, 3, Some(c)).unwrap_err(),
            "the correlation matrix covers 2 drivers but 3 are sampled"
        );
        assert_eq!(
            Sampler::new(Method::Sobol, 0, 10, 300, None).unwrap_err(),
            "sobol sampling supports at most 256 drivers, got 300; use lhs or mc"
        );
        assert_eq!(
            Sampler::new(Method::MonteCarlo, 0, 0, 1, None).unwrap_err(),
            "the number of paths must be at least 1"
        );
        assert_eq!("lhs".parse::<Method>(), Ok(Method::LatinHypercube));
        assert_eq!(
            "LHS".parse::<Method>().unwrap_err(),
            "unknown sampling method \"LHS\": expected mc, lhs or sobol"
        );
        assert_eq!(Method::Sobol.to_string(), "sobol");
    }

    /// Timing, not a check:
    /// `cargo test --release --lib stress::sampling -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn timing() {
        use std::hint::black_box;
        use std::time::Instant;
        let n = 1_000_000;
        let m6: Vec<Vec<f64>> = (0..6)
            .map(|i| (0..6).map(|j| if i == j { 1.0 } else { 0.3 }).collect())
            .collect();
        let c6 = Correlation::new(&names(6), m6, true).unwrap();
        for (label, method, c) in [
            ("mc", Method::MonteCarlo, None),
            ("mc + 6x6 copula", Method::MonteCarlo, Some(c6.clone())),
            ("lhs", Method::LatinHypercube, None),
            ("lhs + 6x6 copula", Method::LatinHypercube, Some(c6.clone())),
            ("sobol", Method::Sobol, None),
        ] {
            let start = Instant::now();
            let s = Sampler::new(method, 1, n, 6, c).unwrap();
            let built = start.elapsed();
            let start = Instant::now();
            let mut u = [0.0; 6];
            let mut acc = 0.0;
            for p in 0..n {
                s.uniforms(black_box(p), &mut u);
                acc += u[0];
            }
            black_box(acc);
            eprintln!(
                "{label}: new {built:?}, {:.1} ns/path",
                start.elapsed().as_nanos() as f64 / n as f64
            );
        }
    }
}
