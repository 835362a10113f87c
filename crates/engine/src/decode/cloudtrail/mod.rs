//! CloudTrail decoding, in every shape AWS delivers it, recognised by content:
//!
//! * S3 delivery files: `{"Records":[...]}` (one line or pretty-printed, usually gzipped);
//! * JSON arrays of records; JSON Lines; single records; concatenated JSON values;
//! * EventBridge events (`detail` holds the record);
//! * CloudWatch Logs: exports (`TIMESTAMP {json}` per line), `{"message":"{json}"}` wrappers and
//!   subscription payloads (`{"logEvents":[{"message":...}]}`);
//! * any of these gzipped (handled by the source).
//!
//! Line-delimited input (the hot path) is parsed once per line straight into a typed
//! [`CloudTrailEvent`]; envelope fields found in that same parse say whether the value wraps
//! records instead. A bad line or record is reported with its location and skipped; a bad file
//! never stops the others.

use super::{DecodeError, Location, RejectKind};
use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;
use std::io::{self, BufRead, Read};
use warden_model::CloudTrailEvent;

/// Decoder limits. Every limit is a bound on memory a hostile input could otherwise take.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DecodeOptions {
    /// Longest line accepted in line-delimited input. S3 delivery files are often one line, so
    /// this is generous; a longer line is skipped and reported.
    pub max_line_bytes: usize,
    /// Largest (decompressed) JSON document read whole: arrays and pretty-printed files.
    pub max_document_bytes: usize,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            max_line_bytes: 256 << 20,
            max_document_bytes: 2 << 30,
        }
    }
}

/// Where a decoded record came from.
#[derive(Debug, Clone, Copy)]
pub struct RecordRef<'a> {
    pub location: &'a Location,
    /// The record's own JSON text, for evidence and user rules.
    pub raw: &'a str,
}

/// What decoding one input produced.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DecodeSummary {
    pub records: u64,
    pub rejected: u64,
    /// Decompressed bytes read.
    pub bytes: u64,
}

/// Receives decoded records and rejects. Kept as a trait so the pipeline, tests and fuzzers can
/// each decide what to do with them.
pub trait RecordSink {
    fn record(&mut self, event: &CloudTrailEvent<'_>, at: RecordRef<'_>);
    fn reject(&mut self, error: DecodeError);
}

const MAX_ENVELOPE_DEPTH: u8 = 3;

struct Ctx<'s> {
    input: &'s str,
    sink: &'s mut dyn RecordSink,
    summary: DecodeSummary,
}

