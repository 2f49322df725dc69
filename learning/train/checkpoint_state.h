// Conversion between a model's named tensors (learning/core/parameter.h) and io/checkpoint.h's
// host-side NamedTensor lists, with the name and shape checks that make a checkpoint of another
// network fail clearly instead of loading garbage.
#pragma once

#include <string>
#include <vector>

#include "io/checkpoint.h"
#include "learning/core/parameter.h"

namespace snn::learning {

template <class T>
io::NamedTensor to_named(const std::string& name, const Tensor<T>& t) {
  io::NamedTensor out;
  out.name = name;
  out.shape.assign(t.shape().begin(), t.shape().end());
  std::vector<T> host = t.to_host();
  out.values.assign(host.begin(), host.end());
  return out;
}

template <class T>
std::vector<io::NamedTensor> to_named(const ParameterList<T>& list) {
  std::vector<io::NamedTensor> out;
  for (const Parameter<T>* p : list) out.push_back(to_named(p->name, p->value));
  return out;
}

template <class T>
std::vector<io::NamedTensor> to_named(const BufferList<T>& list) {
  std::vector<io::NamedTensor> out;
  for (const Buffer<T>* b : list) out.push_back(to_named(b->name, b->value));
  return out;
}

/// Copies `saved` into `t` after checking its shape (FormatError naming `where` otherwise).
template <class T>
void load_named(const std::vector<io::NamedTensor>& saved, const std::string& name, Tensor<T>& t,
                const std::string& where) {
  const io::NamedTensor& n = io::find_tensor(saved, name, Shape(t.shape().begin(), t.shape().end()), where);
  t.from_host(t.shape(), std::vector<T>(n.values.begin(), n.values.end()));
}

/// Checks the shape of every tensor of `list` that `saved` holds (a shape mismatch is the
/// clearest message when a checkpoint of another network is loaded).
template <class List>
void check_shapes(const std::vector<io::NamedTensor>& saved, const List& list, const std::string& where) {
  for (const auto* item : list)
    for (const io::NamedTensor& n : saved)
      if (n.name == item->name)
        io::find_tensor(saved, item->name, Shape(item->value.shape().begin(), item->value.shape().end()), where);
}

/// Loads every parameter (exactly the model's names, shapes checked).
template <class T>
void load_named(const std::vector<io::NamedTensor>& saved, const ParameterList<T>& list, const std::string& what,
                const std::string& where) {
  std::vector<std::string> names;
  for (const Parameter<T>* p : list) names.push_back(p->name);
  check_shapes(saved, list, where);
  io::require_same_names(saved, names, what, where);
  for (Parameter<T>* p : list) load_named(saved, p->name, p->value, where);
}

template <class T>
void load_named(const std::vector<io::NamedTensor>& saved, const BufferList<T>& list, const std::string& what,
                const std::string& where) {
  std::vector<std::string> names;
  for (const Buffer<T>* b : list) names.push_back(b->name);
  check_shapes(saved, list, where);
  io::require_same_names(saved, names, what, where);
  for (Buffer<T>* b : list) load_named(saved, b->name, b->value, where);
}

}  // namespace snn::learning
