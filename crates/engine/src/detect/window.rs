//! Bounded, event-time counting windows: the state behind scans, brute force and floods.
//!
//! Each key (for example instance + remote address + port) counts events inside a window of
//! event time that starts at the key's first event. The table holds at most `capacity` keys. When
//! it is full, the key touched least recently (by event time) is evicted, so a flood of unique
//! one-off sources cannot push out a source that keeps coming back: a key touched at least once
//! every `capacity` events is never evicted, whatever else arrives. Keys
//! whose window has passed the watermark (the newest event time seen) by more than the window
//! length are expired first.

use hashbrown::HashTable;
use std::collections::VecDeque;
use std::hash::{BuildHasher, Hash};

/// Keys hold attacker-chosen values (addresses, ports), so the table hashes with a randomly
/// seeded fast hasher: quick, and not floodable into collisions.
type Hasher = foldhash::fast::RandomState;

/// A compact stand-in for an interface or instance id inside window keys (ids are AWS-assigned,
/// not attacker-chosen, so a fixed seed is enough), so keys need no allocation per record.
/// foldhash reads the id 16 bytes at a time: the flow detectors take this for every record, and
/// byte-at-a-time FNV-1a cost several percent of the pipeline.
pub fn fingerprint(s: &str) -> u64 {
    const IDS: foldhash::fast::FixedState = foldhash::fast::FixedState::with_seed(0x0001_d5f1_a6e5);
    IDS.hash_one(s.as_bytes())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowState {
    pub count: u64,
    pub first_ms: i64,
    pub last_ms: i64,
    /// The threshold was already reported for this window.
    pub fired: bool,
}

/// A key, its window, when it was last touched, and the detector's own state for the window.
struct Slot<K, P> {
    key: K,
    state: WindowState,
    touch: u64,
    payload: P,
}

/// Event-time windows per key, at most `capacity` keys. `P` is per-window state a detector keeps
/// beside the count (for example which names it has seen); it starts as `P::default()` with
/// every new window.
///
/// Layout, for speed under floods of new keys (each one evicts an old key): the slots live in a
/// slab that never holds more than `capacity` entries, and the hash index maps keys to slab
/// positions with 4-byte entries, so the index stays small enough to be cached. A new key takes
/// the evicted key's slot: one slab access (a cache miss) instead of the three or four that a
/// map of whole entries needs (probe, evicted-key probe, insert).
pub struct BoundedWindows<K, P = ()> {
    index: HashTable<u32>,
    slots: Vec<Slot<K, P>>,
    hasher: Hasher,
    /// Touch order: (slot, touch sequence); stale entries (the slot was touched again later, or
    /// now holds another key) are skipped when popped.
    order: VecDeque<(u32, u64)>,
    capacity: usize,
    window_ms: i64,
    seq: u64,
    watermark: i64,
    evicted: u64,
}

impl<K: Hash + Eq + Clone> BoundedWindows<K> {
    pub fn new(capacity: usize, window_ms: i64) -> Self {
        Self::with_payload(capacity, window_ms)
    }
}

impl<K: Hash + Eq + Clone, P: Default> BoundedWindows<K, P> {
    /// Windows that also keep a `P` per key (see [`BoundedWindows::update`]).
    pub fn with_payload(capacity: usize, window_ms: i64) -> Self {
        BoundedWindows {
            index: HashTable::new(),
            slots: Vec::new(),
            hasher: Hasher::default(),
            order: VecDeque::new(),
            // Slab positions are u32.
            capacity: capacity.clamp(1, u32::MAX as usize),
            window_ms,
            seq: 0,
            watermark: i64::MIN,
            evicted: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Memory held by the touch queue, in entries (bounded at 4 × capacity).
    pub fn queue_len(&self) -> usize {
        self.order.len()
    }

    /// Keys dropped to stay within capacity (not counting expiry).
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Count one event for `key` at event time `time`; returns the key's window after it.
    pub fn add(&mut self, key: K, time: i64) -> WindowState {
        self.add_n(key, time, 1)
    }

    /// Count `n` (packets, bytes...) for `key` at event time `time`.
    pub fn add_n(&mut self, key: K, time: i64, n: u64) -> WindowState {
        self.update(key, time, n, |w, _| *w)
    }

    /// Count `n` for `key` at event time `time`, then let `f` read and change the key's window
    /// and payload (a fresh `P::default()` when this event starts a new window).
    pub fn update<R>(
        &mut self,
        key: K,
        time: i64,
        n: u64,
        f: impl FnOnce(&mut WindowState, &mut P) -> R,
    ) -> R {
        self.watermark = self.watermark.max(time);
        self.seq += 1;
        let seq = self.seq;
        let window_ms = self.window_ms;
        let hash = self.hasher.hash_one(&key);
        let slots = &self.slots;
        let found = self
            .index
            .find(hash, |&i| slots[i as usize].key == key)
            .copied();
        let (at, result) = match found {
            Some(at) => {
                let slot = &mut self.slots[at as usize];
                let w = &mut slot.state;
                if time - w.first_ms > window_ms || w.first_ms - time > window_ms {
                    *w = WindowState {
                        count: 0,
                        first_ms: time,
                        last_ms: time,
                        fired: false,
                    };
                    slot.payload = P::default();
                }
                w.count += n;
                w.first_ms = w.first_ms.min(time);
                w.last_ms = w.last_ms.max(time);
                slot.touch = seq;
                (at, f(&mut slot.state, &mut slot.payload))
            }
            None => {
                let mut slot = Slot {
                    key,
                    state: WindowState {
                        count: n,
                        first_ms: time,
                        last_ms: time,
                        fired: false,
                    },
                    touch: seq,
                    payload: P::default(),
                };
                let result = f(&mut slot.state, &mut slot.payload);
                let at = match self.make_room() {
                    Some(at) => {
                        self.slots[at as usize] = slot;
                        at
                    }
                    None => {
                        self.slots.push(slot);
                        (self.slots.len() - 1) as u32
                    }
                };
                let (slots, hasher) = (&self.slots, &self.hasher);
                self.index
                    .insert_unique(hash, at, |&i| hasher.hash_one(&slots[i as usize].key));
                (at, result)
            }
        };
        self.order.push_back((at, seq));
        if self.order.len() > 4 * self.capacity {
            self.compact();
        }
        result
    }

    /// Mark the key's current window as reported.
    pub fn mark_fired(&mut self, key: &K) {
        let hash = self.hasher.hash_one(key);
        let slots = &self.slots;
        if let Some(&at) = self.index.find(hash, |&i| slots[i as usize].key == *key) {
            self.slots[at as usize].state.fired = true;
        }
    }

    /// When the table is full, evict the least recently touched key and return its slot for
    /// reuse; None while there is room (the caller appends a slot).
    fn make_room(&mut self) -> Option<u32> {
        if self.index.len() < self.capacity {
            return None;
        }
        while let Some((at, touch)) = self.order.pop_front() {
            let slot = &self.slots[at as usize];
            if slot.touch != touch {
                continue;
            }
            let expired = self.watermark - slot.state.last_ms > self.window_ms;
            let hash = self.hasher.hash_one(&slot.key);
            if let Ok(entry) = self.index.find_entry(hash, |&i| i == at) {
                entry.remove();
            }
            if !expired {
                self.evicted += 1;
            }
            return Some(at);
        }
        // Unreachable while every key has its latest touch queued; appending keeps the count
        // right even so, and the table grows by one rather than losing a key silently.
        None
    }

    /// Drop stale queue entries (slots touched again later).
    fn compact(&mut self) {
        let slots = &self.slots;
        self.order
            .retain(|&(at, touch)| slots[at as usize].touch == touch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_within_the_window_and_restarts_after_it() {
        let mut w = BoundedWindows::new(10, 600_000);
        for i in 0..5 {
            assert_eq!(w.add("a", i * 1000).count, i as u64 + 1);
        }
        assert_eq!(
            w.add("a", 700_000).count,
            1,
            "a new window after 10 minutes"
        );
    }

    #[test]
    fn the_first_event_of_a_key_counts_in_full() {
        let mut w = BoundedWindows::new(10, 60_000);
        assert_eq!(w.add_n("flow", 0, 50_000).count, 50_000);
        assert_eq!(w.add_n("flow", 1_000, 7).count, 50_007);
    }

    #[test]
    fn payload_starts_fresh_with_each_window() {
        let mut w: BoundedWindows<&str, u32> = BoundedWindows::with_payload(10, 600_000);
        for i in 0..3 {
            w.update("a", i * 1000, 1, |_, seen| *seen += 1);
        }
        assert_eq!(w.update("a", 3_000, 1, |_, seen| *seen), 3);
        let (count, seen) = w.update("a", 700_000, 1, |s, seen| {
            *seen += 1;
            (s.count, *seen)
        });
        assert_eq!((count, seen), (1, 1), "a new window, a new payload");
    }

    /// A new key in a full table takes the slot of the key touched least recently; the others
    /// keep their counts and their fired marks.
    #[test]
    fn evicts_the_least_recently_touched_key() {
        let mut w = BoundedWindows::new(3, 600_000);
        w.add("a", 0);
        w.add("b", 1);
        w.add("c", 2);
        w.add("a", 3);
        w.mark_fired(&"c");
        w.add("d", 4); // b is the least recently touched
        assert_eq!((w.len(), w.evicted()), (3, 1));
        assert_eq!(w.add("a", 5).count, 3);
        let c = w.add("c", 6);
        assert_eq!((c.count, c.fired), (2, true));
        assert_eq!(w.add("d", 7).count, 2);
        assert_eq!(w.add("b", 8).count, 1, "b was evicted: a new window");
        assert_eq!(w.evicted(), 2, "then a, now the least recently touched");
        assert_eq!(w.add("a", 9).count, 1);
        assert!(
            !w.add("b", 10).fired,
            "a reused slot does not inherit a fired mark"
        );
    }

    /// Millions of distinct one-off sources never grow the state past its bound, and a source
    /// that keeps coming back among them is still counted in full.
    #[test]
    fn flood_of_unique_sources_stays_bounded_and_keeps_the_heavy_hitter() {
        let cap = 10_000;
        let mut w = BoundedWindows::new(cap, 600_000);
        let mut heavy = 0;
        for i in 0..2_000_000u64 {
            let t = (i / 10) as i64; // 2M events over 200 s of event time
            w.add(i + 1_000, t);
            if i % 1_000 == 0 {
                heavy = w.add(7, t).count;
            }
            assert!(w.len() <= cap);
            assert!(w.queue_len() <= 4 * cap + 1);
        }
        assert_eq!(heavy, 2_000, "the repeated source kept its whole count");
        assert!(w.evicted() > 1_900_000);
    }
}
