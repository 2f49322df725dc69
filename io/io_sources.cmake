# io sources: list(APPEND SNN_IO_SOURCES ...)
list(APPEND SNN_IO_SOURCES atomic_file.cpp hdf5_handle.cpp hdf5_memory_file.cpp idx_reader.cpp cifar_reader.cpp dataset_classes.cpp sonata_file.cpp sonata_journal.cpp sonata_writer.cpp checkpoint.cpp
                           training_trace.cpp npy_writer.cpp weights_file.cpp json_reader.cpp)
# NIR graphs (io/nir/): the model, per-type fields, shape inference, reader, writer.
list(APPEND SNN_IO_SOURCES nir/nir_graph.cpp nir/nir_schema.cpp nir/nir_params.cpp nir/nir_shapes.cpp
                           nir/nir_reader.cpp nir/nir_writer.cpp)
