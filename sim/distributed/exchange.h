// The exchange between the processes that share one network (rank = one process): the engine
// (sim/network.cu) calls only this interface. Implementations: local (one process), mpi (Open
// MPI collectives, built with -DSNN_WITH_MPI=ON), dry_run (one process plays rank 0 of P, the
// other ranks' spikes are copies of its own: Arbor's dry-run mode, for cost models).
// Every call is collective: all ranks make the same calls in the same order.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/errors.h"

namespace snn::sim {

/// An error every rank raises together (after Exchange::first_error): rank 0 reports it, all
/// ranks exit non-zero.
class AgreedError : public Error {
 public:
  using Error::Error;
};

class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  /// "local", "mpi" or "dry_run".
  virtual const char* kind() const = 0;

  /// The spike exchange of one minimum-delay interval: every rank's n counts (the same n on all
  /// ranks) into all_counts[rank * n + i] (Allgather), then the ids each rank sends (as many as
  /// its counts say, summed over counts[0 .. n_id_counts)) into all_ids in rank order
  /// (Allgatherv). Both collectives always run, with zero ids too: no empty exchange is skipped.
  virtual void exchange_spikes(const std::vector<std::uint32_t>& counts, int n_id_counts,
                               const std::vector<std::uint32_t>& ids,
                               std::vector<std::uint32_t>& all_counts,
                               std::vector<std::uint32_t>& all_ids) = 0;
  /// Rank 0 receives every rank's bytes, in rank order; the others get an empty list.
  virtual std::vector<std::vector<char>> gather_to_root(const std::vector<char>& bytes) = 0;
  /// Element-wise sum over the ranks, in place, on every rank.
  virtual void sum(std::vector<std::uint64_t>& values) = 0;
  /// Agreement point: each rank passes its error ("" if none); every rank gets the message of
  /// the lowest failing rank ("" when all succeeded), so that all ranks stop together.
  virtual std::string first_error(const std::string& message) = 0;

  /// The dry run: the other ranks' ids are rank 0's, to be moved by the receiver into the same
  /// place of each other rank's block of neurons (so they stand for other neurons' spikes).
  virtual bool synthesised() const { return false; }

  /// Seconds spent inside exchange_spikes since the start (the collectives, waits included).
  double exchange_seconds() const { return exchange_s_; }

 protected:
  double exchange_s_ = 0;
};

/// One process: every call returns its input.
std::unique_ptr<Exchange> make_local_exchange();
/// One process playing rank 0 of `ranks`: the others' counts and ids are copies of its own.
std::unique_ptr<Exchange> make_dry_run_exchange(int ranks);
/// The exchange of this process: mpi when launched by mpiexec with more than one rank (built with
/// SNN_WITH_MPI; calls MPI_Init, and MPI_Finalize when destroyed), else local. Without MPI built,
/// a launch of more than one rank (OMPI_COMM_WORLD_SIZE or PMI_SIZE > 1) throws InvalidParameter
/// saying how to configure.
std::unique_ptr<Exchange> make_exchange(int* argc, char*** argv);
/// Ranks the launcher started (OMPI_COMM_WORLD_SIZE, PMI_SIZE; 1 when neither is set), and
/// this process's rank among them (OMPI_COMM_WORLD_RANK, PMI_RANK; 0 when unset).
int launched_ranks();
int launched_rank();
/// Ends every rank at once after an error that could not be agreed (MPI_Abort); no-op locally.
void abort_all_ranks(Exchange& ex, int code);

}  // namespace snn::sim
