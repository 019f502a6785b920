#!/usr/bin/env bash
# The main job: decode a capture of kcat producing to a broker, down to its records.
set -euo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/.."
echo "== kcli decode testdata/captures/kfake/produce-gzip-kcat215.kcap"
"$BUILD/tools/kcli" decode testdata/captures/kfake/produce-gzip-kcat215.kcap
