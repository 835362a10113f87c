//! One module per operation group of the GuardDuty API.

pub mod detectors;
pub mod extra;
pub mod filters;
pub mod findings;
pub mod members;
pub mod publishing;
pub mod sets;
pub mod tags;
pub mod usage;
