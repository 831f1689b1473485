//! rigor's quality gates.

pub mod cli {
    /// Quality gates.
    #[derive(Debug, clap::Args)]
    pub struct GateArgs {}

    /// HTML report.
    #[derive(Debug, clap::Args)]
    pub struct ReportArgs {}

    pub fn report(_args: &ReportArgs, _config: &rigor_model::Config) -> Result<i32, GateError> {
        Ok(rigor_model::exit::USAGE)
    }

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
