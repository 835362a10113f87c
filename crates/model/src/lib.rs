//! Warden's data model.
//!
//! Data flows one way through Warden: `source → decode → event → enrich → detectors → signal →
//! finding → store → outputs`. This crate holds the shapes that cross those seams:
//! [`event`] (typed, borrowed CloudTrail records), [`signal`] (what a detector says it saw),
//! [`finding`] (GuardDuty's Finding, field for field), [`catalogue`](mod@catalogue) (every
//! finding type), [`criteria`] (GuardDuty's finding query language: criteria, sorting,
//! statistics) and [`sample`] (`CreateSampleFindings`: one realistic finding per type).

pub mod catalogue;
pub mod criteria;
pub mod event;
pub mod finding;
pub mod sample;
pub mod signal;
pub mod time;

pub use catalogue::{FindingTypeInfo, catalogue};
pub use event::CloudTrailEvent;
pub use finding::Finding;
pub use signal::Signal;
