// SPDX-License-Identifier: Apache-2.0
#include "app/serve.hpp"
#include "cli/commands.hpp"
#include "cli/report.hpp"

#include <cstdio>
#include <memory>

namespace leura::cli {

namespace {

struct ServeFlags {
    std::string socket, listen, tls_cert, tls_key;
    bool no_tick = false, insecure_listen = false;
};

} // namespace

Action add_serve(CLI::App& sub) {
    auto f = std::make_shared<ServeFlags>();
    sub.add_option("--socket", f->socket,
                   "The Unix socket to listen on (default: /run/leura/leura.sock for root and "
                   "a shared controller, else DATA/leura.sock)");
    sub.add_option("--listen", f->listen,
                   "Also listen on HOST:PORT (port 0: any free one); callers there need a token "
                   "(leura token create); an address other than loopback needs TLS");
    sub.add_option("--tls-cert", f->tls_cert,
                   "Speak TLS on --listen with this PEM certificate chain")
        ->option_text("FILE");
    sub.add_option("--tls-key", f->tls_key, "The certificate's PEM private key")
        ->option_text("FILE");
    sub.add_flag("--insecure-listen", f->insecure_listen,
                 "Allow --listen on an address other than loopback without TLS (tokens in clear "
                 "text: only behind a TLS proxy on this host or on a network you trust)");
    sub.add_flag("--no-tick", f->no_tick, "Do not run the schedules' and monitors' tick");
    return [f](app::Context& ctx) {
        app::ServeOptions o;
        o.socket = f->socket;
        o.listen = f->listen;
        o.tls_cert = f->tls_cert;
        o.tls_key = f->tls_key;
        o.insecure_listen = f->insecure_listen;
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
