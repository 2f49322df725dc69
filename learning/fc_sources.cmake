# Fully-connected learning core: list sources here as list(APPEND SNN_LEARNING_SOURCES ...).
