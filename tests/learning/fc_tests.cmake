# Fully-connected learning core (helper A1): one binary.
snn_add_test(test_learning_fc
  ${CMAKE_CURRENT_LIST_DIR}/fc/test_surrogate.cu
  ${CMAKE_CURRENT_LIST_DIR}/fc/test_neurons.cu
  ${CMAKE_CURRENT_LIST_DIR}/fc/test_linear.cu
  ${CMAKE_CURRENT_LIST_DIR}/fc/test_encoders.cu
  ${CMAKE_CURRENT_LIST_DIR}/fc/test_fused.cu
  ${CMAKE_CURRENT_LIST_DIR}/fc/test_classifier.cu)
target_link_libraries(test_learning_fc PRIVATE snn_learning)
