//! CRC-32 (IEEE 802.3, reflected, as in zip and gzip) with the API of the
//! `crc32fast` crate, from one 256-entry table in the binary (the size of
//! the web build matters), and with std eight bytes at a time from tables
//! built from it in memory on first use.

#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]

use core::fmt;
use core::hash;

/// The reflected CRC-32 polynomial.
const POLY: u32 = 0xedb8_8320;

const fn make_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { POLY ^ (c >> 1) } else { c >> 1 };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

static TABLE: [u32; 256] = make_table();

/// With std: eight bytes at a time ("slicing by 8") from eight tables built
/// from `TABLE` on first use, in memory only (the web build carries none of
/// their 8 KB): about three times faster on the megabytes of a large project.
#[cfg(feature = "std")]
fn update(state: u32, buf: &[u8]) -> u32 {
    static TABLES: std::sync::OnceLock<Box<[[u32; 256]; 8]>> = std::sync::OnceLock::new();
    let t = TABLES.get_or_init(|| {
        let mut t = Box::new([[0u32; 256]; 8]);
        t[0] = TABLE;
        for i in 0..256 {
            for k in 1..8 {
                let prev = t[k - 1][i];
                t[k][i] = (prev >> 8) ^ TABLE[(prev & 0xff) as usize];
            }
        }
        t
    });
    let mut crc = !state;
    let mut chunks = buf.chunks_exact(8);
    for c in &mut chunks {
        let lo = crc ^ u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        let hi = u32::from_le_bytes([c[4], c[5], c[6], c[7]]);
        crc = t[7][(lo & 0xff) as usize]
            ^ t[6][((lo >> 8) & 0xff) as usize]
            ^ t[5][((lo >> 16) & 0xff) as usize]
            ^ t[4][(lo >> 24) as usize]
            ^ t[3][(hi & 0xff) as usize]
            ^ t[2][((hi >> 8) & 0xff) as usize]
            ^ t[1][((hi >> 16) & 0xff) as usize]
            ^ t[0][(hi >> 24) as usize];
    }
    for &b in chunks.remainder() {
        crc = TABLE[((crc ^ u32::from(b)) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

#[cfg(not(feature = "std"))]
fn update(state: u32, buf: &[u8]) -> u32 {
    let mut crc = !state;
    for &b in buf {
        crc = TABLE[((crc ^ u32::from(b)) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

/// a(x)·b(x) mod p(x), bits reflected.
fn multiply(a: u32, mut b: u32) -> u32 {
    let mut p = 0u32;
    for i in 0..32 {
        p ^= b & ((a >> (31 - i)) & 1).wrapping_neg();
        b = (b >> 1) ^ ((b & 1).wrapping_neg() & POLY);
    }
    p
}

/// x^(8·len) mod p(x), reflected: multiplying a CRC by it appends `len` zero bytes.
fn x8n(len: u64) -> u32 {
    let mut p = 0x8000_0000; // x^0
    let mut sq = 0x0080_0000; // x^8
    let mut n = len;
    while n != 0 {
        if n & 1 != 0 {
            p = multiply(sq, p);
        }
        sq = multiply(sq, sq);
        n >>= 1;
    }
    p
}

/// The CRC-32 of `buf`.
pub fn hash(buf: &[u8]) -> u32 {
    update(0, buf)
}

/// A running CRC-32.
#[derive(Clone)]
pub struct Hasher {
    amount: u64,
    state: u32,
}

impl Hasher {
    /// A hasher over no bytes.
    pub fn new() -> Self {
        Self::new_with_initial(0)
    }

    /// A hasher that continues from the CRC `init`.
    pub fn new_with_initial(init: u32) -> Self {
        Self::new_with_initial_len(init, 0)
    }

    /// A hasher that continues from the CRC `init` of `amount` bytes.
    pub fn new_with_initial_len(init: u32, amount: u64) -> Self {
        Hasher { amount, state: init }
    }

    /// Adds bytes.
    pub fn update(&mut self, buf: &[u8]) {
        self.amount += buf.len() as u64;
        self.state = update(self.state, buf);
    }

    /// The CRC of every byte added.
    pub fn finalize(self) -> u32 {
        self.state
    }

    /// Back to no bytes.
    pub fn reset(&mut self) {
        self.amount = 0;
        self.state = 0;
    }

    /// The number of bytes added.
    pub fn total_len(&self) -> u64 {
        self.amount
    }

    /// Continues with the bytes `other` has seen, as if added here.
    pub fn combine(&mut self, other: &Self) {
        self.amount += other.amount;
        self.state = multiply(x8n(other.amount), self.state) ^ other.state;
    }
}

impl Default for Hasher {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Hasher {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_struct("crc32fast::Hasher").finish()
    }
}

impl hash::Hasher for Hasher {
    fn write(&mut self, bytes: &[u8]) {
        self.update(bytes)
    }

    fn finish(&self) -> u64 {
        u64::from(self.clone().finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The textbook definition, a bit at a time.
    fn bitwise(buf: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in buf {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 { (crc >> 1) ^ POLY } else { crc >> 1 };
            }
        }
        !crc
    }

    #[test]
    fn check_values() {
        // The standard check value of CRC-32/ISO-HDLC, and two well-known ones.
        assert_eq!(hash(b"123456789"), 0xcbf4_3926);
        assert_eq!(hash(b""), 0);
        assert_eq!(hash(b"The quick brown fox jumps over the lazy dog"), 0x414f_a339);
    }

    #[test]
    fn agrees_with_the_bitwise_definition_and_combines() {
        let data: Vec<u8> = (0..2000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for cut in [0, 1, 7, 8, 9, 15, 16, 17, 255, 1000, 1999, 2000] {
            let (a, b) = data.split_at(cut);
            assert_eq!(hash(&data[..cut]), bitwise(&data[..cut]));
            let mut h = Hasher::new();
            h.update(a);
            let mut tail = Hasher::new();
            tail.update(b);
            h.combine(&tail);
            assert_eq!(h.total_len(), data.len() as u64);
            assert_eq!(h.finalize(), bitwise(&data));
            let mut resumed = Hasher::new_with_initial_len(hash(a), a.len() as u64);
            resumed.update(b);
            assert_eq!(resumed.finalize(), bitwise(&data));
        }
    }
}
