//! PEP 440 versions: parsing with the specification's alternative spellings, canonical text
//! and the total order (epoch, release without trailing zeros, pre, post, dev, local).

use regex::Regex;
use std::cmp::Ordering;
use std::fmt;
use std::sync::OnceLock;

/// A parsed PEP 440 version. Equality and ordering follow the specification
/// (`1.0 == 1.0.0`, `1.0.dev0 < 1.0a1 < 1.0 < 1.0.post1`, local versions sort after their public one).
#[derive(Debug, Clone)]
pub struct Version {
    pub epoch: u64,
    pub release: Vec<u64>,
    /// (`a` | `b` | `rc`, number)
    pub pre: Option<(PreKind, u64)>,
    pub post: Option<u64>,
    pub dev: Option<u64>,
    pub local: Option<Vec<LocalPart>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PreKind {
    Alpha,
    Beta,
    Rc,
}

/// A segment of a local version label: strings sort before numbers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LocalPart {
    Str(String),
    Num(u64),
}

fn pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r"(?i)^\s*v?(?:(?P<epoch>[0-9]+)!)?(?P<release>[0-9]+(?:\.[0-9]+)*)",
            r"(?:[-_.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?P<pre_n>[0-9]+)?)?",
            r"(?:-(?P<post_n1>[0-9]+)|[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?)?",
            r"(?:[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?",
            r"(?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$"
        ))
        .expect("the PEP 440 pattern compiles")
    })
}

/// Why a text is not a PEP 440 version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidVersion(pub String);

impl fmt::Display for InvalidVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a PEP 440 version", self.0)
    }
}

fn num(s: Option<regex::Match<'_>>, text: &str) -> Result<u64, InvalidVersion> {
    match s {
        None => Ok(0),
        Some(m) => m
            .as_str()
            .parse()
            .map_err(|_| InvalidVersion(text.to_string())),
    }
}

impl Version {
    pub fn parse(text: &str) -> Result<Version, InvalidVersion> {
        let bad = || InvalidVersion(text.to_string());
        let c = pattern().captures(text).ok_or_else(bad)?;
        let release = c["release"]
            .split('.')
            .map(|p| p.parse::<u64>().map_err(|_| bad()))
            .collect::<Result<Vec<_>, _>>()?;
        let pre = match c.name("pre_l") {
            None => None,
            Some(l) => {
                let kind = match l.as_str().to_ascii_lowercase().as_str() {
                    "a" | "alpha" => PreKind::Alpha,
                    "b" | "beta" => PreKind::Beta,
                    _ => PreKind::Rc,
                };
                Some((kind, num(c.name("pre_n"), text)?))
            }
        };
        let post = if c.name("post_n1").is_some() {
            Some(num(c.name("post_n1"), text)?)
        } else if c.name("post_l").is_some() {
            Some(num(c.name("post_n2"), text)?)
        } else {
            None
        };
        let dev = match c.name("dev_l") {
            None => None,
            Some(_) => Some(num(c.name("dev_n"), text)?),
        };
        let local = match c.name("local") {
            None => None,
            Some(l) => Some(
                l.as_str()
                    .split(['-', '_', '.'])
                    .map(|p| match p.parse::<u64>() {
                        Ok(n) if p.bytes().all(|b| b.is_ascii_digit()) => Ok(LocalPart::Num(n)),
                        Err(_) if p.bytes().all(|b| b.is_ascii_digit()) => Err(bad()),
                        _ => Ok(LocalPart::Str(p.to_ascii_lowercase())),
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        Ok(Version {
            epoch: num(c.name("epoch"), text)?,
            release,
            pre,
            post,
            dev,
            local,
        })
    }

    /// A pre-release (a, b, rc) or a development release.
    pub fn is_prerelease(&self) -> bool {
        self.pre.is_some() || self.dev.is_some()
    }

    /// The version without its local label.
    pub fn public(&self) -> Version {
        Version {
            local: None,
            ..self.clone()
        }
    }

    fn key(&self) -> Key<'_> {
        let mut n = self.release.len();
        while n > 0 && self.release[n - 1] == 0 {
            n -= 1;
        }
        let pre = match (self.pre, self.post, self.dev) {
            (None, None, Some(_)) => PreKey::Below,
            (None, _, _) => PreKey::Above,
            (Some((k, n)), _, _) => PreKey::Pre(k, n),
        };
        Key {
            epoch: self.epoch,
            release: &self.release[..n],
            pre,
            post: self.post,
            dev: match self.dev {
                Some(n) => (0, n),
                None => (1, 0),
            },
            local: self.local.as_deref(),
        }
    }
}

#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum PreKey {
    Below,
    Pre(PreKind, u64),
    Above,
}

#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Key<'a> {
    epoch: u64,
    release: &'a [u64],
    pre: PreKey,
    post: Option<u64>,
    dev: (u8, u64),
    local: Option<&'a [LocalPart]>,
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for Version {}
impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl fmt::Display for Version {
    /// The canonical (normalised) form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.epoch != 0 {
            write!(f, "{}!", self.epoch)?;
        }
        let rel: Vec<String> = self.release.iter().map(u64::to_string).collect();
        write!(f, "{}", rel.join("."))?;
        if let Some((k, n)) = self.pre {
            let l = match k {
                PreKind::Alpha => "a",
                PreKind::Beta => "b",
                PreKind::Rc => "rc",
            };
            write!(f, "{l}{n}")?;
        }
        if let Some(n) = self.post {
            write!(f, ".post{n}")?;
        }
        if let Some(n) = self.dev {
            write!(f, ".dev{n}")?;
        }
        if let Some(local) = &self.local {
            let parts: Vec<String> = local
                .iter()
                .map(|p| match p {
                    LocalPart::Num(n) => n.to_string(),
                    LocalPart::Str(s) => s.clone(),
                })
                .collect();
            write!(f, "+{}", parts.join("."))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn the_specification_order() {
        // The example ordering from PEP 440's "summary of permitted suffixes and relative ordering".
        let ordered = [
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
        ];
        for w in ordered.windows(2) {
            assert!(v(w[0]) < v(w[1]), "{} < {}", w[0], w[1]);
        }
    }

    #[test]
    fn alternative_spellings_normalise() {
        for (a, b) in [
            ("1.0.0", "1.0"),
            ("v1.0", "1.0"),
            ("1.0-alpha-1", "1.0a1"),
            ("1.0.BETA2", "1.0b2"),
            ("1.0c1", "1.0rc1"),
            ("1.0pre1", "1.0rc1"),
            ("1.0-1", "1.0.post1"),
            ("1.0rev", "1.0.post0"),
            ("1.0-dev", "1.0.dev0"),
            ("1!2.0", "1!2.0.0"),
            ("1.0+ubuntu-1", "1.0+ubuntu.1"),
        ] {
            assert_eq!(v(a), v(b), "{a} == {b}");
        }
        assert_eq!(v("1.0-alpha-1").to_string(), "1.0a1");
        assert_eq!(v("1!2.0POST3.DEV4").to_string(), "1!2.0.post3.dev4");
        assert_eq!(v("1.0+UbUntu-1").to_string(), "1.0+ubuntu.1");
    }

    #[test]
    fn epochs_dominate() {
        assert!(v("1!0.1") > v("2024.1"));
    }

    #[test]
    fn invalid_versions_are_rejected() {
        for s in ["", "abc", "1.0-foo", "1..0", "1.0+", "1.0+a..b"] {
            assert!(Version::parse(s).is_err(), "{s}");
        }
    }
}
