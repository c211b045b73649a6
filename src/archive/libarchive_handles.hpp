// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private to src/archive: one RAII owner per libarchive handle.

#include <archive.h>
#include <archive_entry.h>

#include <memory>

namespace leura::archive {

struct WriterDeleter {
    void operator()(struct archive* a) const { archive_write_free(a); }
};
struct ReaderDeleter {
    void operator()(struct archive* a) const { archive_read_free(a); }
};
struct EntryDeleter {
    void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using Writer = std::unique_ptr<struct archive, WriterDeleter>;
using Reader = std::unique_ptr<struct archive, ReaderDeleter>;
using Entry = std::unique_ptr<archive_entry, EntryDeleter>;

} // namespace leura::archive
