#!/bin/sh
# Creates Temporal's PostgreSQL databases and brings their schemas to the version this
# temporalio/admin-tools image ships. Idempotent: `create` skips an existing database,
# `setup-schema` keeps a newer version, `update-schema` applies only missing steps, so it runs
# on every `docker compose up` and upgrades the schema when the image tags are bumped.
# Environment: POSTGRES_SEEDS, DB_PORT, POSTGRES_USER, SQL_PASSWORD, DBNAME, VISIBILITY_DBNAME.
set -eu

schema_root=/etc/temporal/schema/postgresql/v12
sql() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "${DB_PORT:-5432}" \
    -u "$POSTGRES_USER" "$@"
}

setup() {
  database=$1
  versioned=$2
  echo "temporal schema: database $database"
  sql --db "$database" create
  sql --db "$database" setup-schema -v 0.0
  sql --db "$database" update-schema -d "$schema_root/$versioned/versioned"
}

setup "${DBNAME:-temporal}" temporal
setup "${VISIBILITY_DBNAME:-temporal_visibility}" visibility
echo 'temporal schema: up to date'
