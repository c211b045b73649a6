// SPDX-License-Identifier: Apache-2.0
// Long reports (`show`) through the user's pager when stdout is a terminal, as git does:
// $LEURA_PAGER, else $PAGER, else `less` with LESS=FRX (quits when the text fits one screen,
// keeps colours, leaves the text on screen). "cat" or an empty value means no pager.
#pragma once

#include <sys/types.h>

namespace leura::cli {

class Pager {
public:
    // Starts the pager and points stdout at it, unless stdout is not a terminal, `off`, or the
    // pager cannot start (then stdout stays as it is).
    explicit Pager(bool off);
    // Flushes stdout, closes the pipe and waits for the pager to end.
    ~Pager();
    Pager(const Pager&) = delete;
    Pager& operator=(const Pager&) = delete;

private:
    pid_t m_pid = -1;
    int m_saved_stdout = -1;
};

} // namespace leura::cli
