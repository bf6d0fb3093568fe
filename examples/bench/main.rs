//! The benchmarks (not tests), one example with a subcommand each; what each
//! measures and its figures: docs/benchmarks.md.
//!
//!   nice -n 10 cargo run --profile perf --example bench -- <csv|import|move|overview|preview|projects|timesheet>

mod csv;
mod import;
#[cfg(target_os = "linux")]
mod moves;
mod overview;
mod preview;
mod projects;
#[path = "../../tests/support/seed_overview.rs"]
mod seed_overview;
mod timesheet;

fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    match which.as_str() {
        "csv" => csv::run(),
        "import" => import::run(),
        #[cfg(target_os = "linux")]
        "move" => moves::run(),
        "overview" => overview::run(),
        "preview" => preview::run(),
        "projects" => projects::run(),
        "timesheet" => timesheet::run(),
        _ => {
            eprintln!("usage: cargo run --profile perf --example bench -- <csv|import|move|overview|preview|projects|timesheet>");
            std::process::exit(2);
        }
    }
}
