//! The allocator gives large blocks back to the system once they are freed.
//!
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
