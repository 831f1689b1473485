//! The rigor command line: argument parsing and dispatch to the library crates.

mod cli;
mod commands;

use clap::Parser;
use std::process::ExitCode;

pub use cli::Cli;

/// Parse the command line, run the command, map errors to exit codes.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli::dispatch(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            cli::exit_code_of(&err)
        }
    };
    ExitCode::from(code as u8)
}
