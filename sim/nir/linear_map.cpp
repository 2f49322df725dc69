// The linear NIR nodes as sparse maps, and their composition (see linear_map.h).
#include "sim/nir/linear_map.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "sim/core/errors.h"

namespace snn::sim::nir {
namespace {

using io::NirArray;
using io::NirNode;
using io::NirNodeType;

struct Ctx {
  const NirNode& node;
  const std::string& file;
  [[noreturn]] void fail(const std::string& field, const std::string& what) const {
    throw FormatError((file.empty() ? std::string("NIR graph") : file) + ": node '" + node.name +
                      "' (" + io::nir_type_name(node.type) + "): " + field + ": " + what);
  }
  const NirArray& p(const std::string& field) const { return node.param(field, file); }
};

/// A 1- or 2-vector (or scalar) integer parameter as `n` values.
std::vector<std::int64_t> ints(const Ctx& c, const std::string& field, int n, std::int64_t dflt) {
  if (!c.node.has(field)) return std::vector<std::int64_t>(n, dflt);
  const NirArray& a = c.p(field);
  if (a.is_string()) c.fail(field, "expected numbers, got '" + a.text + "'");
  std::vector<std::int64_t> v;
  for (double x : a.values) v.push_back(static_cast<std::int64_t>(std::llround(x)));
  if (v.size() == 1) v.assign(n, v[0]);
  if (static_cast<int>(v.size()) != n)
    c.fail(field, "expected " + std::to_string(n) + " values, got " + std::to_string(v.size()));
  return v;
}

/// Padding: numbers, or "valid" (0) / "same" (half the dilated kernel, stride 1).
std::vector<std::int64_t> padding(const Ctx& c, int n, const std::vector<std::int64_t>& k,
                                  const std::vector<std::int64_t>& d) {
  if (c.node.has("padding") && c.p("padding").is_string()) {
    const std::string& s = c.p("padding").text;
    std::vector<std::int64_t> p(n, 0);
    if (s == "same")
      for (int i = 0; i < n; ++i) p[i] = d[i] * (k[i] - 1) / 2;
    else if (s != "valid")
      c.fail("padding", "expected 'same', 'valid' or numbers, got '" + s + "'");
    return p;
  }
  return ints(c, "padding", n, 0);
}

/// Convolution or pooling over `nd` spatial dims of an input [C, spatial...]: calls
/// tap(out_channel, in_channel, kernel_offset_flat, out_index, in_index).
struct Window {
  std::int64_t cin, cout, groups;
  std::vector<std::int64_t> in, k, stride, pad, dil, out;
};

template <class F>
void for_each_tap(const Window& w, bool depthwise, F&& f) {
  const int nd = static_cast<int>(w.in.size());
  const std::int64_t in_sp =
      std::accumulate(w.in.begin(), w.in.end(), std::int64_t{1}, std::multiplies<>());
  const std::int64_t out_sp =
      std::accumulate(w.out.begin(), w.out.end(), std::int64_t{1}, std::multiplies<>());
  const std::int64_t k_sp =
      std::accumulate(w.k.begin(), w.k.end(), std::int64_t{1}, std::multiplies<>());
  const std::int64_t cin_g = w.cin / w.groups, cout_g = w.cout / w.groups;
  std::vector<std::int64_t> o(nd), kk(nd);
  for (std::int64_t co = 0; co < w.cout; ++co) {
    const std::int64_t g = co / cout_g;
    const std::int64_t ci_lo = depthwise ? co : g * cin_g, ci_n = depthwise ? 1 : cin_g;
    for (std::int64_t os = 0; os < out_sp; ++os) {
      for (std::int64_t r = os, i = nd - 1; i >= 0; --i) o[i] = r % w.out[i], r /= w.out[i];
      for (std::int64_t ks = 0; ks < k_sp; ++ks) {
        for (std::int64_t r = ks, i = nd - 1; i >= 0; --i) kk[i] = r % w.k[i], r /= w.k[i];
        std::int64_t is = 0;
        bool inside = true;
        for (int i = 0; i < nd && inside; ++i) {
          const std::int64_t x = o[i] * w.stride[i] - w.pad[i] + kk[i] * w.dil[i];
          inside = x >= 0 && x < w.in[i];
          is = is * w.in[i] + x;
        }
        if (!inside) continue;
        for (std::int64_t cl = 0; cl < ci_n; ++cl)
          f(co, cl, ks, co * out_sp + os, (ci_lo + cl) * in_sp + is);
      }
    }
  }
}

/// Spatial input dims of a conv/pool node: the edge's shape [C, spatial...], or a flat shape
/// reshaped with the node's input_shape.
Shape spatial_input(const Ctx& c, const Shape& in, int nd, std::int64_t cin) {
  if (static_cast<int>(in.size()) == nd + 1) return in;
  if (c.node.has("input_shape")) {
    Shape s{cin};
    for (double x : c.p("input_shape").values) s.push_back(static_cast<std::int64_t>(x));
    if (static_cast<int>(s.size()) == nd + 1 && elements(s) == elements(in)) return s;
  }
  if (static_cast<int>(in.size()) == nd && !c.node.has("input_shape")) {
    Shape s{cin};
    s.insert(s.end(), in.begin(), in.end());
    if (elements(s) == elements(in) * cin) return s;
  }
  std::string t;
  for (auto x : in) t += (t.empty() ? "" : ",") + std::to_string(x);
  c.fail("input",
         "expected a [C, " + std::string(nd == 1 ? "N" : "H, W") + "] input, got [" + t + "]");
}

LinearMap conv(const Ctx& c, const Shape& in, int nd) {
  const NirArray& wt = c.p("weight");
  if (static_cast<int>(wt.shape.size()) != nd + 2)
    c.fail("weight", "expected " + std::to_string(nd + 2) + " dimensions");
  const std::int64_t groups = c.node.has("groups") ? std::llround(c.p("groups").values.at(0)) : 1;
  const std::int64_t cout = wt.shape[0], cin = wt.shape[1] * groups;
  Window w;
  w.cin = cin;
  w.cout = cout;
  w.groups = groups;
  Shape s = spatial_input(c, in, nd, cin);
  if (s[0] != cin)
    c.fail("weight",
           "expects " + std::to_string(cin) + " input channels, got " + std::to_string(s[0]));
  w.in.assign(s.begin() + 1, s.end());
  w.k.assign(wt.shape.begin() + 2, wt.shape.end());
  w.stride = ints(c, "stride", nd, 1);
  w.dil = ints(c, "dilation", nd, 1);
  w.pad = padding(c, nd, w.k, w.dil);
  LinearMap m;
  m.out_shape = {cout};
  for (int i = 0; i < nd; ++i) {
    const std::int64_t o = (w.in[i] + 2 * w.pad[i] - w.dil[i] * (w.k[i] - 1) - 1) / w.stride[i] + 1;
    if (o <= 0) c.fail("weight", "the kernel does not fit the input");
    w.out.push_back(o);
    m.out_shape.push_back(o);
  }
  m.n_in = elements(s);
  m.n_out = elements(m.out_shape);
  const std::int64_t k_sp = elements(Shape(w.k.begin(), w.k.end()));
  const std::int64_t cin_g = cin / groups;
  for_each_tap(
      w, false,
      [&](std::int64_t co, std::int64_t cl, std::int64_t ks, std::int64_t o, std::int64_t i) {
        const double v = wt.values[(co * cin_g + cl) * k_sp + ks];
        if (v != 0.0)
          m.entries.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(o), v, 0});
      });
  if (c.node.has("bias")) {
    const NirArray& b = c.p("bias");
    if (b.size() != static_cast<std::size_t>(cout) && b.size() != 1)
      c.fail("bias", "expected " + std::to_string(cout) + " values");
    const std::int64_t out_sp = m.n_out / cout;
    m.bias.assign(m.n_out, 0.0);
    for (std::int64_t o = 0; o < m.n_out; ++o) m.bias[o] = b.values[b.size() == 1 ? 0 : o / out_sp];
  }
  return m;
}

