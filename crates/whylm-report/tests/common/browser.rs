//! Headless Chromium for the HTML tests: load a page (optionally with a URL hash that the page turns into clicks)
//! and get back its DOM after the load event and the console lines Chromium logged.
//!
//! Chromium is required: install it with `apt-get install -y chromium` (CI does), or point WHYLM_CHROMIUM at a
//! Chrome/Chromium binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(60);

pub fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("WHYLM_CHROMIUM") {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "WHYLM_CHROMIUM is set to {}, which is not a file",
            path.display()
        );
        return path;
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "headless Chromium is needed to test the HTML report but none was found on PATH: install it with \
         `apt-get install -y chromium` (CI installs it), or set WHYLM_CHROMIUM to a Chrome/Chromium binary"
    );
}

pub struct Page {
    pub dom: String,
    pub console: Vec<String>,
}

/// Loads `file#hash` headlessly and returns the DOM after load plus any console lines Chromium logged.
pub fn load(html: &Path, hash: &str, profile: &Path) -> Page {
    let url = format!("file://{}{hash}", html.display());
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(&url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    // Read both pipes on threads so that a chatty stderr cannot block the browser.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).map(|_| s)
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut s).map(|_| s)
    });
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium exited with {status} for {url}");
            break;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish loading {url} within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let dom = out.join().unwrap().unwrap();
    let stderr = err.join().unwrap().unwrap();
    let console = stderr
        .lines()
        .filter(|line| line.contains(":CONSOLE") && line.contains("file://"))
        .map(str::to_string)
        .collect();
    Page { dom, console }
}

/// The attributes of the `<html>` element.
pub fn root_tag(dom: &str) -> &str {
    let start = dom.find("<html").expect("the DOM has an html element");
    &dom[start..start + dom[start..].find('>').unwrap()]
}

pub fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    Some(&tag[start..start + tag[start..].find('"')?])
}

pub fn assert_clean(page: &Page, what: &str) {
    let root = root_tag(&page.dom);
    assert_eq!(
        attribute(root, "data-ready"),
        Some("1"),
        "{what}: the page did not finish drawing; root: {root}"
    );
    assert_eq!(
        attribute(root, "data-js-errors"),
        None,
        "{what}: JavaScript errors; root: {root}"
    );
    assert!(
        page.console.is_empty(),
        "{what}: console messages: {:#?}",
        page.console
    );
}
