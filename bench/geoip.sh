#!/usr/bin/env bash
# What locating a new session's address costs with GEOIP_DB set (goal: at most 5 µs a
# lookup; it happens only when a session is opened, never when one is validated), beside
# a bare lookup in the same database. Uses the CC0 country database the tests install
# from npm, or the database given as GEOIP_DB.
#
#   bash bench/geoip.sh
#   GEOIP_DB=/path/to/GeoLite2-City.mmdb LOOKUPS=200000 bash bench/geoip.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
if [ -z "${GEOIP_DB:-}" ]; then
    ensure_npm_packages
    GEOIP_DB="e2e/node_modules/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb"
fi
cargo build --release --locked -q -p hallpass-bench-geoip
target/release/hallpass-bench-geoip "$GEOIP_DB" "${LOOKUPS:-1000000}"
