# io sources: list(APPEND SNN_IO_SOURCES ...)
list(APPEND SNN_IO_SOURCES atomic_file.cpp)
