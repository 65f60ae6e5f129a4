//! The engine's period step does not allocate: after a first run has sized
//! the buffers, a second run of a shipped scenario makes zero heap allocations.
//! (The stress engine relies on this to run a million paths.)

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
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
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        dealsim::engine::run(&run.model, &run.plan, &values, &mut outcome, &mut ledger);
        let after = ALLOCATIONS.load(Ordering::Relaxed);
        assert_eq!(after - before, 0, "{name}: the warm run allocated");
        assert_eq!(ledger.flows.len(), flows, "{name}: the second run differs");
        assert_eq!(
            ledger.flows, run.ledger.flows,
            "{name}: not the same flows as Run::new"
        );
    }
}
