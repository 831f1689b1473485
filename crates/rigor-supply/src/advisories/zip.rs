//! A small reader for the zip archives OSV exports are published as: the central directory
//! (found from the end-of-central-directory record), then each entry's data, stored or
//! deflated (raw DEFLATE through miniz_oxide), checked against its CRC-32. Zip64 archives and
//! encrypted entries are refused with a clear message.

/// One file of an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub data: Vec<u8>,
}

fn u16_at(b: &[u8], at: usize) -> Option<usize> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?) as usize)
}

fn u32_at(b: &[u8], at: usize) -> Option<usize> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?) as usize)
}

const EOCD: u32 = 0x0605_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const LOCAL: u32 = 0x0403_4b50;

/// CRC-32 (IEEE 802.3, reflected, as zip uses it).
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// The end-of-central-directory record: (entries, directory size, directory offset).
fn end_record(b: &[u8]) -> Result<(usize, usize, usize), String> {
    // The record is 22 bytes plus a comment of at most 65,535 bytes, at the very end.
    let lowest = b.len().saturating_sub(22 + 65_535);
    let at = (lowest..=b.len().saturating_sub(22))
        .rev()
        .find(|&i| u32_at(b, i) == Some(EOCD as usize))
        .ok_or("no end-of-central-directory record: not a zip archive (or a truncated one)")?;
    let entries = u16_at(b, at + 10).ok_or("truncated end record")?;
    let size = u32_at(b, at + 12).ok_or("truncated end record")?;
    let offset = u32_at(b, at + 16).ok_or("truncated end record")?;
    if entries == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
        return Err("a Zip64 archive, which rigor does not read".into());
    }
    Ok((entries, size, offset))
}

/// Read every file entry (directories left out) of the archive `b`.
pub fn read(b: &[u8]) -> Result<Vec<Entry>, String> {
    let (count, _size, mut at) = end_record(b)?;
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let bad = || format!("central directory entry {} is truncated or damaged", i + 1);
        if u32_at(b, at) != Some(CENTRAL as usize) {
            return Err(bad());
        }
        let flags = u16_at(b, at + 8).ok_or_else(bad)?;
        let method = u16_at(b, at + 10).ok_or_else(bad)?;
        let crc = u32_at(b, at + 16).ok_or_else(bad)? as u32;
        let packed = u32_at(b, at + 20).ok_or_else(bad)?;
        let size = u32_at(b, at + 24).ok_or_else(bad)?;
        let name_len = u16_at(b, at + 28).ok_or_else(bad)?;
        let extra_len = u16_at(b, at + 30).ok_or_else(bad)?;
        let comment_len = u16_at(b, at + 32).ok_or_else(bad)?;
        let local = u32_at(b, at + 42).ok_or_else(bad)?;
        let name_bytes = b.get(at + 46..at + 46 + name_len).ok_or_else(bad)?;
        let name = String::from_utf8_lossy(name_bytes).into_owned();
        at += 46 + name_len + extra_len + comment_len;
        if name.ends_with('/') {
            continue;
        }
        if flags & 1 == 1 {
            return Err(format!("{name} is encrypted"));
        }
        let data =
            entry_data(b, local, method, packed, size).map_err(|e| format!("{name}: {e}"))?;
        if crc32(&data) != crc {
            return Err(format!("{name}: CRC-32 mismatch (a damaged download?)"));
        }
        out.push(Entry { name, data });
    }
    Ok(out)
}

/// The uncompressed data of the entry whose local header is at `local`.
fn entry_data(
    b: &[u8],
    local: usize,
    method: usize,
    packed: usize,
    size: usize,
) -> Result<Vec<u8>, String> {
    if u32_at(b, local) != Some(LOCAL as usize) {
        return Err("no local header where the directory says".into());
    }
    let name_len = u16_at(b, local + 26).ok_or("truncated local header")?;
    let extra_len = u16_at(b, local + 28).ok_or("truncated local header")?;
    let start = local + 30 + name_len + extra_len;
    let raw = b
        .get(start..start + packed)
        .ok_or("the data runs past the end of the archive")?;
    let data = match method {
        0 => raw.to_vec(),
        8 => miniz_oxide::inflate::decompress_to_vec_with_limit(raw, size.max(1))
            .map_err(|e| format!("cannot inflate: {:?}", e.status))?,
        m => {
            return Err(format!(
                "compression method {m} (only stored and deflate are read)"
            ));
        }
    };
    if data.len() != size {
        return Err(format!(
            "{} bytes inflated, the directory says {size}",
            data.len()
        ));
    }
    Ok(data)
}

/// Write a zip archive of `entries` (deflated when `deflate`, else stored): what tests and the
/// benchmark serve, and the counterpart of [`read`] in property tests.
pub fn write(entries: &[Entry], deflate: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let packed = if deflate {
            miniz_oxide::deflate::compress_to_vec(&e.data, 6)
        } else {
            e.data.clone()
        };
        let method: u16 = if deflate { 8 } else { 0 };
        let offset = out.len() as u32;
        let head = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend(sig.to_le_bytes());
            if central {
                h.extend(20u16.to_le_bytes());
            }
            h.extend(20u16.to_le_bytes());
            h.extend(0u16.to_le_bytes());
            h.extend(method.to_le_bytes());
            h.extend([0u8; 4]);
            h.extend(crc32(&e.data).to_le_bytes());
            h.extend((packed.len() as u32).to_le_bytes());
            h.extend((e.data.len() as u32).to_le_bytes());
            h.extend((e.name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes());
            if central {
                h.extend([0u8; 10]); // comment length, disk, internal and external attributes
                h.extend(offset.to_le_bytes());
            }
            h.extend(e.name.as_bytes());
            h
        };
        out.extend(head(LOCAL, false));
        out.extend(&packed);
        central.extend(head(CENTRAL, true));
    }
    let dir_offset = out.len() as u32;
    out.extend(&central);
    out.extend(EOCD.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(dir_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn damaged_archives_are_refused() {
        let e = vec![Entry {
            name: "A.json".into(),
            data: b"{\"id\": \"A\"}".to_vec(),
        }];
        let good = write(&e, true);
        assert_eq!(read(&good).unwrap(), e);
        assert!(
            read(b"not a zip")
                .unwrap_err()
                .contains("not a zip archive")
        );
        let mut flipped = write(&e, false);
        flipped[30 + 6 + 2] ^= 0xFF; // a byte of the stored data (after the 30-byte header and the name)
        assert!(read(&flipped).unwrap_err().contains("CRC-32 mismatch"));
        let truncated = &good[good.len() / 2..];
        assert!(read(truncated).is_err());
    }

    proptest! {
        /// Round trip: what is written (stored or deflated) reads back identical, in order.
        #[test]
        fn write_then_read_is_identity(
            files in proptest::collection::vec(("[A-Za-z0-9_-]{1,20}\\.json", proptest::collection::vec(any::<u8>(), 0..600)), 0..8),
            deflate in any::<bool>(),
        ) {
            let entries: Vec<Entry> = files.into_iter().map(|(name, data)| Entry { name, data }).collect();
            prop_assert_eq!(read(&write(&entries, deflate)).unwrap(), entries);
        }
    }
}
