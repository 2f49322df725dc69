# Weight initialisation (torch.nn.init): one binary.
snn_add_test(test_learning_init ${CMAKE_CURRENT_LIST_DIR}/init/test_init.cu)
target_link_libraries(test_learning_init PRIVATE snn_learning)
