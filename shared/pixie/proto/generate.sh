#!/usr/bin/env bash
# Regenerates shared/pixie/gen/ from vizierapi.proto with protoc-gen-es (a devDependency).
# Needs protoc on PATH (Debian: apt-get install protobuf-compiler). The output is checked in, so
# building and testing never need protoc.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out="$root/shared/pixie/gen"
mkdir -p "$out"
protoc \
  --plugin=protoc-gen-es="$root/node_modules/.bin/protoc-gen-es" \
  --es_out="$out" \
  --es_opt=target=ts,import_extension=js \
  --proto_path="$here" \
  "$here/vizierapi.proto"
echo "generated $(ls "$out")"
