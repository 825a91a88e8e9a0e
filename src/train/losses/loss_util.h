// Input checks shared by the loss functions and classes (internal).
#pragma once
#include <cstdint>

#include "nabla/core/tensor.h"

namespace nabla::losses::loss_detail {

// y_pred must be defined and floating point (and of rank >= 1 when needs_axis).
void check_pred(const Tensor& y_pred, const char* fn, bool needs_axis);
// y_true in y_pred's dtype: integer/bool labels are cast; a float y_true of
// another float dtype is an InvalidArgument.
Tensor true_as_pred(const Tensor& y_true, const Tensor& y_pred, const char* fn);
// InvalidArgument naming both shapes unless they broadcast / are equal.
void check_broadcast(const Tensor& y_true, const Tensor& y_pred, const char* fn);
void check_same_shape(const Tensor& y_true, const Tensor& y_pred, const char* fn);
// `axis` normalised against y_pred's rank.
int64_t class_axis(int64_t axis, const Tensor& y_pred, const char* fn);

}  // namespace nabla::losses::loss_detail
