# Convolutional/residual layers: list sources here as list(APPEND SNN_LEARNING_SOURCES ...).
