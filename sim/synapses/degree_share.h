// Fixed out-degree rows when this process owns only the targets [lo, hi) (one rank of several).
// Each row is drawn whole, from its source's stream, so the connectivity does not depend on the
// split; only the share is kept. The rows are drawn in chunks of sources, twice (count the share
// per row, then copy it into an array of exactly that size), so the whole network's rows are never
// in memory: sparse N 1e6 under mpiexec -n 2 peaked at 1.2 GB on rank 0 when drawn whole and
// filtered, against 0.42 GB for the whole network on one process. Included by projection.cu only
// (its Thrust instantiations stay in that translation unit).
#pragma once

#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/scan.h>
#include <thrust/transform.h>

#include <algorithm>
#include <cstdint>

#include "sim/core/config.h"
#include "sim/core/device_vector.h"
#include "sim/synapses/random_rows.h"

namespace snn::sim::rows {

/// Chunk row i (k targets): how many of its targets lie in [lo, hi).
struct KeptInRow {
  const std::uint32_t* rows;
  std::uint32_t k, lo, hi;
  SNN_HD std::uint64_t operator()(std::uint32_t i) const {
    const std::uint32_t* r = rows + static_cast<std::uint64_t>(i) * k;
    std::uint64_t n = 0;
    for (std::uint32_t m = 0; m < k; ++m) n += r[m] >= lo && r[m] < hi;
    return n;
  }
};

/// Copies chunk row i's targets in [lo, hi), in row order, to out + start[i].
struct CopyKept {
  const std::uint32_t* rows;
  std::uint32_t k, lo, hi;
  const std::uint64_t* start;
  std::uint32_t* out;
  SNN_HD void operator()(std::uint32_t i) const {
    const std::uint32_t* r = rows + static_cast<std::uint64_t>(i) * k;
    std::uint64_t o = start[i];
    for (std::uint32_t m = 0; m < k; ++m)
      if (r[m] >= lo && r[m] < hi) out[o++] = r[m];
  }
};

/// Fixed in/out-degree: the k partners of owners first, first + 1, ... into out (owner first at
/// out[0 ..), each k long). Also used by projection.cu to draw whole rows.
struct DegreeRows {
  DegreeRow row;
  std::uint32_t* out;
  std::uint32_t first = 0;
  SNN_HD void operator()(std::uint32_t self) const {
    row.draw(self, out + static_cast<std::uint64_t>(self - first) * row.k);
  }
};

/// The out-degree rows of sources [0, n_source), each keeping only its targets in [lo, hi), as
/// CSR (row_ptr: n_source + 1 offsets; targets); returns the number of synapses kept.
inline std::uint64_t draw_degree_share(const DegreeRow& row, std::uint32_t n_source,
                                       std::uint32_t lo, std::uint32_t hi,
                                       DeviceVector<std::uint64_t>& row_ptr,
                                       DeviceVector<std::uint32_t>& targets) {
  using Count = thrust::counting_iterator<std::uint32_t>;
  const std::uint32_t k = row.k;
  const std::uint32_t chunk = static_cast<std::uint32_t>(std::max<std::uint64_t>(
      1, std::min<std::uint64_t>(n_source, (std::uint64_t{1} << 22) / std::max(k, 1u))));
  DeviceVector<std::uint32_t> drawn(static_cast<std::uint64_t>(chunk) * k);
  // f(s0, nc) after drawing rows s0 .. s0 + nc - 1 into `drawn`.
  auto each_chunk = [&](auto&& f) {
    for (std::uint32_t s0 = 0; s0 < n_source; s0 += chunk) {
      const std::uint32_t nc = std::min(chunk, n_source - s0);
      thrust::for_each(exec(), Count(s0), Count(s0 + nc), DegreeRows{row, raw(drawn), s0});
      f(s0, nc);
    }
  };
  row_ptr.assign(static_cast<std::size_t>(n_source) + 1, 0);
  each_chunk([&](std::uint32_t s0, std::uint32_t nc) {
    thrust::transform(exec(), Count(0), Count(nc), row_ptr.begin() + s0 + 1,
                      KeptInRow{raw(drawn), k, lo, hi});
  });
  thrust::inclusive_scan(exec(), row_ptr.begin(), row_ptr.end(), row_ptr.begin());
  const std::uint64_t nnz = row_ptr.back();
  targets.resize(nnz);
  each_chunk([&](std::uint32_t s0, std::uint32_t nc) {
    thrust::for_each(exec(), Count(0), Count(nc),
                     CopyKept{raw(drawn), k, lo, hi, raw(row_ptr) + s0, raw(targets)});
  });
  return nnz;
}

}  // namespace snn::sim::rows
