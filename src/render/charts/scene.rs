//! A chart as a list of shapes in pixel coordinates, and the painters that
//! turn it into a PNG or an SVG file.
//!
//! Charts are laid out once into a [`Scene`]; [`write_png`] and [`write_svg`]
//! paint the same scene with plotters. The PNG is drawn at twice its size and
//! averaged down (anti-aliased lines and bar edges), with glyphs placed one
//! by one from the bundled metrics (see [`super::font`]). The SVG keeps each
//! label as one `<text>` element, so it stays editable.

use std::path::Path;

use plotters::backend::{BitMapBackend, DrawingBackend, SVGBackend};
use plotters::coord::Shift;
use plotters::drawing::{DrawingArea, IntoDrawingArea};
use plotters::element::{Circle, PathElement, Polygon, Rectangle};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, IntoFont, RGBColor, ShapeStyle, TextStyle};

use super::font::Font;

/// How a line of text hangs from its anchor point (which is on the baseline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// One drawable thing. Coordinates are pixels from the top-left corner.
#[derive(Debug, Clone)]
pub enum Shape {
    Rect {
        x0: f64,
        y0: f64,
        x1: f64,
        y1: f64,
        fill: RGBColor,
    },
    /// A polyline; `dash` is (dash, gap) lengths in pixels.
    Line {
        points: Vec<(f64, f64)>,
        color: RGBColor,
        width: f64,
        dash: Option<(f64, f64)>,
    },
    Polygon {
        points: Vec<(f64, f64)>,
        fill: RGBColor,
    },
    /// A disc when `fill` is set; its outline when `stroke` is set.
    Circle {
        x: f64,
        y: f64,
        radius: f64,
        fill: Option<RGBColor>,
        stroke: Option<(RGBColor, f64)>,
    },
    /// One line of text; `y` is the baseline.
    Text {
        text: String,
        x: f64,
        y: f64,
        font: Font,
        align: Align,
        color: RGBColor,
    },
}

/// A chart ready to paint.
#[derive(Debug, Clone)]
pub struct Scene {
    pub width: u32,
    pub height: u32,
    pub shapes: Vec<Shape>,
}

impl Scene {
    pub fn new(width: u32, height: u32) -> Scene {
        Scene {
            width,
            height,
            shapes: Vec::new(),
        }
    }

    pub fn push(&mut self, shape: Shape) {
        self.shapes.push(shape);
    }

    pub fn rect(&mut self, (x0, y0): (f64, f64), (x1, y1): (f64, f64), fill: RGBColor) {
        self.push(Shape::Rect {
            x0: x0.min(x1),
            y0: y0.min(y1),
            x1: x0.max(x1),
            y1: y0.max(y1),
            fill,
        });
    }

    pub fn line(&mut self, points: Vec<(f64, f64)>, color: RGBColor, width: f64) {
        self.push(Shape::Line {
            points,
            color,
            width,
            dash: None,
        });
    }

    pub fn dashed(
        &mut self,
        points: Vec<(f64, f64)>,
        color: RGBColor,
        width: f64,
        dash: (f64, f64),
    ) {
        self.push(Shape::Line {
            points,
            color,
            width,
            dash: Some(dash),
        });
    }

    pub fn text(
        &mut self,
        text: impl Into<String>,
        (x, y): (f64, f64),
        font: Font,
        align: Align,
        color: RGBColor,
    ) {
        self.push(Shape::Text {
            text: text.into(),
            x,
            y,
            font,
            align,
            color,
        });
    }
}

/// PNG is drawn this many times larger, then averaged down.
const SUPERSAMPLE: u32 = 2;

/// Paints `scene` into a PNG file.
pub fn write_png(scene: &Scene, path: &Path) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let (w, h) = (scene.width, scene.height);
    let (bw, bh) = (w * SUPERSAMPLE, h * SUPERSAMPLE);
    let mut big = vec![255u8; bw as usize * bh as usize * 3];
    {
        let area = BitMapBackend::with_buffer(&mut big, (bw, bh)).into_drawing_area();
        paint(scene, &area, f64::from(SUPERSAMPLE), Text::Glyphs).map_err(|e| err(&e))?;
        area.present().map_err(|e| err(&e))?;
    }
    let small = downsample(&big, bw as usize, bh as usize, SUPERSAMPLE as usize);
    let mut file = BitMapBackend::new(path, (w, h));
    file.blit_bitmap((0, 0), (w, h), &small)
        .map_err(|e| err(&e))?;
    file.present().map_err(|e| err(&e))
}

