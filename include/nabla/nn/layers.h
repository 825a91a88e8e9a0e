// Every built-in layer (nb::layers::Dense, ...).
#pragma once
#include "nabla/nn/keras_tensor.h"
#include "nabla/nn/layer.h"
#include "nabla/nn/layers/activation.h"
#include "nabla/nn/layers/add.h"
#include "nabla/nn/layers/concatenate.h"
#include "nabla/nn/layers/dense.h"
#include "nabla/nn/layers/dropout.h"
#include "nabla/nn/layers/flatten.h"
#include "nabla/nn/layers/input_layer.h"
#include "nabla/nn/layers/lambda.h"
#include "nabla/nn/layers/rescaling.h"
#include "nabla/nn/layers/reshape.h"
