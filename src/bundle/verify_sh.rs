//! `verify.sh`, the check script of a v2 receipt zip: one constant asset, the same bytes in
//! every bundle, whose SHA-256 docs/formats.md §10.4 publishes; and the short `VERIFY.txt`
//! of a v2 zip, which tells a clerk how to use it (docs/formats.md §10.4).
//!
//! The script writes no receipt value into itself: it reads them from `leaf.txt`,
//! `proof.txt`, `header.txt`, `metadata.json` and the `.p7s` files, and trusts none of them.

use std::fmt::Write;

use super::verify_txt::{script_safe_name, structured_note, summary};
use crate::domain::Receipt;

/// The bytes of `verify.sh`, for every v2 receipt.
pub const VERIFY_SH: &str = include_str!("verify.sh");

/// The text of `VERIFY.txt` in a v2 zip: `#` lines that explain `verify.sh`, then the one
/// command `sh verify.sh "$@"`, so that `sh VERIFY.txt FILE` runs it too. Only validated
/// values (ids, times, names of the log and witnesses) and a name that passes
/// [`script_safe_name`] are written into it.
pub(super) fn verify_txt_v2(receipt: &Receipt) -> String {
    let ev = &receipt.evidence;
    let name = ev.metadata.as_ref().and_then(|m| m.get("file")?.get("name")?.as_str()).and_then(script_safe_name);
    let name = match name {
        Some(name) => format!("#    The file was registered under the name\n#      {name}\n"),
        None => String::new(),
    };
    let mut t = summary(receipt);
    // Writing to a String cannot fail.
    let _ = write!(
        t,
        "\
# verify.sh checks it from the original file up to the block header that the
# witnesses signed, and their signatures against YOUR copies of the court's
# and the notary's certificate authorities, with standard tools only: sh,
# b3sum and openssl (Debian or Ubuntu: apt-get install b3sum openssl).
#
# 1. Check verify.sh itself. It is the same, byte for byte, for every receipt:
#      openssl dgst -sha256 verify.sh
#    must print the SHA-256 published in Notarium's docs/formats.md, section
#    10.4. Take that value from the published document, not from this folder.
#
# 2. Save, in this folder, court-ca.pem and notary-ca.pem: the certificates of
#    the authorities (CA) that certify the court and the notary witnesses (the
#    same file twice when one CA certifies both). Get them from the witness
#    operators through a channel you trust, never from this bundle or from the
#    service that issued it. For a development installation of Notarium, both
#    are the file data/pki/trust/ca.pem.
#
# 3. Run, in this folder, with the original file (it is not in this bundle):
#      sh verify.sh /path/to/the/original/file
{name}{structured}#    Each check prints OK or FAILED. It ends with RESULT: VALID or RESULT:
#    INVALID, and exits with status 0 only when the receipt is valid. It prints
#    the SHA-256 fingerprints of court-ca.pem and notary-ca.pem: compare them
#    with the ones the CA gave you.
#
# When notarium, the program of the service, is installed, verify.sh also runs
# notarium verify, which checks receipt.json as a whole; without it, that step
# is skipped and says so.
#
# WHAT A VALID RECEIPT SHOWS: the original file existed, unchanged, no later
# than each witness's signing time. It does not show who created the file,
# nor that what the file says is true.
#
# Running this file does the same as step 3: sh VERIFY.txt /path/to/the/file

sh verify.sh \"$@\"
",
        structured = structured_note(ev.kind).replace("# ", "#    "),
    );
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published value: a change to `verify.sh` must change docs/formats.md with it.
    const FORMATS_MD: &str = include_str!("../../docs/formats.md");

    #[test]
    fn the_script_is_the_one_whose_sha256_docs_formats_publishes() {
        let sha256 = hex::encode(openssl::sha::sha256(VERIFY_SH.as_bytes()));
        let published = format!("`verify.sh` SHA-256: `{sha256}`");
        assert!(FORMATS_MD.contains(&published), "docs/formats.md §10.4 must publish {published}");
    }

    #[test]
    fn the_script_names_no_receipt_value_and_stays_posix() {
        assert!(VERIFY_SH.starts_with("#!/bin/sh\n"));
        assert!(VERIFY_SH.is_ascii(), "plain ASCII, the same on every system");
        assert!(!VERIFY_SH.contains('\r'));
        for bashism in ["[[", "function ", "local ", "declare ", "xxd", "echo -e", " $'", "<<<", "pipefail"] {
            assert!(!VERIFY_SH.contains(bashism), "{bashism}");
        }
    }
}
