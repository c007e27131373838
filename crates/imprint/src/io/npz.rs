//! NumPy `.npz` archives (what `numpy.load` reads): a ZIP file of `.npy`
//! arrays, stored without compression so that writing is fast and needs no
//! compression library.

use std::io::Write;
use std::path::Path;

use super::values::{npy_bytes, parse_npy_array};
use super::{atomic::write_atomic_with, IoError};

/// An array to store: name, shape, values in C (row-major) order.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyArray {
    /// Name (the key in `numpy.load(...)`).
    pub name: String,
    /// Shape.
    pub shape: Vec<usize>,
    /// Values, row-major.
    pub values: Vec<f64>,
}

impl NpyArray {
    /// A vector.
    pub fn vector(name: &str, values: Vec<f64>) -> Self {
        Self {
            name: name.into(),
            shape: vec![values.len()],
            values,
        }
    }

    /// A scalar (a 0-dimensional array).
    pub fn scalar(name: &str, value: f64) -> Self {
        Self {
            name: name.into(),
            shape: Vec::new(),
            values: vec![value],
        }
    }

    /// The array as a faer matrix (a vector is one column), or `None` for
    /// more than two dimensions.
    pub fn to_matrix(&self) -> Option<faer::Mat<f64>> {
        let (rows, cols) = match self.shape.as_slice() {
            [] => (1, 1),
            [n] => (*n, 1),
            [r, c] => (*r, *c),
            _ => return None,
        };
        Some(faer::Mat::from_fn(rows, cols, |r, c| {
            self.values[r * cols + c]
        }))
    }

    /// A matrix from a faer matrix.
    pub fn matrix(name: &str, matrix: &faer::Mat<f64>) -> Self {
        let (rows, cols) = (matrix.nrows(), matrix.ncols());
        let values = (0..rows)
            .flat_map(|r| (0..cols).map(move |c| (r, c)))
            .map(|(r, c)| matrix[(r, c)])
            .collect();
        Self {
            name: name.into(),
            shape: vec![rows, cols],
            values,
        }
    }
}

fn crc32(bytes: &[u8]) -> u32 {
    static TABLE: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut table = [0u32; 256];
        for (i, entry) in table.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
            *entry = c;
        }
        table
    });
    !bytes.iter().fold(!0u32, |c, &b| {
        table[((c ^ b as u32) & 0xFF) as usize] ^ (c >> 8)
    })
}

