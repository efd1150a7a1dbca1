//! Python's `repr` of the values the original TSV holds (floats, strings), so
//! that sacx writes those columns byte for byte as pandas' `to_csv` did, and
//! the reading of Python's list literals (`['HI', 'IN']`).

/// Python's `repr` of a float: the shortest digits that read back to `x`,
/// in positional notation with at least one decimal (`0.5`, `100.0`) when
/// the decimal exponent is from -4 to 16, else in exponent notation with a
/// signed exponent of at least two digits (`1e-05`, `1.5e+16`).
pub(crate) fn py_float(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    // Rust's `{:e}` gives the same shortest digits: `d.ddde<exp>`.
    let e = format!("{x:e}");
    // (`{:e}` always has an exponent; Rust's own form is the fallback.)
    let Some((mantissa, exp)) = e.split_once('e') else {
        return x.to_string();
    };
    let Ok(exp) = exp.parse::<i32>() else {
        return x.to_string();
    };
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    // Python's decpt: the value is 0.<digits> x 10^decpt.
    let decpt = exp + 1;
    if !(-3..=16).contains(&decpt) {
        let rest = &digits[1..];
        let dot = if rest.is_empty() { "" } else { "." };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{}{dot}{rest}e{esign}{:02}", &digits[..1], exp.abs());
    }
    let n = digits.len() as i32;
    if decpt <= 0 {
        format!("{sign}0.{}{digits}", "0".repeat((-decpt) as usize))
    } else if decpt >= n {
        format!("{sign}{digits}{}.0", "0".repeat((decpt - n) as usize))
    } else {
        let (int, frac) = digits.split_at(decpt as usize);
        format!("{sign}{int}.{frac}")
    }
}

/// Python's `repr` of a string: single quotes unless it holds a single quote
/// and no double quote; backslashes, the quote, `\t`, `\n`, `\r` and other
/// control characters escaped.
pub(crate) fn py_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || (0x7f..0xa0).contains(&(c as u32)) => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// The items of a Python list literal of strings and bare words
/// (`['HI', "it's"]`, `[0 3]`, `[0, 3]`), or of one bare item (`HI`);
/// quoted items are unescaped. `Err` names what is malformed.
pub(crate) fn list_items(field: &str) -> Result<Vec<String>, String> {
    let s = field.trim();
    let inner = s
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .unwrap_or(s);
    let mut out = Vec::new();
    let mut chars = inner.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c == ',' || c.is_whitespace() {
            chars.next();
        } else if c == '\'' || c == '"' {
            chars.next();
            let mut item = String::new();
            loop {
                match chars.next() {
                    None => return Err(format!("unterminated string in {field:?}")),
                    Some(q) if q == c => break,
                    Some('\\') => item.push(match chars.next() {
                        Some('n') => '\n',
                        Some('t') => '\t',
                        Some('r') => '\r',
                        Some('x') => {
                            let hex: String = chars.by_ref().take(2).collect();
                            u32::from_str_radix(&hex, 16)
                                .ok()
                                .and_then(char::from_u32)
                                .ok_or_else(|| format!("bad escape \\x{hex} in {field:?}"))?
                        }
                        Some(other) => other,
                        None => return Err(format!("unterminated string in {field:?}")),
                    }),
                    Some(ch) => item.push(ch),
                }
            }
            out.push(item);
        } else {
            let mut item = String::new();
            while let Some(&ch) = chars.peek() {
                if ch == ',' || ch.is_whitespace() {
                    break;
                }
                item.push(ch);
                chars.next();
            }
            out.push(item);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_are_written_as_python_repr_writes_them() {
        let cases = [
            (0.5, "0.5"),
            (100.0, "100.0"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.25e17, "1.25e+17"),
            (-0.07312345504760742, "-0.07312345504760742"),
            (f64::from(0.1f32), "0.10000000149011612"),
            (123.456, "123.456"),
        ];
        for (x, want) in cases {
            assert_eq!(py_float(x), want, "{x}");
        }
    }

    #[test]
    fn strings_are_quoted_and_read_back_as_python_does() {
        assert_eq!(py_str("Office"), "'Office'");
        assert_eq!(py_str("it's"), "\"it's\"");
        assert_eq!(py_str("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(py_str("t\tn\n\\"), "'t\\tn\\n\\\\'");
        for s in ["Office", "it's", "a'b\"c", "t\tn\n\\", "x\u{1}y", "é 体育"] {
            assert_eq!(list_items(&format!("[{}]", py_str(s))).unwrap(), [s]);
        }
        assert_eq!(list_items("['A', 'B C']").unwrap(), ["A", "B C"]);
        assert_eq!(list_items("[0 3]").unwrap(), ["0", "3"]);
        assert_eq!(list_items("HI").unwrap(), ["HI"]);
        assert!(list_items("['A]").is_err());
    }
}
