# cmake -P: install BUILD_DIR into PREFIX, configure and build SOURCE in WORK against it, run it.
function(step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${PREFIX} ${WORK})
step(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX})
foreach(f include/snn/sim/network.h include/snn/learning/model/fc_network.h
          include/snn/io/checkpoint.h lib/libsnn_sim.a lib/cmake/snn/snnConfig.cmake bin/snn-sim)
  if(NOT EXISTS ${PREFIX}/${f})
    message(FATAL_ERROR "not installed: ${PREFIX}/${f}")
  endif()
endforeach()
step(${CMAKE_COMMAND} -S ${SOURCE} -B ${WORK} -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX}
     -DCMAKE_PREFIX_PATH=${PREFIX} -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
     "-DCMAKE_EXE_LINKER_FLAGS=${CXX_FLAGS}")
step(${CMAKE_COMMAND} --build ${WORK})
step(${WORK}/downstream)
message(STATUS "${step_output}")
if(NOT step_output MATCHES "spikes 3\n" OR NOT step_output MATCHES "parameters 7840\n")
  message(FATAL_ERROR "unexpected output of the downstream program:\n${step_output}")
endif()
