#include "policy/grammar.h"

#include <gtest/gtest.h>

#include <tao/pegtl/contrib/analyze.hpp>

// PEGTL's grammar analysis finds rules that could loop forever without consuming input.
TEST(Grammar, AnalyzeFindsNoProblems) {
  EXPECT_EQ(tao::pegtl::analyze<cordon::policy::grammar::file>(1), 0u);
}
