//! Structure-aware: a shipped scenario edited by the fuzzer's bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    dealsim_fuzz::exercise(&dealsim_fuzz::mutate(data));
});
