# NIR export of trained networks (learning/export): one binary.
snn_add_test(test_learning_export ${CMAKE_CURRENT_LIST_DIR}/export/test_nir_export.cu)
target_link_libraries(test_learning_export PRIVATE snn_nir_export)
target_compile_definitions(test_learning_export PRIVATE SNN_NIR_PYTHON_DIR="${SNN_SHARED_DIR}/thirdparty/nir-1.0.7")
