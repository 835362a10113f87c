//! Warden's engine: `source → decode → event → detectors → signal → aggregate`.

pub mod decode;
// pub mod gen;
pub mod source;
