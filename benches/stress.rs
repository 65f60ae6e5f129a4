//! How fast is a stress run? `cargo bench --bench stress` prints paths per
//! second of the Monte Carlo path loop on the shipped Amazon-OpenAI scenario
//! (its [stress] section: six drivers including the funding event's firing
//! and delay, XIRR and NPV per path), on one thread and on every core.
//!
//! The whole command, outputs included, is measured with
//! `/usr/bin/time -v dealsim stress scenarios/amazon-openai-2026.toml --paths 1000000`
//! (see the README).

use std::path::Path;
use std::time::Instant;

use dealsim::engine::block::LANES;
use dealsim::stress::block::BlockEvaluator;
use dealsim::stress::monte_carlo::{self, Options};
use dealsim::stress::sampling::Sampler;

fn main() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/amazon-openai-2026.toml");
    let run = dealsim::Run::from_file(&file, &[]).expect("shipped scenario");
    let spec = run.model.stress.as_ref().expect("a [stress] section");
    let paths: u64 = std::env::var("DEALSIM_BENCH_PATHS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
    components(&run, spec, paths);
    for threads in [
        1,
        std::thread::available_parallelism().map_or(2, |n| n.get()),
    ] {
        let opts = Options {
            paths,
            seed: 1,
            method: spec.method,
            threads: Some(threads),
            progress: false,
        };
        let t = Instant::now();
        let mc = monte_carlo::run(&run.model, &run.plan, spec, &opts).expect("runs");
        let secs = t.elapsed().as_secs_f64();
        println!(
            "amazon-openai-2026: {paths} paths, {} drivers, {} metrics, {threads} thread(s): {:.2} s, {:.0} paths/s",
            mc.drivers.len(),
            mc.metrics.len(),
            secs,
            paths as f64 / secs
        );
    }
}

/// Where one thread's time per path goes: drawing the values, the block
/// engine alone, and the engine with every metric.
fn components(run: &dealsim::Run, spec: &dealsim::stress::Spec, paths: u64) {
    let (m, plan) = (&run.model, &run.plan);
    let dims = spec.drivers.len();
    let sampler =
        Sampler::new(spec.method, 1, paths, dims, spec.correlation.clone()).expect("sampler");
    let mut u = vec![0.0; dims];
    let mut clamped = vec![0; dims];
    let mut values = m.params.values.clone();
    let t = Instant::now();
    for path in 0..paths {
        sampler.uniforms(path, &mut u);
        values.copy_from_slice(&m.params.values);
        monte_carlo::apply(m, &spec.drivers, &u, &mut values, &mut clamped);
    }
    let draw = t.elapsed().as_secs_f64() / paths as f64;
    let mut ev = BlockEvaluator::new(m, plan, &spec.metrics);
    let mut none = BlockEvaluator::new(m, plan, &[]);
    for l in 0..LANES {
        sampler.uniforms(l as u64, &mut u);
        values.copy_from_slice(&m.params.values);
        monte_carlo::apply(m, &spec.drivers, &u, &mut values, &mut clamped);
        ev.values_mut(l).copy_from_slice(&values);
        none.values_mut(l).copy_from_slice(&values);
    }
    let blocks = paths / LANES as u64;
    let t = Instant::now();
    for _ in 0..blocks {
        none.eval();
    }
    let engine = t.elapsed().as_secs_f64() / paths as f64;
    let t = Instant::now();
    for _ in 0..blocks {
        ev.eval();
    }
    let metrics = t.elapsed().as_secs_f64() / paths as f64 - engine;
    println!(
        "per path on one thread: draws {:.2} us, block engine {:.2} us, metrics {:.2} us",
        draw * 1e6,
        engine * 1e6,
        metrics * 1e6
    );
}
