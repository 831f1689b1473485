#![allow(unused_imports)]

pub use rigor_testkit::{commit_all, git, repo, write};
