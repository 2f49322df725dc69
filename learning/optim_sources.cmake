# list(APPEND SNN_LEARNING_SOURCES ...) for this area
