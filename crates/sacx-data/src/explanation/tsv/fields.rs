//! Parsing the fields of a line: CSV quoting, class lists, probabilities and scores
//! (with an exact fast path for plain decimals).
use super::COLUMNS;
use std::borrow::Cow;

/// Parses a score as `str::parse::<f32>` would after trimming, bit for bit.
///
/// Fast path (Clinger): a plain decimal `[-+]digits[.digits]` whose digits form an
/// integer m < 2^24 with at most 10 fraction digits k is m / 10^k, both exact in f32, so
/// the one correctly rounded division is the correctly rounded value of the decimal.
/// Anything else goes to the standard parser.
#[inline]
pub(super) fn parse_score(b: &[u8]) -> Option<f32> {
    const POW10: [f32; 11] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];
    let (neg, digits) = match b {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, b),
    };
    let (mut m, mut frac, mut dot, mut n) = (0u32, 0usize, false, 0usize);
    for &c in digits {
        match c {
            b'0'..=b'9' => {
                m = m.wrapping_mul(10).wrapping_add((c - b'0') as u32);
                n += 1;
                frac += dot as usize;
                if n > 8 {
                    return parse_score_slow(b);
                }
            }
            b'.' if !dot => dot = true,
            _ => return parse_score_slow(b),
        }
    }
    if n == 0 || m >= 1 << 24 || frac > 10 {
        return parse_score_slow(b);
    }
    let v = m as f32 / POW10[frac];
    Some(if neg { -v } else { v })
}

#[cold]
fn parse_score_slow(b: &[u8]) -> Option<f32> {
    std::str::from_utf8(b).ok()?.trim().parse().ok()
}

/// The original's named header, with or without the index column, or pandas'
/// numbered one (`\t0\t1\t2\t3\t4\t5`, what earlier sacx versions wrote).
pub(super) fn is_header(f: &[&[u8]]) -> bool {
    let named = |f: &[&[u8]]| {
        f.iter()
            .map(|c| &c[..])
            .eq(COLUMNS.iter().map(|c| c.as_bytes()))
    };
    let numbered = f.len() == COLUMNS.len() + 1
        && f[0].is_empty()
        && f[1..]
            .iter()
            .enumerate()
            .all(|(i, c)| c == &i.to_string().as_bytes());
    named(f) || (f.len() == COLUMNS.len() + 1 && named(&f[1..])) || numbered
}

/// Splits a line on tabs, undoing CSV quoting (`"..."` with `""` for a quote).
pub(super) fn split_fields(line: &str) -> std::result::Result<Vec<Cow<'_, str>>, String> {
    let mut fields = Vec::with_capacity(7);
    let mut rest = line;
    loop {
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let end = loop {
                match chars.next() {
                    Some((i, '"')) => {
                        if quoted[i + 1..].starts_with('"') {
                            value.push('"');
                            chars.next();
                        } else {
                            break i + 1;
                        }
                    }
                    Some((_, c)) => value.push(c),
                    None => return Err(format!("unterminated quoted field {rest:?}")),
                }
            };
            let after = &quoted[end..];
            fields.push(match quoted[..end - 1].contains('"') {
                true => Cow::Owned(value),
                false => Cow::Borrowed(&quoted[..end - 1]),
            });
            match after.strip_prefix('\t') {
                Some(next) => rest = next,
                None if after.is_empty() => return Ok(fields),
                None => return Err(format!("text {after:?} after a quoted field")),
            }
        } else {
            match rest.split_once('\t') {
                Some((field, next)) => {
                    fields.push(Cow::Borrowed(field));
                    rest = next;
                }
                None => {
                    fields.push(Cow::Borrowed(rest));
                    return Ok(fields);
                }
            }
        }
    }
}

/// Parses a class list (`['HI', 'IN']`, `[0 3]`, `HI`, `None`) into sorted indices.
pub(super) fn parse_classes(
    field: &str,
    labels: &[String],
) -> std::result::Result<Vec<u32>, String> {
    let inner = field.trim();
    if inner.is_empty() || inner == "None" {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for name in super::python::list_items(inner)? {
        let name = name.as_str();
        let index = match labels.iter().position(|l| l == name) {
            Some(i) => i as u32,
            None => match name.parse::<usize>() {
                Ok(i) if i < labels.len() => i as u32,
                _ => {
                    return Err(format!(
                        "unknown class {name:?} in {field:?}; labels are {labels:?}"
                    ));
                }
            },
        };
        out.push(index);
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

pub(super) fn parse_pred(
    field: &str,
    labels: &[String],
) -> std::result::Result<Option<u32>, String> {
    let classes = parse_classes(field, labels)?;
    match classes.as_slice() {
        [] => Ok(None),
        [c] => Ok(Some(*c)),
        _ => Err(format!("pred {field:?} names more than one class")),
    }
}

pub(super) fn parse_probs(field: &str) -> std::result::Result<Vec<f32>, String> {
    let inner = field.trim();
    let inner = inner
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(inner);
    inner
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|s| match s.parse::<f32>() {
            Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
            Ok(_) => Err(format!(
                "probability {s:?} in {field:?} is not between 0 and 1"
            )),
            Err(_) => Err(format!("probability {s:?} in {field:?} is not a number")),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_quoted_fields() {
        let f = split_fields("0\td1\t\"say \"\"hi\"\"\"\tx").unwrap();
        assert_eq!(f, vec!["0", "d1", "say \"hi\"", "x"]);
        assert!(
            split_fields("a\t\"open")
                .unwrap_err()
                .contains("unterminated")
        );
    }

    #[test]
    fn scores_parse_bit_for_bit_like_the_standard_parser() {
        let cases = [
            "0.0699",
            "-0.0699",
            "+1.5",
            "0",
            "-0",
            "0.1",
            "1e-3",
            " 0.25 ",
            "16777215",
            "16777216",
            "123456789",
            "0.00000000001",
            "3.4028235e38",
            "inf",
            "NaN",
            ".5",
            "5.",
            "-.5",
            "1.2.3",
            "",
            "-",
            "abc",
            "0.1234567",
            "9.999999",
            "None",
        ];
        for c in cases {
            let want = c.trim().parse::<f32>().ok().map(f32::to_bits);
            assert_eq!(parse_score(c.as_bytes()).map(f32::to_bits), want, "{c:?}");
        }
        // Every 4-decimal score in [-1, 1], as the original pipeline writes them.
        for i in -10_000..=10_000 {
            let c = format!("{:.4}", i as f64 / 10_000.0);
            assert_eq!(
                parse_score(c.as_bytes()).map(f32::to_bits),
                c.parse::<f32>().ok().map(f32::to_bits),
                "{c}"
            );
        }
    }

    #[test]
    fn parses_class_lists_in_every_written_form() {
        let labels: Vec<String> = ["HI", "IN", "OP"].iter().map(|s| s.to_string()).collect();
        assert_eq!(parse_classes("['OP', 'HI']", &labels).unwrap(), vec![0, 2]);
        assert_eq!(parse_classes("[2 0]", &labels).unwrap(), vec![0, 2]);
        assert_eq!(parse_classes("None", &labels).unwrap(), Vec::<u32>::new());
        assert!(
            parse_classes("['XX']", &labels)
                .unwrap_err()
                .contains("\"XX\"")
        );
        assert_eq!(parse_pred("['IN']", &labels).unwrap(), Some(1));
        assert_eq!(parse_probs("[0.5, 0.25]").unwrap(), vec![0.5, 0.25]);
    }
}
