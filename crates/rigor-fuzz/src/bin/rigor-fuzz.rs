//! `rigor-fuzz seeds DIR`: write every target's seeds to DIR/<target>/ (a starting corpus for
//! libFuzzer). `rigor-fuzz run TARGET SECONDS [SEED]`: run the stable engine and print one JSON
//! line (target, executions, crashes, slowest_ms, seconds); exit 1 on a crash, with the input
//! written to ./crash-<target>.
use rigor_fuzz::{TARGETS, Target, engine, seeds};
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["seeds", dir] => {
            for t in TARGETS {
                let d = std::path::Path::new(dir).join(t.name());
                if let Err(e) = std::fs::create_dir_all(&d) {
                    eprintln!("rigor-fuzz: cannot create {}: {e}", d.display());
                    return ExitCode::from(2);
                }
                for (i, s) in seeds(*t).iter().enumerate() {
                    if let Err(e) = std::fs::write(d.join(format!("seed-{i}")), s) {
                        eprintln!("rigor-fuzz: cannot write a seed in {}: {e}", d.display());
                        return ExitCode::from(2);
                    }
                }
            }
            ExitCode::SUCCESS
        }
        ["run", name, secs, rest @ ..] => {
            let (Some(target), Ok(secs)) = (Target::from_name(name), secs.parse::<f64>()) else {
                eprintln!("rigor-fuzz: unknown target `{name}` or bad seconds `{secs}`");
                return ExitCode::from(2);
            };
            let seed = rest.first().and_then(|s| s.parse().ok()).unwrap_or(1);
            let r = engine::fuzz(target, Duration::from_secs_f64(secs), seed);
            println!(
                "{{\"target\":\"{}\",\"executions\":{},\"crashes\":{},\"slowest_ms\":{:.3},\"seconds\":{:.3}}}",
                target.name(),
                r.executions,
                r.crashes.len(),
                r.slowest.as_secs_f64() * 1000.0,
                r.elapsed.as_secs_f64()
            );
            match r.crashes.first() {
                Some(c) => {
                    let _ = std::fs::write(format!("crash-{}", target.name()), &c.input);
                    eprintln!("{}", c.message);
                    ExitCode::FAILURE
                }
                None => ExitCode::SUCCESS,
            }
        }
        _ => {
            eprintln!("usage: rigor-fuzz seeds DIR | rigor-fuzz run TARGET SECONDS [SEED]");
            ExitCode::from(2)
        }
    }
}
