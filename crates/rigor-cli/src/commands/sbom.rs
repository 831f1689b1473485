//! `rigor sbom`: inputs → bill → CycloneDX or SPDX JSON on stdout or in a file.

use crate::args::supply::{CycloneSpec, SbomArgs, SbomFormat};
use anyhow::Result;
use rigor_model::Config;
use rigor_supply::AuditConfig;
use rigor_supply::run::{AuditOptions, inputs};
use rigor_supply::sbom::{self, cyclonedx};

pub fn run(args: &SbomArgs, config: &Config) -> Result<i32> {
    let (cfg, warnings): (AuditConfig, _) = config.section("audit")?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| config.root.clone());
    let opts = AuditOptions {
        files: args
            .file
            .iter()
            .chain(&args.venv)
            .map(|p| cwd.join(p))
            .collect(),
        ..AuditOptions::default()
    };
    let inputs = inputs(config, &cfg, &opts)?;
    let name = config
        .root
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "project".into());
    let opts = sbom::BillOptions {
        all_platforms: args.all_platforms,
    };
    let bill = sbom::bill(&name, &inputs, &opts);
    for (k, v) in &bill.properties {
        if k == "rigor:cargo-scope" && v.contains("(fallback: ") {
            eprintln!("note: {v}");
        }
    }
    let text = match args.format {
        SbomFormat::CyclonedxJson => cyclonedx::render(
            &bill,
            match args.spec {
                CycloneSpec::V16 => cyclonedx::Spec::V1_6,
                CycloneSpec::V15 => cyclonedx::Spec::V1_5,
            },
        ),
        SbomFormat::SpdxJson => sbom::spdx::render(&bill),
    };
    match &args.output {
        Some(path) => {
            let path = cwd.join(path);
            std::fs::write(&path, &text)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            eprintln!(
                "sbom: {} components from {} inputs written to {}",
                bill.components.len(),
                inputs.len(),
                path.display()
            );
        }
        None => print!("{text}"),
    }
    Ok(rigor_model::exit::OK)
}
