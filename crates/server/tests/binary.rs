//! The `userdesk-server` binary: its first stdout line, its secret key, its refusals.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A running binary, killed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn command(data: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_userdesk-server"));
    command
        .arg("--addr")
        .arg("127.0.0.1:0")
        .arg("--data")
        .arg(data)
        .env_remove("USERDESK_SECRET_KEY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    command
}

/// Starts the binary and reads its two announcement lines: the URL and the secret key.
fn start(mut command: Command) -> (Process, String, String) {
    let mut child = command.spawn().expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let process = Process(child);
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().expect("a first line").expect("readable");
    let url = first.strip_prefix("listening on ").expect("the first line announces the URL").to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let second = lines.next().expect("a second line").expect("readable");
    let key = second.strip_prefix("secret key ").expect("the second line gives the key").to_owned();
    (process, url, key)
}

#[tokio::test]
async fn the_binary_announces_itself_and_keeps_its_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (process, url, key) = start(command(dir.path()));
    assert!(key.starts_with("sk_test_"), "{key}");
    let stored =
        std::fs::read_to_string(dir.path().join(userdesk_server::SECRET_KEY_FILE)).expect("key file");
    assert_eq!(stored.trim(), key);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(userdesk_server::SECRET_KEY_FILE))
            .expect("stat")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let environment = reqwest::get(format!("{url}/v1/environment")).await.expect("answers");
    assert_eq!(environment.status(), 200);
    drop(process);

    let (_process, url_again, key_again) = start(command(dir.path()));
    assert_eq!(key_again, key, "the key is generated once and reused");
    let reply = reqwest::Client::new()
        .get(format!("{url_again}/v1/users/user_missing"))
        .bearer_auth(&key)
        .send()
        .await
        .expect("answers");
    assert_eq!(reply.status(), 404, "the key opens the Backend API");
}

#[test]
fn a_given_key_is_used_and_not_stored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut command = command(dir.path());
    command.arg("--secret-key").arg("sk_test_given_for_this_run_only");
    let (_process, _url, key) = start(command);
    assert_eq!(key, "sk_test_given_for_this_run_only");
    assert!(!dir.path().join(userdesk_server::SECRET_KEY_FILE).exists());
}

#[test]
fn non_loopback_addresses_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = Command::new(env!("CARGO_BIN_EXE_userdesk-server"))
        .args(["--addr", "0.0.0.0:0", "--data"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert!(!output.status.success());
    assert!(output.stdout.is_empty(), "no listening line");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("loopback"), "{stderr}");
}

#[test]
fn a_bad_secret_key_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = Command::new(env!("CARGO_BIN_EXE_userdesk-server"))
        .args(["--secret-key", "pk_test_nope", "--data"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("secret key"));
}
