#!/usr/bin/env bash
# Builds the DDS interop peers into OUTDIR:
#   OUTDIR/anyrecon-peer-fastdds   (Fast DDS 2.9, types from fastddsgen)
#   OUTDIR/anyrecon-peer-cyclone   (Cyclone DDS typed C API, types from idlc)
# Types are generated from idl/RosPeerTypes.idl into OUTDIR/build-*/gen at
# build time. Re-running is cheap: CMake only rebuilds what changed.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$1"
OUT="$(cd "$1" && pwd)"

missing=0
need_tool() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "error: '$1' not found on PATH ($2)" >&2
    missing=1
  fi
}
need_file() {
  if [ ! -e "$1" ]; then
    echo "error: $1 not found ($2)" >&2
    missing=1
  fi
}
need_tool cmake "Debian package cmake"
need_tool cc "Debian package gcc"
need_tool c++ "Debian package g++"
need_tool idlc "Debian package cyclonedds-tools"
need_tool fastddsgen "Debian package fastddsgen"
need_file /usr/include/dds/dds.h "Debian package cyclonedds-dev"
need_file /usr/include/fastdds/dds/domain/DomainParticipant.hpp "Debian package libfastrtps-dev"
need_file /usr/include/fastcdr/Cdr.h "Debian package libfastcdr-dev"
if [ "$missing" -ne 0 ]; then
  exit 2
fi

JOBS="$(nproc 2>/dev/null || echo 2)"

build_one() {
  local name="$1"
  local bdir="$OUT/build-$name"
  if [ ! -f "$bdir/CMakeCache.txt" ]; then
    cmake -S "$HERE/$name" -B "$bdir" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_RUNTIME_OUTPUT_DIRECTORY="$OUT" >"$bdir.configure.log" 2>&1 || {
      cat "$bdir.configure.log" >&2
      echo "error: configuring $name failed" >&2
      exit 2
    }
  fi
  cmake --build "$bdir" -j "$JOBS" >"$bdir.build.log" 2>&1 || {
    cat "$bdir.build.log" >&2
    echo "error: building $name failed" >&2
    exit 2
  }
  if [ ! -x "$OUT/anyrecon-peer-$name" ]; then
    echo "error: $OUT/anyrecon-peer-$name was not produced" >&2
    exit 2
  fi
  echo "built $OUT/anyrecon-peer-$name"
}

build_one cyclone
build_one fastdds
