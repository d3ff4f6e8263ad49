#!/usr/bin/env bash
# Whole-collector load benchmark of otelcol-genai: CPU-µs per span and spans/s
# of the genai_cost pipeline against the baseline pipeline (otlp -> batch ->
# nop), measured in the same run, interleaved. Method and load of
# collector-engineering.md section 4 and ottl-anchor.md; see bench/README.md.
#
#   bench/run.sh                                  full driver (D=30 R=3)
#   D=5 R=1 bench/run.sh                          quick check of the harness
#   bench/run.sh one CONFIG LABEL [loadgen args]  one measurement, one result line
#                                                 (CONFIG: a name in bench/configs or a path)
#
# Environment (defaults in brackets):
#   D [30]        measured seconds per run      R [3]    repetitions per load and pipeline
#   WARMUP [5]    warm-up seconds, under load, not measured
#   CONFIGS ["baseline genai-cost"]   pipelines, first is the reference for the ratio
#                 (add genai-cost-nodedup for the dedup diagnostic)
#   LOADS ["1 10"] -llm-every values: 1 = 100% LLM spans, 10 = the 10% LLM mix
#   C [16] concurrency, SPANS [100] spans per request, SEED [1] (repetition i uses SEED+i)
#   BIN [_build/otelcol-genai]   LOADGEN [built into $OUT]   OUT [/tmp/otelcol-genai-bench.<date>]
#   COL_CPUS [0]  GEN_CPUS [1]  COL_GOMAXPROCS [1]   (taskset lists; empty = no pinning)
#   PORT_WAIT [60] seconds to wait for a foreign process to free 4317/4318/8888
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
BIN=${BIN:-$ROOT/_build/otelcol-genai}
D=${D:-30}
R=${R:-3}
WARMUP=${WARMUP:-5}
CONFIGS=${CONFIGS:-"baseline genai-cost"}
LOADS=${LOADS:-"1 10"}
C=${C:-16}
SPANS=${SPANS:-100}
SEED=${SEED:-1}
RUN_SEED=$SEED
COL_CPUS=${COL_CPUS-0}
GEN_CPUS=${GEN_CPUS-1}
COL_GOMAXPROCS=${COL_GOMAXPROCS-1}
PORT_WAIT=${PORT_WAIT:-60}
OUT=${OUT:-/tmp/otelcol-genai-bench.$(date +%Y%m%d-%H%M%S)}
LOADGEN=${LOADGEN:-$OUT/loadgen}
PORTS="4317 4318 8888"
METRICS_URL=http://127.0.0.1:8888/metrics
CLK_TCK=$(getconf CLK_TCK)

CPID=""   # collector of the current run
GPID=""   # loadgen of the current run

