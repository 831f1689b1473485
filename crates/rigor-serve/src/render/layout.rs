//! The page shell: head with the report's inline style sheet, the navigation (which keeps the
//! filter), the branch and window filter form (a plain GET form: no script), then the body.

use super::{esc, url};
use crate::filter::Filter;
use std::fmt::Write as _;

/// The dashboard's sections, for the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Overview,
    Runs,
    Tests,
    Flaky,
    Slowest,
    Perf,
    Gates,
    Rollouts,
}

const SECTIONS: [(Section, &str, &str); 8] = [
    (Section::Overview, "/", "Overview"),
    (Section::Runs, "/runs", "Runs"),
    (Section::Tests, "/tests", "Tests"),
    (Section::Flaky, "/flaky", "Flaky"),
    (Section::Slowest, "/slowest", "Slowest"),
    (Section::Perf, "/perf", "Performance"),
    (Section::Gates, "/gates", "Gates"),
    (Section::Rollouts, "/rollouts", "Rollouts"),
];

/// Style rules of the dashboard on top of the HTML report's.
const EXTRA_STYLE: &str = "nav{display:flex;gap:14px;flex-wrap:wrap;align-items:center;border-bottom:1px solid #d8dee4;padding-bottom:8px}\
nav a{text-decoration:none;color:#0969da}nav a.on{font-weight:bold;color:#1f2328}\
form.filter{margin:8px 0;font-size:13px}form.filter input[type=number]{width:5em}\
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid #d8dee4;border-radius:6px;padding:8px 12px;min-width:140px}\
.card b{display:block;font-size:20px}footer{margin-top:32px;font-size:12px;color:#6e7781}";

/// A whole page.
pub fn page(title: &str, section: Section, f: &Filter, branches: &[String], body: &str) -> String {
    let mut s = String::with_capacity(body.len() + 4096);
    let _ = write!(
        s,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
<title>{} · rigor</title><style>{}{}</style></head><body>",
        esc(title),
        rigor_gate::html::style::STYLE,
        EXTRA_STYLE
    );
    nav(&mut s, section, f);
    filter_form(&mut s, section, f, branches);
    let _ = write!(s, "<h1>{}</h1>{body}", esc(title));
    s.push_str(
        "<footer>rigor serve · <a href=\"/api/v1/\">JSON API</a> · <a href=\"/metrics\">metrics</a></footer></body></html>",
    );
    s
}

fn nav(s: &mut String, section: Section, f: &Filter) {
    s.push_str("<nav><strong>rigor</strong>");
    for (sec, path, label) in SECTIONS {
        let _ = write!(
            s,
            "<a href=\"{}\"{}>{label}</a>",
            esc(&url::with_filter(path, "", f)),
            if sec == section { " class=\"on\"" } else { "" }
        );
    }
    s.push_str("</nav>");
}

fn filter_form(s: &mut String, section: Section, f: &Filter, branches: &[String]) {
    let action = SECTIONS
        .iter()
        .find(|x| x.0 == section)
        .map(|x| x.1)
        .unwrap_or("/");
    let _ = write!(
        s,
        "<form class=\"filter\" method=\"get\" action=\"{action}\"><label>branch <select name=\"branch\"><option value=\"\">all</option>"
    );
    for b in branches {
        let _ = write!(
            s,
            "<option value=\"{0}\"{1}>{0}</option>",
            esc(b),
            if f.branch.as_deref() == Some(b.as_str()) {
                " selected"
            } else {
                ""
            }
        );
    }
    let days = f.days.map(|d| d.to_string()).unwrap_or_default();
    let _ = write!(
        s,
        "</select></label> <label>last <input type=\"number\" name=\"days\" min=\"0\" step=\"any\" value=\"{}\"> days</label> <button type=\"submit\">filter</button></form>",
        esc(&days)
    );
}

/// An HTML table: header cells (escaped here) and rows of ready HTML cells.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = String::from("<table><tr>");
    for h in headers {
        let _ = write!(s, "<th>{}</th>", esc(h));
    }
    s.push_str("</tr>");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            let _ = write!(s, "<td>{c}</td>");
        }
        s.push_str("</tr>");
    }
    s.push_str("</table>");
    s
}

/// A link with escaped href and text.
pub fn link(href: &str, text: &str) -> String {
    format!("<a href=\"{}\">{}</a>", esc(href), esc(text))
}

/// A word in its outcome's colour.
pub fn word(w: &str) -> String {
    format!("<span class=\"{}\">{}</span>", super::class_of(w), esc(w))
}

/// A paragraph saying there is nothing to show.
pub fn empty(what: &str) -> String {
    format!("<p class=\"muted\">{}</p>", esc(what))
}
