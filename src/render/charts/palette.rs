//! Colours: one per party (by its place in the scenario, so a party keeps
//! its colour on every chart of a run), one per flow kind, and the greys of
//! text, gridlines and axes.

use plotters::style::RGBColor;

use crate::engine::FlowKind;

/// Party colours (Tableau 10, yellow moved last: it is the weakest on white).
const PARTIES: [RGBColor; 10] = [
    RGBColor(0x4E, 0x79, 0xA7), // blue
    RGBColor(0xF2, 0x8E, 0x2B), // orange
    RGBColor(0x59, 0xA1, 0x4F), // green
    RGBColor(0xE1, 0x57, 0x59), // red
    RGBColor(0xB0, 0x7A, 0xA1), // purple
    RGBColor(0x76, 0xB7, 0xB2), // teal
    RGBColor(0x9C, 0x75, 0x5F), // brown
    RGBColor(0xFF, 0x9D, 0xA7), // pink
    RGBColor(0x79, 0x70, 0x6E), // warm grey
    RGBColor(0xED, 0xC9, 0x48), // yellow
];

pub const WHITE: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);
pub const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub const MUTED_TEXT: RGBColor = RGBColor(0x5F, 0x5F, 0x5F);
pub const GRID: RGBColor = RGBColor(0xE3, 0xE3, 0xE3);
pub const YEAR_GRID: RGBColor = RGBColor(0xF0, 0xF0, 0xF0);
pub const AXIS: RGBColor = RGBColor(0x9A, 0x9A, 0x9A);
pub const ZERO: RGBColor = RGBColor(0x33, 0x33, 0x33);
/// Reference lines and markers that belong to no party (caps, dates).
pub const REFERENCE: RGBColor = RGBColor(0x44, 0x44, 0x44);

/// The colour of party `index` (index 0, `external`, is grey).
pub fn party(index: usize) -> RGBColor {
    match index {
        0 => RGBColor(0x99, 0x99, 0x99),
        i => PARTIES[(i - 1) % PARTIES.len()],
    }
}

/// A party colour dark enough for text on white.
pub fn party_text(index: usize) -> RGBColor {
    darken(party(index), 0.35)
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
