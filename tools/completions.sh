#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Writes completions/leura.bash, completions/_leura and completions/leura.fish from the built
# binary's `leura completion SHELL` (the scripts live in src/cli/cmd_completion.cpp; the
# integration test completion_shells checks the files are exactly that output).
#   tools/completions.sh [LEURA_BIN=build/leura]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-${LEURA_BIN:-build/leura}}
mkdir -p completions
"$bin" completion bash > completions/leura.bash
"$bin" completion zsh > completions/_leura
"$bin" completion fish > completions/leura.fish
echo "completions: wrote completions/leura.bash, completions/_leura, completions/leura.fish" >&2
