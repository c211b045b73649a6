// SPDX-License-Identifier: Apache-2.0
#include "app/serve.hpp"
#include "cli/commands.hpp"
#include "cli/report.hpp"

#include <cstdio>
#include <memory>

namespace leura::cli {

namespace {

struct ServeFlags {
    std::string socket, listen;
    bool no_tick = false;
};

} // namespace

Action add_serve(CLI::App& sub) {
    auto f = std::make_shared<ServeFlags>();
    sub.add_option("--socket", f->socket,
                   "The Unix socket to listen on (default: /run/leura/leura.sock for root and "
                   "a shared controller, else DATA/leura.sock)");
    sub.add_option("--listen", f->listen,
                   "Also listen on this loopback HOST:PORT (port 0: any free one); callers "
                   "there need a token (leura token create)");
    sub.add_flag("--no-tick", f->no_tick, "Do not run the schedules' and monitors' tick");
    return [f](app::Context& ctx) {
        app::ServeOptions o;
        o.socket = f->socket;
        o.listen = f->listen;
        o.tick = !f->no_tick;
        o.ready = [](const std::string& where) {
            std::printf("listening on %s\n", where.c_str());
            std::fflush(stdout);
        };
        auto st = app::serve(ctx, o);
        if (!st) return report(st.error());
        return 0;
    };
}

} // namespace leura::cli
