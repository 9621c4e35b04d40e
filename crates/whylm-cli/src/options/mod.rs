//! Options shared by several subcommands, and the small steps that turn them into inputs.

pub mod attention;
pub mod batch;
pub mod chat;
pub mod chat_explain;
pub mod context;
pub mod count;
pub mod engine;
pub mod faithfulness;
pub mod model_loading;
pub mod model_path;
pub mod output;
pub mod prompt;
pub mod refine;
pub mod report_output;
pub mod sampling;
pub mod summarise;
pub mod tokenizer;
pub mod weights;