LinearMap pool(const Ctx& c, const Shape& in, bool average) {
  if (in.size() != 3) c.fail("input", "expected a [C, H, W] input");
  Window w;
  w.cin = w.cout = w.groups = in[0];
  w.in = {in[1], in[2]};
  w.k = ints(c, "kernel_size", 2, 1);
  w.stride = c.node.has("stride") ? ints(c, "stride", 2, 1) : w.k;
  w.dil = {1, 1};
  w.pad = padding(c, 2, w.k, w.dil);
  LinearMap m;
  m.out_shape = {in[0]};
  for (int i = 0; i < 2; ++i) {
    const std::int64_t o = (w.in[i] + 2 * w.pad[i] - (w.k[i] - 1) - 1) / w.stride[i] + 1;
    if (o <= 0) c.fail("kernel_size", "the window does not fit the input");
    w.out.push_back(o);
    m.out_shape.push_back(o);
  }
  m.n_in = elements(in);
  m.n_out = elements(m.out_shape);
  const double v = average ? 1.0 / static_cast<double>(w.k[0] * w.k[1]) : 1.0;
  for_each_tap(
      w, true, [&](std::int64_t, std::int64_t, std::int64_t, std::int64_t o, std::int64_t i) {
        m.entries.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(o), v, 0});
      });
  return m;
}

