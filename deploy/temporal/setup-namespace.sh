#!/bin/sh
# Creates hubrun's Temporal namespace and registers the pipeline's search attributes, once the
# server answers. Idempotent: existing ones are kept, so it runs on every `docker compose up`.
# Usage: setup-namespace.sh NAME=TYPE...   (e.g. AihubRunId=Keyword)
# Environment: TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE (read by the temporal CLI itself),
# NAMESPACE_RETENTION (how long closed workflows stay visible, default 720h).
set -eu

namespace=${TEMPORAL_NAMESPACE:-default}
retention=${NAMESPACE_RETENTION:-720h}

# Runs "$@" until it succeeds: a new server, or a namespace just created, takes a few seconds
# to be visible to every service.
retry() {
  attempt=1
  until "$@"; do
    if [ "$attempt" -ge 30 ]; then
      echo "gave up after $attempt attempts: $*" >&2
      return 1
    fi
    attempt=$((attempt + 1))
    sleep 2
  done
}

retry temporal operator cluster health
if temporal operator namespace describe --namespace "$namespace" >/dev/null 2>&1; then
  echo "namespace $namespace: exists"
else
  retry temporal operator namespace create --namespace "$namespace" --retention "$retention"
  echo "namespace $namespace: created (retention $retention)"
fi

for spec in "$@"; do
  name=${spec%%=*}
  type=${spec#*=}
  if temporal operator search-attribute list --namespace "$namespace" | grep -qw "$name"; then
    echo "search attribute $name: exists"
  else
    retry temporal operator search-attribute create --namespace "$namespace" --name "$name" --type "$type"
    echo "search attribute $name: created ($type)"
  fi
done
