//! `rigor queue status NAME`: a queue's progress (JSON contract `rigor.queue/1`).

use crate::args::Format;
use crate::args::queue::{QueueAction, QueueArgs};
use anyhow::Result;
use rigor_model::Config;

pub fn run(config: &Config, args: &QueueArgs) -> Result<i32> {
    match &args.action {
        QueueAction::Status {
            name,
            commit,
            format,
        } => {
            let mut store = super::open_store_for_reading(config)?;
            let st = rigor_queue::queue_status(&mut store, name, commit.as_deref())?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&st)?),
                Format::Text => print!("{}", rigor_queue::status::render(&st)),
            }
            Ok(0)
        }
    }
}
