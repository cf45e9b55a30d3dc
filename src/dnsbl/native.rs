//! Sends the blacklist queries from the command line: every query in parallel, each with
//! its own timeout, then the same interpretation as the page.

use super::check::{self, Check, Job, Listing, Lookup, Resolver, State, Target};
use crate::knowledge::Lang;
use std::time::Duration;

/// Checks the targets through the resolvers, in order: a list's row comes from the first
/// resolver that can answer for it; if none can, it says why the first one could not.
pub fn run(
    targets: &[Target],
    checks: &[Check],
    resolvers: &[Resolver],
    dqs_key: Option<&str>,
    lang: Lang,
) -> Vec<Listing> {
    let mut best: Vec<Option<Listing>> = vec![None; checks.len()];
    for resolver in resolvers {
        let jobs = check::jobs(checks, targets, resolver, dqs_key);
        let results = fetch_all(&jobs);
        let rows = check::assemble(checks, targets, &jobs, &results, lang);
        for (slot, row) in best.iter_mut().zip(rows) {
            let better = match slot {
                None => true,
                Some(old) => old.state == State::Unknown && row.state != State::Unknown,
            };
            if better {
                *slot = Some(row);
            }
        }
        if best
            .iter()
            .all(|r| r.as_ref().is_some_and(|r| r.state != State::Unknown))
        {
            break;
        }
    }
    best.into_iter().flatten().collect()
}

fn fetch_all(jobs: &[Job]) -> Vec<Option<Lookup>> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_millis(check::TIMEOUT_MS.into())))
        .http_status_as_error(false)
        .build()
        .into();
    std::thread::scope(|s| {
        let handles: Vec<_> = jobs
            .iter()
            .map(|job| {
                let agent = agent.clone();
                s.spawn(move || fetch(&agent, job))
            })
            .collect();
        handles.into_iter().map(|h| h.join().ok()).collect()
    })
}

fn fetch(agent: &ureq::Agent, job: &Job) -> Lookup {
    let response = agent
        .get(&job.url)
        .header("Accept", "application/dns-message")
        .call();
    match response {
        Ok(mut r) if r.status() == 200 => {
            match r.body_mut().with_config().limit(65_535).read_to_vec() {
                Ok(body) => Lookup::from_body(&body, &job.name),
                Err(e) => Lookup::Network(e.to_string()),
            }
        }
        Ok(r) => Lookup::Http(r.status().as_u16()),
        Err(ureq::Error::Timeout(_)) => Lookup::TimedOut,
        Err(e) => Lookup::Network(e.to_string()),
    }
}
