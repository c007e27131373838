//! Per-node or per-edge values from files: NumPy `.npy` arrays (what analysis
//! writes and what Python users have) and one-column text/CSV files.
//!
//! The `.npy` reader takes 1-D (or `(n, 1)`) little-endian float64, float32,
//! int64 or int32 arrays in C order, which covers `numpy.save` of any vector.

use std::path::Path;

use super::text::{data_lines, finite_number, is_header};
use super::{atomic::write_atomic_with, IoError};

/// Reads a vector of values: `.npy` by extension, otherwise text with one
/// number per line (an optional header line of names, `#` comments, a
/// byte-order mark skipped; a line of several fields is refused).
pub fn read_values(path: &Path) -> Result<Vec<f64>, IoError> {
    let bytes = std::fs::read(path).map_err(|source| IoError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"))
    {
        parse_npy(&bytes, path)
    } else {
        parse_text_values(&String::from_utf8_lossy(&bytes), path)
    }
}

/// Parses the text of a values file (one number per line); `path` only
/// labels errors.
pub fn parse_text_values(text: &str, path: &Path) -> Result<Vec<f64>, IoError> {
    let mut values = Vec::new();
    for (position, (line, content)) in data_lines(text).enumerate() {
        let fields: Vec<&str> = content.split(',').map(str::trim).collect();
        if position == 0 && is_header(&fields) {
            continue;
        }
        let line_error = |message: String| IoError::Line {
            path: path.to_path_buf(),
            line,
            message,
        };
        if fields.len() != 1 {
            return Err(line_error(format!(
                "{} fields, expected one value per line",
                fields.len()
            )));
        }
        values.push(finite_number(fields[0]).map_err(line_error)?);
    }
    Ok(values)
}

fn npy_error(path: &Path, message: impl Into<String>) -> IoError {
    IoError::Field {
        path: path.to_path_buf(),
        field: "npy header",
        message: message.into(),
    }
}

/// Parses the bytes of a `.npy` file holding a vector (`(n,)`, `(n, 1)`,
/// `(1, n)` or a scalar) into float64 values.
pub fn parse_npy(bytes: &[u8], path: &Path) -> Result<Vec<f64>, IoError> {
    let (dims, values) = parse_npy_array(bytes, path)?;
    match dims.as_slice() {
        [] | [_] | [_, 1] | [1, _] => Ok(values),
        _ => Err(npy_error(path, format!("shape {dims:?} is not a vector"))),
    }
}

/// Parses the bytes of a `.npy` file of any shape (C order) into its shape
/// and float64 values.
pub fn parse_npy_array(bytes: &[u8], path: &Path) -> Result<(Vec<usize>, Vec<f64>), IoError> {
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(npy_error(path, "not a NumPy .npy file (bad magic bytes)"));
    }
    let (header_len, offset): (usize, usize) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        v => return Err(npy_error(path, format!("unsupported .npy version {v}"))),
    };
    let header = bytes
        .get(offset..offset.saturating_add(header_len))
        .map(|h| String::from_utf8_lossy(h).into_owned())
        .ok_or_else(|| npy_error(path, "truncated header"))?;
    let field = |key: &str| -> Option<String> {
        let start = header.find(&format!("'{key}'"))? + key.len() + 2;
        let rest = header[start..].trim_start().strip_prefix(':')?.trim_start();
        Some(rest.to_string())
    };
    let descr = field("descr").ok_or_else(|| npy_error(path, "no 'descr' in header"))?;
    let descr = descr.split('\'').nth(1).unwrap_or("").to_string();
    if field("fortran_order").is_some_and(|f| f.starts_with("True")) {
        return Err(npy_error(
            path,
            "Fortran-ordered arrays are not supported; save a C-ordered array",
        ));
    }
    let shape = field("shape").ok_or_else(|| npy_error(path, "no 'shape' in header"))?;
    let open = shape.find('(').map_or(0, |i| i + 1);
    let close = shape[open..].find(')').map_or(shape.len(), |i| open + i);
    let shape = &shape[open..close];
    let mut dims = Vec::new();
    for d in shape.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        dims.push(
            d.parse::<usize>()
                .map_err(|_| npy_error(path, format!("shape ({shape}) is not a tuple of sizes")))?,
        );
    }
    let count = dims
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .ok_or_else(|| npy_error(path, format!("shape ({shape}) overflows")))?;
    let data = &bytes[offset + header_len..];
    let (width, convert): (usize, fn(&[u8]) -> f64) = match descr.as_str() {
        "<f8" => (8, |b| f64::from_le_bytes(b.try_into().expect("8 bytes"))),
        "<f4" => (4, |b| {
            f32::from_le_bytes(b.try_into().expect("4 bytes")) as f64
        }),
        "<i8" => (8, |b| {
            i64::from_le_bytes(b.try_into().expect("8 bytes")) as f64
        }),
        "<i4" => (4, |b| {
            i32::from_le_bytes(b.try_into().expect("4 bytes")) as f64
        }),
        other => {
            return Err(npy_error(
                path,
                format!("dtype '{other}' is not supported (use float64, float32, int64 or int32)"),
            ))
        }
    };
    // The data must be exactly what the header promises: a value more is
    // a file that is not what it says, not a value to drop.
    let needed = count.checked_mul(width).filter(|&n| n == data.len());
    let Some(needed) = needed else {
        return Err(npy_error(
            path,
            format!(
                "header promises {count} values but the data holds {}{}",
                data.len() / width,
                if data.len() % width == 0 {
                    String::new()
                } else {
                    format!(" and {} stray bytes", data.len() % width)
                }
            ),
        ));
    };
    Ok((
        dims,
        data[..needed].chunks_exact(width).map(convert).collect(),
    ))
}

