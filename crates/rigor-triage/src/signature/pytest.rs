//! pytest reports: `[phase]` prefix (rigor's), `collection error:`, traceback locations
//! (`file:line: in func`, `File "file", line N, in func`), `E` lines, and the crash line
//! `file:line: ExceptionType`.

use super::{Frame, Kind, Parsed};
use regex::Regex;
use std::sync::LazyLock;

static LOCATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\S[^:]*\.pyx?):(\d+)(?:: (.*))?$").expect("valid"));
static FILE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*(?:E\s+)?File "([^"]+)", line (\d+)(?:, in (\S+))?"#).expect("valid")
});
static EXCEPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning|Failed|Failure|Conflict|NotFound|Timeout|Refused|Reset|error|Fault)):?\s*(.*)$")
        .expect("valid")
});

pub(super) fn parse(excerpt: &str) -> Option<Parsed> {
    let mut p = Parsed {
        kind: Some(Kind::Pytest),
        ..Default::default()
    };
    let first = excerpt.lines().next().unwrap_or("");
    if first.starts_with("collection error") {
        p.phase = Some("collection".into());
    } else if let Some(rest) = first.strip_prefix('[') {
        p.phase = rest.split(']').next().map(str::to_string);
    }
    let mut crash_type: Option<String> = None;
    let mut e_lines: Vec<&str> = Vec::new();
    for line in excerpt.lines() {
        if let Some(c) = LOCATION.captures(line) {
            let what = c.get(3).map(|m| m.as_str()).unwrap_or("");
            let function = what.strip_prefix("in ").map(str::to_string);
            if function.is_none() && !what.is_empty() {
                crash_type = Some(what.trim().to_string());
            }
            p.frames.push(Frame {
                file: c[1].to_string(),
                line: c[2].parse().unwrap_or(0),
                function,
            });
        } else if let Some(c) = FILE_LINE.captures(line) {
            p.frames.push(Frame {
                file: c[1].to_string(),
                line: c[2].parse().unwrap_or(0),
                function: c.get(3).map(|m| m.as_str().to_string()),
            });
        } else if let Some(rest) = line.strip_prefix('E')
            && (rest.is_empty() || rest.starts_with(' '))
        {
            e_lines.push(rest.trim());
        }
    }
    if e_lines.is_empty() && crash_type.is_none() && p.frames.is_empty() {
        return None;
    }
    // The exception line: the first E line that names an exception type, else the crash type
    // and the first E line as the message (`assert 4 == 5`, `fixture 'x' not found`).
    let named = e_lines
        .iter()
        .filter(|l| !l.starts_with("File \""))
        .find_map(|l| EXCEPTION.captures(l));
    match named {
        Some(c) => {
            p.exception = c[1].rsplit('.').next().unwrap_or(&c[1]).to_string();
            p.message = c[2].to_string();
        }
        None => {
            p.exception = crash_type.clone().unwrap_or_else(|| "failure".into());
            p.message = e_lines
                .iter()
                .find(|l| !l.is_empty())
                .map(|l| l.to_string())
                .unwrap_or_default();
        }
    }
    // AssertionError with no message of its own: the assertion is the message.
    if p.message.is_empty()
        && let Some(l) = e_lines.iter().find(|l| l.starts_with("assert "))
    {
        p.message = l.to_string();
    }
    if p.exception == "failure"
        && let Some(t) = crash_type
    {
        p.exception = t;
    }
    Some(p)
}

#[cfg(test)]
mod tests {
    use crate::signature::{Kind, Signature};

    const ASSERT: &str = "[call] def test_reg():\n>       assert add(2, 2) == 5, f\"at {hex(id(object()))}\"\nE       AssertionError: at 0x7f7744ac5b50\nE       assert 4 == 5\nE        +  where 4 = add(2, 2)\n\ntests/test_a.py:10: AssertionError";
    const DEEP: &str = "[call] def test_conn():\n>       s = socket.create_connection((\"127.0.0.1\", 1))\n\ntests/test_a.py:24: \n_ _ _\n/usr/lib/python3.11/socket.py:851: in create_connection\n    raise exceptions[0]\n>               sock.connect(sa)\nE               ConnectionRefusedError: [Errno 111] Connection refused\n\n/usr/lib/python3.11/socket.py:836: ConnectionRefusedError";
    const COLLECT: &str = "collection error:\nImportError while importing test module 'tests/test_b.py'.\nTraceback:\n/usr/lib/python3.11/importlib/__init__.py:126: in import_module\n    return x\ntests/test_b.py:1: in <module>\n    import yamlzz\nE   ModuleNotFoundError: No module named 'yamlzz'";
    const SYNTAX: &str = "collection error:\n/x/site-packages/_pytest/python.py:493: in importtestmodule\n    mod = import_path(\nE     File \"tests/test_c.py\", line 1\nE       def test_c(:\nE                  ^\nE   SyntaxError: invalid syntax";
    const FIXTURE: &str = "[setup] file tests/test_d.py, line 6\n  def test_missing(nofixture):\nE       fixture 'nofixture' not found\n>       available fixtures: cache\n\ntests/test_d.py:6";

    #[test]
    fn an_assertion_keeps_its_message_and_frame() {
        let s = Signature::of(ASSERT);
        assert_eq!(s.kind, Kind::Pytest);
        assert_eq!(s.exception, "AssertionError");
        assert_eq!(s.message, "at <addr>");
        assert_eq!(s.phase.as_deref(), Some("call"));
        assert_eq!(s.frames[0].file, "tests/test_a.py");
        assert_eq!(s.frames[0].line, 10);
    }

    #[test]
    fn library_frames_are_not_project_frames() {
        let s = Signature::of(DEEP);
        assert_eq!(s.exception, "ConnectionRefusedError");
        assert_eq!(s.message, "[Errno <n>] Connection refused");
        assert_eq!(s.frames.len(), 1);
        assert_eq!(s.frames[0].file, "tests/test_a.py");
        assert!(s.all_frames.iter().any(|f| f.file.ends_with("socket.py")));
    }

    #[test]
    fn collection_errors_name_the_module() {
        let s = Signature::of(COLLECT);
        assert_eq!(s.phase.as_deref(), Some("collection"));
        assert_eq!(s.exception, "ModuleNotFoundError");
        assert_eq!(s.message, "No module named 'yamlzz'");
        let s = Signature::of(SYNTAX);
        assert_eq!(s.exception, "SyntaxError");
        assert_eq!(s.frames[0].file, "tests/test_c.py");
    }

    #[test]
    fn a_missing_fixture_is_the_message() {
        let s = Signature::of(FIXTURE);
        assert_eq!(s.phase.as_deref(), Some("setup"));
        assert_eq!(s.message, "fixture 'nofixture' not found");
    }
}
