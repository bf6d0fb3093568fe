//! The benchmarks (not tests), one example with a subcommand each; what each
//! measures and its figures: docs/benchmarks.md.
//!
//!   nice -n 10 cargo run --profile perf --example bench -- <csv|import|overview|preview|projects|timesheet>

mod csv;
mod import;
mod overview;
mod preview;
mod projects;
mod timesheet;

fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    match which.as_str() {
        "csv" => csv::run(),
        "import" => import::run(),
        "overview" => overview::run(),
        "preview" => preview::run(),
        "projects" => projects::run(),
        "timesheet" => timesheet::run(),
        _ => {
            eprintln!("usage: cargo run --profile perf --example bench -- <csv|import|overview|preview|projects|timesheet>");
            std::process::exit(2);
        }
    }
}
