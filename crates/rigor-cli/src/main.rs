//! The `rigor` binary: all logic lives in the library crates.

fn main() -> std::process::ExitCode {
    rigor_cli::main()
}
