//! `VERIFY.txt` of a v1 receipt zip: instructions a court clerk can follow that are at the
//! same time a POSIX `sh` script, run from the unzipped folder as
//! `sh -e VERIFY.txt [ORIGINAL-FILE]`. A v2 zip's `VERIFY.txt` explains `verify.sh` instead
//! ([`super::verify_sh`]); the two share [`summary`].
//!
//! Explanations are `#` lines; every other line is a command a person can paste. Each check
//! prints OK or FAILED and, when it fails, exits non-zero, so `sh -e` stops at the first
//! failure. Only validated values (hashes, ids, times, log and witness names) and a file name
//! that passes [`script_safe_name`] are written into it: the receipt's metadata is the owner's
//! text and must never become a command.

use std::fmt::Write;

use crate::domain::{EvidenceKind, Receipt, Timestamp};

/// The file name used when the receipt discloses none (or none that is safe to write).
const PLACEHOLDER: &str = "original-file";

/// The text of `VERIFY.txt` for `receipt`, whose co-signatures were made at `signing_times`
/// (one per co-signature, in receipt order).
pub(super) fn verify_txt(receipt: &Receipt, signing_times: &[Timestamp]) -> String {
    let mut t = summary(receipt);
    // Writing to a String cannot fail.
    let _ = write!(
        t,
        "\
# This file is both instructions and a script. Lines that start with \"#\"
# explain; the other lines are commands. Open a terminal in the folder where
# the zip was unzipped and paste the commands one by one, or run them all:
#
#   sh -e VERIFY.txt
#
# Each check prints OK or FAILED. Run with \"sh -e\", the script stops at the
# first check that fails, with a non-zero exit status.
#
# Tools: b3sum and openssl (Debian or Ubuntu: apt-get install b3sum openssl),
# and notarium, the program of the service, for step 5.
#
# The expected values below are copied from receipt.json. What makes them
# trustworthy is that the witnesses' signatures check out against YOUR copy
# of their certificate authority (step 4), and that notarium verify checks
# everything together (step 5).


# STEP 0. Your trust anchor: ca.pem
#
# The signature checks need the certificate of the authority (CA) that
# certified the witnesses, saved as ca.pem in this folder. Get it yourself
# from the witness operators (the court and the notary), through a channel
# you trust. Never take it from this bundle or from the service that issued
# this receipt: that would mean trusting the very party the witnesses are
# there to check. (For a development installation of Notarium, it is the
# file data/pki/trust/ca.pem.)

{ca_check}


",
        ca_check = check("test -f ca.pem", "ca.pem", "ca.pem: MISSING, see step 0"),
    );
    original_file_step(&mut t, receipt);
    leaf_step(&mut t, receipt);
    header_step(&mut t, receipt);
    witness_step(&mut t, receipt, signing_times);
    let _ = write!(
        t,
        "\
# STEP 5. Everything together: notarium verify
#
# notarium verify reads receipt.json and checks all of the above again, plus
# the link from the leaf to the block (the Merkle proof), the role and dates
# of each witness certificate, and that a court and a notary both signed. It
# names each check, ends with VALID or INVALID, and exits with status 0 only
# when the receipt is valid. On the zip itself,
# \"notarium verify receipt.zip --trust ca.pem --file FILE\" says the same.

notarium verify receipt.json --trust ca.pem --file \"$ORIGINAL\"


# WHAT A VALID RECEIPT SHOWS
#
# When every check above passes: the original file existed, unchanged, no
# later than each witness's signing time. It does not show who created the
# file, nor that what the file says is true.
"
    );
    t
}

/// The first lines of `VERIFY.txt` (v1 and v2): what the receipt is, as `#` lines.
pub(super) fn summary(receipt: &Receipt) -> String {
    let ev = &receipt.evidence;
    let witnesses: Vec<String> = receipt.cosignatures.iter().map(|c| format!("{} ({})", c.witness, c.role)).collect();
    format!(
        "\
# HOW TO CHECK THIS RECEIPT
#
# This folder is a Notarium receipt for one piece of evidence:
#   evidence   {id}
#   kind       {kind}
#   received   {received}
#   block      {height} of the log {log}
#   witnesses  {witnesses}
#
",
        id = ev.id,
        kind = ev.kind,
        received = ev.received,
        height = receipt.block.height,
        log = receipt.block.log,
        witnesses = if witnesses.is_empty() { "none".to_owned() } else { witnesses.join(", ") },
    )
}

