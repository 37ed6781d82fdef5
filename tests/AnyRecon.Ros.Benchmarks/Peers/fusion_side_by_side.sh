#!/usr/bin/env bash
# TSDF fusion side by side with Open3D on the same RGB-D folder: ours with carving on and off, then the peer, alternated
# R times; prints every median and the lowest of each (noise on a shared machine only ever adds time) and the ratios.
# usage: fusion_side_by_side.sh RGBD_DIR VOXEL [R]   (run from the repository root after a Release build)
set -euo pipefail
dir=$1; voxel=$2; runs=${3:-3}
anyrecon=${ANYRECON:-src/AnyRecon.Ros.Cli/bin/Release/net10.0/anyrecon}
peer=${ANYRECON_PEERS:-../shared/peers}/open3d_tsdf.py
median() { grep -o '"integrate_ms_median": *[0-9.]*' | grep -o '[0-9.]*$'; }
on=(); off=(); o3d=()
for _ in $(seq "$runs"); do
    on+=("$("$anyrecon" bench fusion --data "$dir" --voxel "$voxel" --json | median)")
    off+=("$("$anyrecon" bench fusion --data "$dir" --voxel "$voxel" --json --carving off | median)")
    o3d+=("$(/usr/bin/python3 "$peer" --data "$dir" --voxel "$voxel" --json | median)")
done
best() { printf '%s\n' "$@" | sort -g | head -1; }
b_on=$(best "${on[@]}"); b_off=$(best "${off[@]}"); b_o3d=$(best "${o3d[@]}")
echo "$(basename "$dir") voxel $voxel: anyrecon ${on[*]} (best $b_on), carving off ${off[*]} (best $b_off), open3d ${o3d[*]} (best $b_o3d)"
awk -v p="$b_o3d" -v a="$b_on" -v f="$b_off" 'BEGIN { printf "ratio %.2fx, carving off %.2fx\n", p / a, p / f }'
