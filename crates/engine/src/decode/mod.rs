//! Decoders: bytes → typed events. One module per log family.

pub mod cloudtrail;
pub mod dns;
pub mod flow;
#[cfg(feature = "parquet")]
pub mod flow_parquet;

/// The magic bytes Apache Parquet files start (and end) with. Known with or without the
/// `parquet` feature, so a build without it can say why it refuses such an input.
pub const PARQUET_MAGIC: &[u8; 4] = b"PAR1";

use std::fmt;

/// Where in an input a bad record was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// 1-based line of a line-delimited input.
    Line(u64),
    /// 1-based record of a document (JSON array or `Records`), with the line it starts on when known.
    Record { index: u64, line: Option<u64> },
    /// The input as a whole (for example a truncated gzip stream).
    Input,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(n) => write!(f, "line {n}"),
            Location::Record {
                index,
                line: Some(l),
            } => write!(f, "record {index} (line {l})"),
            Location::Record { index, line: None } => write!(f, "record {index}"),
            Location::Input => write!(f, "input"),
        }
    }
}

/// Why a record or input was rejected. The kind is what summaries count by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RejectKind {
    MalformedJson,
    NotCloudTrail,
    LineTooLong,
    Truncated,
    ReadError,
    /// A Parquet input that is not a readable Parquet file, or a flow column of the wrong type.
    MalformedParquet,
    /// A readable Parquet file that is not a VPC flow log.
    NotFlowLog,
    /// An input this build cannot read (e.g. Parquet without the `parquet` feature).
    Unsupported,
}

impl RejectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RejectKind::MalformedJson => "malformed JSON",
            RejectKind::NotCloudTrail => "not a CloudTrail record",
            RejectKind::LineTooLong => "line too long",
            RejectKind::Truncated => "truncated input",
            RejectKind::ReadError => "read error",
            RejectKind::MalformedParquet => "malformed Parquet",
            RejectKind::NotFlowLog => "not a VPC flow log",
            RejectKind::Unsupported => "unsupported input",
        }
    }
}

/// A rejected record or input: named by input and location, with a reason a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub input: String,
    pub location: Location,
    pub kind: RejectKind,
    pub message: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {}: {}",
            self.input,
            self.location,
            self.kind.as_str(),
            self.message
        )
    }
}
