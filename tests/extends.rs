//! `extends`: variants written as changes to a base scenario.

use std::path::Path;
use std::process::Command;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

const BASE: &str = r#"[scenario]
name = "base"
start = 2026-01-01
end = 2027-12-31
period = "quarter"
discount_rate = 0.1

[[party]]
id = "cloud"
gross_margin = 0.4

[[party]]
id = "lab"

[[investment]]
id = "inv"
investor = "cloud"
investee = "lab"
post_money = 100.0
total = 10.0

[[investment.tranche]]
id = "a"
amount = 4.0
date = 2026-03-31

[[investment.tranche]]
id = "b"
amount = 6.0
date = 2027-03-31

[[commitment]]
id = "c1"
buyer = "lab"
provider = "cloud"
total = 8.0
start = 2026-01-01
end = 2027-12-31

[[commitment]]
id = "c2"
buyer = "lab"
provider = "cloud"
total = 2.0
start = 2026-01-01
end = 2027-12-31
"#;

fn validate(dir: &Path, file: &str) -> (i32, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_dealsim"))
        .args(["validate", file])
        .current_dir(dir)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn a_variant_changes_only_what_it_writes() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "base.toml", BASE);
    write(
        tmp.path(),
        "variant.toml",
        "extends = \"base.toml\"\ndrop = [\"commitment.c2\"]\n[scenario]\nname = \"variant\"\n\
         [[investment]]\nid = \"inv\"\ntotal = 9.0\n[[investment.tranche]]\nid = \"b\"\namount = 5.0\n\
         [[party]]\nid = \"other\"\n",
    );
    let base = dealsim::Run::from_file(&tmp.path().join("base.toml"), &[]).unwrap();
    let v = dealsim::Run::from_file(&tmp.path().join("variant.toml"), &[]).unwrap();
    assert_eq!(v.model.meta.name, "variant");
    // Tranche b: 6 -> 5; tranche a inherited. Stake: 4/100 + 5/100.
    let amounts: Vec<f64> = v.summary.tranches.iter().map(|t| t.amount).collect();
    assert_eq!(amounts, vec![4.0, 5.0]);
    // c2 dropped, c1 inherited whole: compute 8 instead of 8 + 2.
    assert_eq!(base.summary.commitments.len(), 2);
    assert_eq!(v.summary.commitments.len(), 1);
    assert_eq!(v.summary.commitments[0].id, "c1");
    // A new party is appended.
    assert!(v.model.party_index("other").is_some());
    // The period and window are inherited.
    assert_eq!(v.model.grid.len(), base.model.grid.len());
}

#[test]
fn errors_point_into_the_file_that_holds_the_bad_value() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "base.toml", BASE);
    // The variant's own bad value: reported in the variant at its line (line 5).
    write(
        tmp.path(),
        "v1.toml",
        "extends = \"base.toml\"\n\n[[commitment]]\nid = \"c1\"\ntake_or_pay = 1.5\n",
    );
    let (code, err) = validate(tmp.path(), "v1.toml");
    assert_eq!(code, 2);
    assert!(err.contains("v1.toml:5:15:"), "{err}");
    // A bad value inherited from the base: reported in the base, where it is written.
    let bad_base = BASE.replace("gross_margin = 0.4", "gross_margin = 1.4");
    write(tmp.path(), "bad-base.toml", &bad_base);
    write(
        tmp.path(),
        "v2.toml",
        "extends = \"bad-base.toml\"\n[scenario]\nname = \"v2\"\n",
    );
    let (code, err) = validate(tmp.path(), "v2.toml");
    assert_eq!(code, 2);
    // `gross_margin = 1.4` is line 10 of the base, value at column 16.
    assert!(err.contains("bad-base.toml:10:16:"), "{err}");
    // Dropping an entry the base does not have: reported at the `drop` entry, in the variant.
    write(
        tmp.path(),
        "v3.toml",
        "extends = \"base.toml\"\ndrop = [\"party.nope\"]\n",
    );
    let (code, err) = validate(tmp.path(), "v3.toml");
    assert_eq!(code, 2);
    assert!(
        err.contains("v3.toml:2:9:") && err.contains("no `party` with id `nope`"),
        "{err}"
    );
}

#[test]
fn a_missing_base_or_a_cycle_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "a.toml", "extends = \"b.toml\"\n");
    write(tmp.path(), "b.toml", "extends = \"a.toml\"\n");
    let (code, err) = validate(tmp.path(), "a.toml");
    assert_eq!(code, 2);
    assert!(
        err.contains("extends back to a file of its own chain"),
        "{err}"
    );
    write(tmp.path(), "c.toml", "extends = \"missing.toml\"\n");
    let (code, err) = validate(tmp.path(), "c.toml");
    assert_eq!(code, 2);
    assert!(
        err.contains("c.toml:1:11:") && err.contains("no such file"),
        "{err}"
    );
}
