// Initialisation on the host in double (drawn once per run), then copied to the parameter.
#include "learning/init/init.h"

#include <cmath>
#include <vector>

#include "sim/core/errors.h"
#include "sim/core/random_dist.h"
#include "sim/core/rng.h"

namespace snn::learning {

namespace {

constexpr std::uint32_t kInitStream = 0x494e4954u;  // "INIT"

struct Fans {
  double in, out;
};

Fans fans_of(const Shape& s) {
  double receptive = 1;
  for (std::size_t d = 2; d < s.size(); ++d) receptive *= static_cast<double>(s[d]);
  return {static_cast<double>(s[1]) * receptive, static_cast<double>(s[0]) * receptive};
}

/// n standard normals (element i from draw (index, i)).
std::vector<double> normals(std::int64_t n, std::uint64_t seed, std::uint32_t index) {
  CounterRng rng{seed, kInitStream};
  std::vector<double> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i)
    v[i] = standard_normal(
        rng.draw(index, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i >> 32), 1));
  return v;
}

/// n values of U(−bound, bound).
std::vector<double> uniforms(std::int64_t n, double bound, std::uint64_t seed,
                             std::uint32_t index) {
  CounterRng rng{seed, kInitStream};
  std::vector<double> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    const Random4 r =
        rng.draw(index, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i >> 32), 2);
    v[i] = (2.0 * uniform01_double(r.w[0], r.w[1]) - 1.0) * bound;
  }
  return v;
}

/// gain·Q for the rows × cols matrix of normals, as torch.nn.init.orthogonal_: QR of the tall
/// orientation (modified Gram–Schmidt, applied twice for orthogonality to rounding: R's diagonal
/// is the positive norms, which is torch's sign fix), transposed back when rows < cols.
std::vector<double> orthogonal(std::int64_t rows, std::int64_t cols, double gain,
                               std::uint64_t seed, std::uint32_t index) {
  const std::vector<double> a = normals(rows * cols, seed, index);
  const bool wide = rows < cols;
  const std::int64_t m = wide ? cols : rows, n = wide ? rows : cols;  // tall m × n, m >= n
  // Column-major copy of the tall matrix: column j holds m values.
  std::vector<double> q(static_cast<std::size_t>(m * n));
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c) {
      const double v = a[r * cols + c];
      if (wide)
        q[r * m + c] = v;  // transposed: column r of length cols
      else
        q[c * m + r] = v;
    }
  for (std::int64_t j = 0; j < n; ++j) {
    double* qj = &q[j * m];
    for (int pass = 0; pass < 2; ++pass)
      for (std::int64_t k = 0; k < j; ++k) {
        const double* qk = &q[k * m];
        double dot = 0;
        for (std::int64_t i = 0; i < m; ++i) dot += qk[i] * qj[i];
        for (std::int64_t i = 0; i < m; ++i) qj[i] -= dot * qk[i];
      }
    double norm = 0;
    for (std::int64_t i = 0; i < m; ++i) norm += qj[i] * qj[i];
    norm = std::sqrt(norm);
    require(norm > 0, "orthogonal init: a degenerate random matrix (draw again with another seed)");
    for (std::int64_t i = 0; i < m; ++i) qj[i] /= norm;
  }
  std::vector<double> out(static_cast<std::size_t>(rows * cols));
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c)
      out[r * cols + c] = gain * (wide ? q[r * m + c] : q[c * m + r]);
  return out;
}

}  // namespace

double calculate_gain(const std::string& nl, double a) {
  if (nl == "linear" || nl == "sigmoid" || nl.rfind("conv", 0) == 0) return 1.0;
  if (nl == "tanh") return 5.0 / 3.0;
  if (nl == "relu") return std::sqrt(2.0);
  if (nl == "leaky_relu") return std::sqrt(2.0 / (1.0 + a * a));
  if (nl == "selu") return 0.75;
  throw InvalidParameter("unknown nonlinearity '" + nl +
                         "' (expected linear, sigmoid, tanh, relu, leaky_relu or selu)");
}

void validate(const InitOptions& o) {
  const std::string& s = o.scheme;
  require(s == "default" || s == "normal" || s == "uniform" || s == "xavier_uniform" ||
              s == "xavier_normal" || s == "kaiming_uniform" || s == "kaiming_normal" ||
              s == "orthogonal",
          "unknown init '" + s +
              "' (expected default, normal, uniform, xavier_uniform, xavier_normal, "
              "kaiming_uniform, kaiming_normal or orthogonal)");
  require(o.stddev > 0, "init std must be > 0, got " + num(o.stddev));
  require(o.bound > 0, "init bound must be > 0, got " + num(o.bound));
  require(o.gain >= 0, "init gain must be >= 0, got " + num(o.gain));
  require(o.mode == "fan_in" || o.mode == "fan_out",
          "init mode must be fan_in or fan_out, got '" + o.mode + "'");
  calculate_gain(o.nonlinearity, o.a);
}

template <class T>
void initialize(Parameter<T>& p, const InitOptions& o, std::uint64_t seed, std::uint32_t index) {
  validate(o);
  if (o.scheme == "default") return;
  const Shape shape = p.value.shape();
  require(shape.size() >= 2, "init '" + o.scheme + "' needs a weight of two or more dimensions, '" +
                                 p.name + "' is " + shape_string(shape));
  const std::int64_t n = p.value.size();
  const Fans f = fans_of(shape);
  std::vector<double> v;
  if (o.scheme == "normal") {
    v = normals(n, seed, index);
    for (double& x : v) x *= o.stddev;
  } else if (o.scheme == "uniform") {
    v = uniforms(n, o.bound, seed, index);
  } else if (o.scheme == "xavier_uniform") {
    v = uniforms(n, o.gain * std::sqrt(6.0 / (f.in + f.out)), seed, index);
  } else if (o.scheme == "xavier_normal") {
    v = normals(n, seed, index);
    const double sd = o.gain * std::sqrt(2.0 / (f.in + f.out));
    for (double& x : v) x *= sd;
  } else if (o.scheme == "kaiming_uniform" || o.scheme == "kaiming_normal") {
    const double fan = o.mode == "fan_in" ? f.in : f.out;
    const double sd = calculate_gain(o.nonlinearity, o.a) / std::sqrt(fan);
    if (o.scheme == "kaiming_uniform") {
      v = uniforms(n, std::sqrt(3.0) * sd, seed, index);
    } else {
      v = normals(n, seed, index);
      for (double& x : v) x *= sd;
    }
  } else {  // orthogonal
    v = orthogonal(shape[0], n / shape[0], o.gain, seed, index);
  }
  p.value.from_host(shape, std::vector<T>(v.begin(), v.end()));
}

template <class T>
int initialize(const ParameterList<T>& params, const InitOptions& o, std::uint64_t seed) {
  validate(o);
  if (o.scheme == "default") return 0;
  int count = 0;
  for (std::size_t k = 0; k < params.size(); ++k) {
    if (params[k]->value.shape().size() < 2) continue;
    initialize(*params[k], o, seed, static_cast<std::uint32_t>(k));
    ++count;
  }
  return count;
}

template int initialize<float>(const ParameterList<float>&, const InitOptions&, std::uint64_t);
template int initialize<double>(const ParameterList<double>&, const InitOptions&, std::uint64_t);
template void initialize<float>(Parameter<float>&, const InitOptions&, std::uint64_t,
                                std::uint32_t);
template void initialize<double>(Parameter<double>&, const InitOptions&, std::uint64_t,
                                 std::uint32_t);

}  // namespace snn::learning
