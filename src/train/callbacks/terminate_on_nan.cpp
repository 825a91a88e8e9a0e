#include "nabla/train/callbacks/terminate_on_nan.h"

#include <cmath>
#include <iostream>

#include "nabla/train/model.h"

namespace nabla::callbacks {

void TerminateOnNaN::on_train_batch_end(int64_t batch, const Logs& logs) {
  std::optional<double> loss = logs.get("loss");
  if (!loss || std::isfinite(*loss)) return;
  NB_CHECK(!options_.raise_error, FailedPrecondition, "NaN or Inf loss encountered at batch ", batch,
           ". Loss value: ", *loss, ". Terminating training immediately.");
  std::cout << "Batch " << batch << ": Invalid loss, terminating training\n";
  model().stop_training = true;
}

}  // namespace nabla::callbacks
