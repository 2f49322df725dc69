// The exchange over MPI (built with -DSNN_WITH_MPI=ON): Allgather of the interval's spike counts,
// then Allgatherv of the spiking neurons' global ids (NEST's and Arbor's scheme). MPI_Init when
// made, MPI_Finalize when destroyed.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>

#include "sim/core/errors.h"
#include "sim/distributed/exchange.h"

namespace snn::sim {
namespace {

void check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int n = 0;
  MPI_Error_string(rc, text, &n);
  throw Error(std::string("MPI: ") + what + ": " + std::string(text, n));
}

class MpiExchange : public Exchange {
 public:
  MpiExchange(int* argc, char*** argv) {
    int ready = 0;
    MPI_Initialized(&ready);
    if (!ready) {
      check(MPI_Init(argc, argv), "MPI_Init");
      own_ = true;
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    displs_.resize(size_);
    sizes_.resize(size_);
  }
  ~MpiExchange() override {
    int done = 0;
    MPI_Finalized(&done);
    if (own_ && !done) MPI_Finalize();
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  const char* kind() const override { return "mpi"; }

  void exchange_spikes(const std::vector<std::uint32_t>& counts, int n_id_counts,
                       const std::vector<std::uint32_t>& ids,
                       std::vector<std::uint32_t>& all_counts,
                       std::vector<std::uint32_t>& all_ids) override {
    const auto t0 = std::chrono::steady_clock::now();
    const int n = static_cast<int>(counts.size());
    all_counts.resize(static_cast<std::size_t>(n) * size_);
    check(MPI_Allgather(counts.data(), n, MPI_UINT32_T, all_counts.data(), n, MPI_UINT32_T,
                        MPI_COMM_WORLD),
          "Allgather of spike counts");
    long total = 0;
    for (int r = 0; r < size_; ++r) {
      const std::uint32_t* c = all_counts.data() + static_cast<std::size_t>(r) * n;
      sizes_[r] = static_cast<int>(std::accumulate(c, c + n_id_counts, 0ull));
      displs_[r] = static_cast<int>(total);
      total += sizes_[r];
    }
    require(sizes_[rank_] == static_cast<int>(ids.size()), "spike exchange: counts and ids differ");
    all_ids.resize(total);
    check(MPI_Allgatherv(ids.data(), static_cast<int>(ids.size()), MPI_UINT32_T, all_ids.data(),
                         sizes_.data(), displs_.data(), MPI_UINT32_T, MPI_COMM_WORLD),
          "Allgatherv of spike ids");
    exchange_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }

  std::vector<std::vector<char>> gather_to_root(const std::vector<char>& bytes) override {
    std::vector<long long> n(size_);
    long long mine = static_cast<long long>(bytes.size());
    check(MPI_Gather(&mine, 1, MPI_LONG_LONG, n.data(), 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD),
          "Gather of sizes");
    std::vector<int> counts(size_), displs(size_);
    long long total = 0;
    for (int r = 0; r < size_; ++r) {
      require(total + n[r] < (1ll << 31), "gather to rank 0: more than 2 GB in one flush");
      counts[r] = static_cast<int>(n[r]);
      displs[r] = static_cast<int>(total);
      total += n[r];
    }
    std::vector<char> all(rank_ == 0 ? total : 0);
    check(MPI_Gatherv(bytes.data(), static_cast<int>(mine), MPI_CHAR, all.data(), counts.data(),
                      displs.data(), MPI_CHAR, 0, MPI_COMM_WORLD),
          "Gatherv");
    std::vector<std::vector<char>> out;
    if (rank_ != 0) return out;
    for (int r = 0; r < size_; ++r)
      out.emplace_back(all.begin() + displs[r], all.begin() + displs[r] + counts[r]);
    return out;
  }

  void sum(std::vector<std::uint64_t>& values) override {
    check(MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_UINT64_T,
                        MPI_SUM, MPI_COMM_WORLD),
          "Allreduce");
  }

  std::string first_error(const std::string& message) override {
    int failed = message.empty() ? size_ : rank_;
    int first = size_;
    check(MPI_Allreduce(&failed, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD), "Allreduce");
    if (first == size_) return "";
    std::string text = rank_ == first ? message : std::string();
    int len = static_cast<int>(text.size());
    check(MPI_Bcast(&len, 1, MPI_INT, first, MPI_COMM_WORLD), "Bcast");
    text.resize(len);
    check(MPI_Bcast(text.data(), len, MPI_CHAR, first, MPI_COMM_WORLD), "Bcast");
    return first == 0 ? text : "rank " + std::to_string(first) + ": " + text;
  }

 private:
  int rank_ = 0, size_ = 1;
  bool own_ = false;
  std::vector<int> displs_, sizes_;
};

}  // namespace

std::unique_ptr<Exchange> make_mpi_exchange(int* argc, char*** argv) {
  return std::make_unique<MpiExchange>(argc, argv);
}

void abort_mpi(int code) {
  int ready = 0, done = 0;
  MPI_Initialized(&ready);
  MPI_Finalized(&done);
  if (ready && !done) MPI_Abort(MPI_COMM_WORLD, code);
}

}  // namespace snn::sim
