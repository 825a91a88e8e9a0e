// Checkpoints: everything needed to continue training exactly where it stopped.
//
// A checkpoint is a model file (model_file.h: architecture when the model has a
// config, weights, compile config, optimizer slots and iteration count) whose
// metadata also holds "training_state": the epoch and batch reached by the fit
// in progress, its running loss, fit's shuffling generator, and the state of
// every random generator (nabla::random::default_generator() and each layer's
// own, e.g. a seeded Dropout). Files are written atomically.
//
// Restoring one into the same model and calling fit() with the same arguments
// reaches bit-identical weights to a run that was never interrupted (CPU, same
// thread count; for fit on tensors or on a Dataset whose order does not depend
// on how many times it was iterated). The BackupAndRestore callback and
// `nabla train --resume DIR` are built on these two functions.
#pragma once
#include <string>

#include "nabla/train/model.h"

namespace nabla {

// Writes a checkpoint of `model` (compiled) and the fit in progress to `path`.
void save_checkpoint(Model& model, const std::string& path);

// Restores a checkpoint written by save_checkpoint into `model` (the same
// architecture, compiled): weights, optimizer state and random generators, and
// makes the fit in progress (when called from on_train_begin) or the next fit
// continue from the saved epoch and batch. Returns the saved training state.
// All-or-nothing: a bad file (DataLoss/InvalidArgument/NotFound naming it)
// leaves the model unchanged.
Model::TrainingState restore_checkpoint(Model& model, const std::string& path);

}  // namespace nabla
