# Convolutional/residual layers: convolution, normalisation, pooling, dropout, residual blocks and
# the ResNet builder.
list(APPEND SNN_LEARNING_SOURCES
  layers/conv2d.cu
  layers/batch_norm.cu
  layers/layer_norm.cu
  layers/local_response_norm.cu
  layers/weight_norm.cu
  layers/pooling.cu
  layers/dropout.cu
  layers/unflatten.cu
  blocks/block_common.cu
  blocks/spiking_resnet_block.cu
  blocks/sew_resnet_block.cu
  model/resnet_builder.cu
  model/model_file.cpp
  model/model_file_build.cu
)