impl Ctx<'_> {
    fn reject(&mut self, location: Location, kind: RejectKind, message: impl Into<String>) {
        self.summary.rejected += 1;
        self.sink.reject(DecodeError {
            input: self.input.to_string(),
            location,
            kind,
            message: message.into(),
        });
    }

    /// Handle one top-level JSON value: a record, or an envelope around records.
    fn value(&mut self, json: &str, location: Location, depth: u8) {
        let event: CloudTrailEvent = match serde_json::from_str(json) {
            Ok(e) => e,
            Err(e) => {
                let kind = if e.is_data() {
                    RejectKind::NotCloudTrail
                } else {
                    RejectKind::MalformedJson
                };
                return self.reject(location, kind, e.to_string());
            }
        };
        if event.looks_like_record() {
            self.summary.records += 1;
            self.sink.record(
                &event,
                RecordRef {
                    location: &location,
                    raw: json,
                },
            );
            return;
        }
        if depth >= MAX_ENVELOPE_DEPTH {
            return self.reject(
                location,
                RejectKind::NotCloudTrail,
                "envelopes nested too deeply",
            );
        }
        if let Some(records) = event.envelope_records {
            self.array(records.get(), |_| location.clone(), depth + 1);
        } else if let Some(detail) = event.envelope_detail {
            self.value(detail.get(), location, depth + 1);
        } else if let Some(msg) = event.envelope_message.as_deref() {
            let msg = msg.to_string();
            self.value(strip_prefix(&msg), location, depth + 1);
        } else if let Some(events) = event.envelope_log_events {
            #[derive(serde::Deserialize)]
            struct LogEvent<'a> {
                #[serde(borrow)]
                message: std::borrow::Cow<'a, str>,
            }
            match serde_json::from_str::<Vec<LogEvent>>(events.get()) {
                Ok(list) => {
                    for m in list {
                        self.value(strip_prefix(&m.message), location.clone(), depth + 1);
                    }
                }
                Err(e) => self.reject(
                    location,
                    RejectKind::NotCloudTrail,
                    format!("logEvents: {e}"),
                ),
            }
        } else {
            self.reject(
                location,
                RejectKind::NotCloudTrail,
                "JSON object has no eventTime/eventName and is not a Records, EventBridge or CloudWatch Logs envelope",
            );
        }
    }

    /// Handle a JSON array of values, streaming: elements before a syntax error are kept.
    fn array(&mut self, json: &str, base: impl Fn(u64) -> Location, depth: u8) {
        self.array_with(json, base, depth, false)
    }

    /// The `[...]` of a `{"Records": [...]}` envelope: what follows the array is the envelope's.
    fn records(&mut self, json: &str, base: impl Fn(u64) -> Location, depth: u8) {
        self.array_with(json, base, depth, true)
    }

    fn array_with(
        &mut self,
        json: &str,
        base: impl Fn(u64) -> Location,
        depth: u8,
        in_envelope: bool,
    ) {
        let mut elements: Vec<&RawValue> = Vec::new();
        let result = for_each_element(json, in_envelope, &mut |raw| elements.push(raw));
        let count = elements.len() as u64;
        for (i, raw) in elements.into_iter().enumerate() {
            let loc = match base(i as u64 + 1) {
                Location::Line(l) => Location::Record {
                    index: i as u64 + 1,
                    line: Some(l),
                },
                Location::Input => Location::Record {
                    index: i as u64 + 1,
                    line: None,
                },
                other => other,
            };
            self.value(raw.get(), loc, depth);
        }
        if let Err(e) = result {
            let kind = if e.is_eof() {
                RejectKind::Truncated
            } else {
                RejectKind::MalformedJson
            };
            self.reject(
                Location::Record {
                    index: count + 1,
                    line: Some(e.line() as u64),
                },
                kind,
                format!("{e} (after {count} complete records)"),
            );
        }
    }
}

/// A CloudWatch Logs export line is `2024-08-18T09:21:20.000Z {json}`: drop what precedes `{`.
fn strip_prefix(line: &str) -> &str {
    let t = line.trim_start();
    if t.starts_with('{') || t.starts_with('[') {
        return t;
    }
    match t.find(" {") {
        Some(i) if i < 64 => &t[i + 1..],
        _ => t,
    }
}

/// Where the `[` of a leading `{"Records": [` is, if the text starts like an S3 delivery file.
fn records_array_start(text: &str) -> Option<usize> {
    let t = text.trim_start();
    let lead = text.len() - t.len();
    let rest = t.strip_prefix('{')?.trim_start();
    let rest = rest.strip_prefix("\"Records\"")?.trim_start();
    let rest = rest.strip_prefix(':')?.trim_start();
    rest.starts_with('[')
        .then(|| text.len() - rest.len())
        .map(|i| i.max(lead))
}

/// Call `f` with each element of a JSON array, in order, without building the array first.
fn for_each_element<'de>(
    json: &'de str,
    in_envelope: bool,
    f: &mut dyn FnMut(&'de RawValue),
) -> Result<(), serde_json::Error> {
    struct Seq<'f, 'de>(&'f mut dyn FnMut(&'de RawValue));
    impl<'de> Visitor<'de> for Seq<'_, 'de> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a JSON array of CloudTrail records")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while let Some(v) = seq.next_element::<&'de RawValue>()? {
                (self.0)(v);
            }
            Ok(())
        }
    }
    impl<'de> DeserializeSeed<'de> for Seq<'_, 'de> {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }
    let mut de = serde_json::Deserializer::from_str(json);
    Seq(f).deserialize(&mut de)?;
    if in_envelope { Ok(()) } else { de.end() }
}

