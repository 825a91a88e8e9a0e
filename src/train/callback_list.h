// CallbackList: calls every callback's hook in order (progress bar first,
// then the user's callbacks, then History), as Keras's CallbackList does.
#pragma once
#include <memory>
#include <vector>
#include "nabla/train/callback.h"

namespace nabla::detail {

class CallbackList {
 public:
  CallbackList(const std::vector<CallbackArg>& user, std::shared_ptr<Callback> progbar,
               std::shared_ptr<Callback> history, Model* model);
  ~CallbackList();
  CallbackList(const CallbackList&) = delete;
  CallbackList& operator=(const CallbackList&) = delete;
  void on_train_begin(const Logs& l) { for (auto& c : cbs_) c->on_train_begin(l); }
  void on_train_end(const Logs& l) { for (auto& c : cbs_) c->on_train_end(l); }
  void on_epoch_begin(int e, const Logs& l) { for (auto& c : cbs_) c->on_epoch_begin(e, l); }
  void on_epoch_end(int e, const Logs& l) { for (auto& c : cbs_) c->on_epoch_end(e, l); }
  void on_train_batch_begin(int64_t b, const Logs& l) { for (auto& c : cbs_) c->on_train_batch_begin(b, l); }
  void on_train_batch_end(int64_t b, const Logs& l) { for (auto& c : cbs_) c->on_train_batch_end(b, l); }
  void on_test_begin(const Logs& l) { for (auto& c : cbs_) c->on_test_begin(l); }
  void on_test_end(const Logs& l) { for (auto& c : cbs_) c->on_test_end(l); }
  void on_test_batch_begin(int64_t b, const Logs& l) { for (auto& c : cbs_) c->on_test_batch_begin(b, l); }
  void on_test_batch_end(int64_t b, const Logs& l) { for (auto& c : cbs_) c->on_test_batch_end(b, l); }
  void on_predict_begin(const Logs& l) { for (auto& c : cbs_) c->on_predict_begin(l); }
  void on_predict_end(const Logs& l) { for (auto& c : cbs_) c->on_predict_end(l); }
  void on_predict_batch_begin(int64_t b, const Logs& l) { for (auto& c : cbs_) c->on_predict_batch_begin(b, l); }
  void on_predict_batch_end(int64_t b, const Logs& l) { for (auto& c : cbs_) c->on_predict_batch_end(b, l); }
 private:
  std::vector<std::shared_ptr<Callback>> cbs_;
};

}  // namespace nabla::detail
