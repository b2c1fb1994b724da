#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 with trust auth for the tests.
# Development and CI machines already run one. Elsewhere, as root, install and start
# Debian's package; if that is impossible, say so loudly: the PostgreSQL tests will skip.
set -u
ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
ready && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "WARNING: no PostgreSQL on 127.0.0.1:5432 and not root: PostgreSQL tests will be SKIPPED" >&2
  exit 0
fi
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || {
    echo "WARNING: could not install PostgreSQL: PostgreSQL tests will be SKIPPED" >&2; exit 0; }
fi
version=$(ls /etc/postgresql | sort -n | tail -1)
hba=/etc/postgresql/$version/main/pg_hba.conf
grep -q "^host all all 127.0.0.1/32 trust" "$hba" || sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || pg_ctlcluster --skip-systemctl-redirect "$version" main reload
for _ in $(seq 1 20); do ready && exit 0; sleep 0.5; done
echo "WARNING: PostgreSQL did not start: PostgreSQL tests will be SKIPPED" >&2
exit 0
