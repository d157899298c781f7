//! A stand-in for the Hugging Face Hub on 127.0.0.1, serving fixture folders
//! through the two endpoints hf-hub uses (repo info, and `resolve` with HTTP
//! ranges), so downloads and the cache are tested without network.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub const COMMIT: &str = "1234567890abcdef1234567890abcdef12345678";

pub struct FakeHub {
    pub url: String,
    /// Paths requested, in order.
    pub requests: Arc<Mutex<Vec<String>>>,
}

impl FakeHub {
    /// Serves each `(repo id, folder)`; the revision `main` is at [`COMMIT`].
    pub fn serve(repos: Vec<(&str, PathBuf)>) -> FakeHub {
        let repos: HashMap<String, PathBuf> = repos.into_iter().map(|(r, d)| (r.to_string(), d)).collect();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                let mut range = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("range: bytes=") {
                        range = Some(v.trim().to_string());
                    }
                }
                let path = request_line.split_whitespace().nth(1).unwrap_or("/").to_string();
                log.lock().unwrap().push(path.clone());
                let response = respond(&repos, &path, range.as_deref());
                let _ = stream.write_all(&response);
            }
        });
        FakeHub { url, requests }
    }
}

fn respond(repos: &HashMap<String, PathBuf>, path: &str, range: Option<&str>) -> Vec<u8> {
    let not_found = || b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec();
    if let Some(rest) = path.strip_prefix("/api/models/") {
        // {org}/{name}/revision/{rev}
        let Some((repo, rev)) = rest.rsplit_once("/revision/") else { return not_found() };
        let Some(dir) = repos.get(repo) else { return not_found() };
        if rev != "main" && rev != COMMIT {
            return not_found();
        }
        let mut files: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        files.sort();
        let siblings: Vec<serde_json::Value> = files.iter().map(|f| serde_json::json!({ "rfilename": f })).collect();
        let body = serde_json::json!({ "sha": COMMIT, "siblings": siblings }).to_string();
        return format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes();
    }
    // /{org}/{name}/resolve/{rev}/{file}
    let Some((repo, rest)) = path.trim_start_matches('/').split_once("/resolve/") else { return not_found() };
    let Some((rev, file)) = rest.split_once('/') else { return not_found() };
    let Some(dir) = repos.get(repo) else { return not_found() };
    if rev != "main" && rev != COMMIT {
        return not_found();
    }
    let Ok(data) = std::fs::read(dir.join(file)) else { return not_found() };
    let size = data.len();
    let (start, end) = match range {
        Some(r) => {
            let (a, b) = r.split_once('-').unwrap_or((r, ""));
            let a: usize = a.parse().unwrap_or(0);
            let b: usize = if b.is_empty() { size.saturating_sub(1) } else { b.parse().unwrap_or(size - 1) };
            (a.min(size), (b + 1).min(size))
        }
        None => (0, size),
    };
    // A content hash as the etag, like the Hub's blob ids.
    let etag = format!("{:016x}{:024x}", fnv(&data), size);
    let mut out = format!(
        "HTTP/1.1 206 Partial Content\r\nETag: \"{etag}\"\r\nX-Repo-Commit: {COMMIT}\r\nContent-Range: bytes {start}-{}/{size}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        end.saturating_sub(1),
        end - start
    )
    .into_bytes();
    out.extend_from_slice(&data[start..end]);
    out
}

fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf29ce484222325u64, |h, &b| (h ^ b as u64).wrapping_mul(0x100000001b3))
}
