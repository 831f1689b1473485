//! rigor-runner
