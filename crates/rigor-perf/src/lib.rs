//! rigor's performance analyzer.

pub mod cli {
    /// Performance analyzer.
    #[derive(Debug, clap::Args)]
    pub struct PerfArgs {}

    #[derive(Debug, thiserror::Error)]
    pub enum PerfError {}

    impl PerfError {
        pub fn exit_code(&self) -> i32 {
            match *self {}
        }
    }

    pub fn run(_args: &PerfArgs, _config: &rigor_model::Config) -> Result<i32, PerfError> {
        Ok(rigor_model::exit::USAGE)
    }
}
