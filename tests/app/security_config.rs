//! Security configuration: the CSP and the capabilities the app ships, and the
//! webview code's habits. Fails when the CSP is missing or lets scripts in from
//! inline/eval/remote origins, when a capability grants more than ui/api.js
//! uses, or when the UI uses an HTML-injection API.

use std::collections::BTreeSet;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(p: &str) -> String {
    std::fs::read_to_string(root().join(p)).unwrap()
}

#[test]
fn csp_is_explicit_and_strict() {
    let conf: serde_json::Value = serde_json::from_str(&read("tauri.conf.json")).unwrap();
    let csp = &conf["app"]["security"]["csp"];
    assert!(csp.is_object(), "CSP missing");
    let get = |k: &str| {
        csp[k]
            .as_str()
            .unwrap_or_else(|| panic!("CSP lacks {k}"))
            .to_string()
    };
    assert_eq!(get("default-src"), "'self'");
    for directive in [
        "script-src",
        "style-src",
        "default-src",
        "connect-src",
        "img-src",
    ] {
        let v = get(directive);
        for bad in [
            "'unsafe-inline'",
            "'unsafe-eval'",
            "*",
            "https:",
            "http:",
            "blob:",
            "filesystem:",
        ] {
            assert!(
                !v.split_whitespace().any(|t| t == bad.trim()),
                "{directive} allows {bad}: {v}"
            );
        }
    }
    assert_eq!(get("script-src"), "'self'", "scripts only from the app");
    for directive in ["script-src", "style-src", "default-src", "connect-src"] {
        assert!(
            !get(directive).split_whitespace().any(|t| t == "data:"),
            "{directive} allows data:"
        );
    }
    let connect = get("connect-src");
    assert!(
        connect.contains("ipc:") && connect.contains("http://ipc.localhost"),
        "{connect}"
    );
    assert!(
        !connect.contains("lexware") && !connect.contains("lexoffice"),
        "the webview never talks to lexoffice"
    );
    assert_eq!(get("object-src"), "'none'");
    assert_eq!(
        conf["app"]["security"]["capabilities"],
        serde_json::json!(["main"])
    );
}

fn commands_in_build_rs() -> BTreeSet<String> {
    let src = read("src-tauri/build.rs");
    let list = src
        .split("const COMMANDS")
        .nth(1)
        .unwrap()
        .split("];")
        .next()
        .unwrap();
    list.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

fn commands_used_by_ui() -> BTreeSet<String> {
    let api = read("ui/api.js");
    api.split("call(\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect()
}

#[test]
fn capabilities_grant_exactly_what_the_ui_uses() {
    let cap: serde_json::Value = serde_json::from_str(&read("capabilities/main.json")).unwrap();
    assert_eq!(cap["windows"], serde_json::json!(["main"]));
    let granted: BTreeSet<String> = cap["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p.as_str()
                .expect("plain permission identifiers only")
                .to_string()
        })
        .collect();
    for p in &granted {
        assert!(
            p.starts_with("allow-"),
            "{p}: no plugin or core permission is granted to the webview"
        );
    }
    let used: BTreeSet<String> = commands_used_by_ui()
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .collect();
    assert_eq!(granted, used, "capability ≠ commands ui/api.js calls");
    let declared: BTreeSet<String> = commands_in_build_rs()
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .collect();
    assert_eq!(
        declared, used,
        "build.rs app manifest ≠ commands ui/api.js calls"
    );
    // Every registered command is in the manifest.
    let lib = read("src-tauri/lib.rs");
    let handlers: BTreeSet<String> = lib
        .split("generate_handler![")
        .nth(1)
        .unwrap()
        .split(']')
        .next()
        .unwrap()
        .split(',')
        .filter_map(|s| s.trim().rsplit("::").next().map(str::to_string))
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(handlers, commands_in_build_rs());
}

#[test]
fn only_api_js_invokes_and_nothing_renders_html() {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(&root().join("ui"), &mut files);
    for f in files {
        let name = f.strip_prefix(root()).unwrap().display().to_string();
        if !(name.ends_with(".js") || name.ends_with(".html")) {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        for bad in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function",
        ] {
            assert!(!text.contains(bad), "{name} uses {bad}");
        }
        if name != "ui/api.js" {
            assert!(
                !text.contains("invoke("),
                "{name} calls invoke; only ui/api.js may"
            );
        }
        if name.ends_with(".html") {
            assert!(
                !text.contains(" onclick=") && !text.contains(" onload="),
                "{name}: inline handler"
            );
            for line in text.lines().filter(|l| l.contains("<script")) {
                assert!(
                    line.contains("src=\"") && line.contains("</script>"),
                    "{name}: inline script: {line}"
                );
            }
            assert!(
                !text.contains("http://") && !text.contains("https://"),
                "{name}: remote resource"
            );
        }
    }
}
