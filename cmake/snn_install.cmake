# cmake --install: headers under include/snn (included as "sim/network.h"), the static module
# libraries, the programs, and an exported CMake package, so that another project can write
#   find_package(snn REQUIRED)
#   target_link_libraries(app PRIVATE snn::sim snn::learning)   # also snn::io, snn::core
# The package records this build's device system (its compile definitions travel with
# snn::backend) and finds the dependencies the static libraries need.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(SNN_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/snn)
foreach(t snn_backend snn_core snn_io snn_sim snn_learning)
  string(REPLACE "snn_" "" short ${t})
  set_target_properties(${t} PROPERTIES EXPORT_NAME ${short})
endforeach()
install(TARGETS snn_backend snn_core snn_io snn_sim snn_learning EXPORT snnTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/snn)
install(TARGETS snn-train snn-sim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY sim learning io DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/snn
        FILES_MATCHING PATTERN "*.h")
install(EXPORT snnTargets NAMESPACE snn:: DESTINATION ${SNN_INSTALL_CMAKEDIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/snnConfig.cmake.in
                              ${CMAKE_CURRENT_BINARY_DIR}/snnConfig.cmake
                              INSTALL_DESTINATION ${SNN_INSTALL_CMAKEDIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/snnConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/snnConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/snnConfigVersion.cmake
        DESTINATION ${SNN_INSTALL_CMAKEDIR})
