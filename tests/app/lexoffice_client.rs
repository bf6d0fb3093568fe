//! The lexoffice client against the sandbox over loopback.

use crate::support;

use std::sync::Arc;
use std::time::Duration;

use lexoffice_sandbox::Fault;
use zeitrechnung_lib::lexoffice::{ClientConfig, LexofficeClient, LexofficeError, RateLimiter};
use zeitrechnung_lib::paths::parse_base_url;
use zeitrechnung_lib::secrets::ApiKey;

fn client(base: &str) -> LexofficeClient {
    let mut cfg = ClientConfig::new(parse_base_url(base, "test").unwrap());
    cfg.timeout = Duration::from_secs(2);
    cfg.backoff_base = Duration::from_millis(100);
    cfg.backoff_cap = Duration::from_millis(800);
    LexofficeClient::new(cfg, Arc::new(RateLimiter::lexoffice_default())).unwrap()
}

fn key(k: &str) -> ApiKey {
    ApiKey::parse(k).unwrap()
}

#[tokio::test]
async fn profile_200_with_the_right_key() {
    let sb = support::sandbox();
    let p = client(&sb.base_url)
        .profile(&key(support::KEY))
        .await
        .unwrap();
    assert_eq!(p.company_name, "Muster Handwerk GmbH");
    assert!(!p.small_business);
    assert!(!p.organization_id.is_empty());
}

#[tokio::test]
async fn wrong_key_is_401_unauthorized() {
    let sb = support::sandbox();
    let e = client(&sb.base_url)
        .profile(&key("falsch"))
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(401));
    assert_eq!(e.kind(), "unauthorized");
    assert!(!format!("{e} {e:?}").contains("falsch"));
}

#[tokio::test]
async fn status_faults_map_to_their_kind_without_retry() {
    let sb = support::sandbox();
    let c = client(&sb.base_url);
    for (status, kind) in [
        (402, "paymentRequired"),
        (403, "forbidden"),
        (504, "timeout"),
    ] {
        sb.inject(Fault::Status(status), 1);
        let before = sb.requests().len();
        let e = c.profile(&key(support::KEY)).await.unwrap_err();
        assert_eq!(e.status(), Some(status));
        assert_eq!(e.kind(), kind, "status {status}");
        assert_eq!(
            sb.requests().len() - before,
            1,
            "{status} must not be retried"
        );
    }
    // And the next call works again.
    assert!(c.profile(&key(support::KEY)).await.is_ok());
}

/// lexoffice's gateway also answers 500 for "rate limit exceeded": a read is
/// repeated like after 429/503, and only a lasting 500 is reported.
#[tokio::test]
async fn get_retries_500_and_reports_only_a_lasting_one() {
    let sb = support::sandbox();
    let c = client(&sb.base_url);
    sb.inject(Fault::Status(500), 2);
    let before = sb.requests().len();
    assert!(c.profile(&key(support::KEY)).await.is_ok());
    assert_eq!(sb.requests().len() - before, 3, "two 500s, then the answer");
    sb.inject(Fault::Status(500), 40);
    let e = c.profile(&key(support::KEY)).await.unwrap_err();
    assert_eq!((e.status(), e.kind()), (Some(500), "unavailable"));
    sb.clear_faults();
}

#[tokio::test]
async fn get_retries_503_with_backoff_and_succeeds() {
    let sb = support::sandbox();
    let c = client(&sb.base_url);
    sb.inject(Fault::Status(503), 2);
    let before = sb.requests().len();
    let p = c.profile(&key(support::KEY)).await.unwrap();
    assert_eq!(p.company_name, "Muster Handwerk GmbH");
    assert_eq!(sb.requests().len() - before, 3);
}

#[tokio::test]
async fn a_429_storm_longer_than_the_budget_surfaces_rate_limited() {
    let sb = support::sandbox();
    let c = client(&sb.base_url);
    sb.inject(Fault::Status(429), 20);
    let e = c.profile(&key(support::KEY)).await.unwrap_err();
    assert_eq!(e.kind(), "rateLimited");
    sb.clear_faults();
}

#[tokio::test]
async fn a_short_429_storm_is_ridden_out() {
    let sb = support::sandbox();
    let c = client(&sb.base_url);
    sb.inject(Fault::Status(429), 2);
    assert!(c.profile(&key(support::KEY)).await.is_ok());
}

#[tokio::test]
async fn a_burst_of_calls_stays_under_two_per_second_and_all_succeed() {
    let sb = support::sandbox();
    let c = Arc::new(client(&sb.base_url));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let c = c.clone();
        tasks.push(tokio::spawn(
            async move { c.profile(&key(support::KEY)).await },
        ));
    }
    for t in tasks {
        t.await.unwrap().expect("every call of the burst succeeds");
    }
    let reqs = sb.requests();
    assert_eq!(reqs.len(), 8, "no call needed a retry");
    assert!(reqs.iter().all(|r| r.status == 200));
    // Client-side pacing: the 8 calls are spread over at least 7 intervals of
    // ~0.5 s (the server's bucket would have answered 429 otherwise, see above).
    let times: Vec<f64> = reqs.iter().map(|r| r.elapsed.as_secs_f64()).collect();
    let first = times.iter().cloned().fold(f64::MAX, f64::min);
    let last = times.iter().cloned().fold(0.0, f64::max);
    assert!(last - first >= 3.4, "8 calls within {:.2} s", last - first);
}

#[tokio::test]
async fn slow_answer_past_the_timeout_is_a_timeout() {
    let sb = support::sandbox();
    sb.inject(Fault::Delay(Duration::from_secs(4)), 1);
    let e = client(&sb.base_url)
        .profile(&key(support::KEY))
        .await
        .unwrap_err();
    assert!(matches!(e, LexofficeError::Timeout), "{e:?}");
    assert_eq!(e.kind(), "timeout");
}

#[tokio::test]
async fn connection_refused_is_offline() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let e = client(&format!("http://127.0.0.1:{port}"))
        .profile(&key(support::KEY))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "offline", "{e:?}");
    assert!(e.to_string().contains("Keine Verbindung"));
}

#[tokio::test]
async fn malformed_success_body_is_an_invalid_response() {
    let sb = support::sandbox();
    sb.inject(Fault::MalformedJson, 1);
    let e = client(&sb.base_url)
        .profile(&key(support::KEY))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "invalidResponse");
}

/// lexoffice's clock is read from its `Date` header, not the PC's: with the
/// sandbox an hour ahead, `server_now` is an hour ahead too, and it never runs
/// backwards between two answers although the header has whole seconds only.
#[tokio::test]
async fn server_clock_comes_from_the_date_header_and_never_runs_backwards() {
    let sb = support::sandbox();
    sb.set_clock_offset(3600);
    let c = client(&sb.base_url);
    assert_eq!(c.server_now(), None, "nothing seen yet");
    let mut last = None;
    for _ in 0..6 {
        c.profile(&key(support::KEY)).await.unwrap();
        let now = c.server_now().unwrap();
        let ahead = now - chrono::Utc::now();
        assert!(
            (ahead - chrono::Duration::hours(1))
                .num_milliseconds()
                .abs()
                < 1500,
            "{ahead:?}"
        );
        if let Some(prev) = last {
            assert!(now >= prev, "{now} < {prev}");
        }
        last = Some(now);
    }
}
