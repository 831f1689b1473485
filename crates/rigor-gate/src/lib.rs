//! rigor's quality gates.

pub mod cli {
    /// Quality gates.
    #[derive(Debug, clap::Args)]
    pub struct GateArgs {}

    #[derive(Debug, thiserror::Error)]
    pub enum GateError {}

    impl GateError {
        pub fn exit_code(&self) -> i32 {
            match *self {}
        }
    }

    pub fn run(_args: &GateArgs, _config: &rigor_model::Config) -> Result<i32, GateError> {
        Ok(rigor_model::exit::USAGE)
    }
}
