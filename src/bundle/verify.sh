#!/bin/sh
# verify.sh: checks a Notarium receipt (notarium-receipt/v2) with standard tools.
#
# 1. FIRST CHECK THIS SCRIPT. It is the same, byte for byte, for every receipt.
#    Its SHA-256 (openssl dgst -sha256 verify.sh, or sha256sum verify.sh) must
#    equal the value published in Notarium's docs/formats.md, section 10.4.
#    If it differs, do not run it: it is not the published script.
#
# 2. GET THE TRUST ANCHORS YOURSELF. Save the certificate of the authority (CA)
#    that certifies the court witnesses as court-ca.pem, and the one that
#    certifies the notary witnesses as notary-ca.pem, in this folder (the same
#    file twice when one CA certifies both). Get them from the witness operators
#    through a channel you trust, never from this bundle or from the service that
#    issued it. The script prints their SHA-256 fingerprints: compare them with
#    the ones the CA gave you.
#
# 3. RUN IT in the folder where the receipt zip was unzipped:
#      sh verify.sh /path/to/the/original/file
#    Tools: sh, b3sum, openssl and the usual utilities (Debian or Ubuntu:
#    apt-get install b3sum openssl). Each check prints OK or FAILED; the script
#    exits with status 0 only when every check holds.
#
# It reads every value from the files of this folder and trusts none of them:
#  - the file's BLAKE3 hash must be the "content" line of leaf.txt;
#  - metadata.json, when present, keyed with the meta_salt of proof.txt, must
#    give the "meta" line of leaf.txt;
#  - the hash of leaf.txt, walked up the Merkle proof in proof.txt, must give
#    the "root" line of header.txt, the block header the witnesses signed;
#  - each <witness>.p7s must be a valid signature over header.txt whose signer
#    certificate has exactly one role OU (court or notary) and chains to the
#    anchor of that role (court-ca.pem or notary-ca.pem) at the signing time;
#  - a court and a notary must have signed, with two different keys.
# The last step, notarium verify, runs only when that program is installed.

set +e
LC_ALL=C
export LC_ALL
umask 077

FILE=${1-}
failures=0

ok() { printf '%s: OK%s\n' "$1" "${2:+ ($2)}"; }
failed() {
	printf '%s: FAILED (%s)\n' "$1" "$2"
	failures=$((failures + 1))
}

for tool in b3sum openssl awk sed grep cut sort mktemp; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		printf '%s: not found. Install it (Debian or Ubuntu: apt-get install b3sum openssl).\n' "$tool"
		exit 2
	fi
done
for f in header.txt leaf.txt proof.txt; do
	if ! test -f "$f"; then
		printf '%s: missing. Run this script in the folder where the receipt zip was unzipped.\n' "$f"
		exit 2
	fi
done
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM

HEX='[0-9a-f]{64}'
INT='(0|[1-9][0-9]{0,17})'
UUID='[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}'
TIME='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}Z'
KIND='(document|contract|image|invoice|invoice-void|claim|claim-withdrawal)'

# Whether FILE has exactly N lines, the last one ending with a newline.
has_lines() {
	test "$(wc -l <"$1" | tr -d ' ')" = "$2" && test "$(grep -c '' "$1")" = "$2"
}
# Whether line N of FILE is exactly the extended regular expression RE.
line_is() { sed -n "$2p" "$1" | grep -Eqx -- "$3"; }
# The value of line N of FILE: what follows its name and one space.
value_of() { sed -n "$2p" "$1" | cut -d ' ' -f 2-; }
# The octal escapes, for printf, of the bytes of a checked hex string.
octal() {
	printf '%s\n' "$1" | awk '{
		for (i = 1; i < length($0); i += 2)
			printf "\\%03o", (index("0123456789abcdef", substr($0, i, 1)) - 1) * 16 \
				+ index("0123456789abcdef", substr($0, i + 1, 1)) - 1
	}'
}
# The K-th certificate (PEM) of FILE.
nth_cert() {
	awk -v want="$2" '/-----BEGIN CERTIFICATE-----/ { n++ } n == want { print } /-----END CERTIFICATE-----/ && n == want { exit }' "$1"
}
# The number of certificates in FILE.
cert_count() { grep -c -e '-----BEGIN CERTIFICATE-----' "$1"; }
# H1(l, r) = BLAKE3(0x01 || l || r), the inner node of docs/formats.md section 4.
node_hash() { printf "\\001$(octal "$1")$(octal "$2")" | b3sum --no-names; }

