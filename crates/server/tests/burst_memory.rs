//! A burst of concurrent password work stays within a memory bound: argon2 (19 MiB a hash with
//! the default parameters) runs in as many slots as the machine has cores (at most 4), whatever
//! the number of requests. Measured on the real `userdesk-server` binary, as the peak resident
//! set (`VmHWM` in `/proc/<pid>/status`) after the burst.
//!
//! The bound: 56 MiB for the server itself plus one argon2 work area (19 MiB) per slot; 94 MiB
//! on the 2-core machine this was written on, which measured 68 MiB after the hashing and 74 MiB
//! after the burst (debug build). With argon2 allocating its own memory on tokio's growing
//! blocking pool it measured 619 MiB and 682 MiB (every thread's allocator arena keeps its
//! 19 MiB); with no bound at all the 100 hashes and then the 200 verifications below would take
//! their 19 MiB each at once.
#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::json;

/// A running binary, killed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Peak resident memory of `pid`, in KiB.
fn peak_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("the process's status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

const ARGON2_KIB: u64 = 19 * 1024;
const SERVER_KIB: u64 = 56 * 1024;
const BURST: usize = 200;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_wrong_passwords_stay_under_the_bound() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_userdesk-server"))
        .arg("--addr")
        .arg("127.0.0.1:0")
        .arg("--data")
        .arg(dir.path())
        .env_remove("USERDESK_SECRET_KEY")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let process = Process(child);
    let pid = process.0.id();
    let mut lines = BufReader::new(stdout).lines();
    let url = lines.next().expect("a line").expect("readable");
    let url = url.strip_prefix("listening on ").expect("the URL").to_owned();
    let key = lines.next().expect("a line").expect("readable");
    let key = key.strip_prefix("secret key ").expect("the key").to_owned();
    let http = reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("http");

    // Half the burst guesses at real accounts (made concurrently: hashing is bounded too), half at
    // identifiers nobody has (the dummy hash): every one of them reaches argon2, and no
    // identifier or client is seen twice, so the rate limits let all through.
    let users = (0..BURST / 2).map(|n| {
        let http = http.clone();
        let (url, key) = (url.clone(), key.clone());
        async move {
            let body =
                json!({"email_address": [format!("user-{n}@example.com")], "password": "long-enough-1"});
            let reply = http.post(format!("{url}/v1/users")).bearer_auth(&key).json(&body).send().await;
            assert_eq!(reply.expect("answers").status(), 200);
        }
    });
    futures_join_all(users).await;
    let after_hashing = peak_kib(pid);

    let guesses = (0..BURST).map(|n| {
        let http = http.clone();
        let url = url.clone();
        async move {
            let identifier = if n % 2 == 0 {
                format!("user-{}@example.com", n / 2)
            } else {
                format!("nobody-{n}@example.com")
            };
            let reply = http
                .post(format!("{url}/v1/client/sign_ins?_is_native=1"))
                .form(&[("identifier", identifier.as_str()), ("password", "a-wrong-guess")])
                .send()
                .await
                .expect("answers");
            let body: serde_json::Value = reply.json().await.expect("json");
            body["errors"][0]["code"].as_str().unwrap_or("").to_owned()
        }
    });
    let codes = futures_join_all(guesses).await;
    let refused = |code: &str| codes.iter().filter(|c| c.as_str() == code).count();
    assert_eq!(
        (refused("form_password_incorrect"), refused("form_identifier_not_found")),
        (BURST / 2, BURST / 2),
        "every guess was checked: {codes:?}"
    );

    let peak = peak_kib(pid);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u64).min(4);
    let bound = SERVER_KIB + cores * ARGON2_KIB;
    eprintln!("VmHWM after hashing {after_hashing} KiB, after the burst {peak} KiB; bound {bound} KiB ({cores} cores)");
    assert!(peak <= bound, "peak {peak} KiB over the bound of {bound} KiB");
}

/// Runs every future at once (each on its own task) and collects their outputs in order.
async fn futures_join_all<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut outputs = Vec::with_capacity(handles.len());
    for handle in handles {
        outputs.push(handle.await.expect("the task"));
    }
    outputs
}