/// Step 1: the original file against `content_hash`, with `b3sum --check`.
fn original_file_step(t: &mut String, receipt: &Receipt) {
    let disclosed = receipt
        .evidence
        .metadata
        .as_ref()
        .and_then(|m| m.get("file")?.get("name")?.as_str())
        .map(|name| script_safe_name(name).ok_or(name));
    let (name, where_) = match disclosed {
        Some(Ok(name)) => (
            name,
            format!("It was registered under the name\n#   {name}\n# Put a copy of it in this folder under that name"),
        ),
        Some(Err(_)) => (
            PLACEHOLDER,
            format!(
                "Its registered name (metadata.file.name in receipt.json) holds\n\
                 # characters that are not written into a script. Put a copy of it in\n\
                 # this folder named {PLACEHOLDER}"
            ),
        ),
        None => (
            PLACEHOLDER,
            format!("This receipt does not disclose its name. Put a copy of it in this\n# folder named {PLACEHOLDER}"),
        ),
    };
    let structured = structured_note(receipt.evidence.kind);
    let _ = write!(
        t,
        "\
# STEP 1. The original file
#
# The original file is not in this bundle. {where_},
# or give its path when you run the script:
#   sh -e VERIFY.txt /path/to/the/file
# Its BLAKE3 hash must be
#   {hash}
# b3sum prints the file's name with OK when it is, FAILED when it is not.
{structured}
ORIGINAL=${{1:-{quoted}}}
printf '%s  %s\\n' {hash} \"$ORIGINAL\" | b3sum --check


",
        hash = receipt.evidence.content_hash,
        quoted = quote(name),
    );
}

/// Step 2: `leaf.txt` names the content hash and hashes to `leaf_hash` (with the 0x00 prefix).
fn leaf_step(t: &mut String, receipt: &Receipt) {
    let content = receipt.evidence.content_hash;
    let _ = write!(
        t,
        "\
# STEP 2. The leaf: what was registered
#
# leaf.txt is the record exactly as it was committed: its id, its kind, the
# file's hash (\"content\"), a random salt that keeps the record from being
# guessed, the hash of its details (\"meta\"), the owner and the time it was
# received. Check that it names the file's hash of step 1, and that it gives
# the leaf hash
#   {leaf}
# which is BLAKE3 of one zero byte followed by the text of leaf.txt.

{names_content}
{leaf_hash}


",
        leaf = receipt.leaf_hash,
        names_content = check(
            &format!("grep -qx 'content {content}' leaf.txt"),
            "leaf.txt names the file's hash",
            "leaf.txt names the file's hash: FAILED",
        ),
        leaf_hash = check(
            &format!("test \"$( {{ printf '\\000'; cat leaf.txt; }} | b3sum --no-names )\" = {}", receipt.leaf_hash),
            "leaf.txt",
            "leaf.txt: FAILED",
        ),
    );
}

/// Step 3: `header.txt` hashes to `block_hash`.
fn header_step(t: &mut String, receipt: &Receipt) {
    let _ = write!(
        t,
        "\
# STEP 3. The block header: what the witnesses signed
#
# header.txt is the header of block {height}: the log's name, the height, the
# hash of the block before, the Merkle root of the block's leaves, their
# number and the time the block was sealed. Its BLAKE3 hash, the block hash,
# must be
#   {hash}
# The leaf of step 2 is tied to the root in this header by the Merkle proof
# in receipt.json. No standard tool checks that link; notarium verify does
# (step 5).

printf '%s  %s\\n' {hash} header.txt | b3sum --check


",
        height = receipt.block.height,
        hash = receipt.block.block_hash,
    );
}

