//! NumPy `.npz` archives (what `numpy.load` reads): a ZIP file of `.npy`
//! arrays, stored without compression so that writing is fast and needs no
//! compression library.

use std::io::Write;
use std::path::Path;

use super::values::npy_bytes;
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
}
