//! The rigor command line: argument parsing and dispatch to the library crates.

mod args;
mod cli;
mod commands;

use clap::Parser;
use std::process::ExitCode;

pub use cli::Cli;

/// Parse the command line, run the command, map errors to exit codes.
pub fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "__guard") {
        // Internal: watch over a test process (see rigor_runner::process::guard_main).
        return ExitCode::from(rigor_runner::process::guard_main(&args[2..]) as u8);
    }
    quiet_on_closed_stdout();
    if let Ok(exe) = std::env::current_exe() {
        rigor_runner::process::set_guard(exe);
    }
    let cli = Cli::parse();
    let code = match cli::dispatch(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {}", cli::render_error(&err));
            cli::exit_code_of(&err)
        }
    };
    ExitCode::from(code as u8)
}

/// End quietly (exit 141, as a process killed by SIGPIPE) when the reader of our output goes
/// away (`rigor list | head`), instead of printing a panic.
///
/// SIGPIPE itself stays ignored (Rust's default): the runner writes to workers' pipes, and a
/// worker killed at a timeout must make that write fail, not kill rigor with the signal.
fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}
