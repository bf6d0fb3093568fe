//! Fault injection: what the next `count` `/v1` requests should suffer.
//!
//! Faults sit in a FIFO queue; each entry applies to as many requests as its
//! count says, then the next entry takes over. A fault is consumed only by a
//! request that reaches the fault step of the pipeline (see `gateway.rs`): a
//! request rejected by auth or by the rate limiter leaves the queue untouched.
//!
//! Spec strings (CLI `--fault`, control plane `{"spec":…}`), each optionally
//! followed by `x<count>` (default 1):
//!
//! | Spec | Fault | Handler runs? |
//! |---|---|---|
//! | `503`, `429`, `504`, … | [`Fault::Status`] | no — nothing is stored |
//! | `504after`, `500after`, … | [`Fault::StatusAfterStore`] | yes — e.g. the invoice is stored, then the status is answered |
//! | `drop` | [`Fault::DropConnection`] | no |
//! | `dropafter` | [`Fault::DropAfterStore`] | yes — stored, then the connection is closed |
//! | `delay<ms>` | [`Fault::Delay`] | yes, after the delay |
//! | `malformed`, `empty` | [`Fault::MalformedJson`], [`Fault::EmptyBody`] | yes |

use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

/// One kind of misbehaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status and the documented body for it
    /// (401, 402, 403, 404, 406, 409, 415, 429, 500, 503, 504, …; any 4xx/5xx).
    /// The handler does **not** run: no side effect (nothing stored).
    Status(u16),
    /// Run the handler (e.g. store the invoice), throw its answer away and
    /// answer this status with its documented body instead — lexoffice's documented
    /// "504 … the request may still have succeeded".
    StatusAfterStore(u16),
    /// Run the handler (e.g. store the invoice), then close the connection
    /// without a response.
    DropAfterStore,
    /// Sleep, then answer normally.
    Delay(Duration),
    /// Close the connection without sending a response.
    DropConnection,
    /// `200` with a truncated, unparseable JSON body.
    MalformedJson,
    /// `200` with an empty body.
    EmptyBody,
}

impl Fault {
    /// Parses a CLI spec: `503`, `503x2`, `504afterx1`, `delay3000x1`, `drop`,
    /// `dropafterx1`, `malformedx3`, `emptyx1`. The count defaults to 1.
    pub fn parse_spec(spec: &str) -> Result<(Fault, u32), String> {
        let spec = spec.trim().to_ascii_lowercase();
        let (what, count) = match spec.rsplit_once('x') {
            Some((w, c)) => {
                let n: u32 = c
                    .parse()
                    .map_err(|_| format!("bad count {c:?} in fault spec {spec:?}"))?;
                (w.to_string(), n)
            }
            None => (spec.clone(), 1),
        };
        let fault = match what.as_str() {
            "drop" | "dropconnection" => Fault::DropConnection,
            "dropafter" | "dropafterstore" => Fault::DropAfterStore,
            "malformed" | "malformedjson" => Fault::MalformedJson,
            "empty" | "emptybody" => Fault::EmptyBody,
            w if w.starts_with("delay") => {
                let ms: u64 = w["delay".len()..]
                    .parse()
                    .map_err(|_| format!("bad delay in fault spec {spec:?} (want delay<ms>)"))?;
                Fault::Delay(Duration::from_millis(ms))
            }
            w => {
                let (code, after) = match w.strip_suffix("afterstore").or(w.strip_suffix("after")) {
                    Some(code) => (code, true),
                    None => (w, false),
                };
                let status: u16 = code.parse().map_err(|_| {
                    format!(
                        "unknown fault spec {spec:?} (want <status>, <status>after, delay<ms>, drop, dropafter, malformed or empty, optionally followed by x<count>)"
                    )
                })?;
                let fault = Fault::status(status)?;
                if after {
                    Fault::StatusAfterStore(status)
                } else {
                    fault
                }
            }
        };
        Ok((fault, count))
    }

