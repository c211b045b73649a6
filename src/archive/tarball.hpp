// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "util/error.hpp"

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace leura::archive {

// Writes `out` (a .tar.gz, mode 0600) holding run.json and every regular file below
// spool_dir, named by its path relative to spool_dir. Written to a temporary name beside
// `out` and renamed when complete, so a reader never sees half an archive.
Status write_archive(const std::filesystem::path& out, const std::string& run_json,
                     const std::filesystem::path& spool_dir);

// "libarchive 3.6.2 zlib/1.2.13 ..."
const char* library_version();

// The member names of an archive, in archive order.
Result<std::vector<std::string>> list_members(const std::filesystem::path& archive);

// Streams one member's content to `sink`. Errors: not_found, io.
Status read_member(const std::filesystem::path& archive, const std::string& member,
                   const std::function<void(std::string_view)>& sink);

// In one pass over the archive, streams each member `open` wants: open(name) returns the sink
// for that member's content, or an empty function to skip it. Errors: io.
using MemberSink = std::function<void(std::string_view)>;
Status read_members(const std::filesystem::path& archive,
                    const std::function<MemberSink(const std::string& member)>& open);

} // namespace leura::archive
