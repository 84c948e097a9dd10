# shellcheck shell=bash
# Running wrk and reading its report. Sourced, not executed.

# run_wrk OUTFILE SECONDS CPU URL [SCRIPT [SCRIPT_ARGS...]]: one wrk run (1 thread, 64
# connections, latency distribution) pinned to CPU (empty = not pinned), its report in
# OUTFILE. Bounded: killed 30 s after its own duration. Runs in the background and is waited
# for, so an interrupt reaches the script's trap at once. Extra environment (WRK_VERIFY, ...)
# is taken from the caller's exports.
run_wrk() {
  local outfile=$1 seconds=$2 cpu=$3 url=$4 script=${5:-}
  shift $(($# < 5 ? $# : 5))
  local cmd=(wrk -t1 -c"${BENCH_CONNECTIONS}" -d"${seconds}s" --timeout 5s --latency)
  [[ -n $script ]] && cmd+=(-s "$script")
  cmd+=("$url")
  [[ $# -gt 0 ]] && cmd+=(-- "$@")
  [[ -n $cpu ]] && cmd=(taskset -c "$cpu" "${cmd[@]}")
  start_bg "$outfile" . timeout -k 5 $((seconds + 30)) "${cmd[@]}"
  local pid=$BG_PID status=0
  wait "$pid" || status=$?
  stop_pid "$pid"
  return "$status"
}

# wrk_field OUTFILE NAME: one figure from a wrk report.
#   requests   responses completed ("N requests in ...")
#   rps        Requests/sec
#   p99_ms     99th percentile latency in milliseconds ("nan" when wrk has none)
#   non2xx     "Non-2xx or 3xx responses" (0 when absent)
#   sockerr    socket errors of every kind, summed (0 when absent)
#   verified   "checked bad" from verify.lua ("0 0" when absent)
wrk_field() {
  local file=$1
  case $2 in
    requests) awk '/ requests in / { print $1; found = 1 } END { if (!found) print 0 }' "$file" ;;
    rps) awk '/^Requests\/sec:/ { print $2; found = 1 } END { if (!found) print 0 }' "$file" ;;
    p99_ms)
      awk '$1 == "99%" {
             v = $2; unit = v; sub(/^[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
             f = unit == "us" ? 0.001 : unit == "ms" ? 1 : unit == "s" ? 1000 : unit == "m" ? 60000 : -1
             # wrk prints 0 when its coordinated-omission correction broke the histogram,
             # as it always does for pipelined runs (wg/wrk#236): no figure, not zero.
             print (f < 0 || v + 0 == 0 ? "nan" : v * f); found = 1 }
           END { if (!found) print "nan" }' "$file"
      ;;
    non2xx) awk -F': *' '/Non-2xx or 3xx responses/ { n += $2 } END { print n + 0 }' "$file" ;;
    sockerr)
      awk '/Socket errors:/ { gsub(/[^0-9 ]/, " "); for (i = 1; i <= NF; i++) n += $i }
           END { print n + 0 }' "$file"
      ;;
    verified)
      awk '/^verify: / { split($2, c, "="); split($3, b, "="); print c[2], b[2]; found = 1 }
           END { if (!found) print "0 0" }' "$file"
      ;;
    *) die "wrk_field: unknown field $2" ;;
  esac
}
