//! `rigor perf …`: arguments become a request, the engine (`rigor_perf::engine`) answers it, a
//! renderer (`rigor_perf::render`) writes the answer; this module prints it and picks the exit
//! code.

use crate::args::perf::{
    AlertsArgs, AlertsCommand, BaselineArgs, BaselineCommand, CompareArgs, DetectArgs, HistoryArgs,
    IngestArgs, IngestFormat, OutFormat, PerfArgs, PerfCommand, ReportArgs, StateFilter,
};
use rigor_model::{Config, exit};
use rigor_perf::engine::alerts::{AlertChange, AlertQuery, AlertState, Alerting};
use rigor_perf::engine::baseline::{BaselineQuery, PinBaseline};
use rigor_perf::engine::compare::{BaselineChoice, CompareRequest, Current};
use rigor_perf::engine::detect::{DetectRequest, DetectSource};
use rigor_perf::engine::history::HistoryRequest;
use rigor_perf::engine::ingest::IngestRequest;
use rigor_perf::engine::report::{ReportRequest, ReportSource};
use rigor_perf::engine::{alerts, baseline, compare, detect, history, ingest, report};
use rigor_perf::ingest::{CsvOptions, Format};
use rigor_perf::{PerfError, Settings, output, render};
use std::path::Path;

/// Run a `rigor perf` command; returns the exit code.
pub fn run(args: &PerfArgs, config: &Config) -> Result<i32, PerfError> {
    let (settings, warnings) = Settings::load(config)?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    match &args.command {
        PerfCommand::Ingest(a) => run_ingest(a, config, &settings),
        PerfCommand::Compare(a) => run_compare(a, config, &settings),
        PerfCommand::Detect(a) => run_detect(a, config, &settings),
        PerfCommand::Baseline(a) => run_baseline(a, config, &settings),
        PerfCommand::History(a) => run_history(a, config, &settings),
        PerfCommand::Report(a) => run_report(a, config, &settings),
        PerfCommand::Alerts(a) => run_alerts(a, config),
    }
}

