// See recover_output.h.
#include "apps/snn-sim/recover_output.h"

#include <cstdio>

#include "io/sonata_journal.h"
#include "sim/core/errors.h"

namespace snn::apps {

std::string recover_output(const SimArgs& args) {
  const std::string& journal = args.recover;
  const std::string suffix = ".partial";
  std::string out = args.out;
  if (out.empty()) {
    if (journal.size() <= suffix.size() ||
        journal.compare(journal.size() - suffix.size(), suffix.size(), suffix) != 0)
      throw InvalidParameter("-recover '" + journal +
                             "': not a name ending in .partial; say where to write with -out");
    out = journal.substr(0, journal.size() - suffix.size());
  }
  const io::JournalReplay r = io::sonata_from_journal(journal, out);
  std::remove(journal.c_str());
  return "recovered '" + out + "' from '" + journal + "': " + std::to_string(r.spikes) +
         " spikes, " + std::to_string(r.report_rows) + " report rows" +
         (r.torn_bytes
              ? ", a torn last record of " + std::to_string(r.torn_bytes) + " bytes dropped"
              : std::string());
}

}  // namespace snn::apps
