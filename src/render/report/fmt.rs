//! Number, date and text formatting shared by the report's two renderers.
//!
//! Tables follow the workbook's conventions: one decimal with thousands
//! separators, negatives in parentheses. Prose drops needless decimals and
//! carries the currency and unit (`$15B`).

use chrono::NaiveDate;

use crate::model::Meta;

/// A table amount: `1,234.5`, negatives as `(1,234.5)`, never `-0.0`.
pub fn money(x: f64) -> String {
    if !x.is_finite() {
        return "undefined".into();
    }
    let s = format!("{:.1}", x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, "0"));
    let body = format!("{}.{frac}", group(int));
    if x < 0.0 && s != "0.0" {
        format!("({body})")
    } else {
        body
    }
}

/// An amount in running text with its currency and unit: `$15B`, `−$17.3B`.
pub fn money_prose(x: f64, meta: &Meta) -> String {
    let label = meta.money_label();
    let suffix = meta.unit.suffix();
    let prefix = label.strip_suffix(suffix).unwrap_or(&label);
    let digits = if x.abs() < 1.0 { 2 } else { 1 };
    let body = trimmed(x.abs(), digits);
    let sign = if x < 0.0 && body != "0" {
        "\u{2212}"
    } else {
        ""
    };
    format!("{sign}{prefix}{body}{suffix}")
}

/// A share as a percentage without needless decimals: 0.8 -> `80%`, 0.035 -> `3.5%`.
pub fn share(x: f64) -> String {
    format!("{}%", trimmed(x * 100.0, 1))
}

/// A rate with one decimal for tables: `28.9%`.
pub fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0 + 0.0)
}

/// A multiple for tables: `2.27x`.
pub fn multiple(x: f64) -> String {
    format!("{:.2}x", x + 0.0)
}

/// `31 Mar 2026`.
pub fn date(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// A parameter value exactly as given (shortest form that reads back the same).
pub fn param(x: f64) -> String {
    format!("{}", x + 0.0)
}

/// `x` with at most `digits` decimals, trailing zeros dropped, thousands grouped.
pub fn trimmed(x: f64, digits: usize) -> String {
    let s = format!("{:.*}", digits, x.abs());
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), format!(".{f}")),
        None => (s.clone(), String::new()),
    };
    let neg = x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0');
    format!("{}{}{frac}", if neg { "-" } else { "" }, group(&int))
}

/// Thousands separators on a string of digits.
fn group(int: &str) -> String {
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A list in prose: `a`, `a and b`, `a, b and c`.
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for Markdown (CommonMark/GFM), table cells included.
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_amounts_group_and_bracket_negatives() {
        assert_eq!(money(1234567.89), "1,234,567.9");
        assert_eq!(money(-17.3021), "(17.3)");
        assert_eq!(money(-0.01), "0.0");
        assert_eq!(money(f64::NAN), "undefined");
    }

    #[test]
    fn prose_numbers_drop_needless_decimals() {
        assert_eq!(trimmed(15.0, 1), "15");
        assert_eq!(trimmed(7.5, 1), "7.5");
        assert_eq!(trimmed(1400.04, 1), "1,400");
        assert_eq!(trimmed(-2.26, 1), "-2.3");
        assert_eq!(share(0.035), "3.5%");
        assert_eq!(share(0.8), "80%");
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            html("A -> <b> & 'c'"),
            "A -&gt; &lt;b&gt; &amp; &#39;c&#39;"
        );
        assert_eq!(markdown("a|b *c*"), "a\\|b \\*c\\*");
    }
}
