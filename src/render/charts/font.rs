//! The bundled DejaVu faces: registration with plotters, and glyph metrics.
//!
//! plotters is built without font-kit, so text only renders once a face is
//! registered under the family name the charts ask for ([`register`]).
//!
//! Its ab_glyph renderer also places each glyph at its pen position without
//! the glyph's left side bearing, which opens visible gaps ("Cumulati ve").
//! The bitmap painter therefore lays text out itself from the metrics read
//! here (advances, side bearings and pair kerning from the font's own
//! `hmtx`, `cmap` and `kern` tables) and hands plotters one glyph at a time.

use std::collections::HashMap;
use std::sync::OnceLock;

use plotters::style::{register_font, FontStyle};

const REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");
const CONDENSED: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSansCondensed.ttf");

/// Family names as plotters knows them. The SVG backend writes them into
/// `font-family`, so they carry fallbacks for viewers without DejaVu.
const SANS: &str = "DejaVu Sans, Verdana, sans-serif";
const SANS_CONDENSED: &str = "DejaVu Sans Condensed, Arial Narrow, sans-serif";

/// One of the bundled faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    Regular,
    Bold,
    Condensed,
}

impl Face {
    pub fn family(self) -> &'static str {
        match self {
            Face::Regular | Face::Bold => SANS,
            Face::Condensed => SANS_CONDENSED,
        }
    }

    pub fn style(self) -> FontStyle {
        match self {
            Face::Bold => FontStyle::Bold,
            Face::Regular | Face::Condensed => FontStyle::Normal,
        }
    }

    fn bytes(self) -> &'static [u8] {
        match self {
            Face::Regular => REGULAR,
            Face::Bold => BOLD,
            Face::Condensed => CONDENSED,
        }
    }

    /// The face's metrics, parsed once.
    pub fn metrics(self) -> Result<&'static Metrics, String> {
        static CELLS: [OnceLock<Result<Metrics, String>>; 3] =
            [OnceLock::new(), OnceLock::new(), OnceLock::new()];
        let cell = &CELLS[self as usize];
        cell.get_or_init(|| {
            Metrics::parse(self.bytes()).map_err(|e| format!("bundled font {self:?}: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
    }
}

/// Registers the bundled faces with plotters (once per process).
pub fn register() -> Result<(), String> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        for face in [Face::Regular, Face::Bold, Face::Condensed] {
            register_font(face.family(), face.style(), face.bytes())
                .map_err(|_| format!("bundled font {face:?} is not a valid font"))?;
        }
        Ok(())
    })
    .clone()
}

/// A font at a size. `size` is plotters' size: the pixel height from the
/// face's descender to its ascender (one em is `size * 2048 / 2384` here).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Font {
    pub face: Face,
    pub size: f64,
}

impl Font {
    pub fn new(face: Face, size: f64) -> Font {
        Font { face, size }
    }

    /// Height of a capital letter above the baseline, in pixels.
    pub fn cap_height(&self) -> f64 {
        self.size * 0.62
    }

    /// Depth of descenders below the baseline, in pixels.
    pub fn descent(&self) -> f64 {
        self.size * 0.2
    }

    /// Advance width of `text`, in pixels.
    pub fn width(&self, text: &str) -> f64 {
        self.face
            .metrics()
            .map_or(text.chars().count() as f64 * self.size * 0.5, |m| {
                m.layout(text, self.size).width
            })
    }
}

/// Where each glyph of a line of text goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Per char: the char, its pen position and its left side bearing (pixels).
    pub glyphs: Vec<(char, f64, f64)>,
    pub width: f64,
}

/// What the charts need of a TrueType face.
#[derive(Debug)]
pub struct Metrics {
    /// Ascender minus descender (hhea), in font units: ab_glyph's pixel size.
    height_units: f64,
    glyph_of: HashMap<char, u16>,
    advance: Vec<u16>,
    bearing: Vec<i16>,
    kerning: HashMap<(u16, u16), i16>,
}

impl Metrics {
    /// Lays out one line of text at `size` (see [`Font::size`]).
    pub fn layout(&self, text: &str, size: f64) -> Layout {
        let scale = size / self.height_units;
        let mut pen = 0.0;
        let mut prev: Option<u16> = None;
        let mut glyphs = Vec::with_capacity(text.len());
        for c in text.chars() {
            let g = self.glyph_of.get(&c).copied().unwrap_or(0);
            if let Some(p) = prev {
                pen += f64::from(self.kerning.get(&(p, g)).copied().unwrap_or(0)) * scale;
            }
            let ix = usize::from(g);
            glyphs.push((
                c,
                pen,
                f64::from(self.bearing.get(ix).copied().unwrap_or(0)) * scale,
            ));
            pen += f64::from(self.advance.get(ix).copied().unwrap_or(0)) * scale;
            prev = Some(g);
        }
        Layout { glyphs, width: pen }
    }

