# Losses, optimizers and learning-rate schedulers (helper A2).
list(APPEND SNN_LEARNING_SOURCES
  loss/rate_loss.cu
  optim/optimizer.cu
  optim/sgd.cu
  optim/adam.cu
  optim/adagrad.cu
  optim/adadelta.cu
  optim/rmsprop.cu
  optim/clip_grad.cu
  optim/scheduler.cpp
  optim/lr_expression.cpp)
# LambdaLR's expressions: muparser (Debian's libmuparser-dev).
find_library(SNN_MUPARSER_LIBRARY muparser REQUIRED)
find_path(SNN_MUPARSER_INCLUDE muParser.h REQUIRED)
cmake_language(DEFER CALL target_link_libraries snn_learning PRIVATE ${SNN_MUPARSER_LIBRARY})
cmake_language(DEFER CALL target_include_directories snn_learning PRIVATE ${SNN_MUPARSER_INCLUDE})
