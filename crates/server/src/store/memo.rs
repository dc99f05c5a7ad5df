//! Answers kept for as long as the database has not changed: a read made at one
//! [`super::Db::generation`] is served again while the generation stays, so a request that finds
//! one touches no SQLite. Any commit moves the generation and drops them all at once; nothing is
//! kept past a change, however unrelated.
//!
//! What is kept is what was read, not what it looked like at the time: whatever depends on the
//! clock (a session's expiry, a code's, a lockout's countdown) is worked out again by each request.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

/// The most entries kept at once (each a few rows); past it, the map starts again empty.
const MAX_ENTRIES: usize = 4096;

/// Values read at the current generation, by key.
#[derive(Debug)]
pub struct Memo<K, V> {
    kept: Mutex<Kept<K, V>>,
}

#[derive(Debug)]
struct Kept<K, V> {
    generation: u64,
    values: HashMap<K, V>,
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Self { kept: Mutex::new(Kept { generation: 0, values: HashMap::new() }) }
    }
}

impl<K: Eq + Hash, V: Clone> Memo<K, V> {
    fn kept(&self) -> std::sync::MutexGuard<'_, Kept<K, V>> {
        self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The value kept for `key`, if it was read at `generation` (the database's now).
    pub fn get<Q>(&self, key: &Q, generation: u64) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let kept = self.kept();
        if kept.generation != generation {
            return None;
        }
        kept.values.get(key).cloned()
    }

    /// Keeps `value`, read after the database's generation was `generation` (read it first: a
    /// commit between the two then leaves the value under an older number, never a newer one).
    pub fn insert(&self, key: K, generation: u64, value: V) {
        let mut kept = self.kept();
        if generation < kept.generation {
            return;
        }
        if generation > kept.generation || kept.values.len() >= MAX_ENTRIES {
            kept.values.clear();
            kept.generation = generation;
        }
        kept.values.insert(key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_served_at_its_generation_only() {
        let memo = Memo::<String, u32>::default();
        memo.insert("a".into(), 3, 1);
        assert_eq!(memo.get("a", 3), Some(1));
        assert_eq!(memo.get("a", 4), None);
        // Read before the last commit: not kept over the newer one.
        memo.insert("b".into(), 4, 2);
        memo.insert("a".into(), 3, 9);
        assert_eq!(memo.get("a", 4), None);
        assert_eq!(memo.get("b", 4), Some(2));
    }

    #[test]
    fn the_map_is_bounded() {
        let memo = Memo::<usize, usize>::default();
        for n in 0..=MAX_ENTRIES {
            memo.insert(n, 1, n);
        }
        assert_eq!(memo.get(&MAX_ENTRIES, 1), Some(MAX_ENTRIES));
        assert_eq!(memo.get(&0, 1), None);
    }
}