    fn parse(font: &[u8]) -> Result<Metrics, String> {
        let f = Bytes(font);
        let hhea = f.table(b"hhea")?;
        let height_units = f64::from(f.i16(hhea + 4)?) - f64::from(f.i16(hhea + 6)?);
        let metric_count = usize::from(f.u16(hhea + 34)?);
        let glyph_count = usize::from(f.u16(f.table(b"maxp")? + 4)?);
        let hmtx = f.table(b"hmtx")?;
        let (mut advance, mut bearing) = (
            Vec::with_capacity(glyph_count),
            Vec::with_capacity(glyph_count),
        );
        for g in 0..glyph_count {
            if g < metric_count {
                advance.push(f.u16(hmtx + 4 * g)?);
                bearing.push(f.i16(hmtx + 4 * g + 2)?);
            } else {
                advance.push(advance.last().copied().unwrap_or(0));
                bearing.push(f.i16(hmtx + 4 * metric_count + 2 * (g - metric_count))?);
            }
        }
        if height_units <= 0.0 {
            return Err("hhea ascender/descender are not usable".into());
        }
        Ok(Metrics {
            height_units,
            glyph_of: f.cmap()?,
            advance,
            bearing,
            kerning: f.kerning()?,
        })
    }
}

/// Big-endian reads with bounds checks over a font file.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u16(&self, at: usize) -> Result<u16, String> {
        self.0
            .get(at..at + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| format!("truncated at byte {at}"))
    }

    fn i16(&self, at: usize) -> Result<i16, String> {
        self.u16(at).map(|v| v as i16)
    }

    fn u32(&self, at: usize) -> Result<u32, String> {
        Ok(u32::from(self.u16(at)?) << 16 | u32::from(self.u16(at + 2)?))
    }

    /// Offset of a table from the table directory.
    fn table(&self, tag: &[u8; 4]) -> Result<usize, String> {
        let count = usize::from(self.u16(4)?);
        for i in 0..count {
            let rec = 12 + 16 * i;
            if self.0.get(rec..rec + 4) == Some(&tag[..]) {
                return Ok(self.u32(rec + 8)? as usize);
            }
        }
        Err(format!("no '{}' table", String::from_utf8_lossy(tag)))
    }

    /// Char to glyph, from the Windows Unicode BMP subtable (format 4).
    fn cmap(&self) -> Result<HashMap<char, u16>, String> {
        let cmap = self.table(b"cmap")?;
        let count = usize::from(self.u16(cmap + 2)?);
        let sub = (0..count)
            .map(|i| cmap + 4 + 8 * i)
            .find(|&rec| {
                matches!(
                    (self.u16(rec), self.u16(rec + 2)),
                    (Ok(3), Ok(1)) | (Ok(0), Ok(3))
                )
            })
            .ok_or("no Unicode BMP cmap")?;
        let at = cmap + self.u32(sub + 4)? as usize;
        if self.u16(at)? != 4 {
            return Err("cmap subtable is not format 4".into());
        }
        let segments = usize::from(self.u16(at + 6)?) / 2;
        let ends = at + 14;
        let starts = ends + 2 * segments + 2;
        let deltas = starts + 2 * segments;
        let range_offsets = deltas + 2 * segments;
        let mut map = HashMap::new();
        for s in 0..segments {
            let (start, end) = (self.u16(starts + 2 * s)?, self.u16(ends + 2 * s)?);
            let delta = self.u16(deltas + 2 * s)?;
            let range_at = range_offsets + 2 * s;
            let range_offset = usize::from(self.u16(range_at)?);
            for code in start..=end.min(0xFFFE) {
                let glyph = if range_offset == 0 {
                    code.wrapping_add(delta)
                } else {
                    match self.u16(range_at + range_offset + 2 * usize::from(code - start))? {
                        0 => 0,
                        g => g.wrapping_add(delta),
                    }
                };
                if let (Some(c), true) = (char::from_u32(u32::from(code)), glyph != 0) {
                    map.insert(c, glyph);
                }
            }
        }
        Ok(map)
    }

    /// Horizontal pair kerning from the first `kern` subtable (format 0), if any.
    fn kerning(&self) -> Result<HashMap<(u16, u16), i16>, String> {
        let mut pairs = HashMap::new();
        let Ok(kern) = self.table(b"kern") else {
            return Ok(pairs);
        };
        if self.u16(kern)? != 0 || self.u16(kern + 2)? == 0 {
            return Ok(pairs);
        }
        let sub = kern + 4;
        let coverage = self.u16(sub + 4)?;
        if coverage >> 8 != 0 || coverage & 1 == 0 {
            return Ok(pairs);
        }
        let count = usize::from(self.u16(sub + 6)?);
        for i in 0..count {
            let rec = sub + 14 + 6 * i;
            pairs.insert((self.u16(rec)?, self.u16(rec + 2)?), self.i16(rec + 4)?);
        }
        Ok(pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::style::FontDesc;

    #[test]
    fn widths_match_plotters_own_layout() {
        register().unwrap();
        for face in [Face::Regular, Face::Bold, Face::Condensed] {
            for (text, size) in [
                ("Cumulative net, $B", 28.0),
                ("AVAST Wy 1,234.5 · Q1 2026", 17.0),
            ] {
                let ours = Font::new(face, size).width(text);
                let (theirs, _) = FontDesc::new(face.family().into(), size, face.style())
                    .box_size(text)
                    .unwrap();
                // plotters truncates its float sum to whole pixels.
                assert!(
                    (ours - f64::from(theirs)).abs() < 1.0,
                    "{face:?} {text}: {ours} vs {theirs}"
                );
            }
        }
    }
}
