//! Readers of CI artifacts. Each reader parses one published format into rigor's model and
//! reports malformed input with `file:line:column` and a hint ([`GateError::Malformed`]).

pub mod audit;
pub mod coverage;
pub mod cvss;
pub mod junit;
pub mod mutation;
pub mod perf;
pub mod sarif;

use crate::error::{GateError, LineIndex, Pos, Result};
use serde::de::DeserializeOwned;
use std::path::Path;

/// Read a whole artifact as UTF-8 text.
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|source| GateError::Read {
        path: path.display().to_string(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
        GateError::malformed(
            &path.display().to_string(),
            Pos::of_offset(&text, valid),
            "artifact",
            "the file is not valid UTF-8",
            "artifacts must be UTF-8 text; was the file truncated or written in another encoding?",
        )
    })
}

/// Parse JSON into `T`, mapping syntax and type errors to a located error.
pub(crate) fn parse_json<T: DeserializeOwned>(
    file: &str,
    text: &str,
    format: &'static str,
    hint: &str,
) -> Result<T> {
    if text.trim().is_empty() {
        return Err(GateError::malformed(
            file,
            Pos { line: 1, column: 1 },
            format,
            "the file is empty",
            hint,
        ));
    }
    serde_json::from_str(text).map_err(|e| {
        let msg = e.to_string();
        // serde_json appends " at line L column C"; keep the message alone.
        let message = msg
            .rsplit_once(" at line ")
            .map(|(m, _)| m.to_string())
            .unwrap_or(msg);
        let message = if e.is_eof() {
            format!("unexpected end of file (truncated?): {message}")
        } else {
            message
        };
        GateError::malformed(
            file,
            Pos {
                line: e.line().max(1),
                column: e.column().max(1),
            },
            format,
            message,
            hint,
        )
    })
}

/// A parsed XML element with its position (of its `<`).
#[derive(Debug, Clone)]
pub(crate) struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
    pub pos: Pos,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All descendants (depth first) named `name`.
    pub fn descendants<'a>(&'a self, name: &str, out: &mut Vec<&'a Element>) {
        for c in &self.children {
            if c.name == name {
                out.push(c);
            }
            c.descendants(name, out);
        }
    }
}

/// Context for located errors while walking an XML tree.
pub(crate) struct XmlCtx<'a> {
    pub file: &'a str,
    pub format: &'static str,
    pub hint: &'a str,
}

impl XmlCtx<'_> {
    pub fn err(&self, pos: Pos, message: impl Into<String>) -> GateError {
        GateError::malformed(self.file, pos, self.format, message, self.hint)
    }

    /// A required attribute.
    pub fn req<'e>(&self, e: &'e Element, name: &str) -> Result<&'e str> {
        e.attr(name).ok_or_else(|| {
            self.err(
                e.pos,
                format!("<{}> lacks the required attribute `{name}`", e.name),
            )
        })
    }

    /// An optional attribute parsed as a number; a present but unparsable value is an error.
    pub fn num<T: std::str::FromStr>(&self, e: &Element, name: &str) -> Result<Option<T>> {
        match e.attr(name) {
            None => Ok(None),
            Some(v) => v.trim().parse::<T>().map(Some).map_err(|_| {
                self.err(
                    e.pos,
                    format!(
                        "<{}> attribute `{name}` = \"{v}\" is not a valid {}",
                        e.name,
                        type_word::<T>()
                    ),
                )
            }),
        }
    }
}

fn type_word<T>() -> &'static str {
    let n = std::any::type_name::<T>();
    if n.contains("f64") || n.contains("f32") {
        "number"
    } else {
        "integer"
    }
}

/// Parse an XML document into a tree; errors (syntax, unclosed elements, empty input) are located.
/// Deeper nesting than any report format uses is refused while reading: an element tree that
/// deep would overflow the stack when walked or dropped.
const MAX_XML_DEPTH: usize = 1_000;

