//! Kubernetes resource quantities ("10Gi", "1.5G", "1e3") to bytes, and bytes to short text.

/// Parses a Kubernetes quantity into a whole number of bytes (rounded up, like the API server
/// rounds storage requests). Returns None for malformed, negative or overflowing input.
pub fn parse_quantity(q: &str) -> Option<u64> {
    let q = q.trim();
    if q.is_empty() {
        return None;
    }
    let split = q
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(q.len());
    let (num, suffix) = q.split_at(split);
    let (mantissa, exp10, mult) = match suffix {
        "" => (num, 0i32, 1u128),
        "Ki" => (num, 0, 1 << 10),
        "Mi" => (num, 0, 1 << 20),
        "Gi" => (num, 0, 1 << 30),
        "Ti" => (num, 0, 1 << 40),
        "Pi" => (num, 0, 1 << 50),
        "Ei" => (num, 0, 1 << 60),
        "m" => (num, -3, 1),
        "k" => (num, 3, 1),
        "M" => (num, 6, 1),
        "G" => (num, 9, 1),
        "T" => (num, 12, 1),
        "P" => (num, 15, 1),
        "E" => (num, 18, 1),
        s if s.starts_with(['e', 'E']) => (num, s[1..].parse::<i32>().ok()?, 1),
        _ => return None,
    };
    let (neg, digits) = match mantissa.as_bytes().first()? {
        b'-' => (true, &mantissa[1..]),
        b'+' => (false, &mantissa[1..]),
        _ => (false, mantissa),
    };
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    if (int_part.is_empty() && frac_part.is_empty())
        || !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    // value = digits * 10^(exp10 - frac_len) * mult, in exact integer arithmetic.
    let all_digits = format!("{int_part}{frac_part}");
    let all_digits = all_digits.trim_start_matches('0');
    if all_digits.len() > 36 {
        return None;
    }
    let n: u128 = if all_digits.is_empty() {
        0
    } else {
        all_digits.parse().ok()?
    };
    if neg && n != 0 {
        return None;
    }
    let scale = exp10 - i32::try_from(frac_part.len()).ok()?;
    let scaled = n.checked_mul(mult)?;
    let value = if scale >= 0 {
        scaled.checked_mul(10u128.checked_pow(u32::try_from(scale).ok()?)?)?
    } else {
        let div = 10u128.checked_pow(u32::try_from(-scale).ok()?);
        match div {
            Some(d) => scaled.div_ceil(d),
            None => u128::from(scaled != 0),
        }
    };
    u64::try_from(value).ok()
}

/// Bytes in binary units with at most one decimal: "0", "512", "1Ki", "1.5Gi", "10Gi".
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
    if n < 1024 {
        return n.to_string();
    }
    let mut unit = 0;
    let mut div: u128 = 1024;
    while unit + 1 < UNITS.len() && u128::from(n) >= div * 1024 {
        div *= 1024;
        unit += 1;
    }
    // Tenths, rounded half up, in integers to avoid float formatting surprises.
    let tenths = (u128::from(n) * 10 + div / 2) / div;
    if tenths >= 10240 && unit + 1 < UNITS.len() {
        return human_bytes_in(n, div * 1024, UNITS[unit + 1]);
    }
    human_bytes_in(n, div, UNITS[unit])
}

fn human_bytes_in(n: u64, div: u128, name: &str) -> String {
    let tenths = (u128::from(n) * 10 + div / 2) / div;
    if tenths.is_multiple_of(10) {
        format!("{}{name}", tenths / 10)
    } else {
        format!("{}.{}{name}", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_binary_decimal_plain_and_exponent_quantities() {
        let cases: &[(&str, Option<u64>)] = &[
            ("0", Some(0)),
            ("1", Some(1)),
            ("1024", Some(1024)),
            ("1Ki", Some(1024)),
            ("10Gi", Some(10 * (1 << 30))),
            ("1.5Gi", Some(3 * (1 << 29))),
            ("0.5Mi", Some(1 << 19)),
            ("2Ti", Some(2 * (1u64 << 40))),
            ("1Pi", Some(1u64 << 50)),
            ("1Ei", Some(1u64 << 60)),
            ("500M", Some(500_000_000)),
            ("1k", Some(1000)),
            ("1G", Some(1_000_000_000)),
            ("1.5G", Some(1_500_000_000)),
            ("3T", Some(3_000_000_000_000)),
            ("1P", Some(1_000_000_000_000_000)),
            ("1e3", Some(1000)),
            ("1E6", Some(1_000_000)),
            ("1.5e3", Some(1500)),
            ("12e-1", Some(2)),
            ("+5Gi", Some(5 * (1 << 30))),
            (".5Ki", Some(512)),
            ("5.", Some(5)),
            ("1500m", Some(2)),
            ("1m", Some(1)),
            ("0.0001", Some(1)),
            (" 10Gi ", Some(10 * (1 << 30))),
            ("-0", Some(0)),
        ];
        for (q, want) in cases {
            assert_eq!(parse_quantity(q), *want, "quantity {q:?}");
        }
    }

    #[test]
    fn rejects_malformed_negative_and_overflowing_quantities() {
        for q in [
            "", "Gi", "abc", "10GB", "10gi", "1.2.3Gi", "-1Gi", "1Zi", "16Ei", "1e30", "1e", "..",
            "1 Gi", "0x10",
        ] {
            assert_eq!(parse_quantity(q), None, "quantity {q:?}");
        }
    }

    #[test]
    fn human_bytes_uses_binary_units_with_one_decimal() {
        let cases: &[(u64, &str)] = &[
            (0, "0"),
            (512, "512"),
            (1023, "1023"),
            (1024, "1Ki"),
            (1536, "1.5Ki"),
            (10 * (1 << 30), "10Gi"),
            (3 * (1 << 29), "1.5Gi"),
            (1_000_000_000, "953.7Mi"),
            ((1 << 20) - 1, "1Mi"),
            (1u64 << 40, "1Ti"),
            (u64::MAX, "16Ei"),
        ];
        for (n, want) in cases {
            assert_eq!(human_bytes(*n), *want, "bytes {n}");
        }
    }

    #[test]
    fn human_bytes_of_parsed_quantity_round_trips_whole_binary_units() {
        for q in ["1Ki", "20Gi", "3Ti", "1.5Gi"] {
            assert_eq!(human_bytes(parse_quantity(q).unwrap()), q);
        }
    }
}
