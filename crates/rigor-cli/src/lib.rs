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
    // Like other command-line tools, end quietly when the reader of our output goes away
    // (`rigor list | head`) instead of panicking on a broken pipe.
    // SAFETY: setting a signal disposition at startup, before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
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
