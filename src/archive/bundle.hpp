// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/error.hpp"

#include <filesystem>
#include <string>

namespace leura::archive {

// A directory packed for upload.
struct Bundle {
    unsigned long long files = 0;
    // sha256 of "<sha256>  ./path\n" for every regular file, paths in byte order: what
    // exec::manifest_command prints on the host for the same tree.
    std::string manifest_sha256;
};

// Packs the tree under `dir` into `out` (a plain tar, mode 0600; the SSH channel is encrypted
// and compressed enough), names relative to it ("./etc/app.conf"), modes and mtimes kept, owners
// not. Errors: config (an entry that is neither a regular file nor a directory, such as a
// symlink, or a name with a newline), io.
Result<Bundle> pack_directory(const std::filesystem::path& dir, const std::filesystem::path& out);

} // namespace leura::archive
