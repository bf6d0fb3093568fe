//! Crash points for the crash tests (debug builds only). When the environment
//! variable `ZEITRECHNUNG_FAILPOINT` names a point, the process aborts there,
//! exactly as a crash or a killed process would. Release builds compile this
//! to nothing.

#[inline]
pub fn hit(name: &str) {
    #[cfg(debug_assertions)]
    if std::env::var("ZEITRECHNUNG_FAILPOINT").is_ok_and(|v| v == name) {
        eprintln!("failpoint {name}: aborting");
        std::process::abort();
    }
    #[cfg(not(debug_assertions))]
    let _ = name;
}
