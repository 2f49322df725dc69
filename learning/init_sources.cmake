# Weight initialisation as torch.nn.init (learning/init/).
list(APPEND SNN_LEARNING_SOURCES init/init.cu)
