// Variables: assignment, slice assignment, scatter_nd_update, copy semantics.
#include <gtest/gtest.h>

#include <nabla/nabla.h>

namespace nb = nabla;

namespace {

std::vector<int32_t> vals(const nb::Tensor& t) { return t.to_vector<int32_t>(); }

TEST(Variable, CourseSequence) {
  nb::Variable v({{1, 2, 3}, {4, 5, 6}});
  v.assign(2 * v);
  EXPECT_EQ(vals(v), (std::vector<int32_t>{2, 4, 6, 8, 10, 12}));
  v.index({0, 1}).assign(42);
  EXPECT_EQ(vals(v), (std::vector<int32_t>{2, 42, 6, 8, 10, 12}));
  v[":, 2"].assign(nb::constant({0, 1}));
  EXPECT_EQ(vals(v), (std::vector<int32_t>{2, 42, 0, 8, 10, 1}));
  v.scatter_nd_update(nb::constant({{0, 0}, {1, 2}}), nb::constant({100, 200}));
  EXPECT_EQ(vals(v), (std::vector<int32_t>{100, 42, 0, 8, 10, 200}));
}

TEST(Variable, CopyConstructionCopiesTheValue) {
  nb::Variable a({2, 3});
  nb::Variable b(a);
  a.assign({5, 6});
  EXPECT_EQ(vals(a), (std::vector<int32_t>{5, 6}));
  EXPECT_EQ(vals(b), (std::vector<int32_t>{2, 3}));
  EXPECT_NE(a.id(), b.id());
  a.assign_add({2, 3});
  EXPECT_EQ(vals(a), (std::vector<int32_t>{7, 9}));
  a.assign_sub({7, 9});
  EXPECT_EQ(vals(a), (std::vector<int32_t>{0, 0}));
}

TEST(Variable, SnapshotsNeverChange) {
  nb::Variable v(nb::constant({1.f, 2.f}));
  nb::Tensor before = v.value();
  nb::Tensor view = v.value()["::-1"];
  v.assign_add(nb::constant({10.f, 10.f}));
  EXPECT_EQ(before.to_vector<float>(), (std::vector<float>{1.f, 2.f}));
  EXPECT_EQ(view.to_vector<float>(), (std::vector<float>{2.f, 1.f}));
  EXPECT_EQ(v.value().to_vector<float>(), (std::vector<float>{11.f, 12.f}));
}

TEST(Variable, InPlaceWhenUnshared) {
  nb::Variable v(nb::zeros({4}));
  const void* p = v.value().raw_data();
  v.assign(nb::ones({4}));
  EXPECT_EQ(v.value().raw_data(), p);  // no snapshot alive: updated in place
}

TEST(Variable, ArithmeticReadsTheValue) {
  nb::Variable x(3.0f);
  auto y = x * x;
  EXPECT_EQ(y.item<float>(), 9.f);
  EXPECT_EQ(x.shape(), nb::Shape{});
  EXPECT_EQ(x.dtype(), nb::float32);
  EXPECT_TRUE(x.trainable());
  nb::Variable w(nb::ones({2}), {.name = "w", .trainable = false});
  EXPECT_EQ(w.name(), "w");
  EXPECT_FALSE(w.trainable());
}

TEST(Variable, AssignChecksShapeAndDtype) {
  nb::Variable v({1, 2});
  EXPECT_THROW(v.assign(nb::constant({1, 2, 3})), nb::InvalidArgument);
  EXPECT_THROW(v.assign(nb::constant({1.f, 2.f})), nb::InvalidArgument);
  EXPECT_THROW(v[":"].assign(nb::constant({1, 2, 3})), nb::InvalidArgument);
  EXPECT_THROW(v.index({5}).assign(1), nb::OutOfRange);
  nb::Variable empty;
  EXPECT_THROW(empty.value(), nb::FailedPrecondition);
}

TEST(Variable, SliceAssignBroadcastsAndConvertsScalars) {
  nb::Variable v(nb::zeros({2, 3}));
  v["0"].assign(1.5);
  v[":, 1"].assign(nb::constant(7.f));
  EXPECT_EQ(v.value().to_vector<float>(), (std::vector<float>{1.5f, 7.f, 1.5f, 0.f, 7.f, 0.f}));
  v["::-1, ::2"].assign(nb::constant({{1.f, 2.f}, {3.f, 4.f}}));
  EXPECT_EQ(v.value().to_vector<float>(), (std::vector<float>{3.f, 7.f, 4.f, 1.f, 7.f, 2.f}));
}

TEST(Variable, MovePreservesIdentity) {
  nb::Variable a({1});
  const uint64_t id = a.id();
  nb::Variable b(std::move(a));
  EXPECT_EQ(b.id(), id);
}

}  // namespace
