// Compiles as C++17, not as C++20: `requires` is a keyword there, so this also shows which
// standard a library source gets by default. The error below is the deliberate one.
int requires = 0;
int bad_cxx() { return undeclared_in_cxx; }
