//! Memory the app and its webview keep: the allocator gives large blocks back to the system once
//! they are freed, and the page's scripts run without a JIT.
//! glibc serves a large block (128 KiB and up) with a mapping of its own and unmaps it when freed,
//! but each such free raises that threshold to the block's size (up to 32 MiB): from then on
//! blocks of about that size come from an arena, which keeps them. In this app that is the
//! embedded server's argon2 work area (19 MiB, at the first start and each sign-in) and a decoded
//! photo: memory held for good by a process that used it once. A threshold set once turns the
//! raising off.

/// Called at the start of `run`, before any thread starts.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn give_large_blocks_back() {
    /// Blocks of this size and up get a mapping of their own, unmapped when freed.
    const LARGE_BLOCK: libc::c_int = 1 << 20;
    // SAFETY: mallopt only sets the allocator's parameters (under its own lock); nothing is
    // allocated differently until the next large block.
    let set = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, LARGE_BLOCK) };
    if set != 1 {
        tracing::debug!("the allocator kept its own large-block threshold");
    }
}

/// Other allocators give large blocks back already.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn give_large_blocks_back() {}

/// JavaScriptCore's option that turns its JIT compilers off, read from the environment when it
/// starts in a process.
#[cfg(target_os = "linux")]
const JIT_OPTION: &str = "JSC_useJIT";

/// The page's scripts run in JavaScriptCore's interpreter, without its JIT compilers: a form of
/// a few hundred kilobytes of script gains nothing a person would notice from compiled code, and
/// the JIT's code and bookkeeping were 9-12 MiB of the web process (issue 13). It also takes
/// the engine's most attacked part (memory both writable and executable) out of the process
/// that shows what the network sends. The web process inherits the option from the app's
/// environment when the window starts it; [`keep_jit_option_to_ourselves`] then takes it out of
/// the environment again. A value already set (to debug) is left alone.
#[cfg(target_os = "linux")]
pub fn run_scripts_without_jit() {
    if std::env::var_os(JIT_OPTION).is_none() {
        // First thing in `run`, before any thread starts: nothing reads the environment meanwhile.
        std::env::set_var(JIT_OPTION, "false");
    }
}

/// Takes the option out of the environment once the window's web process has started (when its
/// webview began loading, before `setup`), so that what the app starts later, the browser for
/// an OAuth round trip above all, runs its own scripts as it always does.
#[cfg(target_os = "linux")]
pub fn keep_jit_option_to_ourselves() {
    if std::env::var_os(JIT_OPTION).is_some_and(|value| value == "false") {
        // Threads run by now; glibc's unsetenv frees no string a concurrent getenv could be
        // reading, and this runs once, on the main thread.
        std::env::remove_var(JIT_OPTION);
    }
}

/// WebKit on the other platforms is the system's own, with its own JIT policy.
#[cfg(not(target_os = "linux"))]
pub fn run_scripts_without_jit() {}

#[cfg(not(target_os = "linux"))]
pub fn keep_jit_option_to_ourselves() {}
