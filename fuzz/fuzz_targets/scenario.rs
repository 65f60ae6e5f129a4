//! Arbitrary bytes as a scenario file: parse, validate, run, render.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        dealsim_fuzz::exercise(text);
    }
});