/// Step 4: one `openssl cms -verify` per co-signature, at its signing time.
fn witness_step(t: &mut String, receipt: &Receipt, signing_times: &[Timestamp]) {
    let _ = write!(
        t,
        "\
# STEP 4. The witnesses' signatures
#
# Each witness signed header.txt with its own key: a CMS signature in
# <witness>.p7s, its certificates in chain-<witness>.pem. openssl x509 shows
# whom the certificate names (its OU is the role: court or notary). openssl
# cms checks the signature over header.txt and the certificates up to your
# ca.pem, and prints \"CMS Verification successful\". -attime checks the
# certificates as they were when the witness signed, so the check still
# works after they expire.
"
    );
    if receipt.cosignatures.is_empty() {
        let _ = writeln!(t, "\n# This receipt carries no signature: notarium verify will refuse it.");
    }
    debug_assert_eq!(signing_times.len(), receipt.cosignatures.len(), "one signing time per co-signature");
    for (c, signed) in receipt.cosignatures.iter().zip(signing_times) {
        let seconds = signed.unix_millis().div_euclid(1000);
        let _ = write!(
            t,
            "\n\
# Witness {w}, role {role}, signed at {signed}:
# {seconds} seconds after 1970-01-01 00:00 UTC, the value of -attime.

openssl x509 -in {chain} -noout -subject -issuer
openssl cms -verify -binary -inform DER -in {p7s} -content header.txt -CAfile ca.pem -purpose any -attime {seconds} -out /dev/null
",
            w = c.witness,
            role = c.role,
            chain = quote(&super::chain_in_zip(&c.witness)),
            p7s = quote(&super::cosignature_in_zip(&c.witness)),
        );
    }
    t.push_str("\n\n");
}

/// `test && echo "<ok>: OK" || { echo "<failed>" >&2; false; }`: prints the outcome, and the
/// `false` fails the line when the test does (`set -e` ignores a failure before `&&`).
fn check(test: &str, ok: &str, failed: &str) -> String {
    format!("{test} && echo \"{ok}: OK\" || {{ echo \"{failed}\" >&2; false; }}")
}

/// For structured records (e-invoices, claims), the `#` lines saying that the file is the
/// canonical JSON; empty for the others.
pub(super) fn structured_note(kind: EvidenceKind) -> &'static str {
    match kind {
        EvidenceKind::Invoice | EvidenceKind::InvoiceVoid | EvidenceKind::Claim | EvidenceKind::ClaimWithdrawal => {
            "# This record is structured data (an e-invoice or a claim): the file must\n\
             # hold its canonical JSON (RFC 8785), the exact bytes that were hashed.\n"
        }
        _ => "",
    }
}

/// `name` if it can be written into the script and its comments as it is: 1 to 128
/// characters, letters and digits of any script, space and `._-+()[],@`, not starting with
/// `-`, `.` or a space, not ending with a space. So never a quote, `$`, a backslash, a newline
/// or a control or formatting character (bidi overrides included).
pub(super) fn script_safe_name(name: &str) -> Option<&str> {
    let allowed = |c: char| c.is_alphanumeric() || " ._-+()[],@".contains(c);
    let ok = (1..=128).contains(&name.chars().count())
        && name.chars().all(allowed)
        && !name.starts_with(['-', '.', ' '])
        && !name.ends_with(' ');
    ok.then_some(name)
}

/// Single-quoted for `sh`; a `'` inside becomes `'\''`.
fn quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_are_written_into_the_script() {
        for good in ["scan.pdf", "Lease 2026 (signed).pdf", "合同.pdf", "a_b-c+d[1],e@f"] {
            assert_eq!(script_safe_name(good), Some(good));
        }
        let long = "a".repeat(129);
        for bad in [
            "",
            "a'b",
            "$(reboot)",
            "a`b`",
            "x\ny",
            "a\\b",
            "-rf",
            ".hidden",
            " lead",
            "trail ",
            "a;b",
            "a\"b",
            "\u{202e}fdp.exe",
            "tab\there",
            &long,
        ] {
            assert_eq!(script_safe_name(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn quoting_survives_a_single_quote() {
        assert_eq!(quote("it's"), r"'it'\''s'");
    }
}
