// See sonata_journal.h.
#include "io/sonata_journal.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "io/atomic_file.h"
#include "io/sonata_file.h"
#include "sim/core/errors.h"

namespace snn::io {

namespace {

constexpr char kMagic[8] = {'S', 'N', 'N', 'S', 'O', 'N', 'J', '1'};
enum RecordType : std::uint32_t { kSpikePopulation = 1, kSpikes = 2, kReport = 3, kRows = 4 };
// Large appends are cut into records of about this size, so that a kill loses at most one.
constexpr std::size_t kRecordBytes = std::size_t{1} << 20;

struct Header {
  std::uint32_t type;
  std::uint32_t zero;
  std::uint64_t bytes;
};

// Reads the fields of one record's payload, FormatError when it ends early.
class Payload {
 public:
  Payload(const std::vector<char>& bytes, std::string where)
      : b_(bytes), where_(std::move(where)) {}
  template <class T>
  T get() {
    T v;
    std::memcpy(&v, take(sizeof(T)), sizeof(T));
    return v;
  }
  std::string string() {
    const auto n = get<std::uint32_t>();
    return std::string(take(n), n);
  }
  const char* take(std::size_t n) {
    if (n > b_.size() - at_) throw FormatError(where_ + ": record shorter than its fields");
    const char* p = b_.data() + at_;
    at_ += n;
    return p;
  }
  std::size_t left() const { return b_.size() - at_; }

 private:
  const std::vector<char>& b_;
  std::string where_;
  std::size_t at_ = 0;
};

}  // namespace

SonataJournal::SonataJournal(const std::string& path) : path_(path) {
  file_ = std::fopen(path.c_str(), "wb");
  if (!file_) throw IoError("cannot create '" + path + "': " + std::strerror(errno));
  if (std::fwrite(kMagic, 1, sizeof kMagic, file_) != sizeof kMagic || std::fflush(file_) != 0)
    throw IoError("cannot write '" + path_ + "': " + std::strerror(errno));
}

SonataJournal::~SonataJournal() {
  if (file_) std::fclose(file_);
}

void SonataJournal::record(std::uint32_t type, const std::vector<const void*>& parts,
                           const std::vector<std::size_t>& sizes) {
  if (!file_) throw IoError("SONATA journal '" + path_ + "' is closed");
  Header h{type, 0, 0};
  for (std::size_t s : sizes) h.bytes += s;
  bool ok = std::fwrite(&h, sizeof h, 1, file_) == 1;
  for (std::size_t i = 0; ok && i < parts.size(); ++i)
    ok = sizes[i] == 0 || std::fwrite(parts[i], 1, sizes[i], file_) == sizes[i];
  if (!ok) throw IoError("cannot write '" + path_ + "' (disk full?): " + std::strerror(errno));
}

void SonataJournal::spike_population(const std::string& name, const std::string& time_unit) {
  const auto n = static_cast<std::uint32_t>(name.size());
  const auto u = static_cast<std::uint32_t>(time_unit.size());
  record(kSpikePopulation, {&n, name.data(), &u, time_unit.data()}, {4, n, 4, u});
}

void SonataJournal::spikes(std::uint32_t population, const double* timestamps,
                           const std::uint64_t* node_ids, std::size_t n) {
  const std::uint32_t zero = 0;
  const std::size_t per_record = kRecordBytes / 16;
  for (std::size_t at = 0; at < n; at += per_record) {
    const std::size_t k = std::min(per_record, n - at);
    record(kSpikes, {&population, &zero, timestamps + at, node_ids + at}, {4, 4, 8 * k, 8 * k});
  }
}

void SonataJournal::report(const std::string& name, const std::vector<std::uint64_t>& node_ids,
                           double t_start_ms, double dt_ms, const std::string& variable,
                           const std::string& unit) {
  const auto n = static_cast<std::uint32_t>(name.size());
  const auto v = static_cast<std::uint32_t>(variable.size());
  const auto u = static_cast<std::uint32_t>(unit.size());
  const std::uint64_t nodes = node_ids.size();
  record(kReport,
         {&n, name.data(), &v, variable.data(), &u, unit.data(), &t_start_ms, &dt_ms, &nodes,
          node_ids.data()},
         {4, n, 4, v, 4, u, 8, 8, 8, 8 * node_ids.size()});
}

void SonataJournal::rows(std::uint32_t report, const float* values, std::size_t n_rows,
                         std::size_t n_nodes) {
  const std::uint32_t zero = 0;
  const std::size_t per_record = std::max<std::size_t>(1, kRecordBytes / (4 * n_nodes));
  for (std::size_t at = 0; at < n_rows; at += per_record) {
    const std::size_t k = std::min(per_record, n_rows - at);
    record(kRows, {&report, &zero, values + at * n_nodes}, {4, 4, 4 * k * n_nodes});
  }
}

void SonataJournal::flush() {
  if (file_ && std::fflush(file_) != 0)
    throw IoError("cannot write '" + path_ + "' (disk full?): " + std::strerror(errno));
}

void SonataJournal::close() {
  if (!file_) return;
  const bool ok = std::fflush(file_) == 0;
  const int err = errno;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!ok || !closed)
    throw IoError("cannot write '" + path_ + "' (disk full?): " + std::strerror(ok ? errno : err));
}

