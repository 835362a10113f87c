// TEMPORARY stand-in until the sample generator lands (not to be committed).
use crate::Finding;
pub struct SampleContext {
    pub account_id: String,
    pub region: String,
    pub detector_id: String,
    pub partition: String,
    pub now_ms: i64,
}
pub fn sample_finding(_t: &str, _c: &SampleContext) -> Option<Finding> {
    None
}
pub fn sample_types() -> impl Iterator<Item = &'static str> {
    std::iter::empty()
}
