// SPDX-License-Identifier: Apache-2.0
#include "cli/records.hpp"
#include "util/paths.hpp"

namespace leura::cli {

Result<store::Store> open_records() {
    auto dir = util::data_dir();
    LEURA_TRY(util::ensure_private_dir(dir));
    return store::Store::open((dir / "leura.db").string());
}

} // namespace leura::cli
