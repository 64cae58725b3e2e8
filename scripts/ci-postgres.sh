#!/usr/bin/env bash
# PostgreSQL for the team-library tests: installs Debian's postgresql if missing, starts its cluster,
# creates the test role (it creates and drops one database per test file, and the team roles), and
# prints the URL the tests read from CUEBANK_TEST_PG_URL. Idempotent: safe to run again.
set -euo pipefail

ROLE=cuebank_test
PASSWORD=cuebank_test
PORT=5432

if ! command -v pg_lsclusters >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
fi

cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')
if [ -z "$cluster" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -1)
  pg_createcluster "$version" main >&2
  cluster="$version main"
fi
# shellcheck disable=SC2086
set -- $cluster
pg_ctlcluster "$1" "$2" start >&2 2>/dev/null || true
PORT=$(pg_lsclusters --no-header | awk -v v="$1" -v c="$2" '$1==v && $2==c {print $3}')

psql_su() { su postgres -c "psql -p $PORT -v ON_ERROR_STOP=1 -qAt $*"; }
for _ in $(seq 1 30); do psql_su "-c 'SELECT 1'" >/dev/null 2>&1 && break; sleep 1; done

if [ "$(psql_su "-c \"SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'\"")" != "1" ]; then
  psql_su "-c \"CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD' CREATEDB CREATEROLE\"" >&2
fi

echo "postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/postgres"
