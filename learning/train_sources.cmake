# Training loop, evaluation, metrics, progress bar (learning/train/). The trainer reads image sets
# and writes checkpoints through snn_io, so snn_learning links it (snn_io needs only snn_core).
list(APPEND SNN_LEARNING_SOURCES train/device_dataset.cu train/shuffle.cpp train/progress_bar.cpp
                                 train/metrics_csv.cpp train/trainer.cu)
cmake_language(DEFER CALL target_link_libraries snn_learning PUBLIC snn_io)