pub(crate) fn parse_xml(
    file: &str,
    text: &str,
    format: &'static str,
    hint: &str,
) -> Result<Element> {
    use quick_xml::XmlVersion;
    use quick_xml::events::Event;
    let v = XmlVersion::Implicit1_0;
    // Every element records its position: look them up in an index, not by rescanning the text.
    let lines = LineIndex::new(text);
    let err = |offset: usize, msg: String| {
        GateError::malformed(file, lines.pos(offset), format, msg, hint)
    };
    if text.trim().is_empty() {
        return Err(err(0, "the file is empty".into()));
    }
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let before = reader.buffer_position() as usize;
        let ev = reader.read_event().map_err(|e| {
            let at = reader.error_position() as usize;
            err(at, format!("XML syntax error: {e}"))
        })?;
        let start_of = |text: &str| -> usize {
            // the event's `<` is the first one at or after `before`
            text.get(before..)
                .and_then(|t| t.find('<'))
                .map(|i| before + i)
                .unwrap_or(before)
        };
        match ev {
            Event::Start(e) | Event::Empty(e) if root.is_some() && stack.is_empty() => {
                let _ = e;
                return Err(err(start_of(text), "content after the root element".into()));
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = e.local_name().as_ref().to_string();
                let pos = lines.pos(start_of(text));
                let mut attrs = Vec::new();
                for a in e.attributes() {
                    let a = a.map_err(|x| {
                        err(start_of(text), format!("bad attribute in <{name}>: {x}"))
                    })?;
                    let key = a.key.local_name().as_ref().to_string();
                    let val = a
                        .normalized_value(v)
                        .map_err(|x| {
                            err(
                                start_of(text),
                                format!("bad attribute value in <{name}>: {x}"),
                            )
                        })?
                        .into_owned();
                    attrs.push((key, val));
                }
                let el = Element {
                    name,
                    attrs,
                    children: Vec::new(),
                    text: String::new(),
                    pos,
                };
                if matches!(ev, Event::Start(_)) {
                    if stack.len() >= MAX_XML_DEPTH {
                        return Err(err(
                            start_of(text),
                            format!(
                                "elements nested more than {MAX_XML_DEPTH} deep: no report rigor reads nests like this"
                            ),
                        ));
                    }
                    stack.push(el);
                } else {
                    close(&mut stack, &mut root, el);
                }
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| err(start_of(text), "unexpected closing tag".into()))?;
                close(&mut stack, &mut root, el);
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml_content(v));
                } else if !t.xml_content(v).trim().is_empty() {
                    return Err(err(before, "text outside the root element".into()));
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml_content(v));
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match &*r.xml_content(v) {
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "amp" => "&".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        other => return Err(err(before, format!("unknown entity `&{other};`"))),
                    },
                    Err(e) => return Err(err(before, format!("bad character reference: {e}"))),
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(GateError::malformed(
            file,
            lines.pos(text.len()),
            format,
            format!(
                "unexpected end of file (truncated?): <{}> opened at {} is not closed",
                open.name, open.pos
            ),
            hint,
        ));
    }
    root.ok_or_else(|| err(0, "no root element".into()))
}

fn close(stack: &mut [Element], root: &mut Option<Element>, el: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None => *root = Some(el),
    }
}

/// Sniffed kind of an artifact, for discovery and `--artifact FILE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Junit,
    Cobertura,
    CoveragePyJson,
    Lcov,
    Sarif,
    CargoAudit,
    RigorAudit,
    PipAudit,
    OsvScanner,
    Stryker,
    CargoMutants,
    Mutmut,
    PerfCompare,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Junit => "JUnit XML",
            Kind::Cobertura => "Cobertura XML",
            Kind::CoveragePyJson => "coverage.py JSON",
            Kind::Lcov => "LCOV",
            Kind::Sarif => "SARIF",
            Kind::CargoAudit => "cargo-audit JSON",
            Kind::RigorAudit => "rigor audit JSON",
            Kind::PipAudit => "pip-audit JSON",
            Kind::OsvScanner => "osv-scanner JSON",
            Kind::Stryker => "Stryker mutation report",
            Kind::CargoMutants => "cargo-mutants outcomes.json",
            Kind::Mutmut => "mutmut CI stats JSON",
            Kind::PerfCompare => "rigor perf compare JSON",
        }
    }
}

/// Guess an artifact's format from its name and first bytes.
pub fn sniff(path: &Path, text: &str) -> Option<Kind> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let head: String = text.chars().take(4096).collect();
    let t = head.trim_start();
    if name.ends_with(".info")
        || name.ends_with(".lcov")
        || t.starts_with("TN:")
        || t.starts_with("SF:")
    {
        return Some(Kind::Lcov);
    }
    if t.starts_with('<') {
        if head.contains("<coverage") {
            return Some(Kind::Cobertura);
        }
        if head.contains("<testsuite") {
            return Some(Kind::Junit);
        }
        return None;
    }
    if t.starts_with('[') {
        // the older pip-audit shape is a list of {name, version, vulns}
        if head.contains("\"vulns\"")
            || name.contains("pip-audit")
            || t.trim_start_matches('[').trim().starts_with(']')
        {
            return Some(Kind::PipAudit);
        }
        return None;
    }
    if !t.starts_with('{') {
        return None;
    }
    let has = |k: &str| head.contains(&format!("\"{k}\""));
    if has("runs") && (has("$schema") || has("version")) && head.contains("sarif") {
        Some(Kind::Sarif)
    } else if has("meta") && has("files") && has("totals") {
        Some(Kind::CoveragePyJson)
    } else if has("benchmarks") && has("regressions") {
        Some(Kind::PerfCompare)
    } else if has("outcomes") && (has("total_mutants") || has("scenario")) {
        Some(Kind::CargoMutants)
    } else if has("schemaVersion") && has("files") && has("thresholds") {
        Some(Kind::Stryker)
    } else if has("killed") && has("survived") {
        Some(Kind::Mutmut)
    } else if head.contains("\"rigor.audit/1\"") {
        Some(Kind::RigorAudit)
    } else if has("database") && has("vulnerabilities") {
        Some(Kind::CargoAudit)
    } else if has("dependencies") && has("vulns") {
        Some(Kind::PipAudit)
    } else if has("results") && (has("packages") || has("source")) {
        Some(Kind::OsvScanner)
    } else if has("schemaVersion") && has("files") {
        Some(Kind::Stryker)
    } else {
        None
    }
}
