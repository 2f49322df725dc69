# Model files (learning/model/model_file): parsing, located errors, shape inference. Host-only.
snn_add_test(test_learning_model ${CMAKE_CURRENT_LIST_DIR}/model/test_model_file.cpp)
target_link_libraries(test_learning_model PRIVATE snn_learning)
