//! `lexoffice-sandbox --port P --api-key K --contacts N [--seed S] ...`
//! Prints `listening on http://127.0.0.1:P` as the first stdout line, then
//! serves until SIGTERM / ctrl-c.

use std::io::Write;
use std::process::ExitCode;

use lexoffice_sandbox::cli::{parse_args, CliCommand, USAGE};
use lexoffice_sandbox::Sandbox;

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(CliCommand::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(CliCommand::Run(args)) => args,
        Err(msg) => {
            eprintln!("lexoffice-sandbox: {msg}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("lexoffice-sandbox: cannot start runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let sandbox = match Sandbox::start(args.config.clone()).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!(
                    "lexoffice-sandbox: cannot listen on 127.0.0.1:{}: {e}",
                    args.config.port
                );
                return ExitCode::FAILURE;
            }
        };
        for (fault, count) in &args.faults {
            sandbox.inject(fault.clone(), *count);
        }
        // Install the handlers before announcing readiness: a test may send
        // SIGTERM right after reading the first line.
        let signals = Signals::install();
        {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "listening on {}", sandbox.base_url);
            let _ = out.flush();
        }
        signals.wait().await;
        sandbox.shutdown();
        ExitCode::SUCCESS
    })
}

struct Signals {
    #[cfg(unix)]
    streams: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Signals {
    fn install() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let streams = match (
                signal(SignalKind::terminate()),
                signal(SignalKind::interrupt()),
            ) {
                (Ok(term), Ok(int)) => Some((term, int)),
                _ => None,
            };
            Signals { streams }
        }
        #[cfg(not(unix))]
        {
            Signals {}
        }
    }

    async fn wait(self) {
        #[cfg(unix)]
        {
            if let Some((mut term, mut int)) = self.streams {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
                return;
            }
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}