/// Paints `scene` into an SVG file.
pub fn write_svg(scene: &Scene, path: &Path) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let area = SVGBackend::new(path, (scene.width, scene.height)).into_drawing_area();
    paint(scene, &area, 1.0, Text::Elements).map_err(|e| err(&e))?;
    area.present().map_err(|e| err(&e))
}

/// Averages `factor` x `factor` blocks of an RGB buffer.
///
/// Row by row over whole pixel blocks (no index arithmetic per channel):
/// a 3200 x 1800 buffer was a tenth of a stress run's chart time.
fn downsample(src: &[u8], w: usize, h: usize, factor: usize) -> Vec<u8> {
    let (sw, sh) = (w / factor, h / factor);
    let mut out = vec![0u8; sw * sh * 3];
    if sw == 0 || sh == 0 {
        return out;
    }
    let n = (factor * factor) as u32;
    let mut sums = vec![0u32; sw * 3];
    for (y, out_row) in out.chunks_exact_mut(sw * 3).enumerate() {
        sums.fill(0);
        for dy in 0..factor {
            let row = &src[(y * factor + dy) * w * 3..][..sw * factor * 3];
            for (sum, block) in sums.chunks_exact_mut(3).zip(row.chunks_exact(3 * factor)) {
                for px in block.chunks_exact(3) {
                    for c in 0..3 {
                        sum[c] += u32::from(px[c]);
                    }
                }
            }
        }
        for (o, &sum) in out_row.iter_mut().zip(&sums) {
            *o = ((sum + n / 2) / n) as u8;
        }
    }
    out
}

/// How text reaches the backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Text {
    /// Glyph by glyph at positions computed from the font metrics (bitmaps).
    Glyphs,
    /// One element per label, positioned by the viewer (SVG).
    Elements,
}

fn paint<DB: DrawingBackend>(
    scene: &Scene,
    area: &DrawingArea<DB, Shift>,
    scale: f64,
    text: Text,
) -> Result<(), String> {
    let px = |v: f64| (v * scale).round() as i32;
    let pt = |(x, y): (f64, f64)| (px(x), px(y));
    let stroke = |w: f64| ((w * scale).round() as u32).max(1);
    let e = |e: plotters::drawing::DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    area.fill(&RGBColor(255, 255, 255)).map_err(e)?;
    for shape in &scene.shapes {
        match shape {
            Shape::Rect {
                x0,
                y0,
                x1,
                y1,
                fill,
            } => {
                // Both backends fill up to, not including, the far corner.
                let (a, b) = ((px(*x0), px(*y0)), (px(*x1), px(*y1)));
                if b.0 > a.0 && b.1 > a.1 {
                    area.draw(&Rectangle::new([a, b], fill.filled()))
                        .map_err(e)?;
                }
            }
            Shape::Line {
                points,
                color,
                width,
                dash,
            } => {
                let style = ShapeStyle {
                    color: color.to_rgba(),
                    filled: false,
                    stroke_width: stroke(*width),
                };
                let runs = match dash {
                    Some((on, off)) => dashes(points, *on, *off),
                    None => vec![points.clone()],
                };
                for run in runs {
                    area.draw(&PathElement::new(
                        run.into_iter().map(pt).collect::<Vec<_>>(),
                        style,
                    ))
                    .map_err(e)?;
                }
            }
            Shape::Polygon { points, fill } => {
                area.draw(&Polygon::new(
                    points.iter().copied().map(pt).collect::<Vec<_>>(),
                    fill.filled(),
                ))
                .map_err(e)?;
            }
            Shape::Circle {
                x,
                y,
                radius,
                fill,
                stroke: outline,
            } => {
                let (c, r) = (pt((*x, *y)), px(*radius));
                if let Some(fill) = fill {
                    area.draw(&Circle::new(c, r, fill.filled())).map_err(e)?;
                }
                if let Some((color, w)) = outline {
                    let style = ShapeStyle {
                        color: color.to_rgba(),
                        filled: false,
                        stroke_width: stroke(*w),
                    };
                    area.draw(&Circle::new(c, r, style)).map_err(e)?;
                }
            }
            Shape::Text {
                text: s,
                x,
                y,
                font,
                align,
                color,
            } => match text {
                Text::Glyphs => draw_glyphs(area, s, (*x, *y), *font, *align, *color, scale)?,
                Text::Elements => draw_element(area, s, (*x, *y), *font, *align, *color)?,
            },
        }
    }
    Ok(())
}

