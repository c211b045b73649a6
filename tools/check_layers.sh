#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Checks every `#include "folder/..."` in src/<folder>/ against the table of allowed
# dependencies in ARCHITECTURE.md ("## Allowed dependencies"), so the document is the one place
# the layering is written down. A folder may always include itself; a src/ folder without a row
# and an include not rooted at src/ are errors too. Lists each offending line and exits 1.
#   tools/check_layers.sh            (CI's first step; CTest: layers.check)
set -euo pipefail
cd "$(dirname "$0")/.."
doc=ARCHITECTURE.md

# "folder allowed..." per row of the first table under the heading; names are in backticks.
rows=$(awk '
  /^## / { in_section = ($0 ~ /^## Allowed dependencies/); next }
  !in_section { next }
  /^\|/ {
    seen = 1
    n = split($0, cell, "|")
    folder = cell[2]; gsub(/[` ]/, "", folder)
    if (folder == "folder" || folder ~ /^-+$/) next
    line = folder
    rest = cell[3]
    while (match(rest, /`[a-z_]+`/)) {
      line = line " " substr(rest, RSTART + 1, RLENGTH - 2)
      rest = substr(rest, RSTART + RLENGTH)
    }
    print line
    next
  }
  seen { exit }
' "$doc")
if [ -z "$rows" ]; then
  echo "check_layers: no table under \"## Allowed dependencies\" in $doc" >&2
  exit 2
fi
declare -A allowed
while read -r folder deps; do allowed[$folder]=$deps; done <<< "$rows"

folders=()
for d in src/*/; do folders+=("$(basename "$d")"); done
is_folder() { local f; for f in "${folders[@]}"; do [ "$f" = "$1" ] && return 0; done; return 1; }

bad=0
for folder in "${folders[@]}"; do
  if [ -z "${allowed[$folder]+set}" ]; then
    echo "src/$folder/: no row in $doc's table of allowed dependencies"
    bad=1
    continue
  fi
  while IFS=: read -r file line text; do
    path=$(sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]*)".*/\1/' <<< "$text")
    if [[ $path != */* ]]; then
      echo "$file:$line: #include \"$path\" is not rooted at src/"
      bad=1
      continue
    fi
    top=${path%%/*}
    [ "$top" = "$folder" ] && continue
    is_folder "$top" || continue # not one of ours
    [[ " ${allowed[$folder]} " == *" $top "* ]] && continue
    echo "$file:$line: #include \"$path\": $folder may not include $top" \
         "(it may: ${allowed[$folder]:-nothing})"
    bad=1
  done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "src/$folder" \
             --include='*.cpp' --include='*.hpp' --include='*.c' --include='*.h' || true)
done
if [ "$bad" != 0 ]; then
  echo "check_layers: includes above break the layering in $doc (fix the code, or change the" \
       "table with a reason)" >&2
  exit 1
fi
echo "check_layers: every include in src/ follows $doc" >&2
