//! Sources: where bytes come from. `warden scan` accepts files, directories (walked recursively,
//! in sorted order so scans are reproducible), glob patterns and `-` for standard input. Gzip is
//! recognised by its magic bytes, never by file name, and concatenated gzip members are read as
//! one stream (as `aws logs` exports and `cat a.gz b.gz` produce).

use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// One thing to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    File(PathBuf),
    Stdin,
}

impl Input {
    /// How the input is named in errors and summaries.
    pub fn name(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Stdin => "<stdin>".to_string(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{path}: no such file, directory or matching glob")]
    NotFound { path: String },
    #[error("{path}: bad glob pattern: {message}")]
    BadGlob { path: String, message: String },
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
}

/// Expand command-line arguments into inputs. Errors name the argument; a directory with no
/// files is not an error (it yields nothing).
pub fn expand_inputs(args: &[String]) -> Result<Vec<Input>, SourceError> {
    let mut out = Vec::new();
    for arg in args {
        if arg == "-" {
            out.push(Input::Stdin);
            continue;
        }
        let p = Path::new(arg);
        if p.is_dir() {
            walk_dir(p, &mut out).map_err(|source| SourceError::Io {
                path: arg.clone(),
                source,
            })?;
        } else if p.exists() {
            out.push(Input::File(p.to_path_buf()));
        } else if arg.contains(['*', '?', '[']) {
            let paths = glob::glob(arg).map_err(|e| SourceError::BadGlob {
                path: arg.clone(),
                message: e.to_string(),
            })?;
            let mut found: Vec<PathBuf> = paths.filter_map(Result::ok).collect();
            if found.is_empty() {
                return Err(SourceError::NotFound { path: arg.clone() });
            }
            found.sort();
            for f in found {
                if f.is_dir() {
                    walk_dir(&f, &mut out).map_err(|source| SourceError::Io {
                        path: f.display().to_string(),
                        source,
                    })?;
                } else {
                    out.push(Input::File(f));
                }
            }
        } else {
            return Err(SourceError::NotFound { path: arg.clone() });
        }
    }
    Ok(out)
}

fn walk_dir(dir: &Path, out: &mut Vec<Input>) -> io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') {
            continue; // hidden files and directories (.git, editor swap files)
        }
        if p.is_dir() {
            walk_dir(&p, out)?;
        } else if p.is_file() {
            out.push(Input::File(p));
        }
    }
    Ok(())
}

/// How inputs are read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Open and gunzip inputs on a second thread, ahead of the one that decodes and detects, so
    /// the two overlap (within a file and across files). Off, everything runs on one thread.
    pub read_ahead: bool,
}

/// Open an input for reading, transparently gunzipping when its first bytes are gzip's magic.
pub fn open(input: &Input) -> io::Result<Box<dyn BufRead + Send>> {
    let raw: Box<dyn Read + Send> = match input {
        Input::File(p) => Box::new(File::open(p)?),
        Input::Stdin => Box::new(io::stdin()),
    };
    open_reader(raw)
}

/// Wrap any reader, gunzipping when it starts with gzip's magic bytes.
pub fn open_reader(raw: Box<dyn Read + Send>) -> io::Result<Box<dyn BufRead + Send>> {
    let mut buffered = BufReader::with_capacity(256 * 1024, raw);
    let head = buffered.fill_buf()?;
    if head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b {
        Ok(Box::new(BufReader::with_capacity(
            256 * 1024,
            MultiGzDecoder::new(buffered),
        )))
    } else {
        Ok(Box::new(buffered))
    }
}

/// Bytes read ahead travel in chunks of this size...
const CHUNK: usize = 1 << 20;
/// ...and at most this many are in flight, so read-ahead memory is bounded (8 MiB).
const CHUNKS_AHEAD: usize = 8;

enum Msg {
    Opened(io::Result<()>),
    Data(Vec<u8>),
    Failed(io::Error),
    End,
}

/// Opens and decompresses a list of inputs on its own thread, in order, handing each one's bytes
/// to the caller as a reader. Dropping it stops the thread at its next chunk.
pub struct ReadAhead {
    rx: std::sync::mpsc::Receiver<Msg>,
}

impl ReadAhead {
    pub fn start(inputs: Vec<Input>) -> Self {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Msg>(CHUNKS_AHEAD);
        std::thread::spawn(move || {
            for input in inputs {
                let mut reader = match open(&input) {
                    Ok(r) => r,
                    Err(e) => {
                        if tx.send(Msg::Opened(Err(e))).is_err() {
                            return;
                        }
                        continue;
                    }
                };
                if tx.send(Msg::Opened(Ok(()))).is_err() {
                    return;
                }
                loop {
                    let mut buf = vec![0u8; CHUNK];
                    let mut filled = 0;
                    let mut failed = None;
                    while filled < CHUNK {
                        match reader.read(&mut buf[filled..]) {
                            Ok(0) => break,
                            Ok(n) => filled += n,
                            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                            Err(e) => {
                                failed = Some(e);
                                break;
                            }
                        }
                    }
                    buf.truncate(filled);
                    let at_end = filled < CHUNK;
                    if filled > 0 && tx.send(Msg::Data(buf)).is_err() {
                        return;
                    }
                    if let Some(e) = failed {
                        if tx.send(Msg::Failed(e)).is_err() {
                            return;
                        }
                        break;
                    }
                    if at_end {
                        if tx.send(Msg::End).is_err() {
                            return;
                        }
                        break;
                    }
                }
            }
        });
        ReadAhead { rx }
    }

