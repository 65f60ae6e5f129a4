//! Helpers shared by the integration tests.

use dealsim::engine::block::LANES;
use dealsim::stress::block::BlockEvaluator;
use dealsim::stress::metric::{Measure, Metric};
use dealsim::stress::path::Evaluator;
use dealsim::Run;

/// Checks that the block evaluator gives, on each lane, what the scalar
/// evaluator gives for the same values: every measure of every deal party,
/// the fans' series and the events. `lanes` holds one value vector per lane.
pub fn block_matches_scalar(r: &Run, lanes: &[Vec<f64>]) -> Result<(), String> {
    assert_eq!(lanes.len(), LANES);
    let m = &r.model;
    let metrics: Vec<Metric> = m
        .deal_parties()
        .flat_map(|(party, _)| Measure::ALL.map(|measure| Metric { party, measure }))
        .collect();
    let mut block = BlockEvaluator::new(m, &r.plan, &metrics);
    for (l, v) in lanes.iter().enumerate() {
        block.values_mut(l).copy_from_slice(v);
    }
    block.eval();
    let mut ev = Evaluator::new(m, &r.plan, &metrics);
    let n = m.grid.len();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    for (l, v) in lanes.iter().enumerate() {
        ev.eval(v);
        for (k, metric) in metrics.iter().enumerate() {
            let name = metric.name(m);
            match (block.value(k, l), ev.value(k), ev.why(k)) {
                (Ok(a), Some(b), _) if close(a, b) => {}
                (Err(a), None, Some(b)) if a == b => {}
                (got, want, why) => {
                    return Err(format!(
                        "lane {l}, {name}: block {got:?}, scalar {want:?} ({why:?})"
                    ))
                }
            }
        }
        for (party, _) in m.deal_parties() {
            let (mut cum, mut cash) = (vec![0.0; n], vec![0.0; n]);
            ev.series(party, v, &mut cum, Some(&mut cash));
            let (mut bcum, mut bcash) = (vec![[0.0; LANES]; n], vec![[0.0; LANES]; n]);
            block.series(party, &mut bcum, Some(&mut bcash));
            for p in 0..n {
                if !close(bcum[p][l], cum[p]) || !close(bcash[p][l], cash[p]) {
                    return Err(format!(
                        "lane {l}, party {party}, period {p}: series ({}, {}) vs ({}, {})",
                        bcum[p][l], bcash[p][l], cum[p], cash[p]
                    ));
                }
            }
        }
        let out = ev.outcome();
        let b = block.block();
        for (k, paid) in out.tranche_paid.iter().enumerate() {
            if b.tranche_paid(k, l) != paid.is_some() {
                return Err(format!("lane {l}: tranche {k} paid {paid:?}"));
            }
        }
        for (mi, fired) in out.milestone_fired.iter().enumerate() {
            if b.milestone_fired(mi, l) != fired.is_some() {
                return Err(format!("lane {l}: milestone {mi} fired {fired:?}"));
            }
        }
        for (s, cap) in out.cap_reached.iter().enumerate() {
            if b.cap_reached(s, l) != cap.is_some() {
                return Err(format!("lane {l}: cap {s} reached {cap:?}"));
            }
        }
    }
    Ok(())
}

/// Lane values: lane 0 the base case, the others every parameter moved at
/// random (times 0.5 to 1.5, flags flipped at random, months shifted by up
/// to a year), then brought inside its range.
pub fn perturbed_lanes(r: &Run, seed: u64) -> Vec<Vec<f64>> {
    use dealsim::model::params::Range;
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut unit = move || {
        // xorshift64*: plenty for spreading test values.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    };
    let base = &r.model.params.values;
    (0..LANES)
        .map(|l| {
            if l == 0 {
                return base.clone();
            }
            base.iter()
                .zip(&r.model.params.info)
                .map(|(&v, info)| {
                    let moved = match info.range {
                        Range::Flag => f64::from(u8::from(unit() < 0.5)),
                        Range::Months => v + (unit() * 13.0).floor(),
                        _ => v * (0.5 + unit()),
                    };
                    info.range.clamp(moved)
                })
                .collect()
        })
        .collect()
}