    /// `Status(code)` if the code is an error status (400..=599).
    pub fn status(code: u16) -> Result<Fault, String> {
        if (400..=599).contains(&code) {
            Ok(Fault::Status(code))
        } else {
            Err(format!("fault status must be 400..=599, got {code}"))
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Status(s) => write!(f, "{s}"),
            Fault::StatusAfterStore(s) => write!(f, "{s}after"),
            Fault::DropAfterStore => write!(f, "dropafter"),
            Fault::Delay(d) => write!(f, "delay{}", d.as_millis()),
            Fault::DropConnection => write!(f, "drop"),
            Fault::MalformedJson => write!(f, "malformed"),
            Fault::EmptyBody => write!(f, "empty"),
        }
    }
}

/// FIFO of `(fault, remaining count)`.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    items: VecDeque<(Fault, u32)>,
}

impl FaultQueue {
    pub fn push(&mut self, fault: Fault, count: u32) {
        if count > 0 {
            self.items.push_back((fault, count));
        }
    }

    pub fn peek(&self) -> Option<&Fault> {
        self.items.front().map(|(f, _)| f)
    }

    /// Takes one use of the front fault.
    pub fn take(&mut self) -> Option<Fault> {
        let (fault, remaining) = self.items.front_mut()?;
        let out = fault.clone();
        *remaining -= 1;
        if *remaining == 0 {
            self.items.pop_front();
        }
        Some(out)
    }

    pub fn clear(&mut self) {
        self.items.clear();
    }

    pub fn snapshot(&self) -> Vec<(Fault, u32)> {
        self.items.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_specs() {
        assert_eq!(Fault::parse_spec("503x2"), Ok((Fault::Status(503), 2)));
        assert_eq!(Fault::parse_spec("429"), Ok((Fault::Status(429), 1)));
        assert_eq!(
            Fault::parse_spec("delay3000x1"),
            Ok((Fault::Delay(Duration::from_millis(3000)), 1))
        );
        assert_eq!(Fault::parse_spec("drop"), Ok((Fault::DropConnection, 1)));
        assert_eq!(
            Fault::parse_spec("malformedx3"),
            Ok((Fault::MalformedJson, 3))
        );
        assert_eq!(Fault::parse_spec("emptyx1"), Ok((Fault::EmptyBody, 1)));
        assert_eq!(
            Fault::parse_spec("504afterx1"),
            Ok((Fault::StatusAfterStore(504), 1))
        );
        assert_eq!(
            Fault::parse_spec("500AFTER"),
            Ok((Fault::StatusAfterStore(500), 1))
        );
        assert_eq!(
            Fault::parse_spec("dropafterx2"),
            Ok((Fault::DropAfterStore, 2))
        );
        assert_eq!(
            Fault::parse_spec("dropafter"),
            Ok((Fault::DropAfterStore, 1))
        );
        assert!(Fault::parse_spec("200after").is_err());
        assert!(Fault::parse_spec("after").is_err());
        assert!(Fault::parse_spec("200").is_err());
        assert!(Fault::parse_spec("503xabc").is_err());
        assert!(Fault::parse_spec("delayx1").is_err());
        assert!(Fault::parse_spec("bogus").is_err());
    }

    #[test]
    fn display_round_trips() {
        for f in [
            Fault::Status(504),
            Fault::StatusAfterStore(504),
            Fault::DropAfterStore,
            Fault::Delay(Duration::from_millis(250)),
            Fault::DropConnection,
            Fault::MalformedJson,
            Fault::EmptyBody,
        ] {
            assert_eq!(Fault::parse_spec(&f.to_string()), Ok((f.clone(), 1)));
        }
    }

    #[test]
    fn queue_counts_down_in_order() {
        let mut q = FaultQueue::default();
        q.push(Fault::Status(503), 2);
        q.push(Fault::EmptyBody, 0);
        q.push(Fault::MalformedJson, 1);
        assert_eq!(q.take(), Some(Fault::Status(503)));
        assert_eq!(q.peek(), Some(&Fault::Status(503)));
        assert_eq!(q.take(), Some(Fault::Status(503)));
        assert_eq!(q.take(), Some(Fault::MalformedJson));
        assert_eq!(q.take(), None);
        q.push(Fault::EmptyBody, 5);
        q.clear();
        assert!(q.snapshot().is_empty());
    }
}
