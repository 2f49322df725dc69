// Training checkpoints in HDF5: parameters, buffers and optimizer state by name, the scheduler
// and optimizer counters, the epoch, the best test accuracy and the run's arguments. io/ knows no
// model: the trainer converts its tensors to and from the NamedTensor lists below.
//
// Layout (version 2; version 1 files, without next_batch and checksums, are read too):
//   /                 attributes format="snn-checkpoint", version=2, epoch (last finished,
//   0-based),
//                     max_test_acc, optimizer (name), optimizer_step, scheduler (name),
//                     scheduler_last_epoch, dtype ("float32"/"float64"), next_batch (training
//                     batches of epoch + 1 already done by a run stopped mid-epoch; 0 usually)
//   /args             one string attribute per command-line argument of the run
//   /parameters/<name>, /buffers/<name>, /optimizer/<name>
//                     datasets of the tensor's shape, stored in `dtype`, attribute index (order)
//   /scheduler/<name> a stateful scheduler's values (e.g. plateau.best), scalars, always float64
//                     (absent in files of closed-form schedules)
// Names may hold any character but '/', which is stored as "%2F" (and '%' as "%25").
// Damage shows as an error, not as a crash: the file is in the HDF5 1.10 format, whose metadata
// all carry checksums; strings are stored inline (fixed length), not in the unchecksummed global
// heap; every dataset has a Fletcher-32 checksum; and every dataset's type and shape is checked
// against the file's size before it is read. (Files written before these checks read as before.)
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace snn::io {

/// A named tensor on the host: shape and row-major values (double holds float values exactly).
struct NamedTensor {
  std::string name;
  std::vector<std::int64_t> shape;
  std::vector<double> values;
};

struct CheckpointData {
  std::vector<NamedTensor> parameters;
  std::vector<NamedTensor> buffers;          ///< BatchNorm running statistics and the like
  std::vector<NamedTensor> optimizer_state;  ///< e.g. "adam.exp_avg.fc0.weight"
  std::string optimizer;                     ///< "adam", "sgd", ...
  std::int64_t optimizer_step = 0;
  std::string scheduler = "none";
  int scheduler_last_epoch = 0;
  std::vector<NamedTensor> scheduler_state;  ///< scalars, e.g. "plateau.best" (shape {})
  int epoch = -1;                           ///< last finished epoch (0-based); -1 = none
  int next_batch = 0;  ///< training batches of epoch + 1 already done (a run stopped mid-epoch)
  double max_test_acc = -1.0;               ///< best test accuracy so far (fraction), -1 = none
  bool single_precision = true;             ///< store values as float32 (else float64)
  std::map<std::string, std::string> args;  ///< the run's arguments
};

constexpr const char* kCheckpointFormat = "snn-checkpoint";
constexpr int kCheckpointVersion = 2;

/// Writes `data` to `path` atomically (temporary file, fsync, rename): an interrupted write leaves
/// the previous file intact. IoError if the folder is missing or not writable.
void write_checkpoint(const std::string& path, const CheckpointData& data);

/// Writes the checkpoint to `path` directly (no temporary; write_checkpoint's worker).
void write_checkpoint_file(const std::string& path, const CheckpointData& data);

/// Reads a checkpoint. IoError for a missing or unreadable file; FormatError for a file that is
/// not HDF5, an HDF5 file that is not an snn checkpoint (no format marker), a newer version, a
/// checksum mismatch, a dataset that is not float32/float64 or whose shape exceeds the file, or
/// counters out of range.
CheckpointData read_checkpoint(const std::string& path);

/// The tensor named `name` in `list`, checked against `shape`. FormatError naming `where` (the
/// file), the tensor and both shapes if it is missing or shaped differently.
const NamedTensor& find_tensor(const std::vector<NamedTensor>& list, const std::string& name,
                               const std::vector<std::int64_t>& shape, const std::string& where);

/// Checks that `list` has exactly the names in `names` (FormatError naming `what` and the first
/// extra or missing one otherwise).
void require_same_names(const std::vector<NamedTensor>& list, const std::vector<std::string>& names,
                        const std::string& what, const std::string& where);

}  // namespace snn::io
