//! criterion: `target/criterion/<bench>/new/{estimates,sample,benchmark}.json`.

use super::json::{Node, finite_or_err, parse_json};
use super::parsed::Parsed;
use super::text::read_text;
use crate::error::PerfError;
use crate::model::{Direction, Measurement};
use std::path::{Path, PathBuf};

const CRITERION_HINT: &str = "criterion writes target/criterion/<bench>/new/estimates.json and sample.json; ingest the target/criterion directory";

pub(super) fn read(path: &Path) -> Result<Parsed, PerfError> {
    // accept target/criterion, a benchmark dir, its new/ dir, or a file inside new/
    let mut start = path.to_path_buf();
    if start.is_file() {
        start = start.parent().map(Path::to_path_buf).unwrap_or_default();
    }
    if start.file_name().is_some_and(|n| n == "new") {
        start = start.parent().map(Path::to_path_buf).unwrap_or_default();
    }
    let mut dirs = Vec::new();
    find_criterion_benches(&start, &mut dirs)?;
    dirs.sort();
    let mut parsed = Parsed::default();
    for dir in dirs {
        let new = dir.join("new");
        let label_of = |f: &str| new.join(f).display().to_string();
        let name = match std::fs::read_to_string(new.join("benchmark.json")) {
            Ok(text) => {
                let label = label_of("benchmark.json");
                let v = parse_json(&label, &text)?;
                let root = Node::root(&v, &label);
                root.req("full_id", CRITERION_HINT)?
                    .string(CRITERION_HINT)?
                    .to_string()
            }
            Err(_) => {
                let rel = dir.strip_prefix(&start).unwrap_or(&dir);
                let rel = if rel.as_os_str().is_empty() {
                    dir.file_name().map(PathBuf::from).unwrap_or_default()
                } else {
                    rel.to_path_buf()
                };
                rel.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/")
            }
        };
        let est_label = label_of("estimates.json");
        let est_text = read_text(&new.join("estimates.json"))?;
        let est = parse_json(&est_label, &est_text)?;
        let est = Node::root(&est, &est_label);
        let mean = est.req("mean", CRITERION_HINT)?;
        let point = mean.req("point_estimate", CRITERION_HINT)?;
        let mean_value = finite_or_err(&point, point.num(CRITERION_HINT)?, CRITERION_HINT)?;
        let mut m = Measurement::new(name, "ns", Direction::LowerIsBetter, mean_value);
        if let Some(median) = est.get("median") {
            let p = median.req("point_estimate", CRITERION_HINT)?;
            m.value = finite_or_err(&p, p.num(CRITERION_HINT)?, CRITERION_HINT)?;
        }
        let sample_path = new.join("sample.json");
        if sample_path.exists() {
            let label = sample_path.display().to_string();
            let text = read_text(&sample_path)?;
            let v = parse_json(&label, &text)?;
            let root = Node::root(&v, &label);
            let iters_node = root.req("iters", CRITERION_HINT)?;
            let times_node = root.req("times", CRITERION_HINT)?;
            let iters = iters_node.numbers(CRITERION_HINT)?;
            let times = times_node.numbers(CRITERION_HINT)?;
            if iters.len() != times.len() {
                return Err(times_node.err(
                    format!(
                        "`times` has {} entries but `iters` has {}",
                        times.len(),
                        iters.len()
                    ),
                    CRITERION_HINT,
                ));
            }
            for (i, (it, t)) in iters.iter().zip(&times).enumerate() {
                if *it <= 0.0 || !t.is_finite() || *t < 0.0 {
                    return Err(PerfError::input(
                        &label,
                        format!("at $.iters[{i}] / $.times[{i}]"),
                        format!("invalid sample: {t} ns over {it} iterations"),
                        CRITERION_HINT,
                    ));
                }
                m.samples.push(t / it);
            }
        }
        parsed.measurements.push(m);
    }
    if parsed.measurements.is_empty() {
        return Err(PerfError::input(
            &path.display().to_string(),
            "directory",
            "no criterion results (<bench>/new/estimates.json) below this directory",
            CRITERION_HINT,
        ));
    }
    Ok(parsed)
}

fn find_criterion_benches(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), PerfError> {
    if dir.join("new").join("estimates.json").is_file() {
        out.push(dir.to_path_buf());
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(source) => {
            return Err(PerfError::Read {
                path: dir.display().to_string(),
                source,
                hint: CRITERION_HINT.into(),
            });
        }
    };
    let mut subdirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    subdirs.sort();
    for sub in subdirs {
        let name = sub.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if matches!(name, "new" | "base" | "change" | "report") {
            continue;
        }
        find_criterion_benches(&sub, out)?;
    }
    Ok(())
}
