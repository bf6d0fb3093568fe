//! Command line of the `lexoffice-sandbox` binary (hand-parsed).

use crate::faults::Fault;
use crate::SandboxConfig;

pub const USAGE: &str = "\
usage: lexoffice-sandbox --port P --api-key K --contacts N [options]

Local stand-in for the lexoffice Public API. Prints
`listening on http://127.0.0.1:P` as its first line, then serves until killed.

options:
  --port P               port on 127.0.0.1 (0 = pick a free one; default 0)
  --api-key K            the valid API key (default sandbox-key)
  --contacts N           number of seeded contacts (default 0)
  --seed S               seed of the generated data (default 1)
  --company NAME         company name of the profile (default Muster Handwerk GmbH)
  --small-business       profile says smallBusiness: true
  --tax-type T           profile taxType: net, gross or vatfree (default net)
  --bucket-capacity C    rate limit burst (default 2)
  --refill-per-sec R     rate limit refill in tokens/s (default 2)
  --retry-after          send Retry-After: 1 with 429
  --revoked-key K        a key that is answered with 401 (repeatable)
  --fault SPEC           initial fault, repeatable: <status>[x<count>] (handler
                         not run), <status>after[x<count>] (handler runs, e.g.
                         invoice stored, then <status>), delay<ms>[x<count>],
                         drop[x<count>], dropafter[x<count>] (stored, then
                         connection closed), malformed[x<count>], empty[x<count>]
                         e.g. --fault 503x2 --fault delay3000x1 --fault 504afterx1
  --clock-offset-secs N  shift the sandbox clock by N seconds (may be negative):
                         createdDate/updatedDate, error timestamps, the voucher
                         list's today and the HTTP Date header (default 0)
  --invoice-visibility-delay-ms N
                         a new invoice answers 404 to GET /v1/invoices/{id} and
                         is missing from the voucher list for N ms (default 0)
  --contact-visibility-delay-ms N
                         a contact created by POST /v1/contacts answers 404 and
                         is not listed for N ms (default 1500; 0 = at once)
  --demo-articles        seed the German demo articles (Fahrtkosten, …)
  --verbose              log every API request to stderr
  -h, --help             this text

Test-only control plane (no auth, no rate limit): POST/GET/DELETE /__sandbox/faults,
GET/DELETE /__sandbox/requests, POST/GET /__sandbox/profile,
POST /__sandbox/rate-limit/reset, GET /__sandbox/invoices,
DELETE /__sandbox/invoices/{id}, POST /__sandbox/invoices/{id}/finalize|void|pay|due,
POST/GET /__sandbox/clock, GET /__sandbox/contacts, POST /__sandbox/contacts/{id},
GET/POST /__sandbox/articles.
";

#[derive(Debug, Clone)]
pub struct CliArgs {
    pub config: SandboxConfig,
    pub faults: Vec<(Fault, u32)>,
}

#[derive(Debug, Clone)]
pub enum CliCommand {
    Run(Box<CliArgs>),
    Help,
}

fn number<T: std::str::FromStr>(flag: &str, v: &str) -> Result<T, String> {
    v.trim()
        .parse()
        .map_err(|_| format!("{flag}: not a valid number: {v:?}"))
}

