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

/// Open an input for reading, transparently gunzipping when its first bytes are gzip's magic.
/// `counter` is told how many raw (on-disk) bytes were read, for progress and MB/s figures.
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
