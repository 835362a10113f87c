//! Amazon VPC Flow Logs decoder (Apache Parquet; cargo feature `parquet`).
//!
//! AWS can deliver flow logs to S3 as Parquet files (GZIP-compressed pages, optionally under
//! Hive-compatible prefixes such as `aws-region=us-east-1/`). Each file has one column per field
//! of the flow log's format, named like the text header but with `_` for `-` (`account_id`,
//! `log_status`, `pkt_srcaddr`, ...). AWS types numbers as integers (`version`, `srcport`,
//! `dstport`, `tcp_flags` int32; `protocol`, `packets`, `bytes`, `start`, `end` int64) and
//! everything else as strings; a field that does not apply is null.
//!
//! [`decode`] maps columns to fields by name (the text decoder's normalisation: case and `_`/`-`
//! do not matter), reads only the columns [`FlowRecord`] types (unknown columns are never
//! decompressed), and builds the same [`FlowRecord`]s the text decoder builds, so every flow
//! detector sees identical input whichever format a flow log was delivered in:
//!
//! * null maps to what `-` maps to in text (the field is `None`);
//! * any integer width (signed or unsigned) is accepted for a number, and so is a string holding
//!   the number in text form (files converted from text by generic tools), parsed by the text
//!   decoder's own parsers; a value out of the field's range (port 70000, negative bytes) rejects
//!   that record, named by its 1-based row, and decoding goes on;
//! * a file that is not Parquet, is truncated, has no flow log columns, or types a flow column in
//!   a way that cannot hold the field (a float port, a number for an address) is rejected whole,
//!   with a message that names the problem; [`decode`] never panics on bad input (the parquet
//!   crate's own decoding is run under `catch_unwind` as a last resort against hostile files).
//!
//! Parquet needs random access (its footer is at the end), so the pipeline buffers the input in
//! memory first, bounded by `decode.max_document_bytes` ([`read_bounded`]). Records are built a
//! batch at a time, column by column: each column is downcast once per batch and filled into the
//! batch's records with a loop specialised to its Arrow type, never looked up per row by name.
//! Records borrow their strings from the batch (no copy). Their `raw` text is empty: Parquet has
//! no record text, and columns the decoder does not type are not read.

use super::flow::{
    FlowError, FlowRecord, Kind, kind_of, normalize_name, set_field, set_int, shown,
};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use bytes::Bytes;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use std::io::{self, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// The magic bytes a Parquet file starts and ends with.
pub const MAGIC: &[u8; 4] = super::PARQUET_MAGIC;

/// Rows decoded per batch: big enough to amortise the per-batch work, small enough that the
/// batch's records (≈ 250 bytes each) stay in cache-friendly megabytes.
const BATCH_ROWS: usize = 4096;

/// Why a whole Parquet input was rejected.
#[derive(Debug, thiserror::Error)]
pub enum FlowParquetError {
    #[error("Parquet file larger than the {limit} byte limit (decode.max_document_bytes)")]
    TooLarge { limit: usize },
    #[error("{0}")]
    Read(#[from] io::Error),
    #[error("not a Parquet file (it does not start with the magic bytes `PAR1`)")]
    NotParquet,
    #[error(
        "truncated Parquet file: {len} bytes that do not end with the footer magic `PAR1` \
         (an interrupted download or copy?)"
    )]
    Truncated { len: usize },
    #[error("encrypted Parquet files (footer magic `PARE`) are not supported")]
    Encrypted,
    #[error("malformed Parquet: {0}")]
    Malformed(String),
    #[error(
        "not a VPC flow log: no flow log address columns (srcaddr, dstaddr, pkt_srcaddr, \
         pkt_dstaddr) with at least {MIN_FIELDS} flow log fields; columns: {columns}"
    )]
    NotFlowLog { columns: String },
    #[error(
        "column `{column}` has type {found}, which cannot hold the flow log field `{field}`: {expected}"
    )]
    ColumnType {
        column: String,
        field: String,
        found: String,
        expected: &'static str,
    },
}

impl FlowParquetError {
    /// The reject kind summaries count this under.
    pub fn reject_kind(&self) -> super::RejectKind {
        use super::RejectKind;
        match self {
            FlowParquetError::TooLarge { .. } => RejectKind::LineTooLong,
            FlowParquetError::Read(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                RejectKind::Truncated
            }
            FlowParquetError::Read(_) => RejectKind::ReadError,
            FlowParquetError::Truncated { .. } => RejectKind::Truncated,
            FlowParquetError::NotFlowLog { .. } => RejectKind::NotFlowLog,
            FlowParquetError::NotParquet
            | FlowParquetError::Encrypted
            | FlowParquetError::Malformed(_)
            | FlowParquetError::ColumnType { .. } => RejectKind::MalformedParquet,
        }
    }
}