/// Print `text`, or write it to `output`.
fn emit(text: &str, output: Option<&Path>) -> Result<(), PerfError> {
    match output {
        Some(p) => output::write(p, text),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

fn alerting(no_alerts: bool, webhook: &Option<String>) -> Alerting {
    if no_alerts {
        Alerting::Off
    } else {
        Alerting::Record {
            webhook: webhook.clone(),
        }
    }
}

fn ingest_format(f: IngestFormat) -> Format {
    match f {
        IngestFormat::Auto => Format::Auto,
        IngestFormat::Criterion => Format::Criterion,
        IngestFormat::PytestBenchmark => Format::PytestBenchmark,
        IngestFormat::Hyperfine => Format::Hyperfine,
        IngestFormat::Gbench => Format::Gbench,
        IngestFormat::Csv => Format::Csv,
        IngestFormat::Json => Format::Json,
    }
}

fn ingest_request(a: &IngestArgs) -> Result<IngestRequest, PerfError> {
    Ok(IngestRequest {
        paths: a.paths.clone(),
        format: ingest_format(a.format),
        commit: a.commit.clone(),
        branch: a.branch.clone(),
        testbed: a.testbed.clone(),
        csv: CsvOptions::new(a.delimiter, a.time_column.clone())?,
    })
}

fn run_ingest(a: &IngestArgs, config: &Config, settings: &Settings) -> Result<i32, PerfError> {
    let plan = ingest::prepare(config, settings, &ingest_request(a)?)?;
    eprint!("{}", render::ingest::warnings(&plan));
    if a.dry_run {
        print!("{}", render::ingest::dry_run(&plan));
        return Ok(exit::OK);
    }
    let stored = ingest::store(config, &plan)?;
    print!("{}", render::ingest::stored(&plan, &stored));
    Ok(exit::OK)
}

fn compare_request(a: &CompareArgs) -> CompareRequest {
    CompareRequest {
        current: match &a.current_file {
            Some(p) => Current::File(p.clone()),
            None => Current::Commit(a.commit.clone()),
        },
        baseline: match (&a.baseline_file, &a.baseline) {
            (Some(p), _) => BaselineChoice::File(p.clone()),
            (None, Some(r)) => BaselineChoice::Ref(r.clone()),
            (None, None) => BaselineChoice::Default,
        },
        branch: a.branch.clone(),
        testbed: a.testbed.clone(),
        benchmark: a.benchmark.clone(),
        alerts: alerting(a.no_alerts, &a.webhook),
    }
}

/// Exit 1 when a benchmark regressed.
fn run_compare(a: &CompareArgs, config: &Config, settings: &Settings) -> Result<i32, PerfError> {
    let outcome = compare::compare(config, settings, &compare_request(a))?;
    eprint!("{}", render::alerts::announcement(&outcome.announcement));
    let report = &outcome.report;
    let text = match a.format {
        OutFormat::Json => render::json(report),
        OutFormat::Markdown => render::compare::markdown(report),
        OutFormat::Text => render::compare::text(report),
    };
    emit(&text, a.output.as_deref())?;
    if a.output.is_some() && a.format != OutFormat::Text {
        eprint!("{}", render::compare::text(report));
    }
    Ok(if report.regressions > 0 {
        exit::FAILED
    } else {
        exit::OK
    })
}

fn detect_request(a: &DetectArgs) -> DetectRequest {
    DetectRequest {
        source: match &a.input {
            Some(p) => DetectSource::Otava {
                path: p.clone(),
                time_column: a.time_column.clone(),
            },
            None => DetectSource::History {
                branch: a.branch.clone(),
                testbed: a.testbed.clone(),
            },
        },
        benchmarks: a.benchmark.clone(),
        max_pvalue: a.max_pvalue,
        min_magnitude: a.min_magnitude.clone(),
        min_segment: a.min_segment,
        mode: a
            .mode
            .as_deref()
            .and_then(rigor_perf::structure::Mode::parse),
        alerts: alerting(a.no_alerts, &a.webhook),
    }
}

fn run_detect(a: &DetectArgs, config: &Config, settings: &Settings) -> Result<i32, PerfError> {
    let outcome = detect::detect(config, settings, &detect_request(a))?;
    eprint!("{}", render::alerts::announcement(&outcome.announcement));
    let text = match a.format {
        OutFormat::Json => render::json(&outcome.report),
        OutFormat::Markdown | OutFormat::Text => render::detect::text(&outcome.report),
    };
    emit(&text, a.output.as_deref())?;
    Ok(exit::OK)
}

fn run_baseline(a: &BaselineArgs, config: &Config, settings: &Settings) -> Result<i32, PerfError> {
    match &a.command {
        BaselineCommand::Set {
            branch,
            commit,
            testbed,
        } => {
            let request = PinBaseline {
                branch: branch.clone(),
                commit: commit.clone(),
                testbed: testbed.clone(),
            };
            let pinned = baseline::pin(config, settings, &request)?;
            print!("{}", render::baseline::pinned(&pinned));
        }
        BaselineCommand::Show { branch, format } => {
            let query = BaselineQuery {
                branch: branch.clone(),
            };
            let all = baseline::list(config, &query)?;
            match format {
                OutFormat::Json => print!("{}", render::baseline::json(&all)),
                OutFormat::Text | OutFormat::Markdown => print!("{}", render::baseline::text(&all)),
            }
        }
    }
    Ok(exit::OK)
}

fn run_history(a: &HistoryArgs, config: &Config, settings: &Settings) -> Result<i32, PerfError> {
    let request = HistoryRequest {
        benchmark: a.benchmark.clone(),
        branch: a.branch.clone(),
        testbed: a.testbed.clone(),
        limit: a.limit,
    };
    let series = history::history(config, settings, &request)?;
    match a.format {
        OutFormat::Json => print!("{}", render::history::json(&series)),
        OutFormat::Text | OutFormat::Markdown => print!("{}", render::history::text(&series)),
    }
    Ok(exit::OK)
}

fn report_request(a: &ReportArgs) -> ReportRequest {
    ReportRequest {
        source: match &a.input {
            Some(p) => ReportSource::Otava(p.clone()),
            None => ReportSource::History {
                branch: a.branch.clone(),
                testbed: a.testbed.clone(),
            },
        },
        benchmarks: a.benchmark.clone(),
    }
}

fn run_report(a: &ReportArgs, config: &Config, settings: &Settings) -> Result<i32, PerfError> {
    let page = report::build(config, settings, &report_request(a))?;
    output::write(&a.html, &render::html::page(&page))?;
    print!("{}", render::html::written(&a.html, &page));
    Ok(exit::OK)
}

fn alert_change(command: &AlertsCommand) -> Option<AlertChange> {
    let (id, state, note) = match command {
        AlertsCommand::List => return None,
        AlertsCommand::Ack { id, note } => (id, AlertState::Acknowledged, note),
        AlertsCommand::Resolve { id, note } => (id, AlertState::Resolved, note),
    };
    Some(AlertChange {
        id: *id,
        state,
        note: note.clone(),
    })
}

fn alert_query(state: StateFilter) -> AlertQuery {
    AlertQuery {
        state: match state {
            StateFilter::Open => Some(AlertState::Open),
            StateFilter::Acknowledged => Some(AlertState::Acknowledged),
            StateFilter::Resolved => Some(AlertState::Resolved),
            StateFilter::All => None,
        },
    }
}

fn run_alerts(a: &AlertsArgs, config: &Config) -> Result<i32, PerfError> {
    if let Some(change) = a.command.as_ref().and_then(alert_change) {
        alerts::change(config, &change)?;
        print!("{}", render::alerts::changed(&change));
        return Ok(exit::OK);
    }
    let list = alerts::list(config, &alert_query(a.state))?;
    let text = match a.format {
        OutFormat::Json => render::alerts::json(&list),
        OutFormat::Markdown => render::alerts::markdown(&list),
        OutFormat::Text => render::alerts::text(&list),
    };
    print!("{text}");
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;
    use std::path::PathBuf;

    fn perf(args: &[&str]) -> PerfCommand {
        let cli = Cli::try_parse_from(["rigor", "perf"].iter().chain(args)).unwrap();
        match cli.command {
            Command::Perf(p) => p.command,
            other => panic!("not a perf command: {other:?}"),
        }
    }

    #[test]
    fn ingest_arguments_become_a_request() {
        let PerfCommand::Ingest(a) = perf(&[
            "ingest",
            "a.json",
            "b.csv",
            "--format",
            "pytest-benchmark",
            "--commit",
            "abc",
            "--delimiter",
            ";",
            "--time-column",
            "when",
        ]) else {
            panic!("ingest")
        };
        let r = ingest_request(&a).unwrap();
        assert_eq!(
            r.paths,
            vec![PathBuf::from("a.json"), PathBuf::from("b.csv")]
        );
        assert_eq!(r.format, Format::PytestBenchmark);
        assert_eq!(r.commit.as_deref(), Some("abc"));
        assert_eq!(r.csv.delimiter, Some(b';'));
        assert_eq!(r.csv.time_column.as_deref(), Some("when"));
        let PerfCommand::Ingest(a) = perf(&["ingest", "a.csv", "--delimiter", "é"]) else {
            panic!("ingest")
        };
        assert!(matches!(ingest_request(&a), Err(PerfError::Usage { .. })));
    }

    #[test]
    fn compare_arguments_become_a_request() {
        let PerfCommand::Compare(a) = perf(&["compare"]) else {
            panic!("compare")
        };
        let r = compare_request(&a);
        assert_eq!(r.current, Current::Commit(None));
        assert_eq!(r.baseline, BaselineChoice::Default);
        assert_eq!(r.alerts, Alerting::Record { webhook: None });

        let PerfCommand::Compare(a) = perf(&[
            "compare",
            "--commit",
            "abc",
            "--baseline",
            "main",
            "--no-alerts",
            "--benchmark",
            "api/*",
        ]) else {
            panic!("compare")
        };
        let r = compare_request(&a);
        assert_eq!(r.current, Current::Commit(Some("abc".into())));
        assert_eq!(r.baseline, BaselineChoice::Ref("main".into()));
        assert_eq!(r.alerts, Alerting::Off);
        assert_eq!(r.benchmark.as_deref(), Some("api/*"));

        let PerfCommand::Compare(a) = perf(&[
            "compare",
            "--current-file",
            "cur.json",
            "--baseline-file",
            "base.json",
            "--webhook",
            "http://h/x",
        ]) else {
            panic!("compare")
        };
        let r = compare_request(&a);
        assert_eq!(r.current, Current::File("cur.json".into()));
        assert_eq!(r.baseline, BaselineChoice::File("base.json".into()));
        assert_eq!(
            r.alerts,
            Alerting::Record {
                webhook: Some("http://h/x".into())
            }
        );
    }

    #[test]
    fn detect_and_report_read_a_csv_or_the_history() {
        let PerfCommand::Detect(a) = perf(&[
            "detect",
            "--input",
            "o.csv",
            "--time-column",
            "t",
            "--benchmark",
            "a*",
            "--benchmark",
            "b*",
            "--min-magnitude",
            "2%",
        ]) else {
            panic!("detect")
        };
        let r = detect_request(&a);
        assert_eq!(
            r.source,
            DetectSource::Otava {
                path: "o.csv".into(),
                time_column: Some("t".into())
            }
        );
        assert_eq!(r.benchmarks, vec!["a*".to_string(), "b*".to_string()]);
        assert_eq!(r.min_magnitude.as_deref(), Some("2%"));
        let PerfCommand::Detect(a) = perf(&["detect", "--branch", "main", "--no-alerts"]) else {
            panic!("detect")
        };
        let r = detect_request(&a);
        assert_eq!(
            r.source,
            DetectSource::History {
                branch: Some("main".into()),
                testbed: None
            }
        );
        assert_eq!(r.alerts, Alerting::Off);

        let PerfCommand::Report(a) = perf(&["report", "--html", "r.html", "--input", "o.csv"])
        else {
            panic!("report")
        };
        assert_eq!(
            report_request(&a).source,
            ReportSource::Otava("o.csv".into())
        );
    }

    #[test]
    fn alert_commands_and_states() {
        let PerfCommand::Alerts(a) = perf(&["alerts", "ack", "7", "--note", "on it"]) else {
            panic!("alerts")
        };
        assert_eq!(
            a.command.as_ref().and_then(alert_change),
            Some(AlertChange {
                id: 7,
                state: AlertState::Acknowledged,
                note: Some("on it".into())
            })
        );
        let PerfCommand::Alerts(a) = perf(&["alerts", "--state", "all"]) else {
            panic!("alerts")
        };
        assert!(a.command.is_none());
        assert_eq!(alert_query(a.state).state, None);
        assert_eq!(
            alert_query(StateFilter::Resolved).state,
            Some(AlertState::Resolved)
        );
        assert_eq!(alert_change(&AlertsCommand::List), None);
    }
}
