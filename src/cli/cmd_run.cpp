// SPDX-License-Identifier: Apache-2.0
#include "app/gc.hpp"
#include "cli/commands.hpp"
#include "cli/report.hpp"
#include "cli/run_flags.hpp"

#include <memory>

namespace leura::cli {

Action add_run(CLI::App& sub) {
    auto f = std::make_shared<RunFlags>();
    auto claim_fd = std::make_shared<int>(-1);
    sub.add_option("task", f->prepare.task_file, "Task name in the library, or a task file")
        ->required();
    add_selection_flags(sub, *f);
    add_run_flags(sub, *f);
    add_claim_flag(sub, *claim_fd);
    return [f, claim_fd](app::Context& ctx) {
        if (auto st = take_claim(ctx, *claim_fd, f->run); !st) return report(st.error());
        if (auto st = service_side_inputs(ctx, *f); !st) return report(st.error());
        if (auto big = app::size_warning(ctx)) warn({*big});
        return execute_run(ctx, *f);
    };
}

} // namespace leura::cli