/// Decode one input, whatever its shape, sending records and rejects to `sink`.
pub fn decode(
    input: &str,
    reader: &mut dyn BufRead,
    options: &DecodeOptions,
    sink: &mut dyn RecordSink,
) -> DecodeSummary {
    let mut ctx = Ctx {
        input,
        sink,
        summary: DecodeSummary::default(),
    };
    let first = match first_significant_byte(reader) {
        Ok(b) => b,
        Err(e) => {
            ctx.reject(Location::Input, read_error_kind(&e), e.to_string());
            return ctx.summary;
        }
    };
    match first {
        None => {}
        Some(b'[') => decode_document(&mut ctx, reader, options, Vec::new()),
        Some(b'{') => {
            // One complete JSON value on the first line means line-delimited input (JSON Lines,
            // one-line S3 delivery files); otherwise a pretty-printed document.
            let mut line = Vec::new();
            let mut line_no = 0;
            match read_line(reader, &mut line, options.max_line_bytes) {
                Ok(LineRead::Eof) => {}
                Ok(LineRead::TooLong(n)) => {
                    // Too long to be the first line of a pretty-printed document: line-delimited.
                    finish_line(&mut ctx, &line, n, 1, options);
                    decode_lines(&mut ctx, reader, options, 1);
                }
                Ok(LineRead::Line) => {
                    line_no += 1;
                    let text = trim_line(&line);
                    // A one-line S3 delivery file goes straight to its records (no validation
                    // pass); anything else is line-delimited only if its first line stands alone.
                    let delivery = std::str::from_utf8(text)
                        .ok()
                        .and_then(records_array_start)
                        .is_some();
                    if delivery || is_json(text) {
                        ctx.summary.bytes += line.len() as u64;
                        handle_line(&mut ctx, &line, line_no);
                        decode_lines(&mut ctx, reader, options, line_no);
                    } else {
                        // A broken first line of a JSON Lines file must not turn the whole file
                        // into one document: if the second line stands alone, it is line-delimited.
                        let mut second = Vec::new();
                        match read_line(reader, &mut second, options.max_line_bytes) {
                            Ok(LineRead::Line) if is_json(trim_line(&second)) => {
                                ctx.summary.bytes += (line.len() + second.len()) as u64;
                                handle_line(&mut ctx, &line, 1);
                                handle_line(&mut ctx, &second, 2);
                                decode_lines(&mut ctx, reader, options, 2);
                            }
                            Ok(LineRead::TooLong(n)) => {
                                ctx.summary.bytes += line.len() as u64;
                                handle_line(&mut ctx, &line, 1);
                                finish_line(&mut ctx, &second, n, 2, options);
                                decode_lines(&mut ctx, reader, options, 2);
                            }
                            Ok(_) => {
                                line.extend_from_slice(&second);
                                decode_document(&mut ctx, reader, options, line);
                            }
                            Err(e) => {
                                line.extend_from_slice(&second);
                                decode_buffer(&mut ctx, options, line, Some(e));
                            }
                        }
                    }
                }
                // Truncated before the first line ended (a damaged one-line S3 delivery file):
                // salvage what was read.
                Err(e) => decode_buffer(&mut ctx, options, line, Some(e)),
            }
        }
        Some(_) => {
            // Only CloudWatch Logs exports (`TIMESTAMP {json}`) start with something else; any
            // other non-JSON input (HTML, CSV, binaries) is rejected once, not line by line.
            let mut line = Vec::new();
            match read_line(reader, &mut line, options.max_line_bytes) {
                Ok(LineRead::Line) => {
                    let text = String::from_utf8_lossy(trim_line(&line)).into_owned();
                    if strip_prefix(&text).starts_with('{') {
                        ctx.summary.bytes += line.len() as u64;
                        handle_line(&mut ctx, &line, 1);
                        decode_lines(&mut ctx, reader, options, 1);
                    } else {
                        let shown: String = text.chars().take(40).collect();
                        ctx.reject(
                            Location::Input,
                            RejectKind::NotCloudTrail,
                            format!("not JSON, JSON Lines or a CloudWatch Logs export (starts with {shown:?})"),
                        );
                    }
                }
                Ok(LineRead::Eof) => {}
                Ok(LineRead::TooLong(n)) => ctx.reject(
                    Location::Line(1),
                    RejectKind::LineTooLong,
                    format!(
                        "{n} bytes, more than the {} byte limit",
                        options.max_line_bytes
                    ),
                ),
                Err(e) => ctx.reject(Location::Line(1), read_error_kind(&e), e.to_string()),
            }
        }
    }
    ctx.summary
}

