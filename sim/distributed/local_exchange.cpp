// The exchange of one process, and of the dry run (one process playing rank 0 of P).
#include <chrono>

#include "sim/core/errors.h"
#include "sim/distributed/exchange.h"

namespace snn::sim {
namespace {

class LocalExchange : public Exchange {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  const char* kind() const override { return "local"; }
  void exchange_spikes(const std::vector<std::uint32_t>& counts, int,
                       const std::vector<std::uint32_t>& ids,
                       std::vector<std::uint32_t>& all_counts,
                       std::vector<std::uint32_t>& all_ids) override {
    all_counts.assign(counts.begin(), counts.end());
    all_ids.assign(ids.begin(), ids.end());
  }
  std::vector<std::vector<char>> gather_to_root(const std::vector<char>& bytes) override {
    return {bytes};
  }
  void sum(std::vector<std::uint64_t>&) override {}
  std::string first_error(const std::string& message) override { return message; }
};

/// Rank 0 of `ranks_`: rank r's counts and ids are rank 0's (the receiver moves the ids into rank
/// r's block, synthesised()), so each of rank 0's spikes stands for a spike of the same neuron
/// of every rank's block: the exchange and the delivery cost what P ranks of equal activity would.
/// The network it drives is a cost model, not a simulation of the P-rank network.
class DryRunExchange : public Exchange {
 public:
  explicit DryRunExchange(int ranks) : ranks_(ranks) {
    require(ranks >= 1, "dry run: ranks must be >= 1, got " + std::to_string(ranks));
  }
  int rank() const override { return 0; }
  int size() const override { return ranks_; }
  const char* kind() const override { return "dry_run"; }
  bool synthesised() const override { return true; }
  void exchange_spikes(const std::vector<std::uint32_t>& counts, int,
                       const std::vector<std::uint32_t>& ids,
                       std::vector<std::uint32_t>& all_counts,
                       std::vector<std::uint32_t>& all_ids) override {
    const auto t0 = std::chrono::steady_clock::now();
    all_counts.resize(counts.size() * ranks_);
    all_ids.resize(ids.size() * ranks_);
    for (int r = 0; r < ranks_; ++r) {
      std::copy(counts.begin(), counts.end(), all_counts.begin() + r * counts.size());
      std::copy(ids.begin(), ids.end(), all_ids.begin() + r * ids.size());
    }
    exchange_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  /// Rank 0's bytes only (the other ranks have no recording of their own).
  std::vector<std::vector<char>> gather_to_root(const std::vector<char>& bytes) override {
    std::vector<std::vector<char>> out(ranks_);
    out[0] = bytes;
    return out;
  }
  void sum(std::vector<std::uint64_t>& values) override {
    for (auto& v : values) v *= ranks_;
  }
  std::string first_error(const std::string& message) override { return message; }

 private:
  int ranks_;
};

}  // namespace

std::unique_ptr<Exchange> make_local_exchange() {
  return std::make_unique<LocalExchange>();
}
std::unique_ptr<Exchange> make_dry_run_exchange(int ranks) {
  return std::make_unique<DryRunExchange>(ranks);
}

}  // namespace snn::sim