# leaf.txt: the 8 lines of docs/formats.md section 3.
leaf_ok=no
if has_lines leaf.txt 8 && line_is leaf.txt 1 'notarium/leaf/v[12]' && line_is leaf.txt 2 "id $UUID" &&
	line_is leaf.txt 3 "kind $KIND" && line_is leaf.txt 4 "content $HEX" && line_is leaf.txt 5 "salt $HEX" &&
	line_is leaf.txt 6 "meta $HEX" && line_is leaf.txt 7 "owner $UUID" && line_is leaf.txt 8 "received $TIME"; then
	leaf_ok=yes
	content=$(value_of leaf.txt 4)
	meta=$(value_of leaf.txt 6)
	ok "leaf.txt is a leaf"
else
	failed "leaf.txt is a leaf" "not the 8 lines of a leaf, docs/formats.md section 3"
fi

# header.txt: the 7 lines of docs/formats.md section 5.
header_ok=no
if has_lines header.txt 7 && line_is header.txt 1 'notarium/block/v1' &&
	line_is header.txt 2 'log [a-z0-9.-]+(/[a-z0-9.-]+)*' && line_is header.txt 3 "height $INT" &&
	line_is header.txt 4 "prev $HEX" && line_is header.txt 5 "root $HEX" && line_is header.txt 6 "leaves $INT" &&
	line_is header.txt 7 "sealed $TIME"; then
	header_ok=yes
	root=$(value_of header.txt 5)
	leaves=$(value_of header.txt 6)
	ok "header.txt is a block header" "block $(value_of header.txt 3) of $(value_of header.txt 2)"
else
	failed "header.txt is a block header" "not the 7 lines of a header, docs/formats.md section 5"
fi

# proof.txt: "notarium/proof/v1", "index N", "count N", one "sibling L|R HASH" per
# level from the leaf up (at most 64), and an optional last line "meta_salt HASH".
proof_ok=yes
n=0
index=
count=
siblings=
meta_salt=
while IFS= read -r line; do
	n=$((n + 1))
	case $n in
	1) test "$line" = notarium/proof/v1 || proof_ok=no ;;
	2) index=$(printf '%s\n' "$line" | grep -Ex "index $INT" | cut -d ' ' -f 2) ;;
	3) count=$(printf '%s\n' "$line" | grep -Ex "count $INT" | cut -d ' ' -f 2) ;;
	*)
		if test -z "$meta_salt" && test "$n" -le 67 && printf '%s\n' "$line" | grep -Eqx "sibling [LR] $HEX"; then
			step=$(printf '%s\n' "$line" | cut -d ' ' -f 2,3 | tr ' ' ':')
			siblings="$siblings $step"
		elif test -z "$meta_salt" && printf '%s\n' "$line" | grep -Eqx "meta_salt $HEX"; then
			meta_salt=$(printf '%s\n' "$line" | cut -d ' ' -f 2)
		else
			proof_ok=no
			break
		fi
		;;
	esac
done <proof.txt
if test "$proof_ok" = yes && test -n "$index" && test -n "$count" && has_lines proof.txt "$n"; then
	ok "proof.txt is a proof" "leaf $index of $count"
else
	proof_ok=no
	failed "proof.txt is a proof" "not the lines of a proof, docs/formats.md section 10.4"
fi

# 1. The original file.
if test -z "$FILE"; then
	printf 'original file: NOT CHECKED (give its path: sh verify.sh /path/to/the/file)\n'
elif ! test -f "$FILE" || ! test -r "$FILE"; then
	failed "original file" "the file given cannot be read"
elif test "$leaf_ok" = yes; then
	got=$(b3sum --no-names <"$FILE")
	if test "$got" = "$content"; then
		ok "original file" "this is the registered file: BLAKE3 $got"
	else
		failed "original file" "this is NOT the registered file: its BLAKE3 is $got, leaf.txt names $content"
	fi
else
	failed "original file" "leaf.txt names no content hash to compare with"
fi

