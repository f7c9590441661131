//! `.Files`: the chart's plain files (Helm's `engine.files`, a
//! `map[string][]byte`) and its methods.

use std::collections::BTreeMap;
use std::rc::Rc;

use base64::Engine;
use base64::prelude::BASE64_STANDARD;
use weir_gotemplate::{Map, Object, Value};

use crate::chart::File;

/// `.Files` of one chart: every file not loaded as something else.
#[derive(Debug, Clone, Default)]
pub struct Files {
    files: Rc<BTreeMap<String, Rc<[u8]>>>,
}

impl Files {
    pub fn new(files: &[File]) -> Files {
        Files { files: Rc::new(files.iter().map(|f| (f.name.clone(), Rc::from(f.data.as_slice()))).collect()) }
    }

    fn get(&self, name: &str) -> Option<&Rc<[u8]>> {
        self.files.get(name)
    }

    /// `Glob`: the files whose names match a gobwas/glob pattern (`/`
    /// separated; `**` crosses directories). A pattern that does not compile
    /// matches everything, as Helm falls back to `**`.
    fn glob(&self, pattern: &str) -> Files {
        let matcher = Glob::compile(pattern).unwrap_or_else(|| Glob::compile("**").unwrap_or_default());
        let matched = self.files.iter().filter(|(name, _)| matcher.matches(name)).map(|(k, v)| (k.clone(), v.clone()));
        Files { files: Rc::new(matched.collect()) }
    }

    /// `AsConfig` / `AsSecrets`: base names to contents, as YAML without the final newline.
    fn as_map(&self, encode: impl Fn(&[u8]) -> String) -> String {
        let map: Map =
            self.files.iter().map(|(name, data)| (base_name(name).to_owned(), Value::from(encode(data)))).collect();
        let yaml = weir_sprig::yaml::to_yaml(&Value::map(map));
        yaml.strip_suffix('\n').unwrap_or(&yaml).to_owned()
    }

    fn lines(&self, name: &str) -> Result<Value, String> {
        let Some(data) = self.get(name) else { return Ok(Value::list(Vec::new())) };
        let text = String::from_utf8_lossy(data);
        // Helm indexes the last byte without checking: an empty file panics there.
        if text.is_empty() {
            return Err("runtime error: index out of range [-1]".into());
        }
        let text = text.strip_suffix('\n').unwrap_or(&text);
        Ok(Value::list(text.split('\n').map(Value::from).collect()))
    }
}

fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

impl Object for Files {
    fn type_name(&self) -> &str {
        "engine.files"
    }

    fn kind_name(&self) -> &str {
        "map"
    }

    fn member(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let string_arg = || match args {
            [Value::String(s)] => Ok(s.clone()),
            [other] => Err(format!("wrong type for value; expected string; got {}", other.type_name())),
            _ => Err(format!("wrong number of args for {name}: want 1 got {}", args.len())),
        };
        let result = match name {
            "Get" => string_arg()
                .map(|n| Value::from(self.get(&n).map_or(String::new(), |d| String::from_utf8_lossy(d).into_owned()))),
            "GetBytes" => {
                string_arg().map(|n| Value::Bytes(self.get(&n).cloned().unwrap_or_else(|| Rc::from(&[][..]))))
            }
            "Glob" => string_arg().map(|p| Value::Object(Rc::new(self.glob(&p)))),
            "Lines" => string_arg().and_then(|n| self.lines(&n)),
            "AsConfig" => Ok(Value::from(self.as_map(|d| String::from_utf8_lossy(d).into_owned()))),
            "AsSecrets" => Ok(Value::from(self.as_map(|d| BASE64_STANDARD.encode(d)))),
            // `files` is a Go map: any other name is a lookup, nil bytes when absent.
            _ if args.is_empty() => Ok(Value::Bytes(self.get(name).cloned().unwrap_or_else(|| Rc::from(&[][..])))),
            _ => return None,
        };
        Some(result)
    }

    fn arity(&self, name: &str) -> Option<usize> {
        match name {
            "Get" | "GetBytes" | "Glob" | "Lines" => Some(1),
            "AsConfig" | "AsSecrets" => Some(0),
            _ => None,
        }
    }

    /// Go's `%v` of a `map[string][]byte`.
    fn display(&self) -> String {
        let entries: Vec<String> = self
            .files
            .iter()
            .map(|(k, v)| format!("{k}:[{}]", v.iter().map(u8::to_string).collect::<Vec<_>>().join(" ")))
            .collect();
        format!("map[{}]", entries.join(" "))
    }

    fn to_data(&self) -> Value {
        Value::map(self.files.iter().map(|(k, v)| (k.clone(), Value::Bytes(v.clone()))).collect())
    }
}