LinearMap dense(const Ctx& c, const Shape& in, bool with_bias) {
  const NirArray& wt = c.p("weight");
  if (wt.shape.size() != 2) c.fail("weight", "expected [out, in]");
  const std::int64_t n_out = wt.shape[0], n_in = wt.shape[1];
  if (elements(in) != n_in)
    c.fail("weight", "expects " + std::to_string(n_in) + " inputs, the edge brings " +
                         std::to_string(elements(in)));
  LinearMap m;
  m.n_in = n_in;
  m.n_out = n_out;
  m.out_shape = {n_out};
  for (std::int64_t o = 0; o < n_out; ++o)
    for (std::int64_t i = 0; i < n_in; ++i) {
      const double v = wt.values[o * n_in + i];
      if (v != 0.0)
        m.entries.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(o), v, 0});
    }
  if (with_bias && c.node.has("bias")) {
    const NirArray& b = c.p("bias");
    if (static_cast<std::int64_t>(b.size()) != n_out)
      c.fail("bias",
             "expected " + std::to_string(n_out) + " values, got " + std::to_string(b.size()));
    m.bias = b.values;
  }
  return m;
}

LinearMap diagonal(const Ctx& c, const Shape& in, const std::string& field, double dt_s) {
  const NirArray& a = c.p(field);
  const std::int64_t n = elements(in);
  if (static_cast<std::int64_t>(a.size()) != n && a.size() != 1)
    c.fail(field, "expected " + std::to_string(n) + " values, got " + std::to_string(a.size()));
  LinearMap m = identity_map(in);
  for (std::int64_t j = 0; j < n; ++j) {
    const double v = a.values[a.size() == 1 ? 0 : j];
    if (field == "scale") {
      m.entries[j].weight = v;
    } else {  // delay, s
      const double k = std::round(v / dt_s);
      if (!(k >= 0) || std::fabs(k * dt_s - v) > 1e-6 * std::max(dt_s, std::fabs(v)))
        c.fail(field, num(v) + " s is not a whole number of steps of dt " + num(dt_s) + " s");
      m.entries[j].delay = static_cast<int>(k);
    }
  }
  return m;
}

}  // namespace

std::int64_t elements(const Shape& s) {
  return std::accumulate(s.begin(), s.end(), std::int64_t{1}, std::multiplies<>());
}

bool is_linear(io::NirNodeType t) {
  switch (t) {
    case NirNodeType::Affine:
    case NirNodeType::Linear:
    case NirNodeType::Scale:
    case NirNodeType::Conv1d:
    case NirNodeType::Conv2d:
    case NirNodeType::SumPool2d:
    case NirNodeType::AvgPool2d:
    case NirNodeType::Flatten:
    case NirNodeType::Delay:
    case NirNodeType::Input:
    case NirNodeType::Output:
      return true;
    default:
      return false;
  }
}

LinearMap identity_map(const Shape& s) {
  LinearMap m;
  m.n_in = m.n_out = elements(s);
  m.out_shape = s;
  m.entries.reserve(m.n_in);
  for (std::int64_t j = 0; j < m.n_in; ++j)
    m.entries.push_back({static_cast<std::uint32_t>(j), static_cast<std::uint32_t>(j), 1.0, 0});
  return m;
}

