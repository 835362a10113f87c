//! Warden's engine: `source → decode → event → detectors → signal → aggregate → store`.

pub mod aggregate;
pub mod decode;
pub mod detect;
pub mod enrich;
pub mod generate;
pub mod inventory;
pub mod pipeline;
pub mod source;
pub mod usage;

pub use pipeline::{Pipeline, ScanConfig, ScanStats};
