// Training traces: the SONATA spikes (SonataFile) and the arrays and attributes in one HDF5 file
// built in memory, then one atomic write.
#include "io/training_trace.h"

#include "io/atomic_file.h"
#include "io/hdf5_handle.h"
#include "io/hdf5_memory_file.h"
#include "io/sonata_file.h"
#include "sim/core/errors.h"

namespace snn::io {

void write_training_trace(const std::string& path, const TrainingTrace& trace) {
  const std::size_t n =
      static_cast<std::size_t>(trace.steps) * static_cast<std::size_t>(trace.classes);
  require(trace.steps > 0 && trace.classes > 0, "training trace: steps and classes must be > 0");
  require(trace.v.size() == n && trace.s.size() == n,
          "training trace: v and s must hold steps × classes = " + std::to_string(n) +
              " values, got " + std::to_string(trace.v.size()) + " and " +
              std::to_string(trace.s.size()));
  // Built in memory and written in one plain write (hdf5_memory_file.h): a full disk is one
  // error and never leaves a half-written file open inside HDF5.
  h5::MemoryFile file(/*checksummed=*/false);
  {
    SonataFile sonata(file.get(), path);
    sonata.add_spike_population("output", "step");
    std::vector<double> times;
    std::vector<std::uint64_t> ids;
    for (int t = 0; t < trace.steps; ++t)
      for (int c = 0; c < trace.classes; ++c)
        if (trace.s[static_cast<std::size_t>(t) * trace.classes + c] != 0.0f) {
          times.push_back(t);
          ids.push_back(static_cast<std::uint64_t>(c));
        }
    sonata.append_spikes("output", times.data(), ids.data(), times.size());
    sonata.close();
  }
  std::vector<hsize_t> dims = {static_cast<hsize_t>(trace.steps),
                               static_cast<hsize_t>(trace.classes)};
  {
    h5::Handle v = h5::write_dataset(file, "v_t_array", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, dims,
                                     trace.v.data());
    h5::set_attr(v, "units", std::string("1"));
    h5::Handle s = h5::write_dataset(file, "s_t_array", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, dims,
                                     trace.s.data());
    h5::set_attr(s, "units", std::string("1"));
  }
  h5::set_attr(file, "label", static_cast<std::int64_t>(trace.label));
  h5::set_attr(file, "predicted", static_cast<std::int64_t>(trace.predicted));
  h5::set_attr(file, "image_index", static_cast<std::int64_t>(trace.image_index));
  h5::set_attr(file, "T", static_cast<std::int64_t>(trace.steps));
  h5::set_attr(file, "classes", static_cast<std::int64_t>(trace.classes));
  h5::set_attr(file, "tau", trace.tau);
  h5::set_attr(file, "v_threshold", trace.v_threshold);
  h5::set_attr(file, "dt", std::string("1 step"));
  write_atomically(path, [&](const std::string& tmp) { file.save(tmp); });
}

TrainingTrace read_training_trace(const std::string& path) {
  h5::Handle file = h5::open_file_read(path);
  std::string where = "trace '" + path + "'";
  TrainingTrace t;
  t.steps = static_cast<int>(h5::get_attr_int(file, "T", where));
  t.classes = static_cast<int>(h5::get_attr_int(file, "classes", where));
  t.label = static_cast<int>(h5::get_attr_int(file, "label", where));
  t.predicted = static_cast<int>(h5::get_attr_int(file, "predicted", where));
  t.image_index = static_cast<int>(h5::get_attr_int(file, "image_index", where));
  t.tau = h5::get_attr_double(file, "tau", where);
  t.v_threshold = h5::get_attr_double(file, "v_threshold", where);
  for (auto [name, out] :
       {std::pair<const char*, std::vector<float>*>{"v_t_array", &t.v}, {"s_t_array", &t.s}}) {
    if (!h5::exists(file, name))
      throw FormatError(where + ": dataset '" + std::string(name) + "' is missing");
    h5::Handle ds(H5Dopen2(file, name, H5P_DEFAULT));
    auto dims = h5::dataset_dims(ds);
    if (dims.size() != 2 || dims[0] != static_cast<hsize_t>(t.steps) ||
        dims[1] != static_cast<hsize_t>(t.classes))
      throw FormatError(where + ": '" + std::string(name) + "' is not [T × classes]");
    out->resize(dims[0] * dims[1]);
    h5::read_dataset(ds, H5T_NATIVE_FLOAT, out->data(), where);
  }
  return t;
}

}  // namespace snn::io
