# Losses, optimizers and schedulers (helper A2): one binary.
snn_add_test(test_learning_optim
  ${CMAKE_CURRENT_LIST_DIR}/loss/test_rate_loss.cu
  ${CMAKE_CURRENT_LIST_DIR}/optim/test_sgd.cu
  ${CMAKE_CURRENT_LIST_DIR}/optim/test_adam.cu
  ${CMAKE_CURRENT_LIST_DIR}/optim/test_adaptive.cu
  ${CMAKE_CURRENT_LIST_DIR}/optim/test_clip_grad.cu
  ${CMAKE_CURRENT_LIST_DIR}/optim/test_optim_state.cu
  ${CMAKE_CURRENT_LIST_DIR}/optim/test_scheduler.cpp
  ${CMAKE_CURRENT_LIST_DIR}/optim/test_scheduler_toolbox.cpp)
target_link_libraries(test_learning_optim PRIVATE snn_learning)
