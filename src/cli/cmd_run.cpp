// SPDX-License-Identifier: Apache-2.0
#include "app/gc.hpp"
#include "app/pending_run.hpp"
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
    // For runs leura starts itself (schedules): the descriptor the starter's one-time claim
    // comes on (app/pending_run.hpp), which gives the run its id and principal. Hidden.
    sub.add_option("--claim-fd", *claim_fd)->group("")->check(CLI::Range(3, 1023));
    return [f, claim_fd](app::Context& ctx) {
        if (*claim_fd >= 0) {
            auto claim = app::claim_pending_run(ctx, *claim_fd);
            if (!claim) return report(claim.error());
            f->run.run_id = claim->run_id;
            f->run.triggered_by = claim->triggered_by;
        }
        if (auto st = service_side_inputs(ctx, *f); !st) return report(st.error());
        if (auto big = app::size_warning(ctx)) warn({*big});
        return execute_run(ctx, *f);
    };
}

} // namespace leura::cli
