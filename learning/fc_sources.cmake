# Fully-connected learning core: surrogates, IF/LIF, Linear/Flatten, encoders, the fused
# Poisson→Linear→neuron path, Sequential, Classifier, fc_network.
list(APPEND SNN_LEARNING_SOURCES
  surrogate/surrogate.cpp
  neurons/neuron.cu
  neurons/neuron_pooled.cu
  neurons/lif.cu
  neurons/if_neuron.cu
  layers/linear.cu
  layers/flatten.cu
  layers/poisson_linear.cu
  layers/poisson_linear/forward.cu
  layers/poisson_linear/backward.cu
  encoding/encoders.cu
  model/sequential.cu
  model/classifier.cu
  model/fc_network.cu)
