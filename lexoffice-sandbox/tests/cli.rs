//! The binary's fixed interface: first stdout line, seeded data, CLI faults.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use lexoffice_sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;

struct Running {
    child: Child,
    base_url: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(args: &[&str]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lexoffice-sandbox"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn lexoffice-sandbox");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("first line");
    let line = line.trim_end();
    let base_url = line
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    let port: u16 = base_url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("bad url {base_url:?}"));
    assert_ne!(port, 0, "--port 0 must print the real port");
    Running { child, base_url }
}

#[test]
fn prints_listening_line_and_serves_seeded_data() {
    let run = spawn(&[
        "--port",
        "0",
        "--api-key",
        "cli-key",
        "--contacts",
        "612",
        "--seed",
        "5",
        "--fault",
        "503x1",
        "--bucket-capacity",
        "100",
    ]);
    let c = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let url = |p: &str| format!("{}{}", run.base_url, p);

    let r = c
        .get(url("/v1/profile"))
        .bearer_auth("cli-key")
        .send()
        .unwrap();
    assert_eq!(r.status(), 503, "--fault 503x1 is active from the start");
    let r = c
        .get(url("/v1/profile"))
        .bearer_auth("cli-key")
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = c
        .get(url("/v1/profile"))
        .bearer_auth("sandbox-key")
        .send()
        .unwrap();
    assert_eq!(r.status(), 401, "--api-key replaces the default key");

    let page: Value = c
        .get(url("/v1/contacts?size=250&page=2"))
        .bearer_auth("cli-key")
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(page["totalElements"], 612);
    assert_eq!(page["numberOfElements"], 112);

    // Same seed in-process → same data (ids, numbers, order).
    let local = Sandbox::start_in_thread(SandboxConfig {
        contacts: 612,
        seed: 5,
        ..SandboxConfig::default()
    })
    .unwrap();
    let expected: Vec<Value> = local.contacts().all()[500..]
        .iter()
        .map(|c| c.to_json())
        .collect();
    assert_eq!(page["content"].as_array().unwrap(), &expected);

    // Control plane of the process.
    let r = c
        .post(url("/__sandbox/faults"))
        .body(r#"{"status":504,"count":1}"#)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = c
        .get(url("/v1/contacts"))
        .bearer_auth("cli-key")
        .send()
        .unwrap();
    assert_eq!(r.status(), 504);
    let reqs: Value = c
        .get(url("/__sandbox/requests"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let statuses: Vec<u64> = reqs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [503, 200, 401, 200, 504]);
}

#[cfg(unix)]
#[test]
fn stops_on_sigterm() {
    let mut run = spawn(&["--port", "0", "--api-key", "k", "--contacts", "0"]);
    let pid = run.child.id().to_string();
    let ok = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok);
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = run.child.try_wait().unwrap() {
            assert!(status.success(), "{status:?}");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn bad_arguments_print_usage() {
    for args in [
        &["--port"][..],
        &["--bogus"],
        &["--fault", "x"],
        &["--contacts", "many"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_lexoffice-sandbox"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("usage: lexoffice-sandbox"), "{err}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_lexoffice-sandbox"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("--fault SPEC"));
}

#[test]
fn clock_offset_flag_shifts_the_process_clock() {
    let run = spawn(&["--port", "0", "--clock-offset-secs", "-3600"]);
    let c = reqwest::blocking::Client::new();
    let r = c
        .get(format!("{}/__sandbox/clock", run.base_url))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let date = r.headers()["date"].to_str().unwrap().to_string();
    let date = chrono::DateTime::parse_from_rfc2822(&date).unwrap();
    let behind = (chrono::Utc::now() - date.to_utc()).num_seconds();
    assert!((3598..=3605).contains(&behind), "{behind}");
    let v: Value = r.json().unwrap();
    assert_eq!(v["offsetSeconds"], -3600);
    let help = Command::new(env!("CARGO_BIN_EXE_lexoffice-sandbox"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("--clock-offset-secs N"));
}