# 2. The metadata, keyed with meta_salt (docs/formats.md section 10.1). Without
# metadata.json but with meta_salt, the record registered none: the input is {}.
if test -f metadata.json || test -n "$meta_salt"; then
	if test -z "$meta_salt"; then
		failed "metadata.json" "proof.txt gives no meta_salt to check it with"
	elif test "$leaf_ok" = yes; then
		input=metadata.json what=metadata.json
		if ! test -f metadata.json; then
			input="$tmp/none.json" what="{} (no metadata registered)"
			printf '{}' >"$input"
		fi
		got=$(printf "$(octal "$meta_salt")" | b3sum --keyed --no-names "$input")
		if test "$got" = "$meta"; then
			ok "metadata" "leaf.txt's meta is the keyed hash of $what"
		else
			failed "metadata" "the keyed hash of $what is not leaf.txt's meta"
		fi
	else
		failed "metadata" "leaf.txt names no meta to compare with"
	fi
else
	printf 'metadata: NOT DISCLOSED (nothing to check)\n'
fi

# 3. From leaf.txt up the proof to the root of header.txt (docs/formats.md section 4).
walk() {
	node=$1 i=$index w=$count rest=$siblings
	test "$i" -lt "$w" || return 1
	while test "$w" -gt 1; do
		if test "$i" -ne $((w - 1)) || test $((w % 2)) -eq 0; then
			test -n "$rest" || return 1
			rest=${rest# }
			step=${rest%% *}
			rest=${rest#"$step"}
			if test $((i % 2)) -eq 0; then
				test "${step%%:*}" = R || return 1
				node=$(node_hash "$node" "${step#*:}")
			else
				test "${step%%:*}" = L || return 1
				node=$(node_hash "${step#*:}" "$node")
			fi
		fi
		i=$((i / 2))
		w=$(((w + 1) / 2))
	done
	test -z "$rest" || return 1
	printf '%s\n' "$node"
}
if test "$leaf_ok" = yes && test "$header_ok" = yes && test "$proof_ok" = yes; then
	leaf=$({
		printf '\000'
		cat leaf.txt
	} | b3sum --no-names)
	printf 'leaf hash: %s\n' "$leaf"
	if test "$count" != "$leaves"; then
		failed "inclusion proof" "proof.txt counts $count leaves, header.txt $leaves"
	elif reached=$(walk "$leaf"); then
		if test "$reached" = "$root"; then
			ok "inclusion proof" "leaf.txt is leaf $index of the block, root $root"
		else
			failed "inclusion proof" "the proof reaches $reached, header.txt's root is $root"
		fi
	else
		failed "inclusion proof" "the siblings of proof.txt do not fit leaf $index of $count"
	fi
else
	failed "inclusion proof" "cannot be walked without leaf.txt, proof.txt and header.txt"
fi

# 4. The trust anchors, one per role.
for anchor in court-ca.pem notary-ca.pem; do
	if ! test -f "$anchor"; then
		failed "$anchor" "missing: get it from the CA, see the top of this script"
		continue
	fi
	certs=$(cert_count "$anchor")
	if test "$certs" -lt 1 || test "$certs" -gt 16; then
		failed "$anchor" "holds $certs certificates, expected 1 to 16"
		continue
	fi
	k=0
	while test "$k" -lt "$certs"; do
		k=$((k + 1))
		nth_cert "$anchor" "$k" >"$tmp/anchor.pem"
		if fp=$(openssl x509 -in "$tmp/anchor.pem" -noout -fingerprint -sha256 -nameopt RFC2253 -subject 2>/dev/null); then
			ok "$anchor certificate $k" "compare with the CA's: $(printf '%s' "$fp" | tr '\n' ' ')"
		else
			failed "$anchor certificate $k" "not a certificate"
		fi
	done
done

# 5. The co-signatures over header.txt, each checked against the anchor of its role.
# The signing time as epoch seconds, from the CMS signingTime (DER UTCTime or
# GeneralizedTime), or a failure when there is not exactly one.
signing_time() {
	openssl asn1parse -inform DER -in "$1" >"$tmp/asn1" 2>/dev/null || return 1
	test "$(grep -c ':signingTime *$' "$tmp/asn1")" = 1 || return 1
	awk '/:signingTime *$/ { at = NR } at && NR == at + 2 { print }' "$tmp/asn1" |
		sed -n -e 's/.*prim: UTCTIME *:\([0-9]\{12\}\)Z$/U\1/p' -e 's/.*prim: GENERALIZEDTIME *:\([0-9]\{14\}\)Z$/G\1/p' |
		awk '{
			if (substr($0, 1, 1) == "U") { y = substr($0, 2, 2) + 0; y += (y < 50) ? 2000 : 1900; r = substr($0, 4) }
			else { y = substr($0, 2, 4) + 0; r = substr($0, 6) }
			m = substr(r, 1, 2) + 0; d = substr(r, 3, 2) + 0
			H = substr(r, 5, 2) + 0; M = substr(r, 7, 2) + 0; S = substr(r, 9, 2) + 0
			if (m < 1 || m > 12 || d < 1 || d > 31 || H > 23 || M > 59 || S > 59) exit
			yy = y - (m <= 2); era = int(yy / 400); yoe = yy - era * 400
			doy = int((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
			doe = yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy
			printf "%.0f %04d-%02d-%02d %02d:%02d:%02d UTC\n", (era * 146097 + doe - 719468) * 86400 + H * 3600 + M * 60 + S, y, m, d, H, M, S
		}' | grep -Ex '[0-9]+ [0-9: -]+ UTC'
}
# The role of a signer certificate: its single OU, court or notary, in a
# certificate that is not a CA and may sign (keyUsage, when present).
role_of() {
	openssl x509 -in "$1" -noout -subject -nameopt multiline >"$tmp/subject" 2>/dev/null || return 1
	test "$(grep -c '^ *organizationalUnitName *= ' "$tmp/subject")" = 1 || return 1
	role=$(sed -n 's/^ *organizationalUnitName *= //p' "$tmp/subject")
	case $role in court | notary) ;; *) return 1 ;; esac
	openssl x509 -in "$1" -noout -ext basicConstraints,keyUsage >"$tmp/ext" 2>/dev/null || return 1
	if grep -q 'CA:TRUE' "$tmp/ext"; then return 1; fi
	if grep -q 'Key Usage' "$tmp/ext" && ! grep -Eq 'Digital Signature|Non Repudiation' "$tmp/ext"; then return 1; fi
	printf '%s\n' "$role"
}
# Whether the chain of the signer of P7S to its role's ANCHOR stays clear of the CAs
# of OTHER, the other role's anchor, at time T: fails when a certificate of OTHER
# (and not of ANCHOR) certifies the signer and is itself certified by ANCHOR, that
# is, when a CA of the other role stands between the signer and its own anchor.
clear_of() {
	openssl cms -verify -binary -inform DER -in "$1" -content header.txt -noverify -purpose any \
		-certsout "$tmp/carried.pem" -out /dev/null 2>/dev/null || return 1
	: >"$tmp/own.fp"
	x=0
	while test "$x" -lt "$(cert_count "$2")"; do
		x=$((x + 1))
		nth_cert "$2" "$x" | openssl x509 -noout -fingerprint -sha256 >>"$tmp/own.fp" 2>/dev/null
	done
	x=0
	while test "$x" -lt "$(cert_count "$3")" && test "$x" -lt 16; do
		x=$((x + 1))
		nth_cert "$3" "$x" >"$tmp/x.pem"
		xfp=$(openssl x509 -in "$tmp/x.pem" -noout -fingerprint -sha256 2>/dev/null) || continue
		if grep -qxF -e "$xfp" "$tmp/own.fp"; then continue; fi
		if openssl verify -CAfile "$tmp/x.pem" -no-CApath -no-CAstore -partial_chain -untrusted "$tmp/carried.pem" \
			-purpose any -attime "$4" "$tmp/signer.pem" >/dev/null 2>&1 &&
			openssl verify -CAfile "$2" -no-CApath -no-CAstore -partial_chain -untrusted "$tmp/carried.pem" \
				-purpose any -attime "$4" "$tmp/x.pem" >/dev/null 2>&1; then
			return 1
		fi
	done
	return 0
}
: >"$tmp/keys"
signatures=0
for p7s in *.p7s; do
	test -f "$p7s" || continue
	signatures=$((signatures + 1))
	w=${p7s%.p7s}
	case $w in
	'' | [!a-z0-9]* | *[!a-z0-9.-]*)
		failed "co-signature" "a .p7s file whose name is not a witness name"
		continue
		;;
	esac
	if test "${#w}" -gt 64 || test "$signatures" -gt 32; then
		failed "co-signature" "more than 32 .p7s files, or a witness name over 64 characters"
		continue
	fi
	if ! signed=$(signing_time "$p7s"); then
		failed "co-signature $w" "$p7s holds no single readable signingTime"
		continue
	fi
	rm -f "$tmp/signer.pem"
	if ! openssl cms -verify -binary -inform DER -in "$p7s" -content header.txt -noverify -purpose any \
		-signer "$tmp/signer.pem" -out /dev/null 2>/dev/null ||
		test "$(grep -c -e '-----BEGIN CERTIFICATE-----' "$tmp/signer.pem" 2>/dev/null)" != 1; then
		failed "co-signature $w" "$p7s is not one signature over header.txt"
		continue
	fi
	if ! role=$(role_of "$tmp/signer.pem"); then
		failed "co-signature $w" "the signer certificate has no single role OU court or notary, or may not sign"
		continue
	fi
	anchor=$role-ca.pem
	if ! test -f "$anchor"; then
		failed "co-signature $w" "$anchor is missing"
		continue
	fi
	if ! openssl cms -verify -binary -inform DER -in "$p7s" -content header.txt -CAfile "$anchor" -no-CApath \
		-no-CAstore -partial_chain -purpose any -attime "${signed%% *}" -out /dev/null 2>"$tmp/err"; then
		reason=$(sed -n 's/.*[Vv]erify error: *//p' "$tmp/err" | head -n 1 | tr -cd ' -~')
		failed "co-signature $w" "role $role: no valid chain to $anchor at ${signed#* }: ${reason:-see openssl cms -verify}"
		continue
	fi
	other=court-ca.pem
	test "$role" = court && other=notary-ca.pem
	if test -f "$other" && ! clear_of "$p7s" "$anchor" "$other" "${signed%% *}"; then
		failed "co-signature $w" "role $role: its chain to $anchor passes through a CA of $other"
		continue
	fi
	if ! openssl x509 -in "$tmp/signer.pem" -noout -text 2>/dev/null | grep -q 'ASN1 OID: prime256v1'; then
		failed "co-signature $w" "the signer key is not ECDSA P-256"
		continue
	fi
	key=$(openssl x509 -in "$tmp/signer.pem" -noout -pubkey | openssl ec -pubin -conv_form uncompressed -outform DER 2>/dev/null |
		openssl dgst -sha256 -r | cut -d ' ' -f 1)
	printf '%s %s\n' "$role" "$key" >>"$tmp/keys"
	ok "co-signature $w" "role $role, signed at ${signed#* }, chained to $anchor; $(openssl x509 -in "$tmp/signer.pem" -noout -subject -nameopt RFC2253)"
