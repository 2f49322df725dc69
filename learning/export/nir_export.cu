// The NIR export: walks a Sequential body layer by layer, keeping the node(s) whose sum is the
// current tensor, its per-sample shape and whether it holds spikes only (0/1), which decides
// whether max pooling and the SEW AND/IAND connections map exactly.
#include <cmath>
#include <utility>

#include "learning/blocks/sew_resnet_block.h"
#include "learning/blocks/spiking_resnet_block.h"
#include "learning/export/nir_export.h"
#include "learning/layers/batch_norm.h"
#include "learning/layers/conv2d.h"
#include "learning/layers/dropout.h"
#include "learning/layers/flatten.h"
#include "learning/layers/linear.h"
#include "learning/layers/pooling.h"
#include "learning/layers/unflatten.h"
#include "learning/neurons/if_neuron.h"
#include "learning/neurons/lif.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace {

using io::NirArray;
using io::NirDType;
using io::NirNodeType;
using Dims = std::vector<std::int64_t>;

std::int64_t count(const Dims& s) {
  std::int64_t n = 1;
  for (auto d : s) n *= d;
  return n;
}

std::string dims_text(const Dims& s) {
  std::string out = "[";
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

/// NIR node names without dots: "layer1.0.conv1" → "layer1_0_conv1" (a dotted name reads as
/// "graph.node" to tools that follow NIR's subgraph convention, and torch module names refuse
/// dots).
std::string node_name(std::string s) {
  for (char& c : s)
    if (c == '.') c = '_';
  return s;
}

/// The name of a parameter without its ".weight".
template <class T>
std::string stem_of(const Parameter<T>& p) {
  const std::string& n = p.name;
  const std::string suffix = ".weight";
  return n.size() > suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0
             ? n.substr(0, n.size() - suffix.size())
             : n;
}

template <class T>
std::vector<double> host(const Tensor<T>& t) {
  const std::vector<T> h = t.to_host();
  return std::vector<double>(h.begin(), h.end());
}

/// An eval-mode BatchNorm as y = a·x + b per channel: a = γ·scale/√(σ²+ε), b = β − a·μ, in double
/// (the folded weights are then rounded once, to float32).
template <class T>
struct BnAffine {
  std::vector<double> a, b;
  explicit BnAffine(BatchNorm<T>& bn) {
    const auto g = host(bn.weight().value), beta = host(bn.bias().value);
    const auto mean = host(bn.running_mean().value), var = host(bn.running_var().value);
    for (std::size_t c = 0; c < g.size(); ++c) {
      a.push_back(g[c] * bn.scale() / std::sqrt(var[c] + bn.eps()));
      b.push_back(beta[c] - a.back() * mean[c]);
    }
  }
};

/// The current tensor: the sum of `sources`' outputs, shaped `shape` per sample.
struct Cur {
  std::vector<std::string> sources;
  Dims shape;
  bool spikes = false;  ///< every value is 0 or 1
};

template <class T>
class Exporter {
 public:
  explicit Exporter(const NirExportOptions& o) : opt_(o) {
    require(o.dt > 0, "NIR export: dt must be > 0 s, got " + num(o.dt));
    require(!o.input_shape.empty() && count(o.input_shape) > 0,
            "NIR export: the input shape must be given (e.g. {1, 28, 28})");
  }

  io::NirGraph run(Sequential<T>& body) {
    add("input", NirNodeType::Input, {{"shape", NirArray::integers(opt_.input_shape)}}, {});
    Cur cur{{"input"}, opt_.input_shape, opt_.encoder == "poisson"};
    for (std::size_t i = 0; i < body.size();) i = layer(body, i, cur);
    add("output", NirNodeType::Output, {{"shape", NirArray::integers(cur.shape)}}, cur.sources);
    metadata();
    return std::move(g_);
  }

 private:
  const NirExportOptions& opt_;
  io::NirGraph g_;
  std::string where_;  // "(i) Layer(...)" of the layer being exported

  [[noreturn]] void refuse(const std::string& why) const {
    throw InvalidParameter("NIR export: layer " + where_ + ": " + why);
  }

  std::string unique(const std::string& base) const {
    std::string name = node_name(base);
    for (int k = 1; g_.find(name); ++k) name = node_name(base) + "_" + std::to_string(k);
    return name;
  }

  /// Adds a node fed by every source (edges into one node sum).
  std::string add(const std::string& base, NirNodeType type,
                  std::vector<std::pair<std::string, NirArray>> params,
                  const std::vector<std::string>& sources) {
    io::NirNode n;
    n.name = unique(base);
    n.type = type;
    for (auto& p : params) n.params[p.first] = std::move(p.second);
    for (const std::string& s : sources) g_.edges.push_back({s, n.name});
    g_.nodes.push_back(std::move(n));
    return g_.nodes.back().name;
  }

  /// Neuron, threshold and scale constants in float64, as SpikingJelly's export writes them
  /// (np.full of a Python float), so that tau·dt divides back to tau as in its importer.
  NirArray full(const Dims& shape, double v) const {
    return NirArray::tensor(shape, std::vector<double>(std::size_t(count(shape)), v),
                            NirDType::Float64);
  }

  /// Conv2d (and the BatchNorm after it, if any) as one NIR Conv2d.
  std::string conv(Conv2d<T>& c, BatchNorm<T>* bn, Cur& cur, const std::string& name) {
    if (cur.shape.size() != 3 || cur.shape[0] != c.in_channels())
      refuse("input " + dims_text(cur.shape) + " is not [" + std::to_string(c.in_channels()) +
             ", H, W]");
    const Dims w_shape = c.weight().value.shape();
    std::vector<double> w = host(c.weight().value);
    std::vector<double> b =
        c.bias() ? host(c.bias()->value) : std::vector<double>(std::size_t(c.out_channels()), 0.0);
    if (bn) fold(*bn, w, b);
    const Dims in_hw{cur.shape[1], cur.shape[2]};
    const std::string n =
        add(name, NirNodeType::Conv2d,
            {{"input_shape", NirArray::integers(in_hw)},
             {"weight", NirArray::tensor(w_shape, std::move(w), NirDType::Float32)},
             {"stride", NirArray::integers({c.stride(), c.stride()})},
             {"padding", NirArray::integers({c.padding(), c.padding()})},
             {"dilation", NirArray::integers({1, 1})},
             {"groups", NirArray::integer(1)},
             {"bias", NirArray::tensor({c.out_channels()}, std::move(b), NirDType::Float32)}},
            cur.sources);
    cur = Cur{{n},
              {c.out_channels(), c.out_size(int(cur.shape[1])), c.out_size(int(cur.shape[2]))},
              false};
    return n;
  }

  /// w [Cout, ...] and b [Cout] of the layer before `bn`, with bn applied after them.
  void fold(BatchNorm<T>& bn, std::vector<double>& w, std::vector<double>& b) {
    const BnAffine<T> f(bn);
    if (f.a.size() != b.size())
      refuse("BatchNorm has " + std::to_string(f.a.size()) + " channels, the layer before it " +
             std::to_string(b.size()));
    const std::size_t per = w.size() / b.size();
    for (std::size_t o = 0; o < b.size(); ++o) {
      for (std::size_t k = 0; k < per; ++k) w[o * per + k] *= f.a[o];
      b[o] = f.a[o] * b[o] + f.b[o];
    }
  }

  /// A BatchNorm with no layer before it to fold into: a 1×1 convolution with a diagonal weight
  /// (images) or an Affine with a diagonal matrix (vectors), exactly y = a·x + b per channel.
  std::string batch_norm(BatchNorm<T>& bn, Cur& cur, const std::string& name) {
    const BnAffine<T> f(bn);
    const auto C = std::int64_t(f.a.size());
    if (cur.shape.empty() || cur.shape[0] != C)
      refuse("input " + dims_text(cur.shape) + " does not have " + std::to_string(C) +
             " channels first");
    std::vector<double> w(std::size_t(C * C), 0.0);
    for (std::int64_t c = 0; c < C; ++c) w[std::size_t(c * C + c)] = f.a[std::size_t(c)];
    std::string n;
    if (cur.shape.size() == 3) {
      n = add(name, NirNodeType::Conv2d,
              {{"input_shape", NirArray::integers({cur.shape[1], cur.shape[2]})},
               {"weight", NirArray::tensor({C, C, 1, 1}, std::move(w), NirDType::Float32)},
               {"stride", NirArray::integers({1, 1})},
               {"padding", NirArray::integers({0, 0})},
               {"dilation", NirArray::integers({1, 1})},
               {"groups", NirArray::integer(1)},
               {"bias", NirArray::tensor({C}, f.b, NirDType::Float32)}},
              cur.sources);
    } else if (cur.shape.size() == 1) {
      n = add(name, NirNodeType::Affine,
              {{"weight", NirArray::tensor({C, C}, std::move(w), NirDType::Float32)},
               {"bias", NirArray::tensor({C}, f.b, NirDType::Float32)}},
              cur.sources);
    } else {
      refuse("BatchNorm over " + dims_text(cur.shape) + " has no NIR form");
    }
    cur = Cur{{n}, cur.shape, false};
    return n;
  }

  /// Linear (and a BatchNorm1d after it) as NIR Linear or Affine.
  void linear(Linear<T>& l, BatchNorm<T>* bn, Cur& cur) {
    if (cur.shape != Dims{l.in_features()})
      refuse("input " + dims_text(cur.shape) + " is not [" + std::to_string(l.in_features()) + "]");
    std::vector<double> w = host(l.weight().value);
    const Dims shape{l.out_features(), l.in_features()};
    const std::string name = stem_of(l.weight());
    std::string n;
    if (!l.has_bias() && !bn) {
      n = add(name, NirNodeType::Linear,
              {{"weight", NirArray::tensor(shape, std::move(w), NirDType::Float32)}}, cur.sources);
    } else {
      std::vector<double> b = l.has_bias()
                                  ? host(l.bias().value)
                                  : std::vector<double>(std::size_t(l.out_features()), 0.0);
      if (bn) fold(*bn, w, b);
      n = add(name, NirNodeType::Affine,
              {{"weight", NirArray::tensor(shape, std::move(w), NirDType::Float32)},
               {"bias", NirArray::tensor({l.out_features()}, std::move(b), NirDType::Float32)}},
              cur.sources);
    }
    cur = Cur{{n}, {l.out_features()}, false};
  }

  /// SpikingJelly's LIF mapping (see the header).
  std::string lif(const LIF<T>& neuron, Cur& cur, const std::string& name) {
    const LIFParams& p = neuron.params();
    const double v_reset = p.hard_reset ? p.v_reset : 0.0;
    const std::string n = add(name, NirNodeType::LIF,
                              {{"tau", full(cur.shape, p.tau * opt_.dt)},
                               {"r", full(cur.shape, p.decay_input ? 1.0 : p.tau)},
                               {"v_leak", full(cur.shape, v_reset)},
                               {"v_threshold", full(cur.shape, p.v_threshold)},
                               {"v_reset", full(cur.shape, v_reset)}},
                              cur.sources);
    if (!p.hard_reset) g_.find(n)->metadata["reset"] = NirArray::string("subtract");
    cur = Cur{{n}, cur.shape, true};
    return n;
  }

  std::string if_node(const IF<T>& neuron, Cur& cur, const std::string& name) {
    const IFParams& p = neuron.params();
    const double v_reset = p.hard_reset ? p.v_reset : 0.0;
    const std::string n = add(name, NirNodeType::IF,
                              {{"r", full(cur.shape, 1.0 / opt_.dt)},
                               {"v_threshold", full(cur.shape, p.v_threshold)},
                               {"v_reset", full(cur.shape, v_reset)}},
                              cur.sources);
    if (!p.hard_reset) g_.find(n)->metadata["reset"] = NirArray::string("subtract");
    cur = Cur{{n}, cur.shape, true};
    return n;
  }

  /// Pooling windows [C, H, W] → [C, Ho, Wo].
  Dims pooled(const Cur& cur, int k, int s, int p) {
    if (cur.shape.size() != 3) refuse("input " + dims_text(cur.shape) + " is not [C, H, W]");
    return {cur.shape[0], (cur.shape[1] + 2 * p - k) / s + 1, (cur.shape[2] + 2 * p - k) / s + 1};
  }

  std::vector<std::pair<std::string, NirArray>> window(int k, int s, int p) {
    return {{"kernel_size", NirArray::integers({k, k})},
            {"stride", NirArray::integers({s, s})},
            {"padding", NirArray::integers({p, p})}};
  }

  /// Max pooling of spikes is their OR: a sum pool, then a threshold at 0.5 (exact for 0/1
  /// inputs; the zero padding adds nothing to the sum, as it is ignored by the max).
  void max_pool(const MaxPool2d<T>& m, Cur& cur, const std::string& base) {
    if (!cur.spikes)
      refuse(
          "NIR has no max pooling; it maps exactly (sum pool + threshold 0.5) only on spikes, and "
          "its input is not spike-valued");
    const Dims out = pooled(cur, m.kernel(), m.stride(), m.padding());
    const std::string sum = add(base + "_sum", NirNodeType::SumPool2d,
                                window(m.kernel(), m.stride(), m.padding()), cur.sources);
    const std::string thr =
        add(base + "_any", NirNodeType::Threshold, {{"threshold", full(out, 0.5)}}, {sum});
    cur = Cur{{thr}, out, true};
  }

  std::string block_name(const Parameter<T>& conv1_weight) {
    std::string s = stem_of(conv1_weight);  // "<block>.conv1"
    const std::size_t dot = s.rfind('.');
    return dot == std::string::npos ? s : s.substr(0, dot);
  }

  void spiking_block(SpikingResNetBlock<T>& b, Cur& cur) {
    const std::string name = block_name(b.conv1().weight());
    const Cur x = cur;
    Cur main = x;
    conv(b.conv1(), &b.bn1(), main, name + ".conv1");
    lif(b.sn1(), main, name + ".sn1");
    conv(b.conv2(), &b.bn2(), main, name + ".conv2");
    Cur shortcut = x;
    if (b.down())
      conv(*b.down(), &b.bn_short(), shortcut, name + ".down");
    else if (b.has_shortcut_bn())
      batch_norm(b.bn_short(), shortcut, name + ".short");
    if (shortcut.shape != main.shape)
      refuse("shortcut " + dims_text(shortcut.shape) + " vs main " + dims_text(main.shape));
    Cur sum{{main.sources[0], shortcut.sources[0]}, main.shape, false};  // two edges into sn2 add
    lif(b.sn2(), sum, name + ".sn2");
    cur = sum;
  }

  void sew_block(SewResNetBlock<T>& b, Cur& cur) {
    const std::string name = block_name(b.conv1().weight());
    const Cur x = cur;
    Cur o = x;
    conv(b.conv1(), &b.bn1(), o, name + ".conv1");
    lif(b.sn1(), o, name + ".sn1");
    conv(b.conv2(), &b.bn2(), o, name + ".conv2");
    lif(b.sn2(), o, name + ".sn2");
    Cur id = x;
    if (b.down()) {
      conv(*b.down(), b.bn_down(), id, name + ".down");
      lif(*b.sn_down(), id, name + ".down_sn");
    }
    if (id.shape != o.shape)
      refuse("identity " + dims_text(id.shape) + " vs block output " + dims_text(o.shape));
    std::vector<std::string> both = o.sources;
    both.insert(both.end(), id.sources.begin(), id.sources.end());
    switch (b.connect()) {
      case SewConnect::Add:  // O + id: a Scale of ones where the two edges sum
        cur = Cur{{add(name + ".add", NirNodeType::Scale, {{"scale", full(o.shape, 1.0)}}, both)},
                  o.shape,
                  false};
        break;
      case SewConnect::And:  // O·id = Θ(O + id − 1.5) for spikes
        if (!id.spikes)
          refuse(
              "SEW AND maps exactly (threshold 1.5 on O + id) only on spikes, and the identity is "
              "not spike-valued");
        cur = Cur{
            {add(name + ".and", NirNodeType::Threshold, {{"threshold", full(o.shape, 1.5)}}, both)},
            o.shape,
            true};
        break;
      case SewConnect::IAnd: {  // (1 − O)·id = Θ(id − O − 0.5) for spikes
        if (!id.spikes)
          refuse(
              "SEW IAND maps exactly (threshold 0.5 on id − O) only on spikes, and the identity is "
              "not spike-valued");
        const std::string neg =
            add(name + ".not", NirNodeType::Scale, {{"scale", full(o.shape, -1.0)}}, o.sources);
        std::vector<std::string> in = id.sources;
        in.push_back(neg);
        cur = Cur{
            {add(name + ".iand", NirNodeType::Threshold, {{"threshold", full(o.shape, 0.5)}}, in)},
            o.shape,
            true};
        break;
      }
    }
  }

  /// Exports layer i (and a BatchNorm folded into it); returns the next layer's index.
  std::size_t layer(Sequential<T>& body, std::size_t i, Cur& cur) {
    Layer<T>* l = &body.layer(i);
    where_ = "(" + std::to_string(i) + ") " + l->describe();
    auto* next_bn = i + 1 < body.size() ? dynamic_cast<BatchNorm<T>*>(&body.layer(i + 1)) : nullptr;
    const std::string last = cur.sources.size() == 1 ? cur.sources[0] : "sum";
    if (auto* c = dynamic_cast<Conv2d<T>*>(l)) {
      conv(*c, next_bn, cur, stem_of(c->weight()));
      return i + (next_bn ? 2 : 1);
    }
    if (auto* ln = dynamic_cast<Linear<T>*>(l)) {
      linear(*ln, next_bn, cur);
      return i + (next_bn ? 2 : 1);
    }
    if (auto* bn = dynamic_cast<BatchNorm<T>*>(l)) {
      batch_norm(*bn, cur, "bn" + std::to_string(i));
    } else if (auto* n = dynamic_cast<LIF<T>*>(l)) {
      lif(*n, cur, last + "_lif");
    } else if (auto* n = dynamic_cast<IF<T>*>(l)) {
      if_node(*n, cur, last + "_if");
    } else if (auto* m = dynamic_cast<MaxPool2d<T>*>(l)) {
      max_pool(*m, cur, "maxpool" + std::to_string(i));
    } else if (auto* a = dynamic_cast<AvgPool2d<T>*>(l)) {
      const Dims out = pooled(cur, a->kernel(), a->stride(), a->padding());
      cur = Cur{{add("avgpool" + std::to_string(i), NirNodeType::AvgPool2d,
                     window(a->kernel(), a->stride(), a->padding()), cur.sources)},
                out,
                false};
    } else if (dynamic_cast<GlobalAvgPool<T>*>(l)) {
      if (cur.shape.size() != 3 || cur.shape[1] != cur.shape[2])
        refuse("global average pooling of " + dims_text(cur.shape) +
               " needs a square [C, H, H] map in NIR's AvgPool2d");
      const int k = int(cur.shape[1]);
      const std::string pool =
          add("gap" + std::to_string(i), NirNodeType::AvgPool2d, window(k, k, 0), cur.sources);
      const Dims pooled_shape{cur.shape[0], 1, 1};
      const std::string flat = add("gap" + std::to_string(i) + "_flatten", NirNodeType::Flatten,
                                   {{"start_dim", NirArray::integer(0)},
                                    {"end_dim", NirArray::integer(-1)},
                                    {"input_type", NirArray::integers(pooled_shape)}},
                                   {pool});
      cur = Cur{{flat}, {cur.shape[0]}, false};
    } else if (dynamic_cast<Flatten<T>*>(l)) {
      if (cur.shape.size() > 1) {
        const std::string f = add("flatten" + std::to_string(i), NirNodeType::Flatten,
                                  {{"start_dim", NirArray::integer(0)},
                                   {"end_dim", NirArray::integer(-1)},
                                   {"input_type", NirArray::integers(cur.shape)}},
                                  cur.sources);
        cur = Cur{{f}, {count(cur.shape)}, cur.spikes};
      }
    } else if (auto* u = dynamic_cast<Unflatten<T>*>(l)) {
      if (Dims(u->inner().begin(), u->inner().end()) != cur.shape)
        refuse("NIR has no reshape: the input shape " + dims_text(cur.shape) + " must already be " +
               dims_text(u->inner()));
    } else if (dynamic_cast<Dropout<T>*>(l)) {
      // the identity at inference
    } else if (auto* b = dynamic_cast<SpikingResNetBlock<T>*>(l)) {
      spiking_block(*b, cur);
    } else if (auto* b = dynamic_cast<SewResNetBlock<T>*>(l)) {
      sew_block(*b, cur);
    } else {
      refuse("no NIR form for this layer");
    }
    return i + 1;
  }

  void metadata() {
    auto& md = g_.metadata;
    md["producer"] = NirArray::string(opt_.producer);
    md["dt"] = NirArray::scalar(opt_.dt);
    md["threshold_comparison"] = NirArray::string(">=");  // SpikingJelly's Θ(H - v_th): H >= v_th
    md["integrator"] = NirArray::string("forward euler, charge-fire-reset within a step");
    if (opt_.steps > 0) md["steps"] = NirArray::integer(opt_.steps);
    if (!opt_.encoder.empty()) md["encoder"] = NirArray::string(opt_.encoder);
  }
};

}  // namespace

template <class T>
io::NirGraph export_nir(Sequential<T>& body, const NirExportOptions& options) {
  io::NirGraph g = Exporter<T>(options).run(body);
  io::check_and_infer_shapes(g);  // our shapes agree with NIR's inference along the edges
  return g;
}

template <class T>
io::NirGraph export_nir(Classifier<T>& model, NirExportOptions options) {
  options.encoder = model.encoder() == EncoderKind::Poisson ? "poisson" : "direct";
  return export_nir(model.body(), options);
}

template io::NirGraph export_nir<float>(Sequential<float>&, const NirExportOptions&);
template io::NirGraph export_nir<double>(Sequential<double>&, const NirExportOptions&);
template io::NirGraph export_nir<float>(Classifier<float>&, NirExportOptions);
template io::NirGraph export_nir<double>(Classifier<double>&, NirExportOptions);

}  // namespace snn::learning