/// Parses the arguments (without the program name). Accepts `--flag value`
/// and `--flag=value`.
pub fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Result<CliCommand, String> {
    let mut cfg = SandboxConfig::default();
    let mut faults = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let takes_value = matches!(
            flag.as_str(),
            "--port"
                | "--api-key"
                | "--contacts"
                | "--seed"
                | "--company"
                | "--tax-type"
                | "--bucket-capacity"
                | "--refill-per-sec"
                | "--revoked-key"
                | "--fault"
                | "--clock-offset-secs"
                | "--contact-visibility-delay-ms"
                | "--invoice-visibility-delay-ms"
        );
        let value = if takes_value {
            match inline {
                Some(v) => v,
                None => args.next().ok_or_else(|| format!("{flag} needs a value"))?,
            }
        } else {
            if inline.is_some() {
                return Err(format!("{flag} takes no value"));
            }
            String::new()
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(CliCommand::Help),
            "--port" => cfg.port = number(&flag, &value)?,
            "--api-key" => {
                if value.is_empty() {
                    return Err("--api-key must not be empty".to_string());
                }
                cfg.api_key = value
            }
            "--contacts" => cfg.contacts = number(&flag, &value)?,
            "--seed" => cfg.seed = number(&flag, &value)?,
            "--company" => cfg.company_name = value,
            "--tax-type" => {
                if !crate::state::PROFILE_TAX_TYPES.contains(&value.as_str()) {
                    return Err(format!(
                        "--tax-type must be net, gross or vatfree, got {value:?}"
                    ));
                }
                cfg.tax_type = value
            }
            "--clock-offset-secs" => cfg.clock_offset_secs = number(&flag, &value)?,
            "--bucket-capacity" => cfg.bucket_capacity = number(&flag, &value)?,
            "--refill-per-sec" => {
                let r: f64 = number(&flag, &value)?;
                if !r.is_finite() || r < 0.0 {
                    return Err(format!("--refill-per-sec must be >= 0, got {value}"));
                }
                cfg.refill_per_sec = r
            }
            "--revoked-key" => cfg.revoked_keys.push(value),
            "--fault" => faults.push(Fault::parse_spec(&value)?),
            "--small-business" => cfg.small_business = true,
            "--retry-after" => cfg.retry_after = true,
            "--require-vat-id" => cfg.require_vat_id_for_reverse_charge = true,
            "--verbose" => cfg.log_requests = true,
            "--contact-visibility-delay-ms" => {
                cfg.contact_visibility_delay =
                    std::time::Duration::from_millis(number(&flag, &value)?)
            }
            "--invoice-visibility-delay-ms" => {
                cfg.invoice_visibility_delay =
                    std::time::Duration::from_millis(number(&flag, &value)?)
            }
            "--demo-articles" => cfg.demo_articles = true,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(CliCommand::Run(Box::new(CliArgs {
        config: cfg,
        faults,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn parse(args: &[&str]) -> Result<CliCommand, String> {
        parse_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn full_command_line() {
        let CliCommand::Run(a) = parse(&[
            "--port",
            "0",
            "--api-key",
            "k1",
            "--contacts",
            "612",
            "--seed=9",
            "--company",
            "Nord & Süd GmbH",
            "--small-business",
            "--bucket-capacity",
            "5",
            "--fault",
            "503x2",
            "--fault",
            "delay3000x1",
            "--fault",
            "504afterx1",
            "--fault",
            "dropafter",
            "--retry-after",
            "--revoked-key",
            "old",
            "--clock-offset-secs",
            "-1800",
            "--tax-type=vatfree",
        ])
        .unwrap() else {
            panic!("expected run")
        };
        let c = &a.config;
        assert_eq!(c.port, 0);
        assert_eq!(c.api_key, "k1");
        assert_eq!(c.contacts, 612);
        assert_eq!(c.seed, 9);
        assert_eq!(c.company_name, "Nord & Süd GmbH");
        assert!(c.small_business && c.retry_after);
        assert_eq!(c.bucket_capacity, 5);
        assert_eq!(c.revoked_keys, ["old"]);
        assert_eq!(c.clock_offset_secs, -1800);
        assert_eq!(c.tax_type, "vatfree");
        assert_eq!(
            a.faults,
            [
                (Fault::Status(503), 2),
                (Fault::Delay(Duration::from_millis(3000)), 1),
                (Fault::StatusAfterStore(504), 1),
                (Fault::DropAfterStore, 1)
            ]
        );
    }

    #[test]
    fn bad_args() {
        assert!(parse(&["--port"]).is_err());
        assert!(parse(&["--port", "x"]).is_err());
        assert!(parse(&["--contacts", "-1"]).is_err());
        assert!(parse(&["--bogus"]).is_err());
        assert!(parse(&["--fault", "nope"]).is_err());
        assert!(parse(&["--small-business=1"]).is_err());
        assert!(parse(&["--clock-offset-secs", "1.5"]).is_err());
        assert!(parse(&["--tax-type", "Net"]).is_err());
        assert!(matches!(parse(&["--help"]), Ok(CliCommand::Help)));
    }
}