JournalReplay sonata_from_journal(const std::string& journal_path, const std::string& out_path) {
  std::ifstream in(journal_path, std::ios::binary);
  if (!in) throw IoError("cannot open SONATA journal '" + journal_path + "'");
  char magic[8] = {};
  in.read(magic, sizeof magic);
  // Shorter than the magic but a prefix of it: killed as it started, an empty journal.
  const auto got = static_cast<std::size_t>(in.gcount());
  if (std::memcmp(magic, kMagic, got) != 0 || (got < sizeof magic && !in.eof()))
    throw FormatError("'" + journal_path + "' is not a SONATA journal of snn-sim");
  in.clear();
  in.seekg(0, std::ios::end);
  const std::uint64_t size = static_cast<std::uint64_t>(in.tellg());
  in.seekg(sizeof magic);
  JournalReplay out;
  if (got < sizeof magic) {
    write_atomically(out_path, [&](const std::string& tmp) { SonataFile(tmp).close(); });
    return out;
  }
  write_atomically(out_path, [&](const std::string& tmp) {
    SonataFile file(tmp);
    std::vector<std::string> spike_pops, reports;
    std::vector<std::size_t> report_nodes;
    std::vector<char> payload;
    std::uint64_t at = sizeof magic;
    while (at < size) {
      const std::string where =
          "SONATA journal '" + journal_path + "' at byte " + std::to_string(at);
      Header h{};
      if (size - at < sizeof h) break;  // torn by a kill: dropped
      in.read(reinterpret_cast<char*>(&h), sizeof h);
      if (h.type < kSpikePopulation || h.type > kRows || h.zero != 0)
        throw FormatError(where + ": not a record (type " + std::to_string(h.type) + ")");
      if (h.bytes > size - at - sizeof h) break;  // torn by a kill: dropped
      payload.resize(h.bytes);
      in.read(payload.data(), static_cast<std::streamsize>(h.bytes));
      if (static_cast<std::uint64_t>(in.gcount()) != h.bytes)
        throw IoError("cannot read '" + journal_path + "'");
      Payload p(payload, where);
      if (h.type == kSpikePopulation) {
        std::string name = p.string();
        std::string unit = p.string();
        file.add_spike_population(name, unit);
        spike_pops.push_back(name);
      } else if (h.type == kReport) {
        std::string name = p.string(), variable = p.string(), unit = p.string();
        const auto t0 = p.get<double>(), dt = p.get<double>();
        const auto n = p.get<std::uint64_t>();
        if (n > p.left() / 8) throw FormatError(where + ": report node count " + std::to_string(n));
        std::vector<std::uint64_t> ids(n);
        std::memcpy(ids.data(), p.take(8 * n), 8 * n);
        file.add_report(name, ids, t0, dt, variable, unit);
        reports.push_back(name);
        report_nodes.push_back(n);
      } else {
        const auto index = p.get<std::uint32_t>();
        p.get<std::uint32_t>();
        const std::vector<std::string>& names = h.type == kSpikes ? spike_pops : reports;
        if (index >= names.size())
          throw FormatError(where + ": population " + std::to_string(index) + " not declared");
        if (h.type == kSpikes) {
          if (p.left() % 16) throw FormatError(where + ": spikes of a torn size");
          const std::size_t n = p.left() / 16;
          std::vector<double> t(n);
          std::vector<std::uint64_t> ids(n);
          std::memcpy(t.data(), p.take(8 * n), 8 * n);
          std::memcpy(ids.data(), p.take(8 * n), 8 * n);
          file.append_spikes(names[index], t.data(), ids.data(), n);
          out.spikes += n;
        } else {
          const std::size_t row_bytes = 4 * report_nodes[index];
          if (p.left() % row_bytes) throw FormatError(where + ": rows of a torn size");
          const std::size_t n = p.left() / row_bytes;
          std::vector<float> v(n * report_nodes[index]);
          std::memcpy(v.data(), p.take(n * row_bytes), n * row_bytes);
          file.append_report_rows(names[index], v.data(), n);
          out.report_rows += n;
        }
      }
      ++out.records;
      at += sizeof h + h.bytes;
    }
    out.torn_bytes = size - at;
    file.close();
  });
  return out;
}

}  // namespace snn::io
