//! Detectors: events in, signals out. One module per detector family. Each finding type is
//! documented once, with its trigger, next to the code that raises it.

pub mod baseline;
pub mod bruteforce;
pub mod cloudtrail;
pub mod dga;
pub mod dns;
pub mod dns_behaviour;
pub mod flood;
pub mod flow;
pub mod intel;
pub mod json;
pub mod s3_policy;
pub mod scan;
pub mod window;

use warden_model::{CloudTrailEvent, Signal};

/// Which detections are on. Custom Detection Rule signals are on by default (GuardDuty makes them
/// opt-in); any rule or finding type can be switched off by name.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DetectionConfig {
    /// Rule names (e.g. `IAMAccessKeyCreated`) or finding types (e.g.
    /// `Policy:IAMUser/RootCredentialUsage`) to switch off.
    pub disabled: Vec<String>,
    /// Switch off every Custom Detection Rule signal at once.
    pub disable_custom_detection_rules: bool,
    /// A DGA model file written by `warden dga train`. Without one the DGA finding types
    /// (`Trojan:EC2/DGADomainRequest.B`, `.C!DNS` from the model) are off; no model ships with
    /// Warden (see [`dga`]).
    pub dga_model: Option<std::path::PathBuf>,
    /// Thresholds and state bounds of the stateful DNS detections.
    pub dns_behaviour: dns_behaviour::DnsBehaviourConfig,
    /// Learned per-instance network baselines (`[detection.baseline]`).
    pub baseline: baseline::BaselineConfig,
}

/// A detector over CloudTrail records.
pub trait CloudTrailDetector: Send {
    /// Look at one record; push any signals.
    fn detect(&mut self, event: &CloudTrailEvent<'_>, time: i64, out: &mut Vec<Signal>);
}