log() { echo "[bench $(date +%T)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

cleanup() {
	if [[ -n $GPID ]] && kill -0 "$GPID" 2>/dev/null; then kill "$GPID" 2>/dev/null || true; fi
	if [[ -n $CPID ]] && kill -0 "$CPID" 2>/dev/null; then
		kill "$CPID" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$CPID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$CPID" 2>/dev/null || true
		wait "$CPID" 2>/dev/null || true
	fi
	CPID="" GPID=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Command prefixes that pin the collector and the generator. They are used in
# simple commands started with &, so that $! is the pid of the process itself
# (taskset execs it), not of a subshell.
COL_PIN=() GEN_PIN=()
[[ -n $COL_CPUS ]] && COL_PIN=(taskset -c "$COL_CPUS")
[[ -n $GEN_CPUS ]] && GEN_PIN=(taskset -c "$GEN_CPUS")

# PIDs listening on the collector's ports.
port_pids() {
	local p
	for p in $PORTS; do
		ss -ltnpH "sport = :$p" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2
	done | sort -u
}

# Kills collectors left over from earlier runs of this harness (their command
# line names a config under bench/configs); waits for any other process
# holding the ports to go away, and fails if it does not.
free_ports() {
	local pid args waited=0
	while :; do
		local foreign=""
		for pid in $(port_pids); do
			args=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
			if [[ $args == *otelcol* && $args == *bench/configs/* ]]; then
				log "killing leftover bench collector pid $pid: $args"
				kill "$pid" 2>/dev/null || true
				sleep 1
				kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
			else
				foreign+="$pid($args) "
			fi
		done
		[[ -z $(port_pids) ]] && return 0
		if [[ -n $foreign ]]; then
			((waited < PORT_WAIT)) || die "ports $PORTS still held by a process this harness did not start: $foreign"
			((waited % 10 == 0)) && log "waiting for ports $PORTS, held by: $foreign"
			sleep 1; waited=$((waited + 1))
		fi
	done
}

accepted_spans() { curl -s --max-time 5 "$METRICS_URL" | awk '/^otelcol_receiver_accepted_spans(_total)?[{ ]/ {s+=$NF} END {printf "%d", s+0}'; }
refused_spans() { curl -s --max-time 5 "$METRICS_URL" | awk '/^otelcol_receiver_refused_spans(_total)?[{ ]/ {s+=$NF} END {printf "%d", s+0}'; }
# genai_cost spans with status="priced" (0 for the baseline).
priced_spans() { curl -s --max-time 5 "$METRICS_URL" | awk '/^otelcol_processor_genai_cost_spans(_total)?[{ ]/ && /status="priced"/ {s+=$NF} END {printf "%d", s+0}'; }
# usage records the genai_usage exporter stored (0 without it).
stored_records() { curl -s --max-time 5 "$METRICS_URL" | awk '/^otelcol_exporter_genai_usage_records(_total)?[{ ]/ && /result="inserted"/ {s+=$NF} END {printf "%d", s+0}'; }
ticks() { awk '{print $14+$15}' "/proc/$CPID/stat"; }
# busy ticks of one CPU (everything but idle and iowait; steal counts as busy,
# since the collector could not run then); "-" unless CPUS is one CPU number.
cpu_busy() {
	[[ $1 =~ ^[0-9]+$ ]] || { echo -; return; }
	awk -v c="cpu$1" '$1 == c {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat
}
status_mib() { awk -v k="$1:" '$1==k {printf "%.1f", $2/1024}' "/proc/$CPID/status"; }

build_loadgen() {
	[[ -x $LOADGEN ]] && return 0
	mkdir -p "$(dirname "$LOADGEN")"
	log "building loadgen -> $LOADGEN"
	local err
	if err=$(cd "$ROOT" && go build -o "$LOADGEN" ./bench/loadgen 2>&1); then return 0; fi
	if [[ $err != *"missing go.sum entry"* ]]; then echo "$err" >&2; die "go build ./bench/loadgen failed"; fi
	# The root go.mod does not list google.golang.org/grpc yet (ptraceotlp's
	# gRPC client needs it). Build with a private copy of go.mod/go.sum
	# (-modfile) that adds it, without touching the repository's files. The
	# versions are those of the collector build (_build/go.mod), so the module
	# cache already has them.
	log "WARNING: go.sum lacks google.golang.org/grpc; building loadgen with a temporary -modfile in $OUT/modfile"
	mkdir -p "$OUT/modfile"
	cp "$ROOT/go.mod" "$OUT/modfile/go.mod"; cp "$ROOT/go.sum" "$OUT/modfile/go.sum"
	local v pins=""
	for m in google.golang.org/grpc golang.org/x/net golang.org/x/text golang.org/x/sys google.golang.org/genproto/googleapis/rpc; do
		v=$(awk -v m="$m" '$1==m {print $2; exit}' "$ROOT/_build/go.mod" 2>/dev/null || true)
		[[ -n $v ]] && pins+=" $m@$v"
	done
	[[ $pins == *google.golang.org/grpc@* ]] || pins+=" google.golang.org/grpc@latest"
	(cd "$ROOT" && GOFLAGS="-modfile=$OUT/modfile/go.mod" go get $pins >/dev/null 2>&1 &&
		GOFLAGS="-modfile=$OUT/modfile/go.mod" go build -o "$LOADGEN" ./bench/loadgen) ||
		die "could not build loadgen even with a temporary modfile"
}

config_path() {
	if [[ -f $1 ]]; then echo "$1"; else echo "$BENCH_DIR/configs/$1.yaml"; fi
}

# run_one CONFIG LABEL [loadgen args]: one measurement; sets RESULT to one
# line of key=value pairs, logs under $OUT. Not run in a subshell, so that the
# EXIT trap sees CPID and GPID.
RESULT=""
run_one() {
	local cfg label
	cfg=$(config_path "$1"); label=$2; shift 2
	[[ -f $cfg ]] || die "no config $cfg"
	[[ -x $BIN ]] || die "no collector binary $BIN (run make build)"
	mkdir -p "$OUT"
	build_loadgen
	free_ports

	# The genai_usage config writes a fresh SQLite file per run.
	GENAI_USAGE_BENCH_DB="$OUT/usage-$label-$RANDOM.db" GOMAXPROCS=$COL_GOMAXPROCS "${COL_PIN[@]}" "$BIN" --config="$cfg" >"$OUT/col-$label.log" 2>&1 &
	CPID=$!
	local i
	for i in $(seq 100); do
		curl -sf --max-time 1 "$METRICS_URL" >/dev/null 2>&1 && break
		kill -0 "$CPID" 2>/dev/null || { cat "$OUT/col-$label.log" >&2; die "collector exited at start"; }
		sleep 0.1
	done
	((i < 100)) || die "collector metrics did not come up on :8888 in 10 s"
	[[ $(cat "/proc/$CPID/comm") == otelcol* ]] || die "pid $CPID is $(cat "/proc/$CPID/comm"), not the collector"

	if ((WARMUP > 0)); then
		"${GEN_PIN[@]}" "$LOADGEN" -c "$C" -spans "$SPANS" -d "${WARMUP}s" -seed $((RUN_SEED + 1000)) -label warmup "$@" >"$OUT/warmup-$label.log" 2>&1 &
		GPID=$!; wait "$GPID" || true; GPID=""
		sleep 0.5
	fi

	local s0 t0 r0 p0 k0 w0 b0 g0 s1 t1 r1 p1 k1 w1 b1 g1
	s0=$(accepted_spans); r0=$(refused_spans); p0=$(priced_spans); k0=$(stored_records); t0=$(ticks); w0=$(date +%s.%N)
	b0=$(cpu_busy "$COL_CPUS"); g0=$(cpu_busy "$GEN_CPUS")
	"${GEN_PIN[@]}" "$LOADGEN" -c "$C" -spans "$SPANS" -d "${D}s" -seed "$RUN_SEED" -label "$label" "$@" >"$OUT/gen-$label.log" 2>&1 &
	GPID=$!; wait "$GPID" || { cat "$OUT/gen-$label.log" >&2; die "loadgen failed"; }; GPID=""
	sleep 1 # let the batch processor flush
	s1=$(accepted_spans); r1=$(refused_spans); p1=$(priced_spans); k1=$(stored_records); t1=$(ticks); w1=$(date +%s.%N)
	b1=$(cpu_busy "$COL_CPUS"); g1=$(cpu_busy "$GEN_CPUS")
	local rss hwm
	rss=$(status_mib VmRSS); hwm=$(status_mib VmHWM)
	kill -0 "$CPID" 2>/dev/null || die "collector died during the run"
	cleanup
	[[ -z $(port_pids) ]] || free_ports

	local gen
	gen=$(grep 'spans_sent=' "$OUT/gen-$label.log" | tail -1)
	RESULT=$(awk -v label="$label" -v d="$D" -v s0="$s0" -v s1="$s1" -v t0="$t0" -v t1="$t1" -v w0="$w0" -v w1="$w1" \
		-v r0="$r0" -v r1="$r1" -v p0="$p0" -v p1="$p1" -v k0="$k0" -v k1="$k1" -v hz="$CLK_TCK" -v rss="$rss" -v hwm="$hwm" -v gen="$gen" \
		-v b0="$b0" -v b1="$b1" -v g0="$g0" -v g1="$g1" 'BEGIN {
		n = s1 - s0; cpu = (t1 - t0) / hz; wall = w1 - w0
		split(gen, f, " "); sent = 0; gcpu = 0; gus = 0
		for (i in f) { split(f[i], kv, "="); if (kv[1] == "spans_sent") sent = kv[2]; if (kv[1] == "gen_cpu_s") gcpu = kv[2]; if (kv[1] == "gen_cpu_us/span") gus = kv[2] }
		# CPU time that other processes took on the CPU of the collector and on the one of the generator
		o0 = (b0 == "-" ? "-" : sprintf("%.0f", 100 * ((b1 - b0) / hz - cpu) / wall))
		o1 = (g0 == "-" ? "-" : sprintf("%.0f", 100 * ((g1 - g0) / hz - gcpu) / wall))
		printf "%s: spans=%d spans/s=%.0f collector_cpu_s=%.2f cpu%%=%.0f cpu_us/span=%.3f rss_MiB=%s peak_rss_MiB=%s gen_sent=%d gen_cpu_s=%s gen_cpu_us/span=%s refused=%d priced=%d stored=%d other_on_col_cpu%%=%s other_on_gen_cpu%%=%s\n",
			label, n, n / d, cpu, 100 * cpu / wall, (n > 0 ? 1e6 * cpu / n : 0), rss, hwm, sent, gcpu, gus, r1 - r0, p1 - p0, k1 - k0, o0, o1
	}')
}

machine_facts() {
	local model
	model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
	printf 'Machine: %s cores (nproc), CPU %s, %s, kernel %s, %s; collector %s (built %s, sha256 %s)\n' \
		"$(nproc)" "${model:-unknown}" "$(go version 2>/dev/null | awk '{print $3}')" "$(uname -r)" \
		"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(basename "$BIN")" "$(date -u -r "$BIN" +%Y-%m-%dT%H:%MZ 2>/dev/null || echo '?')" "${BIN_ID:-$(bin_id)}"
}

median() { sort -g | awk '{a[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

load_name() { if [[ $1 == 1 ]]; then echo "100% LLM spans (-llm-every 1)"; else echo "$((100 / $1))% LLM mix (-llm-every $1)"; fi; }

driver() {
	mkdir -p "$OUT"
	[[ -x $BIN ]] || die "no collector binary $BIN (run make build)"
	build_loadgen
	local res=$OUT/results.tsv bin_id
	bin_id=$(bin_id)
	# What report needs to describe the runs, for `run.sh report` later.
	printf 'D=%q R=%q WARMUP=%q CONFIGS=%q LOADS=%q C=%q SPANS=%q COL_CPUS=%q GEN_CPUS=%q COL_GOMAXPROCS=%q BIN=%q BIN_ID=%q\n' \
		"$D" "$R" "$WARMUP" "$CONFIGS" "$LOADS" "$C" "$SPANS" "$COL_CPUS" "$GEN_CPUS" "$COL_GOMAXPROCS" "$BIN" "$bin_id" >"$OUT/params.env"
	printf 'run\tload\tpipeline\tspans\tspans_s\tcpu_s\tcpu_pct\tus_span\trss\thwm\tgen_sent\tgen_us_span\trefused\tpriced\tother_col\tother_gen\n' >"$res"
	local cfgs=($CONFIGS) n=0 total r load cfg order line label
	total=$((R * $(wc -w <<<"$LOADS") * ${#cfgs[@]}))
	log "driver: D=${D}s R=$R WARMUP=${WARMUP}s C=$C SPANS=$SPANS loads='$LOADS' pipelines='$CONFIGS' -> $total runs, about $((total * (D + WARMUP + 3) / 60 + 1)) min; logs in $OUT"
	for r in $(seq "$R"); do
		for load in $LOADS; do
			# ABBA: reverse the pipeline order on even repetitions, so a drift
			# of the machine does not favour one pipeline.
			if ((r % 2)); then order=("${cfgs[@]}"); else order=(); for ((i = ${#cfgs[@]} - 1; i >= 0; i--)); do order+=("${cfgs[i]}"); done; fi
			for cfg in "${order[@]}"; do
				n=$((n + 1))
				label="r$r-llm$load-$cfg"
				RUN_SEED=$((SEED + r))
				run_one "$cfg" "$label" -llm-every "$load"
				line=$RESULT
				log "[$n/$total] $line"
				awk -v run="$r" -v load="$load" -v cfg="$cfg" -v line="$line" 'BEGIN {
					n = split(line, f, " "); for (i = 2; i <= n; i++) { split(f[i], kv, "="); v[kv[1]] = kv[2] }
					printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", run, load, cfg, v["spans"], v["spans/s"], v["collector_cpu_s"], v["cpu%"], v["cpu_us/span"], v["rss_MiB"], v["peak_rss_MiB"], v["gen_sent"], v["gen_cpu_us/span"], v["refused"], v["priced"], v["other_on_col_cpu%"], v["other_on_gen_cpu%"]
				}' >>"$res"
			done
		done
	done
	if [[ $(bin_id) != "$bin_id" ]]; then
		log "WARNING: $BIN changed during the runs (sha256 $bin_id -> $(bin_id)); the runs may mix two builds"
		echo "BIN_CHANGED=1" >>"$OUT/params.env"
	fi
	report "$res"
}

bin_id() { sha256sum "$BIN" | cut -c1-12; }

# report RESULTS_TSV: the markdown summary.
report() {
	local BIN_CHANGED="" BIN_ID=""
	# shellcheck disable=SC1091
	[[ -f $(dirname "$1")/params.env ]] && source "$(dirname "$1")/params.env"
	local res=$1 cfgs=($CONFIGS) load cfg base us sps rss hwm pct oth runs
	echo
	machine_facts
	echo
	echo "Collector pinned to CPU ${COL_CPUS:-any} with GOMAXPROCS=${COL_GOMAXPROCS:-unset}, loadgen on CPU ${GEN_CPUS:-any} (-c $C -spans $SPANS); ${D} s measured per run after ${WARMUP} s warm-up, $R interleaved repetitions; medians."
	for load in $LOADS; do
		echo
		echo "### $(load_name "$load")"
		echo
		echo "| pipeline | CPU-µs/span | vs ${cfgs[0]} | spans/s | collector cpu% | other load on its CPU % | RSS MiB | peak RSS MiB | runs: CPU-µs/span (spans/s) |"
		echo "|---|---|---|---|---|---|---|---|---|"
		base=$(awk -F'\t' -v l="$load" -v c="${cfgs[0]}" 'NR > 1 && $2 == l && $3 == c {print $8}' "$res" | median)
		for cfg in "${cfgs[@]}"; do
			col() { awk -F'\t' -v l="$load" -v c="$cfg" -v k="$1" 'NR > 1 && $2 == l && $3 == c {print $k}' "$res" | median; }
			us=$(col 8); sps=$(col 5); pct=$(col 7); rss=$(col 9); hwm=$(col 10); oth=$(col 15)
			runs=$(awk -F'\t' -v l="$load" -v c="$cfg" 'NR > 1 && $2 == l && $3 == c {printf "%s%.2f (%.0fk)", sep, $8, $5 / 1000; sep = ", "}' "$res")
			awk -v cfg="$cfg" -v us="$us" -v base="$base" -v sps="$sps" -v pct="$pct" -v oth="$oth" -v rss="$rss" -v hwm="$hwm" -v runs="$runs" 'BEGIN {
				printf "| %s | %.2f | %.2fx | %.0fk | %.0f | %s | %.0f | %.0f | %s |\n", cfg, us, (base > 0 ? us / base : 0), sps / 1000, pct, oth, rss, hwm, runs }'
		done
	done
	echo
	echo "All runs, in the order they ran:"
	echo
	echo "| # | load | pipeline | spans | spans/s | collector CPU s | cpu% | CPU-µs/span | RSS / peak MiB | loadgen sent | loadgen CPU-µs/span | refused | priced | other load on col / gen CPU % |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	awk -F'\t' 'NR > 1 {printf "| %d | %s | %s | %s | %s | %s | %s | %s | %s / %s | %s | %s | %s | %s | %s / %s |\n", NR - 1, ($2 == 1 ? "100% LLM" : int(100 / $2) "% LLM"), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16}' "$res"
	echo
	[[ -n $BIN_CHANGED ]] && echo "WARNING: the collector binary was rebuilt during these runs; they may mix two builds."
	echo "Raw results: $res; logs: $(dirname "$res")"
}

case "${1:-driver}" in
one)
	shift
	(($# >= 2)) || die "usage: $0 one CONFIG LABEL [loadgen args]"
	run_one "$@"
	echo "$RESULT"
	;;
report)
	report "${2:?usage: $0 report RESULTS_TSV}"
	;;
facts)
	machine_facts
	;;
driver)
	driver
	;;
*)
	die "usage: $0 [driver | one CONFIG LABEL [loadgen args] | report RESULTS_TSV | facts]"
	;;
esac
