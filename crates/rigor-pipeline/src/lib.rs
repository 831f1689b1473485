//! rigor's main job as a library, shared by `rigor run` and `rigor ci`.

pub mod change;
pub mod chaos;
pub mod error;
pub mod flaky;
pub mod gates;
pub mod merge;
pub mod mutation;
pub mod options;
pub mod outputs;
pub mod pipeline;
pub mod planning;
pub mod record;
pub mod rustcov;
pub mod signals;

pub use error::{PipelineError, Result};
pub use options::{Flags, Mode, Options};
pub use pipeline::run;
