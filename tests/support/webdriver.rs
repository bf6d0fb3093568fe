//! A small W3C WebDriver client over plain HTTP, enough to drive the real app
//! through tauri-driver → WebKitWebDriver.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Why the e2e tests cannot run here, or None when they can.
pub fn missing_prerequisite() -> Option<String> {
    if std::env::var_os("DISPLAY").is_none() {
        return Some(
            "kein DISPLAY (Xvfb läuft nicht); starte die Tests mit scripts/test.sh".into(),
        );
    }
    for bin in ["tauri-driver", "WebKitWebDriver"] {
        if which(bin).is_none() {
            return Some(format!(
                "{bin} nicht gefunden; scripts/setup.sh --test installiert es"
            ));
        }
    }
    None
}

/// A recording `xdg-open` (and `BROWSER`) in `dir/bin`: every URL or folder the
/// app asks the desktop to open is appended, one per line, to `record`.
pub struct RecordingOpener {
    /// Put first on `PATH`.
    pub bin: PathBuf,
    /// The script itself (for `BROWSER`).
    pub script: PathBuf,
    pub record: PathBuf,
}

impl RecordingOpener {
    pub fn new(dir: &Path) -> RecordingOpener {
        use std::os::unix::fs::PermissionsExt;
        let bin = dir.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let record = dir.join("opened-urls.txt");
        let script = bin.join("xdg-open");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$@\" >> '{}'\n",
                record.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        RecordingOpener {
            bin,
            script,
            record,
        }
    }

    /// `PATH` with the recorder first.
    pub fn path_env(&self) -> String {
        format!(
            "{}:{}",
            self.bin.display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }

    /// Everything opened so far.
    pub fn opened(&self) -> String {
        std::fs::read_to_string(&self.record).unwrap_or_default()
    }
}

pub fn which(bin: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(bin))
        .find(|p| p.is_file())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// tauri-driver in its own process group; dropping it kills the whole group
/// (driver, WebKitWebDriver and the app).
pub struct Driver {
    child: Child,
    pub port: u16,
    http: reqwest::blocking::Client,
}

impl Driver {
    pub fn start(envs: &[(&str, String)]) -> Driver {
        let port = free_port();
        let native = free_port();
        let mut cmd = Command::new("tauri-driver");
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ]);
        Driver::spawn(cmd, port, envs)
    }

    /// tauri-driver, and the app it starts, in a desktop session of its own:
    /// its own D-Bus session bus, an unlocked keyring of its own, its own XDG
    /// folders under `home` — another PC of the office on this display (the
    /// single-instance hand-over and the keyring are per session).
    pub fn start_in_own_session(envs: &[(&str, String)], home: &Path) -> Driver {
        let port = free_port();
        let native = free_port();
        for d in ["data", "config", "cache", "run"] {
            std::fs::create_dir_all(home.join(d)).unwrap();
        }
        std::fs::set_permissions(
            home.join("run"),
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .unwrap();
        let mut cmd = Command::new("dbus-run-session");
        cmd.args([
            "--",
            "sh",
            "-c",
            "printf test-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec tauri-driver --port \"$1\" --native-port \"$2\"",
            "sh",
            &port.to_string(),
            &native.to_string(),
        ])
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_RUNTIME_DIR", home.join("run"));
        Driver::spawn(cmd, port, envs)
    }

    fn spawn(mut cmd: Command, port: u16, envs: &[(&str, String)]) -> Driver {
        use std::os::unix::process::CommandExt;
        cmd.stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("tauri-driver starts");
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let d = Driver { child, port, http };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return d;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("tauri-driver did not listen on {port}");
    }

    pub fn session(&self, app: &Path) -> Session {
        self.session_with_args(app, &[])
    }

    pub fn session_with_args(&self, app: &Path, args: &[&str]) -> Session {
        let base = format!("http://127.0.0.1:{}", self.port);
        let caps = json!({"capabilities": {"alwaysMatch": {"tauri:options": {"application": app, "args": args}}}});
        // tauri-driver may accept connections before WebKitWebDriver is ready.
        let mut attempt = 0;
        let v: Value = loop {
            attempt += 1;
            match self
                .http
                .post(format!("{base}/session"))
                .json(&caps)
                .send()
                .and_then(|r| r.json::<Value>())
            {
                Ok(v) if v["value"]["sessionId"].is_string() => break v,
                Ok(v) if attempt >= 5 => panic!("no session: {v}"),
                Err(e) if attempt >= 5 => panic!("no session: {e}"),
                _ => std::thread::sleep(Duration::from_millis(500)),
            }
        };
        let id = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {v}"))
            .to_string();
        let s = Session {
            base: format!("{base}/session/{id}"),
            http: self.http.clone(),
        };
        s.wait_for_shell();
        s
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let pgid = self.child.id();
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pgid}")])
            .status();
        let _ = self.child.wait();
    }
}

