//! The workbook's formats, in analysts' conventions: numbers dealsim wrote
//! (inputs and its own results) in blue, Excel formulas in black; money as
//! `#,##0.0;(#,##0.0);"-"` with the unit in the header, shares and rates as
//! `0.0%`, multiples as `0.0"x"`, dates as real dates.

use plotters::style::RGBColor;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder};

/// Blue of hard-coded numbers.
const INPUT_BLUE: Color = Color::RGB(0x0000FF);
const HEADER_FILL: Color = Color::RGB(0xF2F2F2);
const NOTE_GREY: Color = Color::RGB(0x5F5F5F);

/// How a number reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Num {
    /// In the scenario's unit, one decimal.
    Money,
    /// A share or an annual rate.
    Percent,
    /// A multiple, e.g. MOIC.
    Multiple,
    /// A round-trip ratio (two decimals: they sit near 1).
    Ratio,
    /// A date.
    Date,
    /// A whole number (period index, months).
    Count,
    /// Any other number, as written.
    Plain,
    /// Excel - dealsim: tiny, so in scientific notation.
    Difference,
}

impl Num {
    fn pattern(self) -> &'static str {
        match self {
            Num::Money => "#,##0.0;(#,##0.0);\"-\"",
            Num::Percent => "0.0%",
            Num::Multiple => "0.0\"x\"",
            Num::Ratio => "0.00\"x\"",
            Num::Date => "yyyy-mm-dd",
            Num::Count => "0",
            Num::Plain => "General",
            Num::Difference => "0.0E+00;-0.0E+00;\"-\"",
        }
    }

    const ALL: [Num; 8] = [
        Num::Money,
        Num::Percent,
        Num::Multiple,
        Num::Ratio,
        Num::Date,
        Num::Count,
        Num::Plain,
        Num::Difference,
    ];
}

/// Every format the sheets use.
pub struct Styles {
    pub title: Format,
    pub header: Format,
    /// A header over a block of columns (a party's name).
    pub group: Format,
    pub note: Format,
    pub bold: Format,
    inputs: Vec<Format>,
    formulas: Vec<Format>,
    totals: Vec<Format>,
}

impl Styles {
    pub fn new() -> Styles {
        let number = |n: Num| Format::new().set_num_format(n.pattern());
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_background_color(HEADER_FILL)
                .set_border_bottom(FormatBorder::Thin)
                .set_align(FormatAlign::Top),
            group: Format::new()
                .set_bold()
                .set_background_color(HEADER_FILL)
                .set_align(FormatAlign::Center),
            note: Format::new().set_italic().set_font_color(NOTE_GREY),
            bold: Format::new().set_bold(),
            inputs: Num::ALL
                .iter()
                .map(|&n| number(n).set_font_color(INPUT_BLUE))
                .collect(),
            formulas: Num::ALL.iter().map(|&n| number(n)).collect(),
            totals: Num::ALL
                .iter()
                .map(|&n| number(n).set_bold().set_border_top(FormatBorder::Thin))
                .collect(),
        }
    }

    /// A number dealsim wrote (an input or one of its results): blue.
    pub fn input(&self, n: Num) -> &Format {
        &self.inputs[n as usize]
    }

    /// An Excel formula: black.
    pub fn formula(&self, n: Num) -> &Format {
        &self.formulas[n as usize]
    }

    /// A formula on a totals row: black, bold, ruled above.
    pub fn total(&self, n: Num) -> &Format {
        &self.totals[n as usize]
    }

    /// A party's name over its block, in (a text shade of) its chart colour.
    pub fn party(&self, c: RGBColor) -> Format {
        self.group.clone().set_font_color(color(c))
    }
}

/// A plotters colour as an Excel one.
pub fn color(c: RGBColor) -> Color {
    Color::RGB((u32::from(c.0) << 16) | (u32::from(c.1) << 8) | u32::from(c.2))
}
