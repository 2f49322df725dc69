# Convolutional/residual layers (helper D): one binary.
snn_add_test(test_learning_conv
  ${CMAKE_CURRENT_LIST_DIR}/conv/test_conv2d.cu
  ${CMAKE_CURRENT_LIST_DIR}/conv/test_batch_norm.cu
  ${CMAKE_CURRENT_LIST_DIR}/conv/test_pooling.cu
  ${CMAKE_CURRENT_LIST_DIR}/conv/test_blocks.cu
  ${CMAKE_CURRENT_LIST_DIR}/conv/test_resnet_builder.cu
  ${CMAKE_CURRENT_LIST_DIR}/conv/test_resnet_learning.cu
  ${CMAKE_CURRENT_LIST_DIR}/conv/test_direct_once.cu)
target_link_libraries(test_learning_conv PRIVATE snn_learning)