pub struct Session {
    base: String,
    http: reqwest::blocking::Client,
}

impl Session {
    /// Until the window's shell has started (`body[data-shell]`: `ready`, or
    /// `failed` for the start-up failure window): a click before it would
    /// meet a navigation that is still disabled. A window that closes at once
    /// (a second instance handing over) is not waited for.
    fn wait_for_shell(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            match self.cmd(
                reqwest::Method::POST,
                "/execute/sync",
                Some(json!({"script": "return document.body ? (document.body.dataset.shell || '') : ''", "args": []})),
            ) {
                Ok(v) if v.as_str().is_some_and(|s| !s.is_empty()) => return,
                Ok(_) => std::thread::sleep(Duration::from_millis(50)),
                Err(_) => return,
            }
        }
    }

    fn cmd(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().map_err(|e| e.to_string())?;
        let ok = resp.status().is_success();
        let v: Value = resp.json().map_err(|e| e.to_string())?;
        if ok {
            Ok(v["value"].clone())
        } else {
            Err(v["value"]["message"]
                .as_str()
                .unwrap_or("webdriver error")
                .to_string())
        }
    }

    pub fn quit(self) {
        let _ = self.cmd(reqwest::Method::DELETE, "", None);
    }

    pub fn find_xpath(&self, xpath: &str) -> Result<String, String> {
        let v = self.cmd(
            reqwest::Method::POST,
            "/element",
            Some(json!({"using": "xpath", "value": xpath})),
        )?;
        v[ELEMENT_KEY]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("no element for {xpath}: {v}"))
    }

    /// Waits until `xpath` finds an element (the UI renders asynchronously).
    pub fn wait_xpath(&self, xpath: &str) -> String {
        let mut last = String::new();
        let what = format!("element {xpath}");
        self.wait(&what, || match self.find_xpath(xpath) {
            Ok(e) => Some(e),
            Err(e) => {
                if e != last {
                    eprintln!("find {xpath}: {e}");
                    last = e;
                }
                None
            }
        })
    }

    pub fn wait<T>(&self, what: &str, f: impl FnMut() -> Option<T>) -> T {
        self.wait_up_to(20, what, f)
    }

    /// As `wait`, up to `secs` seconds (a restarted app: under the full test
    /// run's load its start alone can take longer than a click's answer).
    pub fn wait_up_to<T>(&self, secs: u64, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(v) = f() {
                return v;
            }
            if Instant::now() > deadline {
                panic!(
                    "timed out waiting for {what}; page text: {}",
                    self.page_text()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn button(&self, text: &str) -> String {
        self.wait_xpath(&format!(
            "//button[normalize-space()='{text}' or @aria-label='{text}']"
        ))
    }

    /// The input whose <label> reads `label`.
    pub fn input(&self, label: &str) -> String {
        self.wait_xpath(&format!(
            "//input[@id=//label[normalize-space()='{label}']/@for]"
        ))
    }

    /// Input, textarea or select whose <label> reads `label`.
    pub fn input_any(&self, label: &str) -> String {
        self.wait_xpath(&format!(
            "//*[(self::input or self::textarea or self::select) and @id=//label[normalize-space()='{label}']/@for]"
        ))
    }

    /// Finds and clicks, again if the UI re-rendered the element in between.
    pub fn click_xpath(&self, xpath: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            // A part of the view that is being replaced (`aria-busy`) is not
            // clicked into: a press on the old button and its release on the
            // new one is no click at all (the reload after a dialog closes).
            self.wait("the view to finish loading", || {
                self.find_xpath("//*[@aria-busy='true']").err().map(|_| ())
            });
            let el = self.wait_xpath(xpath);
            match self.cmd(
                reqwest::Method::POST,
                &format!("/element/{el}/click"),
                Some(json!({})),
            ) {
                Ok(_) => return,
                Err(e) if Instant::now() < deadline => {
                    eprintln!("click {xpath}: {e}; retrying");
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!("click {xpath}: {e}"),
            }
        }
    }

    /// One click on an element that ends the app (the answer may never come).
    pub fn click_xpath_closing_app(&self, xpath: &str) {
        let el = self.wait_xpath(xpath);
        let _ = self.cmd(
            reqwest::Method::POST,
            &format!("/element/{el}/click"),
            Some(json!({})),
        );
    }

    pub fn click_button(&self, text: &str) {
        self.click_xpath(&format!(
            "//button[normalize-space()='{text}' or @aria-label='{text}']"
        ));
    }

    pub fn click(&self, el: &str) {
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{el}/click"),
            Some(json!({})),
        )
        .expect("click");
    }

    pub fn clear(&self, el: &str) {
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{el}/clear"),
            Some(json!({})),
        )
        .expect("clear");
    }

    pub fn type_text(&self, el: &str, text: &str) {
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{el}/value"),
            Some(json!({"text": text})),
        )
        .expect("type");
    }

    /// Presses `key` with `modifier` held (W3C key actions), e.g. Alt+Z:
    /// `chord("\u{E00A}", "z")`. The keys go to the focused element.
    pub fn chord(&self, modifier: &str, key: &str) {
        self.cmd(
            reqwest::Method::POST,
            "/actions",
            Some(
                json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
                    {"type": "keyDown", "value": modifier},
                    {"type": "keyDown", "value": key},
                    {"type": "keyUp", "value": key},
                    {"type": "keyUp", "value": modifier},
                ]}]}),
            ),
        )
        .expect("key actions");
        let _ = self.cmd(reqwest::Method::DELETE, "/actions", None);
    }

    /// Types `text` into whatever has the focus, key by key (W3C key actions);
    /// `\t` is Tab, `\n` Enter, `\u{1b}` Escape.
    pub fn keys(&self, text: &str) {
        let mut actions = Vec::new();
        for ch in text.chars() {
            let key = match ch {
                '\t' => "\u{E004}".to_string(),
                '\n' => "\u{E007}".to_string(),
                '\u{1b}' => "\u{E00C}".to_string(),
                c => c.to_string(),
            };
            actions.push(json!({"type": "keyDown", "value": key}));
            actions.push(json!({"type": "keyUp", "value": key}));
        }
        self.cmd(
            reqwest::Method::POST,
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        )
        .expect("key actions");
        let _ = self.cmd(reqwest::Method::DELETE, "/actions", None);
    }

    pub fn property(&self, el: &str, name: &str) -> Value {
        self.cmd(
            reqwest::Method::GET,
            &format!("/element/{el}/property/{name}"),
            None,
        )
        .unwrap_or(Value::Null)
    }

    pub fn execute(&self, script: &str) -> Value {
        self.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .unwrap_or(Value::Null)
    }

    pub fn page_text(&self) -> String {
        self.execute("return document.body ? document.body.innerText : ''")
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    pub fn wait_text(&self, needle: &str) {
        self.wait(&format!("text {needle:?}"), || {
            self.page_text().contains(needle).then_some(())
        })
    }

    pub fn screenshot(&self, path: &Path) {
        // WebKit paints asynchronously: give the last change a moment to reach the screen.
        std::thread::sleep(Duration::from_millis(400));
        let v = self
            .cmd(reqwest::Method::GET, "/screenshot", None)
            .expect("screenshot");
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or(""))
            .expect("base64 png");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }
}

/// One real-window test at a time, across both suites of the e2e binary (one
/// display, one tauri-driver port, one keyring).
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let guard = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    // The app of the test before may still be closing; a new one started now
    // would hand over to it (one instance per desktop) and end at once.
    let deadline = Instant::now() + Duration::from_secs(15);
    while app_running() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    guard
}

/// Whether a `zeitrechnung` process is running in this test's D-Bus session
/// (by its name in /proc): one instance per desktop session, and
/// scripts/test.sh runs the window tests in two sessions at once.
fn app_running() -> bool {
    let ours = std::env::var("DBUS_SESSION_BUS_ADDRESS").unwrap_or_default();
    let marker = format!("DBUS_SESSION_BUS_ADDRESS={ours}");
    std::fs::read_dir("/proc")
        .map(|dir| {
            dir.flatten().any(|e| {
                std::fs::read_to_string(e.path().join("comm"))
                    .is_ok_and(|c| c.trim_end() == "zeitrechnung")
                    && std::fs::read(e.path().join("environ"))
                        .is_ok_and(|env| env.split(|b| *b == 0).any(|kv| kv == marker.as_bytes()))
            })
        })
        .unwrap_or(false)
}
