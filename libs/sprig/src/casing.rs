//! huandu/xstrings' case conversions behind Sprig's `snakecase`,
//! `kebabcase` and `camelcase`: text is cut into words (runs of upper-case
//! letters, lower-case letters, digits, connectors, punctuation) and joined
//! again with a connector.

/// `ToCamelCase` as Sprig v3 bundles it: words separated by space, `_` or
/// `-` are capitalised and joined (`http_server` → `HttpServer`); leading
/// connectors stay.
pub fn to_camel_case(s: &str) -> String {
    let mut chars = s.chars();
    let mut out = String::new();
    let mut current = None;
    let mut first_upper = false;
    for c in chars.by_ref() {
        if !is_connector(c) {
            first_upper = c.is_uppercase();
            current = Some(upper(c));
            break;
        }
        out.push(c);
    }
    let Some(mut r0) = current else { return out };
    for c in chars {
        let r1 = r0;
        r0 = c;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            first_upper = r0.is_uppercase();
            r0 = upper(r0);
        } else {
            if first_upper {
                if r0.is_uppercase() {
                    r0 = lower(r0);
                } else {
                    first_upper = false;
                }
            }
            out.push(r1);
        }
    }
    out.push(r0);
    out
}

/// `ToSnakeCase` / `ToKebabCase`: `HTTPServer` → `http_server`,
/// `Bld4Floor3rd` → `bld4_floor_3rd`.
pub fn to_lower_case(s: &str, connector: char) -> String {
    let mut out = String::new();
    let mut words = Words { rest: s };
    let (mut kind, mut word) = words.next_word();
    while !words.rest.is_empty() {
        if kind != Kind::Connector {
            write_lower(&mut out, kind, word, connector);
        }
        let (prev, last) = (kind, word);
        (kind, word) = words.next_word();
        match prev {
            Kind::Number => {
                while kind == Kind::Alphabet || kind == Kind::Number {
                    write_lower(&mut out, kind, word, connector);
                    (kind, word) = words.next_word();
                }
                if !matches!(kind, Kind::Invalid | Kind::Punct | Kind::Connector) {
                    out.push(connector);
                }
            }
            Kind::Connector => write_lower(&mut out, prev, last, connector),
            Kind::Punct => {}
            _ => {
                if kind != Kind::Number {
                    if kind != Kind::Connector && kind != Kind::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                if words.rest.is_empty() {
                    continue;
                }
                let number = word;
                (kind, word) = words.next_word();
                // Digits followed by anything but letters stay with the previous word ("Bld4Floor").
                if kind != Kind::Alphabet {
                    write_lower(&mut out, Kind::Number, number, connector);
                    if kind != Kind::Connector && kind != Kind::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                // Digits followed by lower-case letters start a new word ("HTTP2xx").
                out.push(connector);
                write_lower(&mut out, Kind::Number, number, connector);
                while kind == Kind::Alphabet || kind == Kind::Number {
                    write_lower(&mut out, kind, word, connector);
                    (kind, word) = words.next_word();
                }
                if !matches!(kind, Kind::Invalid | Kind::Connector | Kind::Punct) {
                    out.push(connector);
                }
            }
        }
    }
    write_lower(&mut out, kind, word, connector);
    out
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    Invalid,
    Number,
    UpperCase,
    Alphabet,
    Connector,
    Punct,
    Other,
}

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || c.is_whitespace()
}

fn is_alphabet(c: char) -> bool {
    c.is_ascii_alphabetic()
}

/// Go's `unicode.IsPunct`, close enough: ASCII punctuation other than the connectors.
fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation() && !matches!(c, '$' | '+' | '<' | '=' | '>' | '^' | '`' | '|' | '~')
}

fn upper(c: char) -> char {
    crate::strings::upper_char(c)
}

fn lower(c: char) -> char {
    crate::strings::lower_char(c)
}

fn write_lower(out: &mut String, kind: Kind, word: &str, connector: char) {
    if kind != Kind::UpperCase && kind != Kind::Connector {
        out.push_str(word);
        return;
    }
    for c in word.chars() {
        if is_connector(c) {
            out.push(connector);
        } else {
            out.push(lower(c));
        }
    }
}

struct Words<'a> {
    rest: &'a str,
}

impl<'a> Words<'a> {
    /// Takes the next word: its kind and text.
    fn next_word(&mut self) -> (Kind, &'a str) {
        let s = self.rest;
        let Some(first) = s.chars().next() else { return (Kind::Invalid, "") };
        let run = |from: usize, keep: &dyn Fn(char) -> bool| {
            from + s[from..].chars().take_while(|c| keep(*c)).map(char::len_utf8).sum::<usize>()
        };
        let start = first.len_utf8();
        let (kind, end) = if is_connector(first) {
            (Kind::Connector, run(start, &is_connector))
        } else if is_punct(first) {
            (Kind::Punct, run(start, &is_punct))
        } else if first.is_uppercase() {
            match s[start..].chars().next() {
                Some(c) if c.is_uppercase() => {
                    let end = run(start, &|c: char| c.is_uppercase());
                    // "HTTPStatus": the last capital starts the next word when letters follow.
                    match s[end..].chars().next() {
                        Some(next) if is_alphabet(next) => {
                            let last = s[..end].chars().next_back().map_or(0, char::len_utf8);
                            (Kind::UpperCase, end - last)
                        }
                        _ => (Kind::UpperCase, end),
                    }
                }
                Some(c) if is_alphabet(c) => {
                    (Kind::UpperCase, run(start, &|c: char| is_alphabet(c) && !c.is_uppercase()))
                }
                _ => (Kind::UpperCase, start),
            }
        } else if is_alphabet(first) {
            (Kind::Alphabet, run(start, &|c: char| is_alphabet(c) && !c.is_uppercase()))
        } else if first.is_numeric() {
            (Kind::Number, run(start, &char::is_numeric))
        } else {
            (Kind::Other, run(start, &|c: char| !(is_connector(c) || is_alphabet(c) || c.is_numeric() || is_punct(c))))
        };
        self.rest = &s[end..];
        (kind, &s[..end])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_as_xstrings() {
        for (input, snake) in [
            ("FirstName", "first_name"),
            ("HTTPServer", "http_server"),
            ("NoHTTPS", "no_https"),
            ("GO_PATH", "go_path"),
            ("GO PATH", "go_path"),
            ("http2xx", "http_2xx"),
            ("HTTP20xOK", "http_20x_ok"),
            ("Duration2m3s", "duration_2m3s"),
            ("Bld4Floor3rd", "bld4_floor_3rd"),
            ("a1B2", "a1_b2"),
            ("Some Words here", "some_words_here"),
        ] {
            assert_eq!(to_lower_case(input, '_'), snake, "{input}");
        }
        assert_eq!(to_lower_case("HTTPServer_x y", '-'), "http-server-x-y");
        for (input, camel) in [("http_server", "HttpServer"), ("some-words here", "SomeWordsHere"), ("_a_b", "_AB")] {
            assert_eq!(to_camel_case(input), camel, "{input}");
        }
    }
}
