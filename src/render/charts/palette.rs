//! Colours: one per party, one per flow kind, and the greys of text,
//! gridlines and axes.
//!
//! Party colours are assigned once per run by [`Parties::of`], which every
//! chart uses, so a party keeps one colour on every chart of a run. Well-known
//! party ids (`openai`, `amazon`, `nvidia`, ...) always get the same colour,
//! in every scenario; the other ids take the colours left over, in palette
//! order and file order. No two parties of a scenario share a colour until
//! there are more parties than [`PARTIES`] has colours times [`ROUNDS`].

use plotters::style::RGBColor;

use crate::engine::FlowKind;
use crate::model::{Model, EXTERNAL};

/// Party colours: Tableau 10 plus an olive and a violet (so each well-known
/// id has its own); yellow late because it is the weakest on white, warm grey
/// last because it reads like the greys of reference marks.
const PARTIES: [RGBColor; 12] = [
    RGBColor(0x4E, 0x79, 0xA7), // 0 blue
    RGBColor(0xF2, 0x8E, 0x2B), // 1 orange
    RGBColor(0x59, 0xA1, 0x4F), // 2 green
    RGBColor(0xE1, 0x57, 0x59), // 3 red
    RGBColor(0xB0, 0x7A, 0xA1), // 4 purple
    RGBColor(0x76, 0xB7, 0xB2), // 5 teal
    RGBColor(0x9C, 0x75, 0x5F), // 6 brown
    RGBColor(0xFF, 0x9D, 0xA7), // 7 pink
    RGBColor(0x9A, 0x98, 0x38), // 8 olive
    RGBColor(0x5D, 0x3A, 0x9B), // 9 violet
    RGBColor(0xED, 0xC9, 0x48), // 10 yellow
    RGBColor(0x79, 0x70, 0x6E), // 11 warm grey, for other ids only
];

/// Well-known party ids (compared lower-case) and their index in [`PARTIES`].
const KNOWN: [(&str, usize); 14] = [
    ("openai", 0),
    ("amazon", 1),
    ("aws", 1),
    ("nvidia", 2),
    ("amd", 3),
    ("softbank", 4),
    ("microsoft", 5),
    ("azure", 5),
    ("coreweave", 6),
    ("oracle", 7),
    ("broadcom", 8),
    ("anthropic", 9),
    ("google", 10),
    ("alphabet", 10),
];

/// Rounds of the palette: as is, darker, lighter; then colours repeat.
const ROUNDS: usize = 3;

/// The grey of `external` (never a deal party).
const EXTERNAL_GREY: RGBColor = RGBColor(0x99, 0x99, 0x99);

pub const WHITE: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);
pub const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub const MUTED_TEXT: RGBColor = RGBColor(0x5F, 0x5F, 0x5F);
pub const GRID: RGBColor = RGBColor(0xE3, 0xE3, 0xE3);
pub const YEAR_GRID: RGBColor = RGBColor(0xF0, 0xF0, 0xF0);
pub const AXIS: RGBColor = RGBColor(0x9A, 0x9A, 0x9A);
pub const ZERO: RGBColor = RGBColor(0x33, 0x33, 0x33);
/// Reference lines and markers that belong to no party (caps, dates).
pub const REFERENCE: RGBColor = RGBColor(0x44, 0x44, 0x44);

/// The colour of every party of a run, by party index.
#[derive(Debug, Clone)]
pub struct Parties {
    colors: Vec<RGBColor>,
}

impl Parties {
    /// Colours for the parties of `model`: well-known ids first, to their
    /// own colours, then the others in file order, to the first colour no
    /// party of the scenario has.
    pub fn of(model: &Model) -> Parties {
        let ids: Vec<&str> = model.parties.iter().map(|p| p.id.as_str()).collect();
        Parties {
            colors: slots(&ids).into_iter().map(slot_color).collect(),
        }
    }

    /// Colours for parties named by id (`ids[0]` stands for `external`), as
    /// [`Parties::of`] assigns them: for the union of several scenarios' parties.
    pub fn of_ids(ids: &[&str]) -> Parties {
        Parties {
            colors: slots(ids).into_iter().map(slot_color).collect(),
        }
    }

    /// The colour of party `index` (grey for `external` or an unknown index).
    pub fn color(&self, index: usize) -> RGBColor {
        match index {
            EXTERNAL => EXTERNAL_GREY,
            i => self.colors.get(i).copied().unwrap_or(EXTERNAL_GREY),
        }
    }

    /// A party colour dark enough for text on white.
    pub fn text(&self, index: usize) -> RGBColor {
        darken(self.color(index), 0.35)
    }
}

/// The palette slot of each party (`ids[0]` is `external`, slot 0 unused):
/// a well-known id gets its own slot unless an earlier party took it, every
/// other party the lowest free slot; slots past [`PARTIES`] are its darker
/// and lighter rounds, and past those they repeat.
fn slots(ids: &[&str]) -> Vec<usize> {
    let total = PARTIES.len() * ROUNDS;
    let mut taken = vec![false; total];
    let mut out: Vec<Option<usize>> = vec![None; ids.len()];
    for (i, id) in ids.iter().enumerate().skip(1) {
        let id = id.to_ascii_lowercase();
        if let Some(&(_, slot)) = KNOWN.iter().find(|(k, _)| *k == id) {
            if !taken[slot] {
                taken[slot] = true;
                out[i] = Some(slot);
            }
        }
    }
    let mut next = 0;
    for (i, slot) in out.iter_mut().enumerate().skip(1) {
        if slot.is_some() {
            continue;
        }
        while next < total && taken[next] {
            next += 1;
        }
        if next < total {
            taken[next] = true;
            *slot = Some(next);
        } else {
            // Every colour is in use: repeat them, in order.
            *slot = Some(i % total);
        }
    }
    out.into_iter().map(|s| s.unwrap_or(0)).collect()
}

