// A process-wide request to stop long loops at their next safe point: the trainer at a batch
// boundary (it writes its checkpoint), the simulator at a block boundary (it flushes what it has
// recorded). Programs turn SIGINT/SIGTERM into such a request; libraries only read it.
#pragma once

namespace snn {

/// 0 when no stop was requested, else the number of the signal (or the code) that asked.
int stop_requested();
/// Asks for a stop (async-signal-safe); `code` != 0, e.g. SIGTERM.
void request_stop(int code);
/// Withdraws the request (tests, a program that continues).
void clear_stop_request();
/// Makes SIGINT and SIGTERM request a stop; a second such signal ends the process at once (the
/// handlers are reset after the first). For programs, not libraries.
void install_stop_handlers();
/// "SIGINT", "SIGTERM" or "signal N".
const char* stop_signal_name(int code);

}  // namespace snn
