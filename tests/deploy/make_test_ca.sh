#!/usr/bin/env bash
# A throwaway certificate authority and certificates for TLS tests, made
# with the openssl command line (docs/OPERATIONS.md shows the same commands
# for a development CA):
#
#   tests/deploy/make_test_ca.sh DIR [SERVER_NAMES]
#
# DIR gets:
#   ca.pem, ca.key            the CA (valid 2 days)
#   server.pem, server.key    a server certificate for SERVER_NAMES
#                             (default "IP:127.0.0.1,DNS:localhost")
#   client.pem, client.key    a client certificate (CN kyodo-gateway)
#   other-ca.pem              an unrelated CA, and other-client.{pem,key}
#                             signed by it, for the tests that must fail
# Keys are EC P-256 in PKCS#8 PEM; files are readable by their owner only.
set -euo pipefail
dir=${1:?usage: make_test_ca.sh DIR [SERVER_NAMES]}
names=${2:-IP:127.0.0.1,DNS:localhost}
mkdir -p "$dir"
cd "$dir"
umask 077

ca() {  # ca NAME SUBJECT
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$1.key" -out "$1.pem" -days 2 -subj "$2" \
    -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}
leaf() {  # leaf NAME CA SUBJECT EXTENSIONS
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$1.key" -out "$1.csr" -subj "$3" 2>/dev/null
  printf '%s\n' "$4" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -set_serial "0x$(openssl rand -hex 8)" \
    -days 2 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

ca ca "/CN=kyodo throwaway CA"
leaf server ca "/CN=kyodo-service" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=$names"
leaf client ca "/CN=kyodo-gateway" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
ca other-ca "/CN=another CA"
leaf other-client other-ca "/CN=stranger" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
openssl verify -CAfile ca.pem server.pem client.pem >/dev/null
