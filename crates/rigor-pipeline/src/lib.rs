//! rigor's main job as a library, shared by `rigor run` and `rigor ci`.

pub mod error;
pub mod options;
pub mod signals;

pub use error::{PipelineError, Result};
pub use options::{Flags, Mode, Options};