/// Draws each glyph at its pen position plus its side bearing.
fn draw_glyphs<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    (x, y): (f64, f64),
    font: Font,
    align: Align,
    color: RGBColor,
    scale: f64,
) -> Result<(), String> {
    let size = font.size * scale;
    let layout = font.face.metrics()?.layout(text, size);
    let x0 = x * scale
        - match align {
            Align::Left => 0.0,
            Align::Center => layout.width / 2.0,
            Align::Right => layout.width,
        };
    // plotters puts the baseline half a size below the top anchor.
    let top = (y * scale - size / 2.0).round() as i32;
    let style =
        TextStyle::from((font.face.family(), size, font.face.style()).into_font()).color(&color);
    for (c, pen, bearing) in layout.glyphs {
        if c.is_whitespace() {
            continue;
        }
        let gx = (x0 + pen + bearing).floor() as i32;
        area.draw_text(c.encode_utf8(&mut [0; 4]), &style, (gx, top))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Writes one text element; the viewer lays it out.
fn draw_element<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    (x, y): (f64, f64),
    font: Font,
    align: Align,
    color: RGBColor,
) -> Result<(), String> {
    // plotters writes font-size = size / 1.24 and dy = 0.76em; scale the size
    // so the SVG em matches the bitmap's (size * 2048 / 2384).
    let em = font.size * 2048.0 / 2384.0;
    let h = match align {
        Align::Left => HPos::Left,
        Align::Center => HPos::Center,
        Align::Right => HPos::Right,
    };
    let style = TextStyle::from((font.face.family(), em * 1.24, font.face.style()).into_font())
        .color(&color)
        .pos(Pos::new(h, VPos::Top));
    let top = (y - 0.76 * em).round() as i32;
    area.draw_text(text, &style, (x.round() as i32, top))
        .map_err(|e| e.to_string())
}

/// Splits a polyline into dashes of length `on` separated by gaps of `off`.
fn dashes(points: &[(f64, f64)], on: f64, off: f64) -> Vec<Vec<(f64, f64)>> {
    let mut runs = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    let (mut drawing, mut left) = (true, on);
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        let mut at = 0.0;
        while len - at > 1e-9 {
            let step = left.min(len - at);
            let p = |t: f64| (a.0 + (b.0 - a.0) * t / len, a.1 + (b.1 - a.1) * t / len);
            if drawing {
                if current.is_empty() {
                    current.push(p(at));
                }
                current.push(p(at + step));
            }
            at += step;
            left -= step;
            if left <= 1e-9 {
                if drawing {
                    runs.push(std::mem::take(&mut current));
                }
                drawing = !drawing;
                left = if drawing { on } else { off };
            }
        }
    }
    if current.len() > 1 {
        runs.push(current);
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashes_alternate_along_the_path() {
        // A 10 px line with 3 on / 2 off: dashes at 0-3, 5-8, and 10-10 is empty.
        let runs = dashes(&[(0.0, 0.0), (10.0, 0.0)], 3.0, 2.0);
        assert_eq!(
            runs,
            vec![vec![(0.0, 0.0), (3.0, 0.0)], vec![(5.0, 0.0), (8.0, 0.0)]]
        );
    }

    #[test]
    fn downsampling_averages_each_block_of_pixels() {
        // A 4 x 2 RGB image halved to 2 x 1. The left block's red is
        // (0 + 10 + 20 + 31) / 4 = 15.25, rounded to 15; its green is 255
        // everywhere; its blue (1 + 2 + 3 + 4) / 4 = 2.5, rounded half up
        // to 3. The right block is 100, 200, 50 in every pixel.
        let src = [
            0, 255, 1, 10, 255, 2, 100, 200, 50, 100, 200, 50, //
            20, 255, 3, 31, 255, 4, 100, 200, 50, 100, 200, 50,
        ];
        assert_eq!(downsample(&src, 4, 2, 2), vec![15, 255, 3, 100, 200, 50]);
    }
}
