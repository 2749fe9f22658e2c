# Timing helpers shared by the benchmark scripts (bench/bridge/run.sh,
# bench/expand/run.sh); source it with $work set to the scratch directory.

# timed FILE CMD...: runs CMD (its output in $work/last.log, shown if it
# fails) and appends "wall user+sys" in seconds to FILE.
timed() {
  local file=$1
  shift
  local start end t0 t1
  t0=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
  start=$(date +%s%N)
  if ! "$@" >"$work/last.log" 2>&1; then
    cat "$work/last.log" >&2
    echo "failed: $*" >&2
    exit 1
  fi
  end=$(date +%s%N)
  t1=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
  awk -v w=$((end - start)) -v c=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%.3f %.3f\n", w / 1e9, c / hz }' >>"$file"
}

# stats FILE COLUMN: "median min" of a column.
stats() {
  sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.3f %.3f\n", m, v[1] }'
}