/// The bytes of a `.npy` file holding `values` as a float64 array of `shape`
/// (C order; `shape` must multiply to `values.len()`).
pub fn npy_bytes(values: &[f64], shape: &[usize]) -> Vec<u8> {
    assert_eq!(
        shape.iter().product::<usize>(),
        values.len(),
        "shape does not match the data"
    );
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    let shape_text = if dims.len() == 1 {
        format!("({},)", dims[0])
    } else {
        format!("({})", dims.join(", "))
    };
    let mut header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape_text}, }}");
    // Pad so that the data starts on a 64-byte boundary, header ending in '\n'.
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = Vec::with_capacity(10 + header.len() + 8 * values.len());
    bytes.extend_from_slice(b"\x93NUMPY\x01\x00");
    bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    for v in values {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    bytes
}

/// Writes `values` as a 1-D float64 `.npy` file, atomically.
pub fn write_npy(path: &Path, values: &[f64]) -> Result<(), IoError> {
    let bytes = npy_bytes(values, &[values.len()]);
    write_atomic_with(path, |w| std::io::Write::write_all(w, &bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npy_round_trips_and_text_values_parse() {
        let values = vec![1.5, -2.0, 1e-300, 7.0];
        let bytes = npy_bytes(&values, &[4]);
        assert_eq!((bytes.len() - 8 * 4) % 64, 0);
        assert_eq!(parse_npy(&bytes, Path::new("a.npy")).unwrap(), values);
        let p = Path::new("v.csv");
        assert_eq!(
            parse_text_values("\u{feff}value\n1\n2.5 # note\n\n3\n", p).unwrap(),
            vec![1.0, 2.5, 3.0]
        );
        for (text, expected) in [
            (
                "1\n3,4\n",
                "v.csv, line 2: 2 fields, expected one value per line",
            ),
            ("1x\n", "v.csv, line 1: `1x` is not a number"),
            ("1\nnan\n", "v.csv, line 2: `nan` is not a finite number"),
            ("value\nname\n", "v.csv, line 2: `name` is not a number"),
        ] {
            let message = parse_text_values(text, p).unwrap_err().to_string();
            assert_eq!(message, expected);
        }
        // A header claiming 2^61 + 5 doubles over 5: count * 8 wraps in u64.
        let mut bytes = npy_bytes(&[1.0, 2.0, 3.0, 4.0, 5.0], &[5]);
        let header = String::from_utf8_lossy(&bytes[10..]).into_owned();
        let at = header.find("(5,)").unwrap() + 10;
        let claim = b"(2305843009213693957,)";
        bytes.splice(at..at + 4, claim.iter().copied());
        let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize + claim.len() - 4;
        bytes[8..10].copy_from_slice(&(header_len as u16).to_le_bytes());
        let message = parse_npy(&bytes, Path::new("a.npy"))
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("promises 2305843009213693957 values"),
            "{message}"
        );
        assert!(parse_text_values("1\nx\n", p)
            .unwrap_err()
            .to_string()
            .contains("v.csv, line 2"));
        assert!(parse_npy(b"not numpy at all", Path::new("a.npy"))
            .unwrap_err()
            .to_string()
            .contains("bad magic"));
    }
}
