#include "train/callback_list.h"

#include "nabla/core/error.h"

namespace nabla {

Model& Callback::model() const {
  NB_CHECK(model_ != nullptr, FailedPrecondition, "this callback is not attached to a model (use it in fit())");
  return *model_;
}

namespace detail {

CallbackList::CallbackList(const std::vector<CallbackArg>& user, std::shared_ptr<Callback> progbar,
                           std::shared_ptr<Callback> history, Model* model) {
  if (progbar) cbs_.push_back(std::move(progbar));
  for (const CallbackArg& c : user) {
    NB_CHECK(c.get() != nullptr, InvalidArgument, "a null callback was given");
    cbs_.push_back(c.get());
  }
  if (history) cbs_.push_back(std::move(history));
  for (auto& c : cbs_) c->set_model(model);
}

CallbackList::~CallbackList() {
  for (auto& c : cbs_) c->set_model(nullptr);
}

}  // namespace detail
}  // namespace nabla
