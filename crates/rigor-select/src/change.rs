//! The change under test comes from rigor-vcs (one base rule and one diff for every command);
//! these are its names as selection uses them.

use crate::error::SelectError;
use rigor_vcs::VcsError;

pub use rigor_vcs::{ChangeKind, ChangeSet, ChangedFile, EMPTY_TREE, Env, LineRange, ProcessEnv};

impl From<VcsError> for SelectError {
    fn from(e: VcsError) -> Self {
        match e {
            VcsError::Git {
                dir, args, message, ..
            } => SelectError::Git { dir, args, message },
            VcsError::UnknownBase {
                dir, rev, message, ..
            } => SelectError::UnknownBase { dir, rev, message },
        }
    }
}
