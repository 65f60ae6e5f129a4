//! The engine's period step does not allocate: after a first run has sized
//! the buffers, a second run of a shipped scenario makes zero heap allocations.
//! (The stress engine relies on this to run a million paths.)

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    // Per thread: the tests run side by side, each counting its own.
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    // Not available while a thread is torn down: nothing to count then.
    let _ = COUNT.try_with(|c| c.set(c.get() + 1));
}

fn allocations() -> usize {
    COUNT.with(Cell::get)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn a_warm_run_allocates_nothing() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for name in [
        "amazon-openai-2026.toml",
        "openai-infrastructure.toml",
        "amazon-anthropic.toml",
        "microsoft-revenue-share.toml",
    ] {
        let run = dealsim::Run::from_file(&dir.join(name), &[]).unwrap();
        let mut ledger = dealsim::engine::Ledger::default();
        let mut outcome = dealsim::engine::Outcome::default();
        let values = run.model.params.values.clone();
        dealsim::engine::run(&run.model, &run.plan, &values, &mut outcome, &mut ledger);
        let flows = ledger.flows.len();
        ledger.flows.clear();
        let before = allocations();
        dealsim::engine::run(&run.model, &run.plan, &values, &mut outcome, &mut ledger);
        let after = allocations();
        assert_eq!(after - before, 0, "{name}: the warm run allocated");
        assert_eq!(ledger.flows.len(), flows, "{name}: the second run differs");
        assert_eq!(
            ledger.flows, run.ledger.flows,
            "{name}: not the same flows as Run::new"
        );
    }
}

#[test]
fn a_warm_block_of_stress_paths_allocates_nothing() {
    // The Monte Carlo's unit of work: a block of paths through the engine
    // and every metric (XIRR included). Once warm, another block with other
    // values makes no heap allocation.
    use dealsim::engine::block::LANES;
    use dealsim::stress::block::BlockEvaluator;
    use dealsim::stress::metric::{Measure, Metric};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let run = dealsim::Run::from_file(&path, &[]).unwrap();
        let m = &run.model;
        let metrics: Vec<Metric> = m
            .deal_parties()
            .flat_map(|(party, _)| Measure::ALL.map(|measure| Metric { party, measure }))
            .collect();
        let mut ev = BlockEvaluator::new(m, &run.plan, &metrics);
        let mut cum = vec![[0.0; LANES]; m.grid.len()];
        let mut cash = cum.clone();
        for round in 0..2 {
            let before = allocations();
            for lane in 0..LANES {
                let values = ev.values_mut(lane);
                values.copy_from_slice(&m.params.values);
                // Other values each round: every parameter scaled a little.
                for v in values.iter_mut() {
                    *v *= 1.0 + 0.01 * (round * LANES + lane) as f64 / 16.0;
                }
            }
            ev.eval();
            for (party, _) in m.deal_parties() {
                ev.series(party, &mut cum, Some(&mut cash));
            }
            let after = allocations();
            if round == 1 {
                assert_eq!(
                    after - before,
                    0,
                    "{}: the warm block allocated",
                    path.display()
                );
            }
        }
    }
}
