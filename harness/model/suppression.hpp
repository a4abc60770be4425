// A Sohound-level suppression: applied after parsing, the same way for every tool.
#pragma once

#include "harness/model/source_pos.hpp"
#include "harness/model/tool.hpp"

#include <string>
#include <vector>

namespace harness::model {

struct AuxMatch {
  std::string label;                // glob over an aux stack's label
  std::vector<std::string> frames;  // frame patterns for that stack (see Suppression::frames)
};

struct Suppression {
  std::string name;
  std::string kind = "*";   // glob over the finding's kind
  std::vector<Tool> tools;  // empty: every tool
  // Frame patterns matched from the top of the primary stack, allocator and runtime frames
  // dropped: each is a glob over the function name (with or without parameter list), or
  // "obj:GLOB" over the object path; "..." matches any number of frames. The stack may go on
  // below the last pattern.
  std::vector<std::string> frames;
  std::vector<std::string> labels;  // each glob must match some aux label ("Address ... inside data symbol ...")
  std::vector<AuxMatch> aux;        // each must match some aux stack
  // Built-in check: the race's other side is the initialisation of a C++ function-local static
  // (Helgrind names the object "_ZZ<owner>..."; its owner function is on the conflicting stack).
  bool static_initialisation = false;
  // Built-in check: the race's other side is a lazily built static inside a prebuilt C++ shared
  // library, whose guard and names Valgrind cannot see (aggregate::is_library_static_init_race).
  bool library_static_initialisation = false;
  std::string reason;
  SourcePos pos;  // where it was written; file "<default>" for shipped ones
};

struct SuppressionUse {
  std::string name;
  std::string source;       // "file:line"
  std::size_t matched = 0;  // findings it suppressed in this run
};

}  // namespace harness::model
