//! `command` suites: each configured shell command is one test; exit 0 passes.

use crate::worker::process::TestCommand;
use rigor_model::{SuiteConfig, TestCase};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

pub struct ShellCommands {
    pub root: PathBuf,
    pub commands: BTreeMap<String, String>,
    pub env: BTreeMap<String, String>,
}

impl ShellCommands {
    pub fn new(root: PathBuf, suite: &SuiteConfig) -> Self {
        Self {
            root,
            commands: suite.commands.clone(),
            env: suite.env.clone(),
        }
    }

    pub fn tests(&self, suite: &str) -> Vec<TestCase> {
        self.commands
            .keys()
            .map(|name| TestCase::new(suite, name))
            .collect()
    }
}

impl TestCommand for ShellCommands {
    fn command(&self, test: &TestCase) -> Command {
        let script = self
            .commands
            .get(&test.key.id)
            .cloned()
            .unwrap_or_else(|| "exit 127".into());
        let mut cmd = Command::new("sh");
        cmd.current_dir(&self.root)
            .args(["-c", &script])
            .envs(&self.env);
        cmd
    }
}
