# io sources: list(APPEND SNN_IO_SOURCES ...)
list(APPEND SNN_IO_SOURCES atomic_file.cpp hdf5_handle.cpp idx_reader.cpp sonata_writer.cpp checkpoint.cpp
                           training_trace.cpp weights_file.cpp)
