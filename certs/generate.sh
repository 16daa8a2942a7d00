#!/usr/bin/env bash
# Regenerates the committed TEST PKI of Notarium (see README.md in this directory).
# These keys are published: TESTS ONLY, never a trust anchor in production.
#
# Usage: bash certs/generate.sh        (from anywhere; writes into this directory)
# Needs only the openssl CLI (written against OpenSSL 3.0).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

umask 077
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# Validity windows (YYYYMMDDHHMMSSZ; openssl encodes UTCTime before 2050, GeneralizedTime after).
ROOT_START=20260101000000Z
ROOT_END=21251231235959Z
LONG_START=20260101000000Z
LONG_END=21251230235959Z
EXPIRED_START=20200101000000Z
EXPIRED_END=20210101000000Z

# One config file: the `openssl ca` bookkeeping plus every extension profile.
write_config() {
    mkdir -p "$TMP/newcerts"
    : > "$TMP/index.txt"
    echo 01 > "$TMP/serial"    # required by openssl ca, unused: serials are random
    cat > "$TMP/openssl.cnf" <<CNF
[ req ]
distinguished_name = req_dn
string_mask        = utf8only
prompt             = no

[ req_dn ]
CN = placeholder (always overridden by -subj)

[ ca ]
default_ca = test_ca

[ test_ca ]
database        = $TMP/index.txt
new_certs_dir   = $TMP/newcerts
serial          = $TMP/serial
default_md      = sha256
policy          = policy_any
preserve        = yes
unique_subject  = no
email_in_dn     = no
copy_extensions = none

[ policy_any ]
organizationName       = supplied
organizationalUnitName = optional
commonName             = supplied

# Self-signed root CA.
[ root ]
basicConstraints     = critical, CA:TRUE
keyUsage             = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

# Intermediate CA that may only issue end-entity certificates.
[ intermediate ]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

# Witness / end-entity certificate. Deliberately no extendedKeyUsage.
[ leaf ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
CNF
}

# make_key NAME -> NAME.key (EC P-256, unencrypted PKCS#8 PEM, mode 600)
make_key() {
    local name=$1
    openssl genpkey -algorithm EC \
        -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve \
        -out "$name.key"
    chmod 600 "$name.key"
}

# sign OUT KEYFILE SUBJECT PROFILE START END [openssl ca options...]
# Makes a CSR for KEYFILE/SUBJECT and has `openssl ca` turn it into certificate OUT.
sign() {
    local out=$1 keyfile=$2 subject=$3 profile=$4 start=$5 end=$6
    shift 6
    local csr="$TMP/$out.csr"
    openssl req -new -config "$TMP/openssl.cnf" -key "$keyfile" -subj "$subject" -out "$csr"
    openssl ca -config "$TMP/openssl.cnf" -batch -notext -rand_serial \
        -extensions "$profile" -startdate "$start" -enddate "$end" \
        -in "$csr" -out "$out" "$@" 2> "$TMP/ca.log" \
        || { cat "$TMP/ca.log" >&2; return 1; }
    chmod 644 "$out"
}

# make_root NAME SUBJECT -> NAME.key, NAME.pem (self-signed)
make_root() {
    local name=$1 subject=$2
    make_key "$name"
    sign "$name.pem" "$name.key" "$subject" root "$ROOT_START" "$ROOT_END" \
        -selfsign -keyfile "$name.key"
}

# issue NAME ISSUER SUBJECT PROFILE START END [KEYFILE]
# Issues NAME.pem signed by ISSUER.pem/ISSUER.key. Makes a fresh NAME.key unless an
# existing KEYFILE is given (then no key file is written for NAME).
issue() {
    local name=$1 issuer=$2 subject=$3 profile=$4 start=$5 end=$6 keyfile=${7:-}
    if [[ -z $keyfile ]]; then
        make_key "$name"
        keyfile="$name.key"
    fi
    sign "$name.pem" "$keyfile" "$subject" "$profile" "$start" "$end" \
        -cert "$issuer.pem" -keyfile "$issuer.key"
}

write_config

# Trusted hierarchy.
make_root ca           "/O=Notarium Test/CN=Notarium Test Root CA"
issue notary-ca ca     "/O=Notarium Test/CN=Notarium Test Notary Intermediate CA" intermediate "$LONG_START" "$LONG_END"
issue court ca         "/O=Notarium Test/OU=court/CN=Test Court Witness"           leaf "$LONG_START" "$LONG_END"
issue notary notary-ca "/O=Notarium Test/OU=notary/CN=Test Notary Witness"         leaf "$LONG_START" "$LONG_END"
cat notary.pem notary-ca.pem > notary-chain.pem
chmod 644 notary-chain.pem

# Negative cases.
make_root untrusted-ca             "/O=Elsewhere/CN=Untrusted Test CA"
issue untrusted-court untrusted-ca "/O=Elsewhere/OU=court/CN=Rogue Court Witness"             leaf "$LONG_START" "$LONG_END"
issue expired-court ca             "/O=Notarium Test/OU=court/CN=Expired Court Witness"       leaf "$EXPIRED_START" "$EXPIRED_END"
issue merchant ca                  "/O=Notarium Test/OU=merchant/CN=Test Merchant"            leaf "$LONG_START" "$LONG_END"
issue two-ou ca                    "/O=Notarium Test/OU=court/OU=notary/CN=Ambiguous Witness" leaf "$LONG_START" "$LONG_END"
# Same public key as court.pem (court.key), different role: quorum must count keys, not certs.
issue notary-samekey ca            "/O=Notarium Test/OU=notary/CN=Same Key Notary"            leaf "$LONG_START" "$LONG_END" court.key
# The same key again, its point written compressed: one key must still count once.
openssl ec -in court.key -conv_form compressed -out "$TMP/court-compressed.key" 2> /dev/null
issue notary-samekey-compressed ca "/O=Notarium Test/OU=notary/CN=Same Key Notary Compressed" leaf "$LONG_START" "$LONG_END" "$TMP/court-compressed.key"

echo "Test PKI written to $(pwd)"