fn is_json(text: &[u8]) -> bool {
    !text.is_empty() && serde_json::from_slice::<serde::de::IgnoredAny>(text).is_ok()
}

fn read_error_kind(e: &io::Error) -> RejectKind {
    match e.kind() {
        io::ErrorKind::UnexpectedEof => RejectKind::Truncated,
        _ => RejectKind::ReadError,
    }
}

fn first_significant_byte(reader: &mut dyn BufRead) -> io::Result<Option<u8>> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(None);
        }
        // Skip whitespace and a UTF-8 byte-order mark.
        let skip = buf
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0xEF | 0xBB | 0xBF));
        match skip {
            Some(i) => {
                let b = buf[i];
                return Ok(Some(b));
            }
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    }
}

enum LineRead {
    Eof,
    Line,
    /// The line was longer than the limit: its first bytes are kept, the rest discarded.
    TooLong(u64),
}

/// Read one `\n`-terminated line into `buf`, keeping at most `max` bytes of it.
fn read_line(reader: &mut dyn BufRead, buf: &mut Vec<u8>, max: usize) -> io::Result<LineRead> {
    buf.clear();
    let mut total: u64 = 0;
    loop {
        let chunk = match reader.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(if total == 0 {
                LineRead::Eof
            } else if total as usize > max {
                LineRead::TooLong(total)
            } else {
                LineRead::Line
            });
        }
        let (take, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let room = max.saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..take.min(room)]);
        total += take as u64;
        reader.consume(take);
        if done {
            return Ok(if total as usize > max {
                LineRead::TooLong(total)
            } else {
                LineRead::Line
            });
        }
    }
}

fn trim_line(line: &[u8]) -> &[u8] {
    let mut s = line;
    while let [rest @ .., b'\n' | b'\r' | b' ' | b'\t'] = s {
        s = rest;
    }
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    s
}

fn handle_line(ctx: &mut Ctx<'_>, line: &[u8], line_no: u64) {
    let text = trim_line(line);
    if text.is_empty() {
        return;
    }
    let Ok(text) = std::str::from_utf8(text) else {
        return ctx.reject(
            Location::Line(line_no),
            RejectKind::MalformedJson,
            "line is not valid UTF-8",
        );
    };
    let json = strip_prefix(text);
    if !json.starts_with('{') && !json.starts_with('[') {
        let shown: String = json.chars().take(40).collect();
        return ctx.reject(
            Location::Line(line_no),
            RejectKind::MalformedJson,
            format!("not JSON: {shown:?}"),
        );
    }
    if json.starts_with('[') {
        ctx.array(json, |_| Location::Line(line_no), 1);
    } else if let Some(start) = records_array_start(json) {
        // S3 delivery file: stream its records without first parsing the envelope.
        ctx.records(&json[start..], |_| Location::Line(line_no), 1);
    } else {
        ctx.value(json, Location::Line(line_no), 0);
    }
}

fn decode_lines(
    ctx: &mut Ctx<'_>,
    reader: &mut dyn BufRead,
    options: &DecodeOptions,
    mut line_no: u64,
) {
    // Lines that lie wholly inside the reader's buffer are decoded in place (no copy); only a
    // line that straddles two buffer fills is assembled in `carry`.
    let mut carry: Vec<u8> = Vec::new();
    let mut carry_total: u64 = 0;
    loop {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                // A truncated gzip ends the stream here: what was read so far has been handled.
                ctx.reject(
                    Location::Line(line_no + 1),
                    read_error_kind(&e),
                    format!("{e} (after {line_no} lines)"),
                );
                return;
            }
        };
        if buf.is_empty() {
            if carry_total > 0 {
                line_no += 1;
                finish_line(ctx, &carry, carry_total, line_no, options);
            }
            return;
        }
        let len = buf.len();
        let mut start = 0;
        if carry_total > 0 {
            // Complete the straddling line first.
            match memchr::memchr(b'\n', buf) {
                Some(i) => {
                    let room = options.max_line_bytes.saturating_sub(carry.len());
                    carry.extend_from_slice(&buf[..(i + 1).min(room)]);
                    carry_total += (i + 1) as u64;
                    line_no += 1;
                    finish_line(ctx, &carry, carry_total, line_no, options);
                    carry.clear();
                    carry_total = 0;
                    start = i + 1;
                }
                None => {
                    let room = options.max_line_bytes.saturating_sub(carry.len());
                    carry.extend_from_slice(&buf[..len.min(room)]);
                    carry_total += len as u64;
                    reader.consume(len);
                    continue;
                }
            }
        }
        let base = start;
        for i in memchr::memchr_iter(b'\n', &buf[base..]) {
            let end = base + i + 1;
            line_no += 1;
            let line = &buf[start..end];
            finish_line(ctx, line, line.len() as u64, line_no, options);
            start = end;
        }
        if start < len {
            let room = options.max_line_bytes;
            carry.extend_from_slice(&buf[start..len.min(start + room)]);
            carry_total = (len - start) as u64;
        }
        reader.consume(len);
    }
}

