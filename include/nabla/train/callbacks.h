// Every built-in callback (nb::callbacks::EarlyStopping, ...).
#pragma once
#include "nabla/train/callback.h"
#include "nabla/train/callbacks/csv_logger.h"
#include "nabla/train/callbacks/early_stopping.h"
#include "nabla/train/callbacks/history.h"
#include "nabla/train/callbacks/lambda_callback.h"
#include "nabla/train/callbacks/learning_rate_scheduler.h"
#include "nabla/train/callbacks/monitor_callback.h"
#include "nabla/train/callbacks/progbar_logger.h"
#include "nabla/train/callbacks/reduce_lr_on_plateau.h"
#include "nabla/train/callbacks/terminate_on_nan.h"
