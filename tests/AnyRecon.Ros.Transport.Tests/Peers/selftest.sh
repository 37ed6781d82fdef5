#!/usr/bin/env bash
# Cross-checks the two peers against each other: ./selftest.sh OUTDIR
# (OUTDIR as given to build.sh). Prints one line per case, exit 1 on a failure.
set -u
OUT="$(cd "$1" && pwd)"
C="$OUT/anyrecon-peer-cyclone"; F="$OUT/anyrecon-peer-fastdds"
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
export ROS_DOMAIN_ID="${ROS_DOMAIN_ID:-0}"
fails=0; n=0

# run_case NAME PUB SUB SUBCMD COUNT PUBCMD...: both exit 0 and COUNT lines arrive.
run_case() {
  local name="$1" pub="$2" sub="$3" subcmd="$4" count="$5"; shift 5
  n=$((n + 1))
  local topic="rt/selftest/$n"
  "$sub" $subcmd --topic "$topic" --count "$count" --timeout 30 $EXTRA >"$TMP/out" 2>"$TMP/err" &
  local spid=$!
  local t0=$(date +%s.%N)
  "$pub" "$@" --topic "$topic" --count "$count" $EXTRA 2>"$TMP/perr"
  local prc=$?
  wait $spid; local src=$?
  local t1=$(date +%s.%N)
  local lines=$(wc -l <"$TMP/out")
  if [ $prc -eq 0 ] && [ $src -eq 0 ] && [ "$lines" -eq "$count" ]; then
    printf 'ok   %-55s %5.1fs\n' "$name" "$(awk "BEGIN{print $t1 - $t0}")"
  else
    printf 'FAIL %-55s pub=%d sub=%d lines=%d\n' "$name" $prc $src "$lines"
    sed 's/^/     sub: /' "$TMP/err"; sed 's/^/     pub: /' "$TMP/perr"
    fails=$((fails + 1))
  fi
  cp "$TMP/out" "$TMP/last.$n"
  echo "     $(head -c 200 "$TMP/out" | head -1)"
}

EXTRA=""
run_case "pose  fastdds -> cyclone" "$F" "$C" sub-pose 20 pub-pose --rate 50
run_case "pose  cyclone -> fastdds" "$C" "$F" sub-pose 20 pub-pose --rate 50
run_case "pose  cyclone -> cyclone" "$C" "$C" sub-pose 20 pub-pose --rate 50
run_case "pose  fastdds -> fastdds" "$F" "$F" sub-pose 20 pub-pose --rate 50
cmp -s "$TMP/last.1" "$TMP/last.2" && echo "ok   pose output identical in both directions" || { echo "FAIL pose outputs differ"; fails=$((fails+1)); }
run_case "image 1920x1080 cyclone -> fastdds" "$C" "$F" sub-image 5 pub-image --width 1920 --height 1080
run_case "image 1920x1080 fastdds -> cyclone" "$F" "$C" sub-image 5 pub-image --width 1920 --height 1080
cmp -s "$TMP/last.5" "$TMP/last.6" && echo "ok   image output identical in both directions" || { echo "FAIL image outputs differ"; fails=$((fails+1)); }
run_case "image 640x480 cyclone -> fastdds" "$C" "$F" sub-image 10 pub-image --rate 30
run_case "image 640x480 fastdds -> cyclone" "$F" "$C" sub-image 10 pub-image --rate 30
EXTRA="--best-effort"
run_case "pose  best-effort fastdds -> cyclone" "$F" "$C" sub-pose 5 pub-pose
run_case "pose  best-effort cyclone -> fastdds" "$C" "$F" sub-pose 5 pub-pose
run_case "image 1920x1080 best-effort fastdds -> cyclone" "$F" "$C" sub-image 5 pub-image --width 1920 --height 1080
echo "$n cases, $fails failed"
[ $fails -eq 0 ]