fn finish_line(ctx: &mut Ctx<'_>, line: &[u8], total: u64, line_no: u64, options: &DecodeOptions) {
    ctx.summary.bytes += total;
    if total as usize > options.max_line_bytes {
        ctx.reject(
            Location::Line(line_no),
            RejectKind::LineTooLong,
            format!(
                "{total} bytes, more than the {} byte limit",
                options.max_line_bytes
            ),
        );
    } else {
        handle_line(ctx, line, line_no);
    }
}

/// Read the rest of the input as one document (array, pretty-printed object or concatenated
/// values) and decode it. On a read error what was read is still decoded, then the error reported.
fn decode_document(
    ctx: &mut Ctx<'_>,
    reader: &mut dyn BufRead,
    options: &DecodeOptions,
    mut buf: Vec<u8>,
) {
    let limit = options.max_document_bytes as u64;
    let mut read_err = None;
    let already = buf.len() as u64;
    if let Err(e) = reader
        .take(limit.saturating_sub(already) + 1)
        .read_to_end(&mut buf)
    {
        read_err = Some(e);
    }
    decode_buffer(ctx, options, buf, read_err);
}

fn decode_buffer(
    ctx: &mut Ctx<'_>,
    options: &DecodeOptions,
    buf: Vec<u8>,
    read_err: Option<io::Error>,
) {
    let limit = options.max_document_bytes as u64;
    ctx.summary.bytes += buf.len() as u64;
    if buf.len() as u64 > limit {
        return ctx.reject(
            Location::Input,
            RejectKind::LineTooLong,
            format!("document larger than the {limit} byte limit"),
        );
    }
    let text = match std::str::from_utf8(&buf) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.valid_up_to();
            // Keep the valid prefix: a truncated stream can cut a multi-byte character.
            std::str::from_utf8(&buf[..valid]).unwrap_or("")
        }
    };
    let trimmed = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if trimmed.starts_with('[') {
        ctx.array(trimmed, |_| Location::Input, 1);
    } else {
        let mut stream = serde_json::Deserializer::from_str(trimmed).into_iter::<&RawValue>();
        let mut n = 0u64;
        loop {
            let value_start = stream.byte_offset();
            match stream.next() {
                None => break,
                Some(Ok(v)) => {
                    n += 1;
                    ctx.value(
                        v.get(),
                        Location::Record {
                            index: n,
                            line: None,
                        },
                        0,
                    );
                }
                Some(Err(e)) => {
                    // A damaged S3 delivery file: salvage the complete records before the damage.
                    let offset = value_start;
                    if let Some(start) = records_array_start(&trimmed[offset..]) {
                        ctx.records(&trimmed[offset + start..], |_| Location::Input, 1);
                        break;
                    }
                    let kind = if e.is_eof() {
                        RejectKind::Truncated
                    } else {
                        RejectKind::MalformedJson
                    };
                    ctx.reject(
                        Location::Record {
                            index: n + 1,
                            line: Some(e.line() as u64),
                        },
                        kind,
                        e.to_string(),
                    );
                    break;
                }
            }
        }
    }
    if let Some(e) = read_err {
        ctx.reject(Location::Input, read_error_kind(&e), e.to_string());
    }
}

#[cfg(test)]
mod tests;
