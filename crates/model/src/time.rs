//! Event-time helpers. Event time (the record's own timestamp), never wall-clock time, drives
//! detection, so parsing it is on the hot path: the common CloudTrail form
//! `YYYY-MM-DDTHH:MM:SSZ` is parsed by hand, anything else falls back to a full RFC 3339 parser.

use ::time::OffsetDateTime;
use ::time::format_description::well_known::Rfc3339;

/// Milliseconds since the Unix epoch.
pub type EpochMillis = i64;

fn digits(b: &[u8]) -> Option<i64> {
    let mut v: i64 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(v)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parse an ISO-8601 / RFC 3339 timestamp into epoch milliseconds.
pub fn parse_timestamp(s: &str) -> Option<EpochMillis> {
    let b = s.as_bytes();
    // Fast path: 2024-08-18T09:21:20Z or 2024-08-18T09:21:20.123Z
    if (b.len() == 20 || (b.len() == 24 && b[19] == b'.'))
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[b.len() - 1] == b'Z'
    {
        let (y, mo, d) = (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?);
        let (h, mi, se) = (
            digits(&b[11..13])?,
            digits(&b[14..16])?,
            digits(&b[17..19])?,
        );
        let ms = if b.len() == 24 {
            digits(&b[20..23])?
        } else {
            0
        };
        if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
            return None;
        }
        let days = days_from_civil(y, mo, d);
        return Some(((days * 86_400 + h * 3600 + mi * 60 + se) * 1000) + ms);
    }
    let t = OffsetDateTime::parse(s, &Rfc3339).ok()?;
    Some((t.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// Format epoch milliseconds as GuardDuty does: `2026-03-02T09:41:07.512Z`.
pub fn format_timestamp(ms: EpochMillis) -> String {
    let secs = ms.div_euclid(1000);
    let milli = ms.rem_euclid(1000);
    let t = OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        milli
    )
}

/// Now, in epoch milliseconds. Used only for record times (createdAt/updatedAt), never for detection.
pub fn now_millis() -> EpochMillis {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_path_matches_rfc3339() {
        for s in [
            "2024-08-18T09:21:20Z",
            "2000-02-29T23:59:59Z",
            "1970-01-01T00:00:00Z",
            "2026-12-31T12:00:00.250Z",
        ] {
            let slow = OffsetDateTime::parse(s, &Rfc3339).unwrap();
            assert_eq!(
                parse_timestamp(s).unwrap(),
                (slow.unix_timestamp_nanos() / 1_000_000) as i64,
                "{s}"
            );
        }
    }

    #[test]
    fn other_forms_and_garbage() {
        assert_eq!(
            parse_timestamp("2024-08-18T11:21:20+02:00"),
            parse_timestamp("2024-08-18T09:21:20Z")
        );
        assert_eq!(parse_timestamp("yesterday"), None);
        assert_eq!(parse_timestamp("2024-13-18T09:21:20Z"), None);
        assert_eq!(parse_timestamp(""), None);
    }

    #[test]
    fn format_round_trip() {
        let ms = parse_timestamp("2026-03-02T09:41:07.512Z").unwrap();
        assert_eq!(format_timestamp(ms), "2026-03-02T09:41:07.512Z");
    }
}
