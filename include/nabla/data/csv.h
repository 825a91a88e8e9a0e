// read_csv: numeric tables from delimited text files, split into features
// and (optionally) a label column.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "nabla/core/tensor.h"

namespace nabla::data {

struct CsvOptions {
  bool header = true;              // the first line names the columns
  std::string label_column = {};   // label column by name (needs header); wins over label_index
  int64_t label_index = -1;        // label column by position; negative counts from the end (-1 = last)
  char delimiter = ',';
  DType dtype = DType::float32;        // dtype of x
  DType label_dtype = DType::int32;    // dtype of y
  bool has_labels = true;              // false: every column goes to x and y stays undefined
};

struct CsvData {
  Tensor x = {};                              // (rows, feature columns), options.dtype
  Tensor y = {};                              // (rows), options.label_dtype; undefined without labels
  std::vector<std::string> column_names = {}; // names of x's columns in order (empty without header)
  std::string label_name = {};                // name of the label column (empty without header/labels)
};

// Reads the numeric table at `path`. Lines end in \n or \r\n; blank lines are
// skipped; cells may be surrounded by spaces and by double quotes. Every cell
// must be a number (decimal or scientific, "nan"/"inf" allowed for floating
// dtypes); a value stored in an integer dtype must be integral and in range.
// Throws NotFound when the file cannot be opened and InvalidArgument for: an
// empty file (or a header with no rows), a row whose cell count differs from
// the first row's (ragged), a non-numeric or empty cell (the message names the
// line, column and text), an unknown label column name, a label index out of
// range, label_column without header, a table with no feature column left.
CsvData read_csv(const std::string& path, const CsvOptions& options = {});

}  // namespace nabla::data
