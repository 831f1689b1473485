//! The `queue` area's tables (one SQL text for both engines, rendered by rigor-store).
//!
//! - `queues`: one row per queue, named by the user and keyed by (name, commit): a new commit
//!   gets a new queue under the same name.
//! - `queue_items`: the plan, one row per test in run order (longest expected first), with its
//!   state (`pending`, `leased`, `done`), the job holding it and, once done, its outcome.
//! - `queue_jobs`: the jobs that took part, each with the lease deadline its heartbeat renews.

use rigor_store::Migration;

pub(crate) const MIGRATIONS: &[Migration] = &[r#"
CREATE TABLE queues (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    commit_sha  TEXT NOT NULL,
    created_at  REAL NOT NULL,
    total       INTEGER NOT NULL,
    estimated_s REAL NOT NULL,
    UNIQUE (name, commit_sha)
);
CREATE TABLE queue_jobs (
    id              INTEGER PRIMARY KEY,
    queue_id        INTEGER NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
    label           TEXT NOT NULL,
    run_id          INTEGER,
    started_at      REAL NOT NULL,
    deadline        REAL NOT NULL,
    finished_at     REAL,
    extra_failures  INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE queue_items (
    queue_id     INTEGER NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
    pos          INTEGER NOT NULL,
    suite        TEXT NOT NULL,
    test         TEXT NOT NULL,
    estimated_s  REAL NOT NULL,
    state        TEXT NOT NULL,
    job_id       INTEGER,
    leases       INTEGER NOT NULL DEFAULT 0,
    outcome      TEXT,
    fails        INTEGER NOT NULL DEFAULT 0,
    run_id       INTEGER,
    PRIMARY KEY (queue_id, pos)
);
CREATE INDEX queue_items_by_state ON queue_items (queue_id, state, pos);
CREATE INDEX queue_jobs_by_queue ON queue_jobs (queue_id);
"#];
