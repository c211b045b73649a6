// SPDX-License-Identifier: Apache-2.0
#pragma once

// zstd for the step previews the store keeps (schema v11). One owner for the compression and
// decompression contexts, made on first use and reused for every row. Only this file's .cpp
// includes zstd.h.

#include "util/error.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace leura::store {

// The largest preview `decompress` gives back: previews are 16 KiB (app/recorder.cpp); a frame
// claiming more is damaged, not a bigger preview, and is refused rather than allocated.
inline constexpr size_t k_max_preview_bytes = 16 * 1024 * 1024;

class Zstd {
public:
    Zstd();
    ~Zstd();
    Zstd(Zstd&&) noexcept;
    Zstd& operator=(Zstd&&) noexcept;

    // One zstd frame holding `plain`, with its size in the header. "" stays "" (no frame).
    // Errors: internal (zstd failed).
    Result<std::string> compress(std::string_view plain);
    // The bytes of one frame made by compress(); "" stays "". Errors: internal (not one whole
    // frame, damaged, or over k_max_preview_bytes).
    Result<std::string> decompress(std::string_view frame);

private:
    struct Contexts;
    std::unique_ptr<Contexts> m_ctx;
};

} // namespace leura::store