    /// The next input's bytes, in the order given to [`ReadAhead::start`]; `Err` when it could
    /// not be opened. Call once per input.
    pub fn next_reader(&mut self) -> io::Result<AheadReader<'_>> {
        match self.rx.recv() {
            Ok(Msg::Opened(Ok(()))) => Ok(AheadReader {
                rx: &self.rx,
                chunk: Vec::new(),
                pos: 0,
                done: false,
            }),
            Ok(Msg::Opened(Err(e))) => Err(e),
            Ok(_) => Err(io::Error::other("read-ahead out of step")),
            Err(_) => Err(io::Error::other("read-ahead thread stopped")),
        }
    }
}

/// One input's bytes from [`ReadAhead`]. A read error is delivered after the data before it;
/// dropping the reader early skips the rest of that input.
pub struct AheadReader<'a> {
    rx: &'a std::sync::mpsc::Receiver<Msg>,
    chunk: Vec<u8>,
    pos: usize,
    done: bool,
}

impl Read for AheadReader<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.chunk.len() {
            if self.done {
                return Ok(0);
            }
            match self.rx.recv() {
                Ok(Msg::Data(c)) => {
                    self.chunk = c;
                    self.pos = 0;
                }
                Ok(Msg::Failed(e)) => {
                    self.done = true;
                    return Err(e);
                }
                _ => {
                    self.done = true;
                    return Ok(0);
                }
            }
        }
        let n = out.len().min(self.chunk.len() - self.pos);
        out[..n].copy_from_slice(&self.chunk[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

impl Drop for AheadReader<'_> {
    fn drop(&mut self) {
        while !self.done {
            match self.rx.recv() {
                Ok(Msg::Data(_)) => {}
                _ => self.done = true,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn expands_dirs_recursively_sorted_and_globs() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("b/c")).unwrap();
        for f in ["b/c/z.json", "a.json", "b/y.json.gz", ".hidden"] {
            std::fs::write(d.path().join(f), b"{}").unwrap();
        }
        let got = expand_inputs(&[d.path().display().to_string()]).unwrap();
        let names: Vec<String> = got
            .iter()
            .map(|i| i.name().replace(&d.path().display().to_string(), ""))
            .collect();
        assert_eq!(names, vec!["/a.json", "/b/c/z.json", "/b/y.json.gz"]);
        let pattern = format!("{}/b/*.gz", d.path().display());
        assert_eq!(expand_inputs(&[pattern]).unwrap().len(), 1);
        assert!(matches!(
            expand_inputs(&["/nonexistent/x".into()]),
            Err(SourceError::NotFound { .. })
        ));
        assert_eq!(expand_inputs(&["-".into()]).unwrap(), vec![Input::Stdin]);
    }

    #[test]
    fn read_ahead_delivers_each_input_in_order_with_its_errors() {
        let d = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..3 * CHUNK + 12345).map(|i| (i % 251) as u8).collect();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&data).unwrap();
        let z = gz.finish().unwrap();
        std::fs::write(d.path().join("a.gz"), &z).unwrap();
        std::fs::write(d.path().join("b.gz"), &z[..z.len() / 2]).unwrap();
        std::fs::write(d.path().join("c.txt"), b"plain").unwrap();
        let inputs = vec![
            Input::File(d.path().join("a.gz")),
            Input::File(d.path().join("missing")),
            Input::File(d.path().join("b.gz")),
            Input::File(d.path().join("a.gz")),
            Input::File(d.path().join("c.txt")),
        ];
        let mut ra = ReadAhead::start(inputs);
        let mut got = Vec::new();
        ra.next_reader().unwrap().read_to_end(&mut got).unwrap();
        assert_eq!(got, data);
        assert!(ra.next_reader().is_err(), "missing file");
        let mut got = Vec::new();
        let err = ra.next_reader().unwrap().read_to_end(&mut got).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        assert!(!got.is_empty() && data.starts_with(&got));
        // Reading only part of an input, then dropping it, leaves the next one intact.
        let mut part = [0u8; 10];
        ra.next_reader().unwrap().read_exact(&mut part).unwrap();
        let mut got = Vec::new();
        ra.next_reader().unwrap().read_to_end(&mut got).unwrap();
        assert_eq!(got, b"plain");
    }

    #[test]
    fn gzip_by_content_not_name() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"hello\n").unwrap();
        let bytes = gz.finish().unwrap();
        let mut r = open_reader(Box::new(io::Cursor::new(bytes))).unwrap();
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert_eq!(s, "hello\n");
        let mut r = open_reader(Box::new(io::Cursor::new(b"plain".to_vec()))).unwrap();
        s.clear();
        r.read_to_string(&mut s).unwrap();
        assert_eq!(s, "plain");
    }
}
