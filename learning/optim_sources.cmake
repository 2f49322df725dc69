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
  optim/scheduler.cpp)