/// The bytes of an `.npz` archive holding `arrays`.
pub fn npz_bytes(arrays: &[NpyArray]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    // 1980-01-01 00:00, the earliest ZIP date: fixed, so archives are reproducible.
    let (time, date): (u16, u16) = (0, (1 << 5) | 1);
    for array in arrays {
        let data = npy_bytes(&array.values, &array.shape);
        let name = format!("{}.npy", array.name);
        let crc = crc32(&data);
        let offset = out.len() as u32;
        let header = |signature: u32, central_entry: bool| {
            let mut h = Vec::new();
            h.extend_from_slice(&signature.to_le_bytes());
            if central_entry {
                h.extend_from_slice(&20u16.to_le_bytes()); // version made by
            }
            h.extend_from_slice(&20u16.to_le_bytes()); // version needed
            h.extend_from_slice(&0u16.to_le_bytes()); // flags
            h.extend_from_slice(&0u16.to_le_bytes()); // stored
            h.extend_from_slice(&time.to_le_bytes());
            h.extend_from_slice(&date.to_le_bytes());
            h.extend_from_slice(&crc.to_le_bytes());
            h.extend_from_slice(&(data.len() as u32).to_le_bytes());
            h.extend_from_slice(&(data.len() as u32).to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // extra
            if central_entry {
                h.extend_from_slice(&0u16.to_le_bytes()); // comment
                h.extend_from_slice(&0u16.to_le_bytes()); // disk
                h.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
                h.extend_from_slice(&0u32.to_le_bytes()); // external attributes
                h.extend_from_slice(&offset.to_le_bytes());
            }
            h.extend_from_slice(name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend_from_slice(&data);
        central.extend(header(0x0201_4b50, true));
    }
    let (central_offset, central_size) = (out.len() as u32, central.len() as u32);
    out.extend(central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0u8; 4]); // disk numbers
    out.extend_from_slice(&(arrays.len() as u16).to_le_bytes());
    out.extend_from_slice(&(arrays.len() as u16).to_le_bytes());
    out.extend_from_slice(&central_size.to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// Writes `arrays` to an `.npz` file, atomically.
pub fn write_npz(path: &Path, arrays: &[NpyArray]) -> Result<(), IoError> {
    let bytes = npz_bytes(arrays);
    write_atomic_with(path, |w| w.write_all(&bytes))
}

/// Reads every array of an `.npz` archive stored without compression (what
/// imprint and `numpy.savez` write).
pub fn read_npz(path: &Path) -> Result<Vec<NpyArray>, IoError> {
    let bytes = std::fs::read(path).map_err(|source| IoError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_npz(&bytes, path)
}

/// Parses the bytes of an uncompressed `.npz` archive through its central
/// directory (`path` names the file in errors).
pub fn parse_npz(bytes: &[u8], path: &Path) -> Result<Vec<NpyArray>, IoError> {
    let bad = |message: String| IoError::Field {
        path: path.to_path_buf(),
        field: "npz archive",
        message,
    };
    let u16_at = |at: usize| -> Result<usize, IoError> {
        bytes
            .get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
            .ok_or_else(|| bad(format!("truncated at byte {at}")))
    };
    let u32_at = |at: usize| -> Result<usize, IoError> {
        bytes
            .get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .ok_or_else(|| bad(format!("truncated at byte {at}")))
    };
    // The end-of-central-directory record: 22 bytes plus a comment of at most 64 KiB.
    let search_from = bytes.len().saturating_sub(22 + 65_535);
    let end = (search_from..bytes.len().saturating_sub(21))
        .rev()
        .find(|&i| bytes[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])
        .ok_or_else(|| bad("not a ZIP archive (no end of central directory)".into()))?;
    let entries = u16_at(end + 10)?;
    let mut at = u32_at(end + 16)?;
    let mut arrays = Vec::with_capacity(entries.min(bytes.len() / 46));
    for _ in 0..entries {
        if u32_at(at)? != 0x0201_4b50 {
            return Err(bad(format!("broken central directory at byte {at}")));
        }
        let method = u16_at(at + 10)?;
        let size = u32_at(at + 20)?;
        let name_len = u16_at(at + 28)?;
        let skip = u16_at(at + 30)? + u16_at(at + 32)?;
        let local = u32_at(at + 42)?;
        let name = bytes
            .get(at + 46..at + 46 + name_len)
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .ok_or_else(|| bad("truncated entry name".into()))?;
        if method != 0 {
            return Err(bad(format!(
                "entry {name} is compressed (method {method}); only stored archives are read"
            )));
        }
        let data_start = local + 30 + u16_at(local + 26)? + u16_at(local + 28)?;
        let data = bytes
            .get(data_start..data_start.saturating_add(size))
            .ok_or_else(|| bad(format!("entry {name} runs past the end of the file")))?;
        let (shape, values) = parse_npy_array(data, &path.join(&name))?;
        arrays.push(NpyArray {
            name: name.strip_suffix(".npy").unwrap_or(&name).to_string(),
            shape,
            values,
        });
        at += 46 + name_len + skip;
    }
    Ok(arrays)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_of_a_known_string() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn archive_structure() {
        let bytes = npz_bytes(&[
            NpyArray::vector("a", vec![1.0, 2.0]),
            NpyArray {
                name: "b".into(),
                shape: vec![2, 2],
                values: vec![1.0, 2.0, 3.0, 4.0],
            },
        ]);
        assert_eq!(&bytes[..4], b"PK\x03\x04");
        assert_eq!(&bytes[bytes.len() - 22..bytes.len() - 18], b"PK\x05\x06");
    }

    #[test]
    fn archives_read_back_exactly() {
        let arrays = vec![
            NpyArray::vector("a", vec![1.0, -2.5e-300, f64::MAX]),
            NpyArray::scalar("s", 7.0),
            NpyArray {
                name: "m".into(),
                shape: vec![2, 3],
                values: (0..6).map(|v| v as f64 / 3.0).collect(),
            },
        ];
        let back = parse_npz(&npz_bytes(&arrays), Path::new("x.npz")).unwrap();
        assert_eq!(back, arrays);
        let m = back[2].to_matrix().unwrap();
        assert_eq!(m[(1, 2)], 5.0 / 3.0);
        let error = parse_npz(b"PK junk", Path::new("x.npz")).unwrap_err();
        assert!(error.to_string().contains("no end of central directory"));
    }
}
