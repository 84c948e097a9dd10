# shellcheck shell=bash
# The Bun + Pulsar peer in bench/peer: installed with `npm ci` from its lock file when
# node_modules is missing, and its bun binary found. Sourced, not executed; needs common.sh and
# PEER_DIR and WORK set. (The same steps as bench/run's install_peer, for the scripts that came
# after it.)

# install_peer: sets BUN (the bun binary) and BUN_VERSION.
install_peer() {
  if [[ ! -d $PEER_DIR/node_modules ]]; then
    log "installing the peer (npm ci in bench/peer)"
    (cd "$PEER_DIR" && timeout 900 npm ci --no-audit --no-fund) >"$WORK/npm.log" 2>&1 ||
      { tail -n 20 "$WORK/npm.log" >&2; die "npm ci failed in bench/peer"; }
  fi
  # The bun package puts the platform binary in place with a postinstall script; if that did
  # not run, the platform package's own binary is the same program.
  local candidate
  BUN=
  for candidate in "$PEER_DIR/node_modules/.bin/bun" "$PEER_DIR"/node_modules/@oven/bun-linux-*/bin/bun; do
    if [[ -x $candidate ]] && "$candidate" --version >/dev/null 2>&1; then
      BUN=$candidate
      break
    fi
  done
  [[ -n $BUN ]] || die "no working bun binary under bench/peer/node_modules (rm -rf it and rerun)"
  # shellcheck disable=SC2034 # read by the scripts that source this
  BUN_VERSION=$("$BUN" --version)
}
