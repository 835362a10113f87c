//! The configuration file (TOML). Every section is optional; unknown keys are errors so a typo
//! never silently does nothing.
//!
//! ```toml
//! [detection]
//! # Rule names or finding types to switch off.
//! disabled = ["IAMAccessKeyCreated", "Policy:IAMUser/RootCredentialUsage"]
//! # Custom Detection Rule signals are on by default; this switches them all off.
//! disable_custom_detection_rules = false
//! # A model from `warden dga train`; without one the DGA finding types are off.
//! dga_model = "/var/lib/warden/dga.model"
//!
//! [detection.dns_behaviour]           # DNS tunnelling and DGA thresholds (defaults shown)
//! tunnel_min_names = 30
//! tunnel_min_bytes = 2048
//! exempt_suffixes = ["sophosxl.net"]  # zones that legitimately carry encoded names
//! [detection.baseline]                # learned per-instance network baselines (VPC Flow Logs)
//! learning_period_secs = 86400        # learn a day of event time before anything is unusual
//! volume_factor = 10.0                # TrafficVolumeUnusual: this many times the baseline...
//! volume_floor_bytes = 1073741824     # ...and at least this much to one host in an hour
//!
//! [intel]
//! builtin = true                      # Tor exits/relays, malicious IPs, mining pools, AWS ranges
//! [[intel.threat_lists]]
//! name = "corp-blocklist"             # shown as threatListName in findings
//! location = "/etc/warden/blocklist.txt"   # or an https:// URL
//! format = "TXT"                      # TXT, STIX, OTX_CSV, ALIEN_VAULT, PROOF_POINT, FIRE_EYE (optional)
//! [[intel.trusted_lists]]
//! name = "office"
//! location = "/etc/warden/trusted.txt"
//! [intel.geo]
//! mmdb = ["/var/lib/GeoLite2-City.mmdb"]   # optional; the built-in country/ASN tables are used otherwise
//!
//! [inventory]
//! # `aws ec2 describe-instances` / `describe-network-interfaces` JSON: which instance holds which
//! # interface and address, for the instanceDetails of network findings.
//! files = ["/var/lib/warden/instances.json"]
//! capacity = 100000                   # instances plus interfaces kept (optional)
//!
//! [decode]
//! max_line_bytes = 268435456
//! max_document_bytes = 2147483648
//! ```

use anyhow::Context;
use serde::Deserialize;
use std::path::Path;
use warden_engine::decode::cloudtrail::DecodeOptions;
use warden_engine::detect::DetectionConfig;
use warden_engine::inventory::InventoryConfig;
use warden_intel::load::IntelConfig;

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Which detections run.
    pub detection: DetectionConfig,
    /// Decoder limits.
    pub decode: DecodeOptions,
    /// Threat lists, trusted IP lists, built-in feeds and geolocation.
    pub intel: IntelConfig,
    /// `warden serve`: listen address, accepted regions, access keys.
    pub serve: crate::serve::ServeSection,
    /// Instance inventory files.
    pub inventory: InventoryConfig,
}

impl Config {
    pub fn load(path: Option<&Path>) -> anyhow::Result<Config> {
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading config {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("config {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects_unknown_keys() {
        let c: Config =
            toml::from_str("[detection]\ndisabled = [\"IAMAccessKeyCreated\"]\n").unwrap();
        assert_eq!(c.detection.disabled, ["IAMAccessKeyCreated"]);
        assert!(toml::from_str::<Config>("[detection]\ndisabeld = []\n").is_err());
        let c: Config = toml::from_str("[inventory]\nfiles = [\"a.json\", \"b.json\"]\n").unwrap();
        assert_eq!(c.inventory.files.len(), 2);
        assert_eq!(c.inventory.capacity, None);
        assert!(toml::from_str::<Config>("[inventory]\nfile = \"a.json\"\n").is_err());
    }

    #[test]
    fn dns_behaviour_and_dga_model_keys() {
        let c: Config = toml::from_str(
            "[detection]\ndga_model = \"/var/lib/warden/dga.model\"\n\
             [detection.dns_behaviour]\ntunnel_min_names = 40\nexempt_suffixes = [\"sophosxl.net\"]\n",
        )
        .unwrap();
        assert_eq!(
            c.detection.dga_model.as_deref(),
            Some(Path::new("/var/lib/warden/dga.model"))
        );
        assert_eq!(c.detection.dns_behaviour.tunnel_min_names, 40);
        assert_eq!(
            c.detection.dns_behaviour.tunnel_min_bytes, 2048,
            "defaults kept"
        );
        assert_eq!(c.detection.dns_behaviour.exempt_suffixes, ["sophosxl.net"]);
        assert!(
            toml::from_str::<Config>("[detection.dns_behaviour]\ntunnel_min_name = 1\n").is_err()
        );
        let c: Config =
            toml::from_str("[detection.baseline]\nlearning_period_secs = 3600\n").unwrap();
        assert_eq!(c.detection.baseline.learning_period_secs, 3600);
        assert_eq!(
            c.detection.baseline.max_ports, 256,
            "the rest keep their defaults"
        );
        assert!(toml::from_str::<Config>("[detection.baseline]\nlearning = 1\n").is_err());
    }
}
