# shellcheck shell=bash
# Processes started by bench/run: start in the background, wait for a port, read CPU time,
# stop, and stop everything left on exit (Ctrl-C, errors). Sourced, not executed.
#
# Every process is started directly (exec, no wrapper shell), so its PID is the one whose
# /proc/PID/stat we read and the one we signal; only PIDs recorded here are ever signalled.

STARTED_PIDS=()
CLK_TCK=$(getconf CLK_TCK)

# start_bg LOGFILE DIR COMMAND...: starts COMMAND in DIR with output to LOGFILE and sets
# BG_PID. The caller puts `env VAR=...` and `taskset -c N` in front of COMMAND as needed; both
# exec, so the PID is the program's own.
start_bg() {
  local logfile=$1 dir=$2
  shift 2
  (cd "$dir" && exec "$@") >"$logfile" 2>&1 </dev/null &
  BG_PID=$!
  STARTED_PIDS+=("$BG_PID")
}

# True while PID exists and is not a zombie.
is_running() {
  local state
  [[ -r /proc/$1/stat ]] || return 1
  state=$(</proc/"$1"/stat) || return 1
  state=${state##*) }
  [[ ${state%% *} != Z ]]
}

# stop_pid PID [GRACE_SECONDS=10]: SIGTERM, then SIGKILL after the grace period; reaps it.
stop_pid() {
  local pid=$1 grace=${2:-10} deadline
  if is_running "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + grace))
    while is_running "$pid" && ((SECONDS < deadline)); do sleep 0.05; done
    if is_running "$pid"; then
      log "pid $pid did not stop within ${grace}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
  local kept=() p
  for p in "${STARTED_PIDS[@]}"; do [[ $p == "$pid" ]] || kept+=("$p"); done
  STARTED_PIDS=("${kept[@]}")
}

stop_all() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do stop_pid "$pid" 5; done
}

# wait_port PORT PID [TIMEOUT_SECONDS=30]: polls until 127.0.0.1:PORT accepts a connection.
# Fails at once if PID exits, or after the timeout.
wait_port() {
  local port=$1 pid=$2 deadline=$((SECONDS + ${3:-30}))
  while ((SECONDS < deadline)); do
    is_running "$pid" || return 1
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.02
  done
  return 1
}

# CPU time of PID so far, every thread, in clock ticks: "USER SYSTEM", from /proc/PID/stat.
# System time includes the kernel's TCP work done on the server's behalf (sends, and the
# loopback delivery they trigger).
cpu_ticks() {
  local stat fields
  stat=$(</proc/"$1"/stat) || return 1
  # Fields after the command name (which may contain spaces): state is field 3, utime 14,
  # stime 15, hence indices 11 and 12 here.
  read -r -a fields <<<"${stat##*) }"
  echo "${fields[11]} ${fields[12]}"
}

# cpu_seconds_between "USER SYSTEM" "USER SYSTEM": "TOTAL SYSTEM" seconds spent in between.
cpu_seconds_between() {
  awk -v before="$1" -v after="$2" -v hz="$CLK_TCK" 'BEGIN {
    split(before, b, " "); split(after, a, " ")
    printf "%.3f %.3f\n", (a[1] - b[1] + a[2] - b[2]) / hz, (a[2] - b[2]) / hz
  }'
}
