// Reference convolution loops (internal): direct, unoptimised, accumulate in
// double. They define the ops' semantics for tests, run float64 (gradient
// checks), and float32 when nb::set_conv_reference(true).
#pragma once
#include "ops/conv_geometry.h"

namespace nabla::cpu {

// y = conv(x, w); x/w/y contiguous in the geometry's layouts.
template <typename T> void conv_forward_reference(const ops::ConvGeometry& g, const T* x, const T* w, T* y);
// dx = conv_backprop_input(dy, w).
template <typename T> void conv_backward_data_reference(const ops::ConvGeometry& g, const T* dy, const T* w, T* dx);
// dw = conv_backprop_filter(x, dy).
template <typename T> void conv_backward_filter_reference(const ops::ConvGeometry& g, const T* x, const T* dy, T* dw);

}  // namespace nabla::cpu