LinearMap linear_map(const io::NirNode& node, const Shape& in, double dt_s,
                     const std::string& file) {
  const Ctx c{node, file};
  switch (node.type) {
    case NirNodeType::Affine:
      return dense(c, in, true);
    case NirNodeType::Linear:
      return dense(c, in, false);
    case NirNodeType::Scale:
      return diagonal(c, in, "scale", dt_s);
    case NirNodeType::Delay:
      return diagonal(c, in, "delay", dt_s);
    case NirNodeType::Conv1d:
      return conv(c, in, 1);
    case NirNodeType::Conv2d:
      return conv(c, in, 2);
    case NirNodeType::SumPool2d:
      return pool(c, in, false);
    case NirNodeType::AvgPool2d:
      return pool(c, in, true);
    case NirNodeType::Flatten: {
      LinearMap m = identity_map(in);
      m.out_shape = {elements(in)};
      return m;
    }
    case NirNodeType::Input:
    case NirNodeType::Output:
      return identity_map(in);
    default:
      c.fail("type", "not a linear node");
  }
}

void canonicalize(LinearMap& m) {
  auto key = [](const MapEntry& e) { return std::make_tuple(e.in, e.out, e.delay); };
  std::sort(m.entries.begin(), m.entries.end(),
            [&](const MapEntry& a, const MapEntry& b) { return key(a) < key(b); });
  std::size_t w = 0;
  for (std::size_t r = 0; r < m.entries.size(); ++r) {
    if (w > 0 && key(m.entries[w - 1]) == key(m.entries[r]))
      m.entries[w - 1].weight += m.entries[r].weight;
    else
      m.entries[w++] = m.entries[r];
  }
  m.entries.resize(w);
  m.entries.erase(std::remove_if(m.entries.begin(), m.entries.end(),
                                 [](const MapEntry& e) { return e.weight == 0.0; }),
                  m.entries.end());
}

LinearMap compose(const LinearMap& a, const LinearMap& b) {
  require(a.n_out == b.n_in, "composing NIR maps of " + std::to_string(a.n_out) + " and " +
                                 std::to_string(b.n_in) + " elements");
  // b's entries by input.
  std::vector<std::size_t> start(b.n_in + 1, 0);
  for (const MapEntry& e : b.entries) ++start[e.in + 1];
  for (std::int64_t i = 0; i < b.n_in; ++i) start[i + 1] += start[i];
  std::vector<std::size_t> order(b.entries.size()), fill(start.begin(), start.end() - 1);
  for (std::size_t q = 0; q < b.entries.size(); ++q) order[fill[b.entries[q].in]++] = q;
  LinearMap m;
  m.n_in = a.n_in;
  m.n_out = b.n_out;
  m.out_shape = b.out_shape;
  for (const MapEntry& e : a.entries)
    for (std::size_t q = start[e.out]; q < start[e.out + 1]; ++q) {
      const MapEntry& f = b.entries[order[q]];
      m.entries.push_back({e.in, f.out, e.weight * f.weight, e.delay + f.delay});
    }
  if (!a.bias.empty() || !b.bias.empty()) {
    m.bias = b.bias.empty() ? std::vector<double>(b.n_out, 0.0) : b.bias;
    if (!a.bias.empty())
      for (const MapEntry& f : b.entries) m.bias[f.out] += a.bias[f.in] * f.weight;
  }
  canonicalize(m);
  return m;
}

LinearMap sum(const LinearMap& a, const LinearMap& b) {
  require(a.n_in == b.n_in && a.n_out == b.n_out, "summing NIR maps of different sizes");
  LinearMap m = a;
  m.entries.insert(m.entries.end(), b.entries.begin(), b.entries.end());
  if (!b.bias.empty()) {
    if (m.bias.empty()) m.bias.assign(m.n_out, 0.0);
    for (std::int64_t j = 0; j < m.n_out; ++j) m.bias[j] += b.bias[j];
  }
  canonicalize(m);
  return m;
}

}  // namespace snn::sim::nir
