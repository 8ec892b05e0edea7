//! The catalog's file format: a magic, a format number, then the snapshots, the directory
//! table and the entries, integers as LEB128 varints and strings length-prefixed. Small on
//! disk (a path in 30 unchanged snapshots is stored once) and read in one pass.

use chrono::{DateTime, Utc};

use super::{Catalog, Entry, Indexed, Kind, Meta, Version};

const MAGIC: &[u8; 8] = b"CAIRNCAT";
const FORMAT: u64 = 1;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("not a catalog file")]
    Magic,
    #[error("catalog format {0} is not known to this agent")]
    Format(u64),
    #[error("catalog is cut short")]
    Truncated,
    #[error("catalog is corrupt: {0}")]
    Corrupt(&'static str),
}

struct Writer(Vec<u8>);

impl Writer {
    fn uint(&mut self, mut v: u64) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.0.push(byte);
                return;
            }
            self.0.push(byte | 0x80);
        }
    }

    fn int(&mut self, v: i64) {
        // Zig-zag, so times before 1970 stay short too.
        self.uint(((v << 1) ^ (v >> 63)) as u64);
    }

    fn str(&mut self, s: &str) {
        self.uint(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn uint(&mut self) -> Result<u64, DecodeError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.bytes.get(self.at).ok_or(DecodeError::Truncated)?;
            self.at += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(DecodeError::Corrupt("varint too long"))
    }

    fn u32(&mut self) -> Result<u32, DecodeError> {
        u32::try_from(self.uint()?).map_err(|_| DecodeError::Corrupt("number out of range"))
    }

    fn int(&mut self) -> Result<i64, DecodeError> {
        let u = self.uint()?;
        Ok((u >> 1) as i64 ^ -((u & 1) as i64))
    }

    fn str(&mut self) -> Result<String, DecodeError> {
        let len = usize::try_from(self.uint()?).map_err(|_| DecodeError::Truncated)?;
        let end = self.at.checked_add(len).ok_or(DecodeError::Truncated)?;
        let raw = self.bytes.get(self.at..end).ok_or(DecodeError::Truncated)?;
        self.at = end;
        String::from_utf8(raw.to_vec()).map_err(|_| DecodeError::Corrupt("text is not UTF-8"))
    }

    /// A count of items each at least one byte long, checked against what is left so a
    /// corrupt count cannot make us allocate gigabytes.
    fn count(&mut self) -> Result<usize, DecodeError> {
        let n = usize::try_from(self.uint()?).map_err(|_| DecodeError::Truncated)?;
        if n > self.bytes.len() - self.at {
            return Err(DecodeError::Truncated);
        }
        Ok(n)
    }
}

pub fn encode(c: &Catalog) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(64 + c.entries.len() * 32));
    w.0.extend_from_slice(MAGIC);
    w.uint(FORMAT);
    w.uint(u64::from(c.next_ord));
    w.uint(c.snapshots.len() as u64);
    for s in &c.snapshots {
        w.uint(u64::from(s.ord));
        w.str(&s.id);
        w.int(s.time.timestamp_nanos_opt().unwrap_or(0));
        w.uint(s.paths);
    }
    w.uint(c.dirs.len() as u64);
    for d in &c.dirs {
        w.str(d);
    }
    w.uint(c.entries.len() as u64);
    for e in &c.entries {
        w.uint(u64::from(e.dir));
        w.str(&e.name);
        w.uint(e.versions.len() as u64);
        for v in &e.versions {
            w.0.push(v.meta.kind.code());
            w.uint(v.meta.size);
            w.int(v.meta.mtime_ns);
            w.uint(u64::from(v.meta.mode));
            w.uint(u64::from(v.meta.uid));
            w.uint(u64::from(v.meta.gid));
            w.uint(v.ranges.len() as u64);
            for &(a, b) in &v.ranges {
                w.uint(u64::from(a));
                w.uint(u64::from(b - a));
            }
        }
    }
    w.0
}

pub fn decode(bytes: &[u8]) -> Result<Catalog, DecodeError> {
    if bytes.get(..MAGIC.len()) != Some(MAGIC.as_slice()) {
        return Err(DecodeError::Magic);
    }
    let mut r = Reader { bytes, at: MAGIC.len() };
    let format = r.uint()?;
    if format != FORMAT {
        return Err(DecodeError::Format(format));
    }
    let next_ord = r.u32()?;
    let mut snapshots = Vec::with_capacity(r.count()?);
    for _ in 0..snapshots.capacity() {
        let ord = r.u32()?;
        let id = r.str()?;
        let time = DateTime::<Utc>::from_timestamp_nanos(r.int()?);
        let paths = r.uint()?;
        if ord >= next_ord || snapshots.last().is_some_and(|p: &Indexed| p.ord >= ord) {
            return Err(DecodeError::Corrupt("snapshot numbers out of order"));
        }
        snapshots.push(Indexed { ord, id, time, paths });
    }
    let mut dirs = Vec::with_capacity(r.count()?);
    for _ in 0..dirs.capacity() {
        dirs.push(r.str()?);
    }
    let mut entries = Vec::with_capacity(r.count()?);
    for _ in 0..entries.capacity() {
        let dir = r.u32()?;
        if dir as usize >= dirs.len() {
            return Err(DecodeError::Corrupt("directory out of range"));
        }
        let name = r.str()?;
        let mut versions = Vec::with_capacity(r.count()?);
        for _ in 0..versions.capacity() {
            let code = *r.bytes.get(r.at).ok_or(DecodeError::Truncated)?;
            r.at += 1;
            let kind = Kind::from_code(code).ok_or(DecodeError::Corrupt("unknown kind"))?;
            let meta = Meta {
                kind,
                size: r.uint()?,
                mtime_ns: r.int()?,
                mode: r.u32()?,
                uid: r.u32()?,
                gid: r.u32()?,
            };
            let mut ranges = Vec::with_capacity(r.count()?);
            for _ in 0..ranges.capacity() {
                let a = r.u32()?;
                let b = a.checked_add(r.u32()?).ok_or(DecodeError::Corrupt("range"))?;
                ranges.push((a, b));
            }
            versions.push(Version { meta, ranges });
        }
        entries.push(Entry { dir, name, versions });
    }
    if r.at != bytes.len() {
        return Err(DecodeError::Corrupt("trailing bytes"));
    }
    Ok(Catalog { snapshots, next_ord, dirs, entries })
}
