//! Go's `encoding/json` string quoting: what `json.Marshal` writes for a string, byte for
//! byte, so that documents Flux, Helm and SOPS hash or sign come out the same.

use std::fmt::Write;

/// Appends `text` as a JSON string literal as Go writes it. `escape_html` is Go's default
/// (`json.Marshal`): `<`, `>` and `&` become `\u003c`, `\u003e`, `\u0026`; an
/// `Encoder` with `SetEscapeHTML(false)` leaves them. U+2028 and U+2029 are always escaped.
pub fn quote_into(out: &mut String, text: &str, escape_html: bool) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' if escape_html => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `json.Marshal` of a string.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    quote_into(&mut out, text, true);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_quoted_as_go_marshals_them() {
        assert_eq!(quote("a\"b\\c\n\t"), r#""a\"b\\c\n\t""#);
        assert_eq!(quote("<a&b>"), r#""\u003ca\u0026b\u003e""#);
        assert_eq!(quote("\u{1}\u{2028}é"), "\"\\u0001\\u2028é\"");
        let mut raw = String::new();
        quote_into(&mut raw, "<a>", false);
        assert_eq!(raw, r#""<a>""#);
    }
}
