// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/error.hpp"

#include <filesystem>
#include <string>

namespace leura::archive {

// A directory packed for upload.
struct Bundle {
    unsigned long long files = 0;
    // sha256 of the tree's shape and content: a "<type> <mode> <path>" line for every entry
    // (the top "." too; type f or d, mode in octal as find's %m prints it), sorted, then
    // "<sha256>  ./path" for every regular file in path order. What exec::manifest_command
    // prints on the host for the same tree: any other mode, an extra entry or a symlink there
    // gives another sum.
    std::string manifest_sha256;
};

// Packs the tree under `dir` into `out` (a plain tar, mode 0600; the SSH channel is encrypted
// and compressed enough), names relative to it ("./etc/app.conf"), modes and mtimes kept, owners
// not. Errors: config (an entry that is neither a regular file nor a directory, such as a
// symlink, or a name with a newline), io.
Result<Bundle> pack_directory(const std::filesystem::path& dir, const std::filesystem::path& out);

} // namespace leura::archive
