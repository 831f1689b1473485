//! Escaping for every output format rigor writes: XML (JUnit, Cobertura-like reports), HTML
//! (reports, dashboard), Markdown table cells (PR comments, job summaries) and GitHub Actions
//! workflow commands. One copy of each rule, used by every crate.

/// Escape text for an XML 1.0 element or attribute: markup characters become entities;
/// characters XML cannot hold (control characters, terminal colour sequences, U+FFFE/U+FFFF)
/// are dropped. Tabs and line breaks are kept.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\u{1b}' => {
                // ESC [ … letter: a terminal escape sequence, dropped whole.
                if chars.peek() == Some(&'[') {
                    chars.next();
                    for n in chars.by_ref() {
                        if n.is_ascii_alphabetic() {
                            break;
                        }
                    }
                }
            }
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Escape text for HTML content or a quoted attribute value. Control characters other than
/// tab and newline become spaces.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Escape text for a Markdown table cell or list item (GitHub-flavoured): pipes would end the
/// cell and angle brackets would open HTML; line breaks would end the row.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => {}
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Escape the message of a GitHub Actions workflow command (`::error …::MESSAGE`).
pub fn github_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value of a GitHub Actions workflow command (`file=…,title=…`).
pub fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(
            xml("a<b & \"c\" 'd'\u{1b}[31mred\u{1b}[0m\u{1}\n"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;red\n"
        );
        assert_eq!(xml("\u{fffe}ok\u{ffff}"), "ok");
    }

    #[test]
    fn html_escapes_markup_and_blanks_control_characters() {
        assert_eq!(
            html("<script>'x'</script>&\u{7}"),
            "&lt;script&gt;&#39;x&#39;&lt;/script&gt;&amp; "
        );
        assert_eq!(html("a\tb\nc"), "a\tb\nc");
    }

    #[test]
    fn markdown_cells_stay_one_cell() {
        assert_eq!(markdown("a|b <i>\r\nc"), "a\\|b &lt;i&gt; c");
    }

    #[test]
    fn github_commands_escape_percent_newlines_and_separators() {
        assert_eq!(github_data("50%\r\ndone"), "50%25%0D%0Adone");
        assert_eq!(github_property("a:b,c\n"), "a%3Ab%2Cc%0A");
    }
}