/// The colour of palette slot `slot` (see [`slots`]).
fn slot_color(slot: usize) -> RGBColor {
    let base = PARTIES[slot % PARTIES.len()];
    match (slot / PARTIES.len()) % ROUNDS {
        0 => base,
        1 => darken(base, 0.4),
        _ => tint(base, 0.5),
    }
}

/// The colour of a flow kind's bars: lighter than the party colours, so a
/// party's line stands out over its bars.
pub fn kind(kind: FlowKind) -> RGBColor {
    match kind {
        FlowKind::Revenue => RGBColor(0x8C, 0xC6, 0x8A),
        FlowKind::OperatingCost => RGBColor(0xBD, 0xBD, 0xBD),
        FlowKind::Tranche => RGBColor(0x8F, 0xB8, 0xDE),
        FlowKind::Credit => RGBColor(0x9E, 0xDA, 0xE5),
        FlowKind::Compute => RGBColor(0xF7, 0xB6, 0x7A),
        FlowKind::CostOfServing => RGBColor(0xD4, 0xB4, 0x96),
        FlowKind::RevenueShare => RGBColor(0xC5, 0xA5, 0xD8),
        FlowKind::Payment => RGBColor(0xF4, 0xA6, 0xB8),
        FlowKind::TerminalValue => RGBColor(0xE6, 0xD0, 0x6E),
    }
}

/// A lighter tint of `c` (`amount` 0 = unchanged, 1 = white).
pub fn tint(c: RGBColor, amount: f64) -> RGBColor {
    let mix = |v: u8| (f64::from(v) + (255.0 - f64::from(v)) * amount).round() as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

/// A darker shade of `c` (`amount` 0 = unchanged, 1 = black).
pub fn darken(c: RGBColor, amount: f64) -> RGBColor {
    let mix = |v: u8| (f64::from(v) * (1.0 - amount)).round() as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(file: &str) -> Model {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(file);
        crate::Run::from_file(&path, &[])
            .expect("scenario runs")
            .model
    }

    const SCENARIOS: [&str; 4] = [
        "amazon-anthropic.toml",
        "amazon-openai-2026.toml",
        "microsoft-revenue-share.toml",
        "openai-infrastructure.toml",
    ];

    #[test]
    fn parties_of_each_shipped_scenario_have_distinct_colours() {
        for file in SCENARIOS {
            let m = model(file);
            let colors = Parties::of(&m);
            let all: Vec<RGBColor> = (0..m.parties.len()).map(|i| colors.color(i)).collect();
            for (i, a) in all.iter().enumerate() {
                for (j, b) in all.iter().enumerate().skip(i + 1) {
                    assert_ne!(
                        a, b,
                        "{file}: {} and {} share a colour",
                        m.parties[i].id, m.parties[j].id
                    );
                }
            }
        }
    }

    #[test]
    fn a_well_known_party_keeps_its_colour_across_scenarios() {
        let color_of = |file: &str, id: &str| {
            let m = model(file);
            let i = m.party_index(id).expect("party in scenario");
            Parties::of(&m).color(i)
        };
        let amazon = color_of("amazon-anthropic.toml", "amazon");
        assert_eq!(amazon, color_of("amazon-openai-2026.toml", "amazon"));
        assert_eq!(amazon, color_of("openai-infrastructure.toml", "amazon"));
        let nvidia = color_of("amazon-openai-2026.toml", "nvidia");
        assert_eq!(nvidia, color_of("openai-infrastructure.toml", "nvidia"));
        let openai = color_of("microsoft-revenue-share.toml", "openai");
        assert_eq!(openai, color_of("openai-infrastructure.toml", "openai"));
    }

    #[test]
    fn well_known_ids_have_their_own_slots() {
        // Aliases share a slot; different companies never do.
        for (i, (a, sa)) in KNOWN.iter().enumerate() {
            for (b, sb) in &KNOWN[i + 1..] {
                let alias = matches!(
                    (*a, *b),
                    ("amazon", "aws") | ("microsoft", "azure") | ("google", "alphabet")
                );
                assert_eq!(sa == sb, alias, "{a} and {b}");
            }
        }
    }

    #[test]
    fn other_ids_take_free_colours_in_file_order() {
        // `acme` takes blue (slot 0) when OpenAI is absent, the next free
        // slot (orange, 1) when it is present; Nvidia keeps green either way.
        assert_eq!(slots(&["external", "acme", "nvidia"]), vec![0, 0, 2]);
        assert_eq!(slots(&["external", "acme", "openai"]), vec![0, 1, 0]);
        // A repeated well-known id gets a free slot, not its twin's.
        assert_eq!(slots(&["external", "amazon", "aws"]), vec![0, 1, 0]);
        // As many parties as slots: all distinct.
        let total = PARTIES.len() * ROUNDS;
        let ids: Vec<String> = (0..=total).map(|i| format!("p{i}")).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let colors: Vec<RGBColor> = slots(&ids)[1..].iter().map(|s| slot_color(*s)).collect();
        for (i, a) in colors.iter().enumerate() {
            for b in &colors[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