/// A flow log has at least this many documented fields, one of them an address: fewer can
/// name nothing a detector can use, and a non-flow table rarely has these names.
const MIN_FIELDS: usize = 3;

/// Read a whole input into memory, at most `limit` bytes.
pub fn read_bounded(reader: &mut dyn Read, limit: usize) -> Result<Bytes, FlowParquetError> {
    let mut buf = Vec::new();
    reader
        .take((limit as u64).saturating_add(1))
        .read_to_end(&mut buf)?;
    if buf.len() > limit {
        return Err(FlowParquetError::TooLarge { limit });
    }
    Ok(Bytes::from(buf))
}

/// One projected column: which field it fills and what the file calls it.
struct Mapped {
    /// Index among the file's top-level columns.
    root: usize,
    kind: Kind,
    name: String,
}

/// Which Arrow types can hold a field.
fn type_fits(kind: Kind, data_type: &DataType) -> Result<(), &'static str> {
    let text = matches!(
        data_type,
        DataType::Utf8
            | DataType::LargeUtf8
            | DataType::Utf8View
            | DataType::Binary
            | DataType::LargeBinary
            | DataType::BinaryView
    );
    let integer = data_type.is_integer();
    if kind.is_numeric() {
        if text || integer {
            return Ok(());
        }
        return Err("expected an integer (or its text)");
    }
    if text {
        return Ok(());
    }
    Err(if kind.is_address() {
        "expected an IP address as a string"
    } else {
        "expected a string"
    })
}

/// Map the file's columns to flow log fields, checking each one's type.
fn map_columns(schema: &arrow_schema::Schema) -> Result<Vec<Mapped>, FlowParquetError> {
    let mut mapped: Vec<Mapped> = Vec::new();
    let mut known = 0usize;
    let mut address = false;
    let mut dns_query = false;
    for (root, field) in schema.fields().iter().enumerate() {
        let normal = normalize_name(field.name());
        // Route 53 Resolver query logs share srcaddr/srcport/account_id/vpc_id with flow logs;
        // their query_name column tells them apart.
        dns_query |= normal == "query-name";
        if super::flow::KNOWN_FIELDS.contains(&normal.as_str()) {
            known += 1;
        }
        let kind = kind_of(&normal);
        if kind == Kind::Other || mapped.iter().any(|m| m.kind == kind) {
            // Untyped fields are not read; of two columns for one field the first wins.
            continue;
        }
        if let Err(expected) = type_fits(kind, field.data_type()) {
            return Err(FlowParquetError::ColumnType {
                column: field.name().clone(),
                field: normal,
                found: field.data_type().to_string(),
                expected,
            });
        }
        address |= kind.is_address();
        mapped.push(Mapped {
            root,
            kind,
            name: field.name().clone(),
        });
    }
    if !address || known < MIN_FIELDS || dns_query {
        let mut columns: Vec<&str> = schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .take(20)
            .collect();
        if schema.fields().len() > columns.len() {
            columns.push("…");
        }
        return Err(FlowParquetError::NotFlowLog {
            columns: if columns.is_empty() {
                "(none)".to_string()
            } else {
                columns.join(", ")
            },
        });
    }
    Ok(mapped)
}

fn malformed(e: impl std::fmt::Display) -> FlowParquetError {
    FlowParquetError::Malformed(e.to_string())
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown error".to_string());
    format!("the Parquet reader failed on this file: {text}")
}