/// A gobwas/glob pattern with `/` as separator: `*` (no `/`), `**` (anything),
/// `?`, `[a-z]`, `[!a-z]`, `{a,b}`, `\` escapes.
#[derive(Debug, Default)]
struct Glob {
    /// Alternatives expanded: the pattern matches when any sequence does.
    sequences: Vec<Vec<Token>>,
}

#[derive(Debug, Clone)]
enum Token {
    Literal(char),
    /// `?`
    One,
    /// `*`
    Star,
    /// `**`
    SuperStar,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// Alternatives multiply; past this many sequences the pattern is refused.
const MAX_SEQUENCES: usize = 1024;

impl Glob {
    fn compile(pattern: &str) -> Option<Glob> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut pos = 0;
        let sequences = parse_sequence(&chars, &mut pos, false)?;
        (pos == chars.len()).then_some(Glob { sequences })
    }

    fn matches(&self, name: &str) -> bool {
        let name: Vec<char> = name.chars().collect();
        self.sequences.iter().any(|seq| match_tokens(seq, &name))
    }
}

/// Parses up to the end (or, inside braces, up to `,` or `}`), returning
/// every expansion of the alternatives it holds.
fn parse_sequence(chars: &[char], pos: &mut usize, in_braces: bool) -> Option<Vec<Vec<Token>>> {
    let mut sequences = vec![Vec::new()];
    let push = |sequences: &mut Vec<Vec<Token>>, token: Token| sequences.iter_mut().for_each(|s| s.push(token.clone()));
    while let Some(&c) = chars.get(*pos) {
        match c {
            ',' | '}' if in_braces => return Some(sequences),
            '*' => {
                *pos += 1;
                if chars.get(*pos) == Some(&'*') {
                    *pos += 1;
                    push(&mut sequences, Token::SuperStar);
                } else {
                    push(&mut sequences, Token::Star);
                }
            }
            '?' => {
                *pos += 1;
                push(&mut sequences, Token::One);
            }
            '\\' => {
                let escaped = *chars.get(*pos + 1)?;
                *pos += 2;
                push(&mut sequences, Token::Literal(escaped));
            }
            '[' => {
                *pos += 1;
                let negated = chars.get(*pos) == Some(&'!');
                if negated {
                    *pos += 1;
                }
                let mut ranges = Vec::new();
                loop {
                    let lo = *chars.get(*pos)?;
                    *pos += 1;
                    if lo == ']' {
                        break;
                    }
                    if chars.get(*pos) == Some(&'-') && chars.get(*pos + 1).is_some_and(|c| *c != ']') {
                        let hi = chars[*pos + 1];
                        *pos += 2;
                        ranges.push((lo, hi));
                    } else {
                        ranges.push((lo, lo));
                    }
                }
                push(&mut sequences, Token::Class { negated, ranges });
            }
            '{' => {
                *pos += 1;
                let mut alternatives = Vec::new();
                loop {
                    alternatives.extend(parse_sequence(chars, pos, true)?);
                    match chars.get(*pos) {
                        Some(',') => *pos += 1,
                        Some('}') => {
                            *pos += 1;
                            break;
                        }
                        _ => return None,
                    }
                }
                let mut expanded = Vec::new();
                for prefix in &sequences {
                    for alternative in &alternatives {
                        let mut seq = prefix.clone();
                        seq.extend(alternative.iter().cloned());
                        expanded.push(seq);
                    }
                }
                if expanded.len() > MAX_SEQUENCES {
                    return None;
                }
                sequences = expanded;
            }
            _ => {
                *pos += 1;
                push(&mut sequences, Token::Literal(c));
            }
        }
    }
    (!in_braces).then_some(sequences)
}

/// Backtracking match of a token sequence against the whole name.
fn match_tokens(tokens: &[Token], name: &[char]) -> bool {
    let Some((first, rest)) = tokens.split_first() else { return name.is_empty() };
    match first {
        Token::Star => {
            for i in 0..=name.len() {
                if match_tokens(rest, &name[i..]) {
                    return true;
                }
                if name.get(i) == Some(&'/') {
                    return false;
                }
            }
            false
        }
        Token::SuperStar => (0..=name.len()).any(|i| match_tokens(rest, &name[i..])),
        _ => {
            let Some((&c, tail)) = name.split_first() else { return false };
            let ok = match first {
                Token::Literal(l) => *l == c,
                Token::One => c != '/',
                Token::Class { negated, ranges } => {
                    c != '/' && ranges.iter().any(|(lo, hi)| *lo <= c && c <= *hi) != *negated
                }
                Token::Star | Token::SuperStar => false,
            };
            ok && match_tokens(rest, tail)
        }
    }
}
