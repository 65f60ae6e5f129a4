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

use dealsim::stress::monte_carlo::{self, Options};

fn main() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/amazon-openai-2026.toml");
    let run = dealsim::Run::from_file(&file, &[]).expect("shipped scenario");
    let spec = run.model.stress.as_ref().expect("a [stress] section");
    let paths: u64 = std::env::var("DEALSIM_BENCH_PATHS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
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