/// Decode a whole Parquet flow log held in memory. Calls `on_record` for each good row and
/// `on_error(row, error)` for each bad one (1-based row numbers across the file), and returns
/// (records, rejected). A file-level problem is an `Err`; rows delivered before a corrupt row
/// group was met stay delivered.
pub fn decode(
    data: Bytes,
    on_record: &mut dyn FnMut(&FlowRecord<'_>, u64),
    on_error: &mut dyn FnMut(u64, FlowError),
) -> Result<(u64, u64), FlowParquetError> {
    if !data.starts_with(MAGIC) {
        return Err(FlowParquetError::NotParquet);
    }
    if data.len() >= 8 && data.ends_with(b"PARE") {
        return Err(FlowParquetError::Encrypted);
    }
    // 4 magic + 4 footer length + 4 magic is the smallest possible file.
    if data.len() < 12 || !data.ends_with(MAGIC) {
        return Err(FlowParquetError::Truncated { len: data.len() });
    }
    // The embedded Arrow schema is skipped: types then come from the Parquet schema alone, so
    // strings are plain Utf8 (never dictionary- or view-typed) whatever wrote the file.
    let options = ArrowReaderOptions::new().with_skip_arrow_metadata(true);
    let builder = catch_unwind(AssertUnwindSafe(|| {
        ParquetRecordBatchReaderBuilder::try_new_with_options(data, options)
    }))
    .map_err(|p| FlowParquetError::Malformed(panic_message(&*p)))?
    .map_err(malformed)?;
    let mapped = map_columns(builder.schema())?;
    let mask = ProjectionMask::roots(builder.parquet_schema(), mapped.iter().map(|m| m.root));
    let mut reader = builder
        .with_projection(mask)
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(malformed)?;

    let mut rows = 0u64;
    let mut records = 0u64;
    let mut rejected = 0u64;
    loop {
        let next = catch_unwind(AssertUnwindSafe(|| reader.next()))
            .map_err(|p| FlowParquetError::Malformed(panic_message(&*p)))?;
        let batch = match next {
            None => break,
            Some(Ok(batch)) => batch,
            Some(Err(e)) => {
                return Err(FlowParquetError::Malformed(format!(
                    "reading the rows from row {}: {e}",
                    rows + 1
                )));
            }
        };
        let (good, bad) = decode_batch(&batch, &mapped, rows, on_record, on_error)?;
        records += good;
        rejected += bad;
        rows += batch.num_rows() as u64;
    }
    Ok((records, rejected))
}

/// Build one batch's records column by column, then hand them on in row order.
fn decode_batch(
    batch: &RecordBatch,
    mapped: &[Mapped],
    first_row: u64,
    on_record: &mut dyn FnMut(&FlowRecord<'_>, u64),
    on_error: &mut dyn FnMut(u64, FlowError),
) -> Result<(u64, u64), FlowParquetError> {
    let n = batch.num_rows();
    if batch.num_columns() != mapped.len() {
        return Err(FlowParquetError::Malformed(format!(
            "a batch has {} columns where {} were asked for",
            batch.num_columns(),
            mapped.len()
        )));
    }
    let mut recs: Vec<FlowRecord<'_>> = vec![FlowRecord::empty(""); n];
    let mut errs: Vec<Option<FlowError>> = vec![None; n];
    // The projection keeps the file's column order, which is `mapped`'s order.
    for (m, column) in mapped.iter().zip(batch.columns()) {
        if column.len() != n {
            return Err(FlowParquetError::Malformed(format!(
                "column `{}` has {} values in a batch of {n} rows",
                m.name,
                column.len()
            )));
        }
        let fill = Fill {
            kind: m.kind,
            name: &m.name,
        };
        let column = column.as_ref();
        macro_rules! ints {
            ($ty:ty) => {
                fill.ints(
                    &mut recs,
                    &mut errs,
                    column
                        .as_primitive::<$ty>()
                        .iter()
                        .map(|v| v.map(i128::from)),
                )
            };
        }
        match column.data_type() {
            DataType::Utf8 => fill.text(&mut recs, &mut errs, column.as_string::<i32>().iter()),
            DataType::LargeUtf8 => {
                fill.text(&mut recs, &mut errs, column.as_string::<i64>().iter())
            }
            DataType::Utf8View => fill.text(&mut recs, &mut errs, column.as_string_view().iter()),
            DataType::Binary => fill.bytes(&mut recs, &mut errs, column.as_binary::<i32>().iter()),
            DataType::LargeBinary => {
                fill.bytes(&mut recs, &mut errs, column.as_binary::<i64>().iter())
            }
            DataType::BinaryView => {
                fill.bytes(&mut recs, &mut errs, column.as_binary_view().iter())
            }
            DataType::Int8 => ints!(Int8Type),
            DataType::Int16 => ints!(Int16Type),
            DataType::Int32 => ints!(Int32Type),
            DataType::Int64 => ints!(Int64Type),
            DataType::UInt8 => ints!(UInt8Type),
            DataType::UInt16 => ints!(UInt16Type),
            DataType::UInt32 => ints!(UInt32Type),
            DataType::UInt64 => ints!(UInt64Type),
            other => {
                // The schema was checked up front; a batch typed otherwise is a broken file.
                return Err(FlowParquetError::Malformed(format!(
                    "column `{}` decoded as {other}",
                    m.name
                )));
            }
        }
    }
    let mut good = 0u64;
    let mut bad = 0u64;
    for (i, (rec, err)) in recs.iter().zip(errs).enumerate() {
        let row = first_row + i as u64 + 1;
        match err {
            None => {
                good += 1;
                on_record(rec, row);
            }
            Some(e) => {
                bad += 1;
                on_error(row, e);
            }
        }
    }
    Ok((good, bad))
}

/// Fills one field of a batch's records from one column.
struct Fill<'m> {
    kind: Kind,
    name: &'m str,
}

impl Fill<'_> {
    #[cold]
    #[inline(never)]
    fn bad(&self, err: &mut Option<FlowError>, value: &str) {
        // The first bad field of a row is the one reported, as in text.
        if err.is_none() {
            *err = Some(FlowError::new(format!(
                "column `{}`: invalid value {}",
                self.name,
                shown(value)
            )));
        }
    }

    fn text<'b>(
        &self,
        recs: &mut [FlowRecord<'b>],
        errs: &mut [Option<FlowError>],
        values: impl Iterator<Item = Option<&'b str>>,
    ) {
        for ((rec, err), value) in recs.iter_mut().zip(errs.iter_mut()).zip(values) {
            // Null and text's `-` both mean "does not apply".
            let Some(value) = value.filter(|v| *v != "-") else {
                continue;
            };
            if !set_field(rec, self.kind, value) {
                self.bad(err, value);
            }
        }
    }

    fn bytes<'b>(
        &self,
        recs: &mut [FlowRecord<'b>],
        errs: &mut [Option<FlowError>],
        values: impl Iterator<Item = Option<&'b [u8]>>,
    ) {
        for ((rec, err), value) in recs.iter_mut().zip(errs.iter_mut()).zip(values) {
            let Some(value) = value else { continue };
            match std::str::from_utf8(value) {
                Ok("-") => {}
                Ok(text) => {
                    if !set_field(rec, self.kind, text) {
                        self.bad(err, text);
                    }
                }
                Err(_) => self.bad(err, &String::from_utf8_lossy(value)),
            }
        }
    }

    fn ints(
        &self,
        recs: &mut [FlowRecord<'_>],
        errs: &mut [Option<FlowError>],
        values: impl Iterator<Item = Option<i128>>,
    ) {
        for ((rec, err), value) in recs.iter_mut().zip(errs.iter_mut()).zip(values) {
            let Some(value) = value else { continue };
            if !set_int(rec, self.kind, value) {
                self.bad(err, &value.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{ArrayRef, Int32Array, Int64Array, StringArray};
    use parquet::arrow::ArrowWriter;
    use std::sync::Arc;

    fn file(columns: Vec<(&str, ArrayRef)>) -> Bytes {
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let mut out = Vec::new();
        let mut w = ArrowWriter::try_new(&mut out, batch.schema(), None).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        Bytes::from(out)
    }

    /// Records (row and Debug text) and row rejects (row and message) of one file.
    type Decoded = (Vec<String>, Vec<(u64, String)>);

    fn run(data: Bytes) -> Result<Decoded, FlowParquetError> {
        let mut recs = Vec::new();
        let mut errs = Vec::new();
        decode(
            data,
            &mut |r, row| recs.push(format!("{row} {r:?}")),
            &mut |row, e| errs.push((row, e.message)),
        )?;
        Ok((recs, errs))
    }

    #[test]
    fn integers_of_any_width_and_text_numbers_agree() {
        let a = file(vec![
            (
                "srcaddr",
                Arc::new(StringArray::from(vec!["10.0.0.1"])) as ArrayRef,
            ),
            ("dstport", Arc::new(Int32Array::from(vec![22]))),
            ("packets", Arc::new(Int64Array::from(vec![7]))),
        ]);
        let b = file(vec![
            (
                "SRCADDR",
                Arc::new(StringArray::from(vec!["10.0.0.1"])) as ArrayRef,
            ),
            ("dstport", Arc::new(StringArray::from(vec!["22"]))),
            ("packets", Arc::new(StringArray::from(vec!["7"]))),
        ]);
        let (ra, ea) = run(a).unwrap();
        let (rb, eb) = run(b).unwrap();
        assert!(ea.is_empty() && eb.is_empty());
        assert_eq!(ra, rb);
        assert!(ra[0].contains("dstport: Some(22)") && ra[0].contains("packets: Some(7)"));
    }

    #[test]
    fn out_of_range_values_reject_their_row_only() {
        let data = file(vec![
            (
                "srcaddr",
                Arc::new(StringArray::from(vec!["10.0.0.1", "10.0.0.2", "nope"])) as ArrayRef,
            ),
            ("dstport", Arc::new(Int32Array::from(vec![22, 70_000, 22]))),
            ("bytes", Arc::new(Int64Array::from(vec![1, 2, -3]))),
        ]);
        let (recs, errs) = run(data).unwrap();
        assert_eq!(recs.len(), 1);
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].0, 2);
        assert!(errs[0].1.contains("`dstport`") && errs[0].1.contains("70000"));
        assert_eq!(errs[1].0, 3);
        // The first bad column in file order is the one named.
        assert!(errs[1].1.contains("`srcaddr`") && errs[1].1.contains("nope"));
    }

    #[test]
    fn wrong_column_types_reject_the_file() {
        let data = file(vec![
            (
                "srcaddr",
                Arc::new(Int64Array::from(vec![167772161])) as ArrayRef,
            ),
            ("dstport", Arc::new(Int32Array::from(vec![22]))),
            ("action", Arc::new(StringArray::from(vec!["ACCEPT"]))),
        ]);
        let e = run(data).unwrap_err();
        assert!(matches!(e, FlowParquetError::ColumnType { .. }));
        let text = e.to_string();
        assert!(
            text.contains("`srcaddr`") && text.contains("Int64"),
            "{text}"
        );
        let data = file(vec![
            (
                "srcaddr",
                Arc::new(StringArray::from(vec!["10.0.0.1"])) as ArrayRef,
            ),
            (
                "dstport",
                Arc::new(arrow_array::Float64Array::from(vec![22.0])),
            ),
            ("action", Arc::new(StringArray::from(vec!["ACCEPT"]))),
        ]);
        let text = run(data).unwrap_err().to_string();
        assert!(
            text.contains("`dstport`") && text.contains("integer"),
            "{text}"
        );
    }

    #[test]
    fn dns_query_logs_are_not_flow_logs() {
        let data = file(vec![
            (
                "srcaddr",
                Arc::new(StringArray::from(vec!["10.0.0.1"])) as ArrayRef,
            ),
            ("srcport", Arc::new(Int32Array::from(vec![5353]))),
            (
                "account_id",
                Arc::new(StringArray::from(vec!["111122223333"])),
            ),
            (
                "query_name",
                Arc::new(StringArray::from(vec!["example.com."])),
            ),
        ]);
        assert!(matches!(
            run(data).unwrap_err(),
            FlowParquetError::NotFlowLog { .. }
        ));
    }

    #[test]
    fn input_bound_is_enforced() {
        let data = [0u8; 100];
        assert!(matches!(
            read_bounded(&mut &data[..], 99),
            Err(FlowParquetError::TooLarge { limit: 99 })
        ));
        assert_eq!(read_bounded(&mut &data[..], 100).unwrap().len(), 100);
    }

    /// Byte flips, truncations and garbage footers in a valid file: every outcome is a record,
    /// a row reject or a file reject, never a panic that escapes.
    #[test]
    fn no_panic_on_mutated_files() {
        let n = 300;
        let good = file(vec![
            (
                "srcaddr",
                Arc::new(StringArray::from_iter_values(
                    (0..n).map(|i| format!("10.0.{}.{}", i / 256, i % 256)),
                )) as ArrayRef,
            ),
            ("dstport", Arc::new(Int32Array::from_iter_values(0..n))),
            (
                "start",
                Arc::new(Int64Array::from_iter_values((0..n).map(i64::from))),
            ),
            (
                "action",
                Arc::new(StringArray::from_iter_values(
                    (0..n).map(|i| if i % 2 == 0 { "ACCEPT" } else { "REJECT" }),
                )),
            ),
        ]);
        assert_eq!(run(good.clone()).unwrap().0.len(), n as usize);
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut outcomes = [0usize; 2];
        for round in 0..400 {
            let mut bytes = good.to_vec();
            match round % 3 {
                0 => {
                    for _ in 0..=(next() % 4) {
                        let i = (next() as usize) % bytes.len();
                        bytes[i] ^= 1 << (next() % 8);
                    }
                }
                1 => bytes.truncate((next() as usize) % bytes.len()),
                _ => {
                    // Corrupt the footer (metadata) while keeping both magics.
                    let len = bytes.len();
                    let i = len - 8 - (next() as usize) % (len / 4);
                    bytes[i] = next() as u8;
                }
            }
            let result = run(Bytes::from(bytes));
            outcomes[result.is_ok() as usize] += 1;
        }
        assert!(
            outcomes[0] > 0,
            "some mutations must be rejected: {outcomes:?}"
        );
    }
}