done

# 6. The default quorum: a court and a notary, two distinct keys (a key counts once).
keys=$(cut -d ' ' -f 2 "$tmp/keys" | sort -u | grep -c .)
courts=$(grep -c '^court ' "$tmp/keys")
notaries=$(grep -c '^notary ' "$tmp/keys")
if test "$keys" -ge 2 && test "$courts" -ge 1 && test "$notaries" -ge 1; then
	ok "quorum" "$courts court, $notaries notary, $keys distinct keys"
else
	failed "quorum" "a court and a notary with two distinct keys are needed: $courts court, $notaries notary, $keys distinct keys"
fi

# 7. Optional: notarium verify reads receipt.json and checks it all again.
if command -v notarium >/dev/null 2>&1; then
	set -- verify receipt.json --trust court=court-ca.pem --trust notary=notary-ca.pem
	if test -n "$FILE"; then set -- "$@" "--file=$FILE"; fi
	if notarium "$@" >"$tmp/notarium" 2>&1; then
		ok "notarium verify"
	else
		failed "notarium verify" "its report follows"
		sed 's/^/    /' "$tmp/notarium"
	fi
else
	printf 'notarium verify: SKIPPED (optional; the notarium program is not installed)\n'
fi

if test "$failures" -ne 0; then
	printf 'RESULT: INVALID (checks FAILED: %s)\n' "$failures"
	exit 1
fi
if test -z "$FILE"; then
	printf 'RESULT: VALID RECEIPT, but no file was checked (sh verify.sh /path/to/the/file)\n'
else
	printf 'RESULT: VALID. This is the registered file; it existed, unchanged, no later than\n'
	printf 'the signing times above. It does not show who made it, nor that it is true.\n'
fi
exit 0
