#!/usr/bin/env bash
# PostgreSQL's server programs (initdb, pg_ctl, postgres, psql) for the tests
# on Pulumi's postgres:// backend and `npm run backend -- postgres`: nothing
# when they are there, else Debian's package, as root. No cluster is created
# or started: each test and each `npm run backend` starts its own server.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "PostgreSQL's server is missing: install Debian's package postgresql (apt-get install -y postgresql, as root), or put initdb, pg_ctl and psql on PATH" >&2
  exit 1
fi
# Debian's package would create and start a cluster (main, port 5432): not wanted.
mkdir -p /etc/postgresql-common
echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.conf
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q -o Dpkg::Options::=--force-confold postgresql
