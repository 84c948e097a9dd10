# shellcheck shell=bash
# Helpers shared by bench/run: messages, tools, ports. Sourced, not executed.

# node and npm: the Node.js that scripts/setup chose for the project.
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/node.sh"

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

# apt_install DEBIAN_PACKAGE: installs it, updating the package lists once per run.
APT_UPDATED=0
apt_install() {
  if [[ $APT_UPDATED -eq 0 ]]; then
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
}

# ensure_tool COMMAND DEBIAN_PACKAGE: installs the package with apt when the command is missing.
ensure_tool() {
  local cmd=$1 package=$2
  command -v "$cmd" >/dev/null && return 0
  log "$cmd is missing: installing the Debian package $package"
  apt_install "$package"
  command -v "$cmd" >/dev/null || die "$cmd still missing after installing $package"
}

# ensure_package DEBIAN_PACKAGE: installs a package that provides no command (a library).
ensure_package() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed" && return 0
  log "installing the Debian package $1"
  apt_install "$1"
}

# A TCP port free on the loopback interface right now (the kernel's pick).
free_port() {
  node -e 'const s = require("net").createServer();
           s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# commit_description: the commit measured, marked when tracked files other than the results
# file (which a run appends to) differ from it.
commit_description() {
  local commit changes
  commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  # --no-optional-locks: only looks, never refreshes the index others may be using.
  changes=$(git -C "$ROOT" --no-optional-locks status --porcelain --untracked-files=no \
    -- . ':(exclude)bench/RESULTS.md' 2>/dev/null) || changes=
  [[ -z $changes ]] || commit+=" (with uncommitted changes in $(wc -l <<<"$changes") files)"
  echo "$commit"
}
